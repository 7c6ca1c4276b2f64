// Small pieces every view uses: links that keep the page, states, the environment banner.

import type { ComponentChildren } from "preact";

import { useDashboard } from "../context";
import { type ViewState, serializeState } from "../state";
import type { Environment } from "../types";
import type { Loaded } from "../useLoad";

/** A link to another view: a real href (opens in a new tab too), navigates in place on click. */
export function ViewLink(props: {
  to: Partial<ViewState>;
  children: ComponentChildren;
  class?: string;
  label?: string;
  /** The link to the view being shown (`aria-current="page"`). */
  current?: boolean;
}) {
  const { state, navigate } = useDashboard();
  const target = { ...state, zoom: null, ...props.to };
  return (
    <a
      href={serializeState(target) || "./"}
      class={props.class}
      aria-label={props.label}
      aria-current={props.current ? "page" : undefined}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        navigate({ zoom: null, ...props.to });
      }}
    >
      {props.children}
    </a>
  );
}

export function Loading(props: { what: string }) {
  return (
    <p class="state state-loading" role="status">
      Loading {props.what}…
    </p>
  );
}

export function ErrorState(props: { message: string; retry?: () => void }) {
  return (
    <div class="state state-error" role="alert">
      <p>{props.message}</p>
      {props.retry && (
        <button type="button" onClick={props.retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <div class="state state-empty">{props.children}</div>;
}

const isEmptyList = (data: unknown) => Array.isArray(data) && data.length === 0;

/**
 * What `useLoad` gave, in the state it is in: its error with a retry (while there is nothing
 * to show), loading, empty (`isEmpty`; by default an empty list), or `children(data)`. Data
 * already shown stays while it reloads.
 */
export function WhenLoaded<T>(props: {
  loaded: Loaded<T>;
  /** What is loading, after "Loading ": "the alert rules". */
  what: string;
  /** The failure's first words, before the API's message: "Could not list the rules". */
  failure: string;
  isEmpty?: (data: T) => boolean;
  /** The empty state's content. */
  empty: ComponentChildren;
  children: (data: T) => ComponentChildren;
}) {
  const { data, error, reload } = props.loaded;
  if (error && data === null) return <ErrorState message={`${props.failure}: ${error}`} retry={reload} />;
  if (data === null) return <Loading what={props.what} />;
  if ((props.isEmpty ?? isEmptyList)(data)) return <Empty>{props.empty}</Empty>;
  return <>{props.children(data)}</>;
}

const BANNERS: Record<Environment, string | null> = {
  dev: "Development environment: data here is for trying things out.",
  staging: "Staging environment (password-protected): not the production data.",
  prod: null,
};

/** A banner naming the environment on dev and staging; none on prod. */
export function EnvironmentBanner(props: { environment: Environment }) {
  const text = BANNERS[props.environment];
  if (!text) return null;
  return (
    <div class={`banner banner-${props.environment}`} role="note" data-environment={props.environment}>
      <strong>{props.environment.toUpperCase()}</strong> {text}
    </div>
  );
}

/** A bar from 0 to `total` with its text, for work that takes a while. */
export function Progress(props: { value: number; total: number; label: string }) {
  const percent = props.total > 0 ? Math.round((props.value / props.total) * 100) : 0;
  return (
    <div class="progress">
      <progress max={props.total || 1} value={props.value} aria-label={props.label} />
      <span>
        {props.label}: {props.value} of {props.total} ({percent} %)
      </span>
    </div>
  );
}
