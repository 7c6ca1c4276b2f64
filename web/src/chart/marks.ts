// Performance marks the benchmark reads: the first chart drawn with data, then all charts a
// view expects. Each is set once per page load.

export const FIRST_CHART_MARK = "ossgrowth:first-chart";
export const ALL_CHARTS_MARK = "ossgrowth:all-charts";
export const OVERVIEW_MARK = "ossgrowth:overview";

const drawn = new Set<string>();
let expected: ReadonlySet<string> | null = null;

export function markOnce(name: string): void {
  if (performance.getEntriesByName(name, "mark").length === 0) performance.mark(name);
}

function checkAll(): void {
  if (expected !== null && expected.size > 0 && [...expected].every((id) => drawn.has(id))) {
    markOnce(ALL_CHARTS_MARK);
  }
}

/** The charts the current view draws; once each has drawn its data, the second mark is set. */
export function expectCharts(ids: readonly string[]): void {
  expected = new Set(ids);
  checkAll();
}

/** A chart has drawn its data. */
export function chartDrawn(id: string): void {
  markOnce(FIRST_CHART_MARK);
  drawn.add(id);
  checkAll();
}
