// What every view needs: the API, what the server said about itself, the view state and a
// way to change it (which writes the URL).

import { createContext } from "preact";
import { useContext } from "preact/hooks";

import type { Api } from "./api";
import type { ViewState } from "./state";
import type { About } from "./types";

export interface Navigate {
  (change: Partial<ViewState>, options?: { replace?: boolean }): void;
}

export interface Dashboard {
  api: Api;
  about: About;
  state: ViewState;
  navigate: Navigate;
  /** The resolved colour scheme, so charts redraw in its colours. */
  theme: "light" | "dark";
  /** The server's clock at load, advanced with ours: "now" for ranges and relative times. */
  nowSeconds: () => number;
}

export const DashboardContext = createContext<Dashboard | null>(null);

export function useDashboard(): Dashboard {
  const found = useContext(DashboardContext);
  if (!found) throw new Error("useDashboard outside the dashboard");
  return found;
}
