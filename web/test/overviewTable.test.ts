import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { filterItems, paginate, sortItems } from "../src/overviewTable";
import type { OverviewItem } from "../src/types";

function item(repo: string, stars: number | null, packages: string[] = []): OverviewItem {
  return {
    repo,
    packages,
    added_at: null,
    stars,
    stars_as_of: null,
    stars_change: { "1d": null, "7d": stars === null ? null : stars / 10, "30d": null },
    sparkline: [],
    sparkline_start: "2026-02-01",
    open_issues: null,
    open_prs: null,
    pr_ratio: null,
    weekly_downloads: null,
    collection: { status: "ok", last_measured_at: null, message: null },
    backfill: { status: "none", families_done: 0, families_total: 0, pages_stored: 0, message: null },
  };
}

const ITEMS = [item("b/two", 20), item("a/one", 300, ["npm:one"]), item("c/three", null), item("d/four", 20)];

describe("overview rows", () => {
  it("sorts by a column either way, missing values last, ties by name", () => {
    assert.deepEqual(
      sortItems(ITEMS, "stars", "desc").map((row) => row.repo),
      ["a/one", "b/two", "d/four", "c/three"],
    );
    assert.deepEqual(
      sortItems(ITEMS, "stars", "asc").map((row) => row.repo),
      ["b/two", "d/four", "a/one", "c/three"],
    );
    assert.deepEqual(
      sortItems(ITEMS, "repo", "asc").map((row) => row.repo),
      ["a/one", "b/two", "c/three", "d/four"],
    );
  });

  it("filters by every word, in names and packages, any case", () => {
    assert.deepEqual(filterItems(ITEMS, "NPM:one").map((row) => row.repo), ["a/one"]);
    assert.deepEqual(filterItems(ITEMS, "o U").map((row) => row.repo), ["d/four"]);
    assert.deepEqual(filterItems(ITEMS, "e").map((row) => row.repo), ["a/one", "c/three"]);
    assert.equal(filterItems(ITEMS, "  ").length, 4);
  });

  it("cuts pages and clamps a page past the end", () => {
    const rows = Array.from({ length: 120 }, (_, index) => index);
    assert.deepEqual(paginate(rows, 3, 50), { rows: rows.slice(100), page: 3, pages: 3, first: 101, last: 120, total: 120 });
    assert.equal(paginate(rows, 9, 50).page, 3);
    assert.deepEqual(paginate([], 1, 50), { rows: [], page: 1, pages: 1, first: 0, last: 0, total: 0 });
  });
});
