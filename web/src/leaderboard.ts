// A leaderboard's rows as the table shows them: the rank's move, the gains, whether a row
// rests on reconstructed points. Pure.

import { formatChange, formatCompact } from "./format";
import type { LeaderboardEntry, RankBy, RankWindow } from "./types";

export const WINDOW_LABELS: Record<RankWindow, string> = {
  "7d": "7 days",
  "30d": "30 days",
  "90d": "90 days",
  "1y": "1 year",
};

export const BY_LABELS: Record<RankBy, string> = {
  score: "Growth score",
  gain: "Gain",
  relative: "Relative gain",
};

export interface RankMove {
  /** ▲, ▼ or nothing: drawn, hidden from screen readers. */
  mark: string;
  /** What the mark says, in words ("up 2 places"). */
  text: string;
  direction: "up" | "down" | "same" | "new";
}

/**
 * How a row's rank moved since the previous window: `rank_change` counts places gained
 * (previous rank minus rank), so a positive change is a move up the table.
 */
export function rankMove(entry: Pick<LeaderboardEntry, "rank" | "previous_rank" | "rank_change">): RankMove {
  if (entry.previous_rank === null) return { mark: "", text: "new in the ranking", direction: "new" };
  const change = entry.rank_change ?? entry.previous_rank - entry.rank;
  if (change === 0) return { mark: "", text: "unchanged", direction: "same" };
  const places = Math.abs(change);
  const words = `${places} place${places === 1 ? "" : "s"}`;
  return change > 0
    ? { mark: `▲${places}`, text: `up ${words}`, direction: "up" }
    : { mark: `▼${places}`, text: `down ${words}`, direction: "down" };
}

/** Whether any point a row was computed from was not measured (reconstructed or estimated). */
export function restsOnReconstruction(entry: Pick<LeaderboardEntry, "provenance" | "points">): boolean {
  const labels = [...entry.provenance, ...entry.points.map((point) => point.provenance)];
  return labels.some((label) => label !== "measured");
}

/** A relative gain (0.125) as a signed percentage (`+12.5 %`); a dash when unknown. */
export function formatRelativeGain(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return "—";
  const percent = value * 100;
  const digits = Math.abs(percent) < 100 ? 1 : 0;
  const text = Math.abs(percent).toFixed(digits);
  if (Number(text) === 0) return "0 %";
  return `${percent > 0 ? "+" : "−"}${text} %`;
}

/** A growth score with two decimals (none from 100 up), negative with the gains' minus sign
 * (`−1.29`); a dash when unknown. */
export function formatScore(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return "—";
  const size = Math.abs(value);
  const text = size >= 100 ? formatCompact(Math.round(size)) : size.toFixed(2);
  return value < 0 && Number(text.replace(/[^0-9.]/g, "")) !== 0 ? `−${text}` : text;
}

/** The gain with its sign, as the overview writes changes. */
export const formatGain = formatChange;

/** The row's name: the repository, and its package for per-package families. */
export function entryLabel(entry: Pick<LeaderboardEntry, "repo" | "package">): string {
  return entry.package ? `${entry.repo} (${entry.package})` : entry.repo;
}
