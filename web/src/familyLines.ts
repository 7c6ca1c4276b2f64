// A family's series → the lines of its chart: one per field, split into measured (solid) and
// reconstructed (dashed) parts, as values or deltas, log-safe when asked; a reconstructed line
// is drawn across the empty rows between its days, a missed collection left a gap. Pure.

import { fieldColor } from "./colors";
import { fieldLabel } from "./format";
import type { Mode } from "./state";
import {
  type Column,
  type SpannedColumn,
  column,
  deltas,
  hasValues,
  logSafe,
  spacingGaps,
  splitByProvenance,
} from "./transform";
import type { FieldInfo, Provenance, Series } from "./types";

export interface FamilyLine {
  /** The field it draws. */
  field: string;
  label: string;
  /** null: a gap; undefined: a row between reconstructed days, which the line passes over. */
  values: SpannedColumn;
  color: string;
  dashed: boolean;
  right: boolean;
}

export interface FamilyChartData {
  xs: number[];
  lines: FamilyLine[];
  /** Each field's values as shown (deltas in a deltas mode), for tooltips. */
  shown: Record<string, Column>;
  provenance: (Provenance | null)[];
  sources: (string | null)[];
  /** The gap rows the lines pass over: between reconstructed days, not missed collections. */
  spanned: boolean[];
  /** Fields drawn on the right-hand axis. */
  rightFields: string[];
}

/** Whether a field is drawn as a change per day or week in a deltas mode (counts are). */
export function showsDelta(field: FieldInfo, mode: Mode): boolean {
  return mode !== "values" && field.kind === "count";
}

/**
 * Fields drawn on the right-hand axis: ratios, and download totals (far larger than the
 * weekly counts beside them). Totals move to the left in a deltas mode, where they become
 * downloads per day or week.
 */
export function onRightAxis(field: FieldInfo, mode: Mode): boolean {
  if (field.kind === "ratio") return true;
  return field.name === "total_downloads" && mode === "values";
}

export interface LegendLine {
  label: string;
  color: string;
  dashed: boolean;
}

/** What a field is called in a chart: `stars`, `open PRs per day` … */
export function lineLabel(field: FieldInfo, mode: Mode): string {
  const unit = mode === "daily" ? "day" : "week";
  return fieldLabel(field.name) + (showsDelta(field, mode) ? ` per ${unit}` : "");
}

/**
 * The legend of a family's chart: one entry per field, and the dashed style of reconstructed
 * values. It depends on the family and the mode only, never on the data, so nothing moves
 * when the points arrive.
 */
export function familyLegend(fields: readonly FieldInfo[], mode: Mode, countedFrom: string | null): LegendLine[] {
  const entries = fields.map((field, index) => ({
    label:
      field.name === "total_downloads" && countedFrom && mode === "values"
        ? `${lineLabel(field, mode)} (since ${countedFrom})`
        : lineLabel(field, mode),
    color: fieldColor(index),
    dashed: false,
  }));
  return [...entries, { label: "reconstructed", color: "#8c959f", dashed: true }];
}

export function familyLines(
  series: Series,
  fields: readonly FieldInfo[],
  mode: Mode,
  log: boolean,
): FamilyChartData {
  const xs = series.points.map((point) => point.epoch_seconds);
  const provenance = series.points.map((point) => point.provenance);
  const sources = series.points.map((point) => point.source);
  const spanned = spacingGaps(xs, provenance);
  const lines: FamilyLine[] = [];
  const shown: Record<string, Column> = {};
  const rightFields: string[] = [];
  fields.forEach((field, index) => {
    const raw = column(series.points, field.name);
    const values = showsDelta(field, mode) ? deltas(raw) : raw;
    shown[field.name] = values;
    const right = onRightAxis(field, mode);
    if (right) rightFields.push(field.name);
    const drawn = log && !right ? logSafe(values) : values;
    const { measured, reconstructed } = splitByProvenance(drawn, provenance, spanned);
    const label = lineLabel(field, mode);
    const color = fieldColor(index);
    lines.push({ field: field.name, label, values: measured, color, dashed: false, right });
    if (hasValues(reconstructed)) {
      lines.push({
        field: field.name,
        label: `${label} (reconstructed)`,
        values: reconstructed,
        color,
        dashed: true,
        right,
      });
    }
  });
  return { xs, lines, shown, provenance, sources, spanned, rightFields };
}
