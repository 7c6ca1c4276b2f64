// The whole view state, kept in the page's URL query: a link restores exactly what was shown.
//
// Pure: parse(search) → ViewState and serialize(ViewState) → search. Values left at their
// defaults are not written, so links stay short; anything unreadable falls back to its default.

import { FAMILIES, type Family, RANK_BYS, RANK_WINDOWS, type RankBy, type RankWindow } from "./types";

export type View = "overview" | "repo" | "compare" | "manage" | "collections" | "leaderboard" | "alerts";
export type Preset = "7d" | "30d" | "90d" | "1y" | "all";
export type Scale = "linear" | "log";
export type Mode = "values" | "daily" | "weekly";
export type Align = "calendar" | "age";
export type SortKey =
  | "repo"
  | "stars"
  | "change1d"
  | "change7d"
  | "change30d"
  | "open_issues"
  | "pr_ratio"
  | "weekly_downloads"
  | "collected";
export type Order = "asc" | "desc";

export const PRESETS: readonly Preset[] = ["7d", "30d", "90d", "1y", "all"];
export const MAX_COMPARED = 10;

export interface ViewState {
  view: View;
  /** The repository page's repository. */
  repo: string | null;
  /** The charts shown on the repository page, in registry order. */
  families: Family[];
  preset: Preset;
  /** A zoomed range (epoch seconds, UTC) inside the preset; null when not zoomed. */
  zoom: { from: number; to: number } | null;
  scale: Scale;
  mode: Mode;
  /** The downloads chart's package; null for the repository's first one. */
  package: string | null;
  /** The compared repositories, in the order they were added. */
  compared: string[];
  /** The family compared, charted on a collection's page, or ranked by the leaderboard. */
  compareFamily: Family;
  /** That family's field; null for its first (headline) field. */
  compareField: string | null;
  /** The collection shown (its slug), or the one the leaderboard ranks; null for none. */
  collection: string | null;
  /** The leaderboard's window and what it ranks by. */
  window: RankWindow;
  by: RankBy;
  align: Align;
  normalize: boolean;
  sort: SortKey;
  order: Order;
  filter: string;
  /** Overview page, from 1. */
  page: number;
}

export const DEFAULT_STATE: ViewState = {
  view: "overview",
  repo: null,
  families: [...FAMILIES],
  preset: "1y",
  zoom: null,
  scale: "linear",
  mode: "values",
  package: null,
  compared: [],
  compareFamily: "stars",
  compareField: null,
  collection: null,
  window: "30d",
  by: "score",
  align: "calendar",
  normalize: false,
  sort: "stars",
  order: "desc",
  filter: "",
  page: 1,
};

const VIEWS: readonly View[] = ["overview", "repo", "compare", "manage", "collections", "leaderboard", "alerts"];
const SORT_KEYS: readonly SortKey[] = [
  "repo",
  "stars",
  "change1d",
  "change7d",
  "change30d",
  "open_issues",
  "pr_ratio",
  "weekly_downloads",
  "collected",
];
const REPO_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

const SLUG_PATTERN = /^[a-z0-9-]{1,64}$/;

/**
 * A collection slug as the URL may carry it (1 to 64 letters, digits and hyphens, read in
 * lower case as the API does), or null.
 */
export function cleanSlug(text: string | null): string | null {
  if (text === null) return null;
  const lowered = text.trim().toLowerCase();
  return SLUG_PATTERN.test(lowered) ? lowered : null;
}

/** A repository name as the URL may carry it, or null when it is not one. */
export function cleanRepo(text: string | null): string | null {
  if (text === null) return null;
  const trimmed = text.trim();
  return REPO_PATTERN.test(trimmed) ? trimmed : null;
}

function parseMoment(text: string | null): number | null {
  if (!text) return null;
  const millis = Date.parse(text);
  return Number.isFinite(millis) ? Math.floor(millis / 1000) : null;
}

function isoSeconds(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(".000Z", "Z");
}

function parseFamilies(text: string | null): Family[] {
  if (text === null) return [...DEFAULT_STATE.families];
  const wanted = new Set(text.split(","));
  const chosen = FAMILIES.filter((family) => wanted.has(family));
  return chosen.length ? chosen : [...DEFAULT_STATE.families];
}

/** The view state a URL query (`location.search`) describes. */
export function parseState(search: string): ViewState {
  const query = new URLSearchParams(search);
  const repo = cleanRepo(query.get("repo"));
  const compared: string[] = [];
  for (const text of (query.get("repos") ?? "").split(",")) {
    const name = cleanRepo(text);
    if (name && !compared.some((known) => known.toLowerCase() === name.toLowerCase())) {
      compared.push(name);
    }
  }
  let view = oneOf(query.get("view"), VIEWS, repo ? "repo" : "overview");
  if (view === "repo" && !repo) view = "overview";
  const from = parseMoment(query.get("from"));
  const to = parseMoment(query.get("to"));
  const page = Number.parseInt(query.get("page") ?? "1", 10);
  return {
    view,
    repo,
    families: parseFamilies(query.get("families")),
    preset: oneOf(query.get("range"), PRESETS, DEFAULT_STATE.preset),
    zoom: from !== null && to !== null && from < to ? { from, to } : null,
    scale: oneOf(query.get("scale"), ["linear", "log"] as const, "linear"),
    mode: oneOf(query.get("mode"), ["values", "daily", "weekly"] as const, "values"),
    package: query.get("package")?.slice(0, 300) || null,
    compared: compared.slice(0, MAX_COMPARED),
    compareFamily: oneOf(query.get("family"), FAMILIES, "stars"),
    compareField: /^[a-z_]{1,40}$/.test(query.get("field") ?? "") ? query.get("field") : null,
    collection: cleanSlug(query.get("collection")),
    window: oneOf(query.get("window"), RANK_WINDOWS, DEFAULT_STATE.window),
    by: oneOf(query.get("by"), RANK_BYS, DEFAULT_STATE.by),
    align: oneOf(query.get("align"), ["calendar", "age"] as const, "calendar"),
    normalize: query.get("normalize") === "1",
    sort: oneOf(query.get("sort"), SORT_KEYS, DEFAULT_STATE.sort),
    order: oneOf(query.get("order"), ["asc", "desc"] as const, DEFAULT_STATE.order),
    filter: (query.get("q") ?? "").slice(0, 200),
    page: Number.isFinite(page) && page >= 1 ? page : 1,
  };
}

/** The URL query (with its leading `?`, or empty) of a view state: only what the view uses. */
export function serializeState(state: ViewState): string {
  const query = new URLSearchParams();
  const put = (name: string, value: string, fallback: string) => {
    if (value !== fallback) query.set(name, value);
  };
  if (state.view !== "overview" && !(state.view === "repo" && state.repo)) {
    query.set("view", state.view);
  }
  if (state.view === "repo" && state.repo) {
    query.set("repo", state.repo);
    put("families", state.families.join(","), FAMILIES.join(","));
    if (state.package) query.set("package", state.package);
  }
  const collectionChart = state.view === "collections" && state.collection !== null;
  if (state.view === "repo" || state.view === "compare" || collectionChart) {
    put("range", state.preset, DEFAULT_STATE.preset);
    if (state.zoom) {
      query.set("from", isoSeconds(state.zoom.from));
      query.set("to", isoSeconds(state.zoom.to));
    }
    put("scale", state.scale, "linear");
  }
  if (state.view === "repo") put("mode", state.mode, "values");
  if (state.view === "compare") {
    if (state.compared.length) query.set("repos", state.compared.join(","));
    put("family", state.compareFamily, "stars");
    if (state.compareField) query.set("field", state.compareField);
    put("align", state.align, "calendar");
    if (state.normalize) query.set("normalize", "1");
  }
  if (collectionChart || state.view === "leaderboard") {
    if (state.collection) query.set("collection", state.collection);
    put("family", state.compareFamily, "stars");
    if (state.compareField) query.set("field", state.compareField);
  }
  if (state.view === "leaderboard") {
    put("window", state.window, DEFAULT_STATE.window);
    put("by", state.by, DEFAULT_STATE.by);
  }
  if (state.view === "overview") {
    put("sort", state.sort, DEFAULT_STATE.sort);
    put("order", state.order, DEFAULT_STATE.order);
    put("q", state.filter, "");
    put("page", String(state.page), "1");
  }
  const text = query.toString();
  return text ? `?${text}` : "";
}
