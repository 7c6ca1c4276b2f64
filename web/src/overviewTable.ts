// The overview's rows: filtered by text, sorted by a column, cut into pages. Pure.

import type { Order, SortKey } from "./state";
import type { OverviewItem } from "./types";

export const PAGE_SIZE = 50;

function sortValue(item: OverviewItem, key: SortKey): number | string | null {
  switch (key) {
    case "repo":
      return item.repo.toLowerCase();
    case "stars":
      return item.stars;
    case "change1d":
      return item.stars_change["1d"];
    case "change7d":
      return item.stars_change["7d"];
    case "change30d":
      return item.stars_change["30d"];
    case "open_issues":
      return item.open_issues;
    case "pr_ratio":
      return item.pr_ratio;
    case "weekly_downloads":
      return item.weekly_downloads;
    case "collected":
      return item.collection.last_measured_at;
  }
}

/** Rows whose repository or package names contain every word of `filter` (any case). */
export function filterItems(items: readonly OverviewItem[], filter: string): OverviewItem[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...items];
  return items.filter((item) => {
    const text = [item.repo, ...item.packages].join(" ").toLowerCase();
    return words.every((word) => text.includes(word));
  });
}

/** Rows sorted by `key`; missing values always last, ties by repository name. */
export function sortItems(items: readonly OverviewItem[], key: SortKey, order: Order): OverviewItem[] {
  const direction = order === "asc" ? 1 : -1;
  return [...items].sort((left, right) => {
    const a = sortValue(left, key);
    const b = sortValue(right, key);
    if (a === null && b !== null) return 1;
    if (b === null && a !== null) return -1;
    if (a !== null && b !== null && a !== b) return (a < b ? -1 : 1) * direction;
    return left.repo.localeCompare(right.repo);
  });
}

export interface Page<T> {
  rows: T[];
  page: number;
  pages: number;
  first: number;
  last: number;
  total: number;
}

/** One page of rows (pages count from 1; a page past the end shows the last one). */
export function paginate<T>(rows: readonly T[], page: number, size: number = PAGE_SIZE): Page<T> {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const current = Math.min(Math.max(1, page), pages);
  const start = (current - 1) * size;
  const slice = rows.slice(start, start + size);
  return {
    rows: slice,
    page: current,
    pages,
    first: slice.length ? start + 1 : 0,
    last: start + slice.length,
    total: rows.length,
  };
}
