import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { column, deltas, gapCount, logSafe, normalise, spacingGaps, splitByProvenance } from "../src/transform";
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

describe("the rows between reconstructed days", () => {
  const HOURS_3 = 10_800;
  // Every 3 hours: a reconstructed day, seven empty rows, the next reconstructed day, then
  // empty rows up to the first measured point the same day.
  const xs = Array.from({ length: 15 }, (_, index) => index * HOURS_3);
  const provenance: (Provenance | null)[] = xs.map(() => null);
  provenance[0] = "reconstructed";
  provenance[8] = "reconstructed";
  provenance[14] = "measured";

  it("are gaps of spacing only, up to the measured point that follows", () => {
    const spanned = spacingGaps(xs, provenance);
    assert.deepEqual(
      spanned.map((value, index) => (value ? index : -1)).filter((index) => index >= 0),
      [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13],
    );
  });

  it("are drawn across by the reconstructed line, which meets the measured one", () => {
    const values = xs.map((_, index) => (provenance[index] === null ? null : 100 + index));
    const { measured, reconstructed } = splitByProvenance(values, provenance, spacingGaps(xs, provenance));
    assert.equal(reconstructed[0], 100);
    assert.equal(reconstructed[4], undefined);
    assert.equal(reconstructed[8], 108);
    assert.equal(reconstructed[14], 114);
    assert.equal(measured[14], 114);
    assert.equal(measured[4], undefined);
  });

  it("leave a missed collection between two measured points a gap", () => {
    const measuredOnly: (Provenance | null)[] = ["measured", null, "measured"];
    assert.deepEqual(spacingGaps([0, HOURS_3, 2 * HOURS_3], measuredOnly), [false, false, false]);
  });

  it("leave a missing reconstructed day a gap", () => {
    const days = [0, 86_400, 2 * 86_400];
    assert.deepEqual(spacingGaps(days, ["reconstructed", null, "reconstructed"]), [false, false, false]);
  });
});
