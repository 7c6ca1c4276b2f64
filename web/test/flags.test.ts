import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { dayStart, flagMarkers, flagSentence } from "../src/chart/flags";
import type { FlaggedDay } from "../src/types";

const LAUNCH: FlaggedDay = {
  day: "2026-01-10",
  gain: 800,
  median: 20,
  mad: 2,
  score: 263.055,
  kind: "spike",
  new_account_share: 0.05,
};
const PURCHASE: FlaggedDay = { ...LAUNCH, day: "2026-02-09", gain: 500, score: 161.88, kind: "unusual", new_account_share: 0.94 };
const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

describe("flagged days", () => {
  it("puts each marker in the middle of its UTC day, labelled by its kind", () => {
    const markers = flagMarkers([LAUNCH, PURCHASE], null, day);
    assert.deepEqual(
      markers.map((marker) => [marker.x, marker.kind, marker.label]),
      [
        [dayStart("2026-01-10") + 43_200, "spike", "spike"],
        [dayStart("2026-02-09") + 43_200, "unusual", "unusual"],
      ],
    );
    assert.equal(dayStart("2026-01-10"), 1_768_003_200);
  });

  it("says what each day is in words, never as a verdict", () => {
    const [launch, purchase] = flagMarkers([LAUNCH, PURCHASE], null, day);
    assert.equal(
      launch?.title,
      "2026-01-10: spike (+800 stars against a usual +20, score 263.1, 5% from accounts under 30 days old)",
    );
    assert.equal(
      purchase?.title,
      "2026-02-09: unusual (+500 stars against a usual +20, score 161.9, 94% from accounts under 30 days old)",
    );
    for (const marker of [launch, purchase]) assert.doesNotMatch(marker?.title ?? "", /fake|fraud|bought/i);
  });

  it("leaves the share out when the account ages are not known", () => {
    const unknown = { ...LAUNCH, new_account_share: null, gain: 1234.4 };
    assert.equal(flagSentence(unknown, "Jan 10, 2026"), "Jan 10, 2026: spike (+1,234 stars against a usual +20, score 263.1)");
  });

  it("keeps only the days within the chart's range", () => {
    const from = dayStart("2026-02-01");
    const to = dayStart("2026-03-01");
    assert.deepEqual(
      flagMarkers([LAUNCH, PURCHASE], [from, to], day).map((marker) => marker.kind),
      ["unusual"],
    );
    assert.deepEqual(flagMarkers([{ ...LAUNCH, day: "not a day" }], null, day), []);
  });
});
