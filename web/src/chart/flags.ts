// Flagged days (`GET …/unusual`) as chart markers and as words: where each falls on the time
// axis, and the sentence that says what it is. Pure, so it is unit-tested.

import type { FlaggedDay, FlagKind } from "../types";

const DAY_SECONDS = 86_400;

/** A marker on a time chart: a vertical line at `x` with a short label and a full title. */
export interface ChartMarker {
  /** Epoch seconds: the middle of the flagged UTC day. */
  x: number;
  kind: FlagKind;
  /** `spike` or `unusual`: drawn beside the line. */
  label: string;
  /** The whole sentence, for the marker's title and the list under the chart. */
  title: string;
}

/** Epoch seconds of 00:00 UTC of a `YYYY-MM-DD` day. */
export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function signed(value: number): string {
  const rounded = Math.round(value);
  return `${rounded >= 0 ? "+" : "\u2212"}${Math.abs(rounded).toLocaleString("en-US")}`;
}

/** What a flagged day is, in one sentence: never a verdict. */
export function flagSentence(flag: FlaggedDay, dayText: string): string {
  const gain = `${signed(flag.gain)} stars against a usual ${signed(flag.median)}`;
  const score = `score ${flag.score.toFixed(1)}`;
  if (flag.kind === "unusual") {
    const share = flag.new_account_share === null ? "" : `, ${percent(flag.new_account_share)}`;
    return `${dayText}: unusual (${gain}, ${score}${share} from accounts under 30 days old)`;
  }
  const share =
    flag.new_account_share === null ? "" : `, ${percent(flag.new_account_share)} from accounts under 30 days old`;
  return `${dayText}: spike (${gain}, ${score}${share})`;
}

/** The markers of the flagged days that fall within the chart's x range (inclusive). */
export function flagMarkers(
  flags: readonly FlaggedDay[],
  range: readonly [number, number] | null,
  dayText: (epochSeconds: number) => string,
): ChartMarker[] {
  const markers: ChartMarker[] = [];
  for (const flag of flags) {
    const start = dayStart(flag.day);
    if (Number.isNaN(start)) continue;
    const x = start + DAY_SECONDS / 2;
    if (range !== null && (start + DAY_SECONDS < range[0] || start > range[1])) continue;
    markers.push({ x, kind: flag.kind, label: flag.kind, title: flagSentence(flag, dayText(start)) });
  }
  return markers;
}
