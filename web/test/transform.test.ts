import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { column, deltas, gapCount, logSafe, normalise, splitByProvenance } from "../src/transform";
import type { Provenance, SeriesPoint } from "../src/types";

function point(epoch: number, stars: number | null, provenance: Provenance | null): SeriesPoint {
  return {
    time: "",
    epoch_seconds: epoch,
    star_count: stars,
    provenance,
    source: provenance ? "test" : null,
  };
}

describe("columns", () => {
  it("keeps a gap as null, never 0", () => {
    const points = [point(0, 5, "measured"), point(1, null, null), point(2, 7, "measured")];
    assert.deepEqual(column(points, "star_count"), [5, null, 7]);
    assert.equal(gapCount(points), 1);
  });

  it("takes differences and leaves a gap on both sides of one", () => {
    assert.deepEqual(deltas([1, 4, null, 10, 12]), [null, 3, null, null, 2]);
  });

  it("normalises to a percentage of the peak", () => {
    assert.deepEqual(normalise([50, null, 200, 100]), [25, null, 100, 50]);
    assert.deepEqual(normalise([0, null, 0]), [0, null, 0]);
  });

  it("drops what a log axis cannot show", () => {
    assert.deepEqual(logSafe([0, -2, 3, null]), [null, null, 3, null]);
  });
});

describe("measured and reconstructed parts", () => {
  it("splits by provenance and joins the two lines where they meet", () => {
    const values = [1, 2, 3, 4, 5];
    const provenance: Provenance[] = ["reconstructed", "reconstructed", "measured", "measured", "estimated"];
    const { measured, reconstructed } = splitByProvenance(values, provenance);
    assert.deepEqual(reconstructed, [1, 2, 3, null, 5]);
    assert.deepEqual(measured, [null, null, 3, 4, 5]);
  });

  it("does not bridge a gap", () => {
    const { measured, reconstructed } = splitByProvenance([1, null, 3], ["reconstructed", null, "measured"]);
    assert.deepEqual(reconstructed, [1, null, null]);
    assert.deepEqual(measured, [null, null, 3]);
  });
});
