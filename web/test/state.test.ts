import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { DEFAULT_STATE, type ViewState, parseState, serializeState } from "../src/state";

describe("view state in the URL", () => {
  it("is empty for the default overview", () => {
    assert.equal(serializeState(DEFAULT_STATE), "");
    assert.deepEqual(parseState(""), DEFAULT_STATE);
  });

  it("round-trips a zoomed repository page", () => {
    const state: ViewState = {
      ...DEFAULT_STATE,
      view: "repo",
      repo: "octo/widgets",
      families: ["stars", "downloads"],
      preset: "90d",
      zoom: { from: 1_770_508_800, to: 1_771_200_000 },
      scale: "log",
      mode: "weekly",
      package: "npm:widgets",
    };
    const search = serializeState(state);
    assert.equal(
      search,
      "?repo=octo%2Fwidgets&families=stars%2Cdownloads&package=npm%3Awidgets&range=90d" +
        "&from=2026-02-08T00%3A00%3A00Z&to=2026-02-16T00%3A00%3A00Z&scale=log&mode=weekly",
    );
    assert.deepEqual(parseState(search), state);
  });

  it("round-trips a comparison", () => {
    const state: ViewState = {
      ...DEFAULT_STATE,
      view: "compare",
      compared: ["a/one", "b/two"],
      compareFamily: "prs",
      compareField: "merged_prs",
      align: "age",
      normalize: true,
    };
    assert.deepEqual(parseState(serializeState(state)), state);
  });

  it("round-trips the overview's sort, filter and page", () => {
    const state: ViewState = { ...DEFAULT_STATE, sort: "change7d", order: "asc", filter: "vite", page: 3 };
    assert.equal(serializeState(state), "?sort=change7d&order=asc&q=vite&page=3");
    assert.deepEqual(parseState(serializeState(state)), state);
  });

  it("falls back to defaults for values it cannot read", () => {
    const state = parseState("?view=nope&range=2y&scale=cubic&page=-4&from=yesterday&to=x&families=none");
    assert.equal(state.view, "overview");
    assert.equal(state.preset, DEFAULT_STATE.preset);
    assert.equal(state.scale, "linear");
    assert.equal(state.page, 1);
    assert.equal(state.zoom, null);
    assert.deepEqual(state.families, DEFAULT_STATE.families);
  });

  it("refuses repository names GitHub would not allow and drops duplicates", () => {
    assert.equal(parseState("?repo=../etc").view, "overview");
    assert.equal(parseState("?repo=%3Cscript%3E/x").repo, null);
    const state = parseState("?view=compare&repos=a/b,A/B,c/d,bad name");
    assert.deepEqual(state.compared, ["a/b", "c/d"]);
  });

  it("keeps at most ten compared repositories", () => {
    const names = Array.from({ length: 14 }, (_, index) => `owner/repo${index}`);
    assert.equal(parseState(`?view=compare&repos=${names.join(",")}`).compared.length, 10);
  });

  it("ignores a zoom that ends before it starts", () => {
    assert.equal(parseState("?repo=a/b&from=2026-02-10&to=2026-02-01").zoom, null);
  });
});

describe("the URL of collections and leaderboards", () => {
  it("round-trips a collection's page with its chart's family and range", () => {
    const state: ViewState = {
      ...DEFAULT_STATE,
      view: "collections",
      collection: "frontend",
      compareFamily: "downloads",
      compareField: "weekly_downloads",
      preset: "90d",
    };
    assert.equal(
      serializeState(state),
      "?view=collections&range=90d&collection=frontend&family=downloads&field=weekly_downloads",
    );
    assert.deepEqual(parseState(serializeState(state)), state);
  });

  it("writes the list of collections as the view alone", () => {
    assert.equal(serializeState({ ...DEFAULT_STATE, view: "collections", preset: "7d" }), "?view=collections");
  });

  it("round-trips a leaderboard's family, window, ranking and collection", () => {
    const state: ViewState = {
      ...DEFAULT_STATE,
      view: "leaderboard",
      compareFamily: "stars",
      window: "7d",
      by: "gain",
      collection: "frontend",
    };
    assert.equal(serializeState(state), "?view=leaderboard&collection=frontend&window=7d&by=gain");
    assert.deepEqual(parseState(serializeState(state)), state);
    assert.equal(serializeState({ ...DEFAULT_STATE, view: "leaderboard" }), "?view=leaderboard");
  });

  it("falls back for a window, ranking or slug it cannot read", () => {
    assert.equal(parseState("?view=collections&collection=FrontEnd").collection, "frontend");
    const state = parseState("?view=leaderboard&window=2w&by=luck&collection=Not%20A%20Slug");
    assert.equal(state.window, "30d");
    assert.equal(state.by, "score");
    assert.equal(state.collection, null);
    assert.equal(parseState("?view=alerts").view, "alerts");
  });
});
