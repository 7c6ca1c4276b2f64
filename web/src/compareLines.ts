// Several repositories' series of one field → lines on one shared x axis. Pure.
//
// Aligned by date, x is epoch seconds; aligned by age, x is days since each series' day 0
// (its first point: the repository's creation once its history is reconstructed). Each
// repository keeps its colour (see colors.ts). A gap in a series stays a gap; an x that only
// another series has is skipped over, not drawn as a gap, and so are the empty rows between
// the days of reconstructed history (see transform.ts).

import uPlot from "uplot";

import { repositoryColors } from "./colors";
import { type Column, type SpannedColumn, column, logSafe, normalise, spacingGaps } from "./transform";
import type { CompareSeries, Provenance } from "./types";

export interface CompareLine {
  repo: string;
  label: string;
  values: SpannedColumn;
  color: string;
  /** Each x's provenance for this repository (null where it has no point or a gap). */
  provenance: (Provenance | null)[];
  /** The values before normalising, for tooltips. */
  exact: Column;
}

export interface CompareChartData {
  xs: number[];
  lines: CompareLine[];
}

function xOf(point: { epoch_seconds: number; age_days?: number }, byAge: boolean): number {
  return byAge ? (point.age_days ?? 0) : point.epoch_seconds;
}

export function compareLines(
  series: readonly CompareSeries[],
  field: string,
  options: { byAge: boolean; normalize: boolean; log: boolean; order: readonly string[] },
): CompareChartData {
  const colors = repositoryColors(options.order.length ? options.order : series.map((item) => item.repo));
  const tables: uPlot.AlignedData[] = series.map((item) => {
    const spanned = spacingGaps(
      item.points.map((point) => point.epoch_seconds),
      item.points.map((point) => point.provenance),
    );
    const points = item.points.filter((_, index) => !spanned[index]);
    const xs = points.map((point) => xOf(point, options.byAge));
    const values = column(points, field);
    const ranks = points.map((point) => (point.provenance === null ? null : rankOf(point.provenance)));
    return [xs, values, ranks] as uPlot.AlignedData;
  });
  if (!tables.length) return { xs: [], lines: [] };
  const joined = uPlot.join(tables);
  const xs = Array.from(joined[0] as ArrayLike<number>);
  const lines = series.map((item, index) => {
    const exact = Array.from(joined[1 + index * 2] as ArrayLike<number | null | undefined>, (value) =>
      value === undefined ? null : value,
    );
    const rawRanks = Array.from(joined[2 + index * 2] as ArrayLike<number | null | undefined>);
    let values: SpannedColumn = Array.from(joined[1 + index * 2] as ArrayLike<number | null | undefined>);
    if (options.normalize) values = keepUndefined(values, normalise);
    if (options.log) values = keepUndefined(values, logSafe);
    return {
      repo: item.repo,
      label: item.package ? `${item.repo} (${item.package})` : item.repo,
      values,
      color: colors.get(item.repo) ?? "#888888",
      provenance: rawRanks.map((rank) => (rank == null ? null : PROVENANCES[rank] ?? null)),
      exact,
    };
  });
  return { xs, lines };
}

const PROVENANCES: Record<number, Provenance> = { 1: "estimated", 2: "reconstructed", 3: "measured" };

function rankOf(provenance: Provenance): number {
  return provenance === "measured" ? 3 : provenance === "reconstructed" ? 2 : 1;
}

/**
 * Apply a transform to the values a series has, leaving `undefined` (no point at that x, to
 * be spanned) as it is, so joining does not invent gaps.
 */
function keepUndefined(values: SpannedColumn, transform: (values: Column) => Column): SpannedColumn {
  const present = values.map((value) => (value === undefined ? null : value));
  const changed = transform(present);
  return values.map((value, index) => (value === undefined ? value : (changed[index] ?? null)));
}
