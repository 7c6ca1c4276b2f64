// Entry point: take the config and first requests boot.ts started (or start them), ask the
// API about the server, render the page.

import { render } from "preact";

import { Api, ApiError, loadConfig } from "./api";
import { App } from "./App";
import { firstRequests } from "./early";
import { parseState } from "./state";
import "./styles.css";

function failed(root: HTMLElement, message: string): void {
  const box = document.createElement("div");
  box.className = "state state-error boot-error";
  box.setAttribute("role", "alert");
  const title = document.createElement("h1");
  title.textContent = "The dashboard cannot reach its API";
  const detail = document.createElement("p");
  detail.textContent = message;
  box.append(title, detail);
  root.replaceChildren(box);
}

async function boot(): Promise<void> {
  const root = document.getElementById("app");
  if (!root) return;
  try {
    const early = window.ossgrowthEarly;
    const api = new Api(early?.config ?? (await loadConfig(location.href)), early?.requests);
    if (!early) {
      for (const [path, params] of firstRequests(parseState(location.search))) api.prefetch(path, params);
    }
    const about = await api.about();
    root.replaceChildren();
    render(<App api={api} about={about} />, root);
  } catch (error) {
    const message =
      error instanceof ApiError
        ? `${error.message} (HTTP ${error.status}).`
        : `${String(error)}. Is the server running?`;
    failed(root, message);
  }
}

void boot();
