// Small pieces every view uses: links that keep the page, states, the environment banner.

import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

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

/**
 * A destructive action asked twice: the trigger opens the question, whose confirm button takes
 * the focus as it appears (so the keyboard is where the question is); Cancel closes it and
 * gives the focus back to the trigger.
 */
export function ConfirmAction(props: {
  open: boolean;
  onOpen: () => void;
  onCancel: () => void;
  onConfirm: () => void;
  /** The trigger's text ("Delete"), and its accessible name when the text is not enough. */
  trigger: string;
  triggerLabel?: string;
  /** The confirm button's text: what will happen. */
  confirm: string;
  /** The trigger cannot be used (no right to write). */
  disabled?: boolean;
  /** The confirm button cannot be used (no right to write, or a change under way). */
  confirmDisabled?: boolean;
}) {
  const confirmRef = useRef<HTMLButtonElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const wasOpenRef = useRef(props.open);
  useEffect(() => {
    const lost = document.activeElement === null || document.activeElement === document.body;
    if (props.open) confirmRef.current?.focus();
    else if (wasOpenRef.current && lost) triggerRef.current?.focus();
    wasOpenRef.current = props.open;
  }, [props.open]);
  if (!props.open) {
    return (
      <button
        type="button"
        ref={triggerRef}
        disabled={props.disabled}
        aria-label={props.triggerLabel}
        onClick={props.onOpen}
      >
        {props.trigger}
      </button>
    );
  }
  return (
    <span class="confirm">
      <button type="button" ref={confirmRef} class="danger" disabled={props.confirmDisabled} onClick={props.onConfirm}>
        {props.confirm}
      </button>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </span>
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

/** Whether asking again may help: no answer, a server's failure, a timeout or a rate limit;
 * not a refusal such as a 404 or a 422, which would only come back the same. */
export function mayRetry(status: number | null): boolean {
  return status === null || status >= 500 || status === 408 || status === 429;
}

/**
 * What `useLoad` gave, in the state it is in: its error, with a retry where one may help
 * (while there is nothing to show), loading, empty (`isEmpty`; by default an empty list), or `children(data)`. Data
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
  const { data, error, status, reload } = props.loaded;
  if (error && data === null) {
    return <ErrorState message={`${props.failure}: ${error}`} retry={mayRetry(status) ? reload : undefined} />;
  }
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
