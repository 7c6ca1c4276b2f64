import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Fragment, type VNode } from "preact";

import { Empty, ErrorState, Loading, WhenLoaded } from "../src/components/common";
import type { Loaded } from "../src/useLoad";

const reload = () => undefined;

function loaded<T>(data: T | null, error: string | null = null, status: number | null = error ? 503 : null): Loaded<T> {
  return { data, error, status, loading: data === null && error === null, reload };
}

function shown<T>(state: Loaded<T>, isEmpty?: (data: T) => boolean): VNode<Record<string, unknown>> {
  return WhenLoaded({
    loaded: state,
    what: "the alert rules",
    failure: "Could not list the rules",
    isEmpty,
    empty: "No rules yet.",
    children: (data) => `${JSON.stringify(data)} shown`,
  });
}

describe("a loaded table's states", () => {
  it("says what failed, after the failure's first words, with a retry, while there is nothing to show", () => {
    const view = shown(loaded<string[]>(null, "503 from the API"));
    assert.equal(view.type, ErrorState);
    assert.equal(view.props.message, "Could not list the rules: 503 from the API");
    assert.equal(view.props.retry, reload);
  });

  it("offers no retry for a refusal that would only come back the same", () => {
    const missing = shown(loaded<string[]>(null, "there is no collection 'nope'", 404));
    assert.equal(missing.type, ErrorState);
    assert.equal(missing.props.retry, undefined);
    assert.equal(shown(loaded<string[]>(null, "the server did not answer", null)).props.retry, reload);
    assert.equal(shown(loaded<string[]>(null, "slow down", 429)).props.retry, reload);
  });

  it("says what is loading until the first answer", () => {
    const view = shown(loaded<string[]>(null));
    assert.equal(view.type, Loading);
    assert.equal(view.props.what, "the alert rules");
  });

  it("keeps the data shown when a reload fails", () => {
    const view = shown(loaded(["a rule"], "503 from the API"));
    assert.equal(view.type, Fragment);
    assert.equal(view.props.children, '["a rule"] shown');
  });

  it("shows the empty state for an empty list, and the data otherwise", () => {
    const empty = shown(loaded<string[]>([]));
    assert.equal(empty.type, Empty);
    assert.equal(empty.props.children, "No rules yet.");
    assert.equal(shown(loaded(["a rule"])).props.children, '["a rule"] shown');
  });

  it("asks isEmpty whether data that is not a list holds nothing", () => {
    const nothing = (ranking: { entries: number[] }) => ranking.entries.length === 0;
    assert.equal(shown(loaded({ entries: [] }), nothing).type, Empty);
    assert.equal(shown(loaded({ entries: [1] }), nothing).type, Fragment);
    assert.equal(shown(loaded({ entries: [] })).type, Fragment, "an object is not an empty list");
  });
});
