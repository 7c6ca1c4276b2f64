import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { entryLabel, formatRelativeGain, formatScore, rankMove, restsOnReconstruction } from "../src/leaderboard";

describe("a leaderboard row", () => {
  it("says how its rank moved, in a mark and in words", () => {
    assert.deepEqual(rankMove({ rank: 1, previous_rank: 3, rank_change: 2 }), {
      mark: "▲2",
      text: "up 2 places",
      direction: "up",
    });
    assert.deepEqual(rankMove({ rank: 4, previous_rank: 3, rank_change: -1 }), {
      mark: "▼1",
      text: "down 1 place",
      direction: "down",
    });
    assert.equal(rankMove({ rank: 2, previous_rank: 2, rank_change: 0 }).direction, "same");
    assert.deepEqual(rankMove({ rank: 5, previous_rank: null, rank_change: null }), {
      mark: "",
      text: "new in the ranking",
      direction: "new",
    });
  });

  it("works the move out from the ranks when the change is missing", () => {
    assert.equal(rankMove({ rank: 2, previous_rank: 7, rank_change: null }).text, "up 5 places");
  });

  it("is marked when any point it rests on was not measured", () => {
    const measured = { at: "2026-02-01T00:00:00Z", value: 1, provenance: "measured" };
    assert.equal(restsOnReconstruction({ provenance: ["measured"], points: [measured, measured] }), false);
    assert.equal(restsOnReconstruction({ provenance: ["measured", "reconstructed"], points: [measured] }), true);
    assert.equal(
      restsOnReconstruction({ provenance: [], points: [measured, { ...measured, provenance: "estimated" }] }),
      true,
    );
  });

  it("writes relative gains as signed percentages and scores with two decimals", () => {
    assert.equal(formatRelativeGain(0.125), "+12.5 %");
    assert.equal(formatRelativeGain(1.5), "+150 %");
    assert.equal(formatRelativeGain(-0.04), "−4.0 %");
    assert.equal(formatRelativeGain(0), "0 %");
    assert.equal(formatRelativeGain(null), "—");
    assert.equal(formatScore(1.23456), "1.23");
    assert.equal(formatScore(12_345.6), "12.3K");
    assert.equal(formatScore(Number.NaN), "—");
    assert.equal(formatScore(-1.2912), "\u22121.29", "the gains' minus sign, not a hyphen");
    assert.equal(formatScore(-12_345.6), "\u221212.3K");
    assert.equal(formatScore(-0.001), "0.00", "no sign on a score that rounds to nothing");
  });

  it("names the package of a per-package row", () => {
    assert.equal(entryLabel({ repo: "octo/widgets", package: "npm:widgets" }), "octo/widgets (npm:widgets)");
    assert.equal(entryLabel({ repo: "octo/widgets" }), "octo/widgets");
  });
});
