// Which stretch of time a chart shows and how finely to ask the API for it. Pure.

import type { SeriesQuery } from "./api";
import type { Mode, Preset } from "./state";
import type { Family, Interval } from "./types";

const HOUR = 3_600;
const DAY = 86_400;
const PRESET_DAYS: Record<Preset, number | null> = {
  "7d": 7,
  "30d": 30,
  "90d": 90,
  "1y": 365,
  all: null,
};

/** The most points a chart asks for: about two per horizontal pixel, never above 1,000. */
export const MAX_POINTS = 1000;
/** Stars are shown every 3 hours (their schedule) up to this span, per day beyond it. */
export const THREE_HOURLY_UP_TO_DAYS = 120;

export interface TimeRange {
  /** Epoch seconds, inclusive; null for "from the first point". */
  from: number | null;
  /** Epoch seconds, inclusive; null for "up to the newest point". */
  to: number | null;
}

/**
 * The range of a preset or of a zoom, as of `nowSeconds`. A preset starts on a whole hour, so
 * the same view asks for the same URL all hour long (and answers can be cached).
 */
export function resolveRange(
  preset: Preset,
  zoom: { from: number; to: number } | null,
  nowSeconds: number,
): TimeRange {
  if (zoom) return { from: zoom.from, to: zoom.to };
  const days = PRESET_DAYS[preset];
  if (days === null) return { from: null, to: null };
  const from = nowSeconds - days * DAY;
  return { from: from - (from % HOUR), to: null };
}

/** Now, by this browser's clock, in epoch seconds: what ranges are measured from. */
export function clientNowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** How wide a repository page's charts are drawn, for how many points to ask. */
export function chartWidth(): number {
  return Math.min(1100, Math.max(320, window.innerWidth - 48));
}

/**
 * How finely to ask for a family over a span.
 *
 * Values come at the family's collection interval where that fits (stars every 3 hours for
 * spans up to 120 days, else per day; PRs and issues per day; downloads per week), so a missed
 * collection comes back as a gap row, drawn as a gap. Deltas need one point per day or week.
 * The API downsamples to `maxPoints`, keeping each stretch's extremes and its gaps.
 */
export function chooseResolution(
  family: Family,
  spanSeconds: number | null,
  widthPixels: number,
  mode: Mode = "values",
): { interval: Interval; maxPoints: number } {
  const maxPoints = Math.max(50, Math.min(MAX_POINTS, Math.round(widthPixels * 2)));
  if (mode === "daily") return { interval: "day", maxPoints };
  if (mode === "weekly") return { interval: "week", maxPoints };
  if (family === "downloads") return { interval: "week", maxPoints };
  if (family === "stars" && spanSeconds !== null && spanSeconds <= THREE_HOURLY_UP_TO_DAYS * DAY) {
    return { interval: "3h", maxPoints };
  }
  return { interval: "day", maxPoints };
}

/** The series query of a chart: its range as ISO times plus the chosen resolution. */
export function seriesQuery(
  family: Family,
  range: TimeRange,
  nowSeconds: number,
  widthPixels: number,
  mode: Mode,
  packageName: string | null,
): SeriesQuery {
  const span = range.from === null ? null : (range.to ?? nowSeconds) - range.from;
  const { interval, maxPoints } = chooseResolution(family, span, widthPixels, mode);
  return {
    from: range.from === null ? undefined : isoTime(range.from),
    to: range.to === null ? undefined : isoTime(range.to),
    interval,
    maxPoints,
    package: packageName ?? undefined,
  };
}

/** `2026-03-01T00:00:00Z` of epoch seconds. */
export function isoTime(epochSeconds: number): string {
  return new Date(Math.round(epochSeconds) * 1000).toISOString().replace(".000Z", "Z");
}
