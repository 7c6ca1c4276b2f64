import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { MAX_POINTS, chooseResolution, isoTime, resolveRange, seriesQuery } from "../src/ranges";

const DAY = 86_400;
const NOW = 1_772_323_200; // 2026-03-01T00:00:00Z

describe("ranges", () => {
  it("turns presets into a start before now and no end", () => {
    assert.deepEqual(resolveRange("7d", null, NOW), { from: NOW - 7 * DAY, to: null });
    assert.deepEqual(resolveRange("1y", null, NOW), { from: NOW - 365 * DAY, to: null });
    assert.deepEqual(resolveRange("all", null, NOW), { from: null, to: null });
  });

  it("prefers a zoom over the preset", () => {
    assert.deepEqual(resolveRange("all", { from: 10, to: 20 }, NOW), { from: 10, to: 20 });
  });
});

describe("resolution", () => {
  it("shows stars every 3 hours up to 120 days, per day beyond", () => {
    assert.equal(chooseResolution("stars", 30 * DAY, 800).interval, "3h");
    assert.equal(chooseResolution("stars", 120 * DAY, 800).interval, "3h");
    assert.equal(chooseResolution("stars", 121 * DAY, 800).interval, "day");
    assert.equal(chooseResolution("stars", null, 800).interval, "day");
  });

  it("asks for PRs and issues per day and downloads per week", () => {
    assert.equal(chooseResolution("prs", 7 * DAY, 800).interval, "day");
    assert.equal(chooseResolution("issues", null, 800).interval, "day");
    assert.equal(chooseResolution("downloads", 30 * DAY, 800).interval, "week");
  });

  it("asks for one point per day or week when showing deltas", () => {
    assert.equal(chooseResolution("stars", 30 * DAY, 800, "daily").interval, "day");
    assert.equal(chooseResolution("downloads", 30 * DAY, 800, "daily").interval, "day");
    assert.equal(chooseResolution("prs", null, 800, "weekly").interval, "week");
  });

  it("asks for about two points per pixel, between 50 and the cap", () => {
    assert.equal(chooseResolution("stars", null, 300).maxPoints, 600);
    assert.equal(chooseResolution("stars", null, 5000).maxPoints, MAX_POINTS);
    assert.equal(chooseResolution("stars", null, 10).maxPoints, 50);
  });

  it("writes the query with ISO times", () => {
    const query = seriesQuery("stars", { from: NOW - 7 * DAY, to: NOW }, NOW, 400, "values", null);
    assert.deepEqual(query, {
      from: "2026-02-22T00:00:00Z",
      to: "2026-03-01T00:00:00Z",
      interval: "3h",
      maxPoints: 800,
      package: undefined,
    });
    assert.equal(isoTime(1.4), "1970-01-01T00:00:01Z");
  });
});
