// The page: environment banner, header, and the view the URL names.

import { useCallback, useEffect, useMemo, useState } from "preact/hooks";

import type { Api } from "./api";
import { EnvironmentBanner, ViewLink } from "./components/common";
import { type Dashboard, DashboardContext, type Navigate } from "./context";
import { epochOf } from "./format";
import { type View, type ViewState, parseState, serializeState } from "./state";
import { type ThemeChoice, useTheme } from "./theme";
import type { About } from "./types";
import { AlertsView } from "./views/AlertsView";
import { CollectionsView } from "./views/CollectionsView";
import { CompareView } from "./views/CompareView";
import { LeaderboardView } from "./views/LeaderboardView";
import { ManageView } from "./views/ManageView";
import { OverviewView } from "./views/OverviewView";
import { RepoView } from "./views/RepoView";

const TITLES: Record<View, string> = {
  overview: "Overview",
  repo: "Repository",
  compare: "Compare",
  collections: "Collections",
  leaderboard: "Leaderboard",
  alerts: "Alerts",
  manage: "Manage",
};

function ThemeSwitch(props: { choice: ThemeChoice; choose: (choice: ThemeChoice) => void }) {
  return (
    <label class="theme-switch">
      <span class="visually-hidden">Colour scheme</span>
      <select
        value={props.choice}
        onChange={(event) => props.choose(event.currentTarget.value as ThemeChoice)}
      >
        <option value="system">Theme: system</option>
        <option value="light">Theme: light</option>
        <option value="dark">Theme: dark</option>
      </select>
    </label>
  );
}

export function App(props: { api: Api; about: About }) {
  const [state, setState] = useState<ViewState>(() => parseState(location.search));
  const [theme, themeChoice, chooseTheme] = useTheme();
  const serverOffset = useMemo(() => epochOf(props.about.now) - Date.now() / 1000, [props.about.now]);
  const nowSeconds = useCallback(() => Math.floor(Date.now() / 1000 + serverOffset), [serverOffset]);

  useEffect(() => {
    const restore = () => setState(parseState(location.search));
    window.addEventListener("popstate", restore);
    return () => window.removeEventListener("popstate", restore);
  }, []);

  const navigate: Navigate = useCallback((change, options) => {
    setState((current) => {
      const next = { ...current, ...change };
      const search = serializeState(next);
      const url = `${location.pathname}${search}`;
      if (url !== `${location.pathname}${location.search}`) {
        if (options?.replace) history.replaceState(null, "", url);
        else history.pushState(null, "", url);
      }
      return next;
    });
  }, []);

  useEffect(() => {
    const where =
      state.view === "repo" && state.repo
        ? state.repo
        : state.view === "collections" && state.collection
          ? `${state.collection} · Collections`
          : TITLES[state.view];
    document.title = `${where} · ossgrowth${props.about.environment === "prod" ? "" : ` (${props.about.environment})`}`;
  }, [state.view, state.repo, state.collection, props.about.environment]);

  const dashboard: Dashboard = { api: props.api, about: props.about, state, navigate, theme, nowSeconds };
  const view = state.view;
  // Alerts are for administrators: shown when this page may make changes (open, or with a token).
  const navigation: View[] = ["overview", "compare", "collections", "leaderboard", "manage"];
  if (props.about.writes !== "off") navigation.splice(4, 0, "alerts");
  return (
    <DashboardContext.Provider value={dashboard}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header>
        <EnvironmentBanner environment={props.about.environment} />
        <div class="site-header">
          <ViewLink to={{ view: "overview" }} class="brand" label="ossgrowth overview">
            <svg viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
              <rect width="32" height="32" rx="6" fill="currentColor" />
              <polyline points="5,24 12,17 17,20 27,8" fill="none" stroke="var(--bg)" stroke-width="3" />
            </svg>
            ossgrowth
          </ViewLink>
          <nav aria-label="Views">
            {navigation.map((name) => (
              <ViewLink
                key={name}
                to={{ view: name, collection: null }}
                class={view === name ? "current" : ""}
                current={view === name}
              >
                {TITLES[name]}
              </ViewLink>
            ))}
            <a href={new URL("../../docs", props.api.baseUrl).toString()}>API</a>
          </nav>
          <ThemeSwitch choice={themeChoice} choose={chooseTheme} />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {view === "overview" && <OverviewView />}
        {view === "repo" && state.repo && <RepoView key={state.repo.toLowerCase()} repo={state.repo} />}
        {view === "compare" && <CompareView />}
        {view === "collections" && <CollectionsView />}
        {view === "leaderboard" && <LeaderboardView />}
        {view === "alerts" && <AlertsView />}
        {view === "manage" && <ManageView />}
      </main>
      <footer class="site-footer">
        ossgrowth {props.about.version} · {props.about.environment} · times in {props.about.timezone}
      </footer>
    </DashboardContext.Provider>
  );
}
