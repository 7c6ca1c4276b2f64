// Series points → chart columns: gaps kept as null, deltas, normalising, log-safe values,
// measured and reconstructed parts. Pure.

import type { Provenance, SeriesPoint } from "./types";

export type Column = (number | null)[];

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
 * A column split in two: the measured values and the others (reconstructed or estimated).
 *
 * Where the kind changes between two neighbouring points, the later point is also put in
 * the earlier kind's column, so the two lines meet instead of leaving a false gap. Gaps (null)
 * stay gaps in both.
 */
export function splitByProvenance(
  values: Column,
  provenance: readonly (Provenance | null)[],
): { measured: Column; reconstructed: Column } {
  const measured: Column = values.map(() => null);
  const reconstructed: Column = values.map(() => null);
  let previousKind: "measured" | "reconstructed" | null = null;
  values.forEach((value, index) => {
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
export function hasValues(values: Column): boolean {
  return values.some((value) => value !== null);
}

/** How many gap rows (every field null) a series holds. */
export function gapCount(points: readonly SeriesPoint[]): number {
  return points.filter((point) => point.provenance === null).length;
}
