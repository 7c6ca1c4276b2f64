// The first requests of a page load, started before the app's code has arrived.
//
// boot.ts (a bundle of a few kB, loaded first) reads the config the server wrote into the page
// and starts the GETs the view in the URL will make; the app takes their answers when it asks
// for the same URLs. Both bundles carry their own copy of this module, so what passes between
// them is plain data on `window.ossgrowthEarly`.

import type { DashboardConfig, SeriesQuery } from "./api";
import { chartWidth, clientNowSeconds, resolveRange, seriesQuery } from "./ranges";
import type { ViewState } from "./state";
import type { Family } from "./types";

/** An answer as read: its JSON body, or the problem the API reported. */
export type Settled =
  | { body: unknown }
  | { problem: { status: number; detail: string; parameter: string | null } };

export interface Early {
  config: DashboardConfig;
  requests: Map<string, Promise<Settled>>;
}

declare global {
  interface Window {
    ossgrowthEarly?: Early;
  }
}

/** The series query of a family's chart on a repository page in a given view state. */
export function repoSeriesQuery(state: ViewState, family: Family): SeriesQuery {
  const now = clientNowSeconds();
  const range = resolveRange(state.preset, state.zoom, now);
  const packageName = family === "downloads" ? state.package : null;
  return seriesQuery(family, range, now, chartWidth(), state.mode, packageName);
}

/** Paths (under the API base) and query parameters a view asks for as soon as it opens. */
export function firstRequests(state: ViewState): [string, Record<string, string | number | undefined>][] {
  const wanted: [string, Record<string, string | number | undefined>][] = [["about", {}]];
  if (state.view === "repo" && state.repo) {
    const [owner = "", name = ""] = state.repo.split("/");
    const base = `repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
    for (const family of state.families) {
      const query = repoSeriesQuery(state, family);
      wanted.push([
        `${base}/series/${family}`,
        {
          from: query.from,
          to: query.to,
          interval: query.interval,
          max_points: query.maxPoints,
          package: query.package,
        },
      ]);
    }
    wanted.push([base, {}]);
  } else if (state.view === "overview") {
    wanted.push(["overview", {}]);
  }
  return wanted;
}
