// Series points → chart columns: gaps kept as null, deltas, normalising, log-safe values,
// measured and reconstructed parts. Pure.

import type { Provenance, SeriesPoint } from "./types";

export type Column = (number | null)[];

/** Values on a chart's x axis: null is a gap, undefined an x this line passes over. */
export type SpannedColumn = (number | null | undefined)[];

/**
 * The longest stretch between two points a line of reconstructed (or estimated) values is
 * drawn across: that history is rebuilt a day at a time, so asked for every 3 hours it comes
 * with empty rows between its days though no collection was missed.
 */
export const RECONSTRUCTED_SPACING_SECONDS = 86_400;

/** One field's values in time order; a gap (or a non-number) is null, never 0. */
export function column(points: readonly SeriesPoint[], field: string): Column {
  return points.map((point) => {
    const value = point[field];
    return typeof value === "number" && Number.isFinite(value) ? value : null;
  });
}

/** Each value minus the one before it; null where either is missing (a gap stays a gap). */
export function deltas(values: Column): Column {
  return values.map((value, index) => {
    if (index === 0) return null;
    const before = values[index - 1];
    return value === null || before === null || before === undefined ? null : value - before;
  });
}

/** Each value as a percentage of the column's largest one (null stays null). */
export function normalise(values: Column): Column {
  let largest = 0;
  for (const value of values) if (value !== null && value > largest) largest = value;
  if (largest === 0) return values.map((value) => (value === null ? null : 0));
  return values.map((value) => (value === null ? null : (value / largest) * 100));
}

/** Values a logarithmic axis can show: zero and negatives become null (not drawn). */
export function logSafe(values: Column): Column {
  return values.map((value) => (value !== null && value > 0 ? value : null));
}

/** Whether a point was read at that moment or worked out later (reconstructed, estimated). */
export function isMeasured(provenance: Provenance | null): boolean {
  return provenance === "measured";
}

/**
 * Which rows are gaps of spacing only, not missed collections: the gap rows (no provenance)
 * between two points at most `spacingSeconds` apart of which one or both were not measured
 * (reconstructed history is daily). A line passes over these rows; a gap between two measured
 * points, or a longer one, stays a gap.
 */
export function spacingGaps(
  xs: readonly number[],
  provenance: readonly (Provenance | null)[],
  spacingSeconds: number = RECONSTRUCTED_SPACING_SECONDS,
): boolean[] {
  const spanned = xs.map(() => false);
  let previous: number | null = null;
  provenance.forEach((kind, index) => {
    if (kind === null) return;
    if (previous !== null && index - previous > 1) {
      const close = (xs[index] ?? 0) - (xs[previous] ?? 0) <= spacingSeconds;
      const rebuilt = !isMeasured(provenance[previous] ?? null) || !isMeasured(kind);
      if (close && rebuilt) for (let gap = previous + 1; gap < index; gap += 1) spanned[gap] = true;
    }
    previous = index;
  });
  return spanned;
}

/**
 * A column split in two: the measured values and the others (reconstructed or estimated).
 *
 * Where the kind changes between two neighbouring points, the later point is also put in
 * the earlier kind's column, so the two lines meet instead of leaving a false gap. Gaps (null)
 * stay gaps in both, except the rows `passOver` marks (see `spacingGaps`): those are
 * undefined in both, and the lines are drawn across them.
 */
export function splitByProvenance(
  values: Column,
  provenance: readonly (Provenance | null)[],
  passOver: readonly boolean[] = [],
): { measured: SpannedColumn; reconstructed: SpannedColumn } {
  const measured: SpannedColumn = values.map(() => null);
  const reconstructed: SpannedColumn = values.map(() => null);
  let previousKind: "measured" | "reconstructed" | null = null;
  values.forEach((value, index) => {
    if (value === null && passOver[index]) {
      measured[index] = undefined;
      reconstructed[index] = undefined;
      return;
    }
    if (value === null) {
      previousKind = null;
      return;
    }
    const kind = isMeasured(provenance[index] ?? null) ? "measured" : "reconstructed";
    (kind === "measured" ? measured : reconstructed)[index] = value;
    if (previousKind !== null && previousKind !== kind) {
      (previousKind === "measured" ? measured : reconstructed)[index] = value;
    }
    previousKind = kind;
  });
  return { measured, reconstructed };
}

/** Whether a column holds any value at all. */
export function hasValues(values: SpannedColumn): boolean {
  return values.some((value) => typeof value === "number");
}

/** How many gap rows (every field null) a series holds. */
export function gapCount(points: readonly SeriesPoint[]): number {
  return points.filter((point) => point.provenance === null).length;
}
