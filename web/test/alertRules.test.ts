import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  type RuleForm,
  describeParams,
  describeScope,
  problemField,
  ruleRequest,
  shownTarget,
} from "../src/alertRules";

const FORM: RuleForm = {
  name: "Big day",
  kind: "spike",
  family: "stars",
  field: "",
  scope: "repository",
  scopeName: "octo/widgets",
  channel: "webhook",
  target: "https://hooks.example.com/T000/secret-path?token=abc",
  secret: "s3cret",
  params: { k: "3.5" },
};

describe("the alert rule form", () => {
  it("makes the API's request from what was typed", () => {
    assert.deepEqual(ruleRequest(FORM), {
      rule: {
        name: "Big day",
        kind: "spike",
        family: "stars",
        scope: "repository",
        scope_name: "octo/widgets",
        channel: "webhook",
        target: "https://hooks.example.com/T000/secret-path?token=abc",
        params: { k: 3.5 },
        secret: "s3cret",
      },
    });
  });

  it("leaves an empty milestone value to the API (the next round number)", () => {
    const result = ruleRequest({ ...FORM, kind: "milestone", scope: "all", secret: "", params: { value: " " } });
    assert.ok("rule" in result);
    assert.deepEqual(result.rule.params, {});
    assert.equal(result.rule.scope_name, null);
    assert.equal("secret" in result.rule, false);
  });

  it("sends no secret with a Slack or e-mail rule, though one was typed for a webhook first", () => {
    for (const channel of ["slack", "email"] as const) {
      const target = channel === "email" ? "team@example.com" : "https://hooks.slack.com/services/T/B/C";
      const result = ruleRequest({ ...FORM, channel, target });
      assert.ok("rule" in result);
      assert.equal(result.rule.channel, channel);
      assert.equal("secret" in result.rule, false);
    }
  });

  it("names each field that keeps the form from being sent", () => {
    const result = ruleRequest({
      ...FORM,
      kind: "overdue",
      name: " ",
      target: "",
      scope: "collection",
      scopeName: "",
      params: { slots: "2.5" },
    });
    assert.ok("problems" in result);
    assert.deepEqual(Object.keys(result.problems).sort(), ["name", "params.slots", "scope_name", "target"]);
    assert.match(result.problems["params.slots"] ?? "", /whole number/);
  });

  it("sends a spike's trailing days only when typed, as a whole number", () => {
    const typed = ruleRequest({ ...FORM, params: { k: "3", days: "14" } });
    assert.ok("rule" in typed);
    assert.deepEqual(typed.rule.params, { k: 3, days: 14 });
    const fraction = ruleRequest({ ...FORM, params: { k: "3", days: "14.5" } });
    assert.ok("problems" in fraction);
    assert.match(fraction.problems["params.days"] ?? "", /whole number/);
  });

  it("needs the kind's required parameter", () => {
    const result = ruleRequest({ ...FORM, kind: "downloads-drop", params: {} });
    assert.ok("problems" in result);
    assert.match(result.problems["params.percent"] ?? "", /needed/);
  });

  it("shows a target's scheme and host only", () => {
    assert.equal(shownTarget("https://hooks.slack.com/services/T0/B0/XXXX"), "https://hooks.slack.com");
    assert.equal(shownTarget("http://127.0.0.1:9000/hook?key=1"), "http://127.0.0.1:9000");
    assert.equal(shownTarget("team@example.com"), "…@example.com");
    assert.equal(shownTarget("nonsense"), "(not a URL)");
  });

  it("describes a rule's scope and parameters", () => {
    assert.equal(describeScope({ scope: "all", scope_name: null }), "all repositories");
    assert.equal(describeScope({ scope: "collection", scope_name: "frontend" }), "collection frontend");
    assert.equal(describeScope({ scope: "repository", scope_name: "octo/widgets" }), "octo/widgets");
    assert.equal(describeParams({ kind: "milestone", params: {} }), "next round number");
    assert.equal(describeParams({ kind: "spike", params: { k: 3 } }), "k = 3");
  });

  it("puts an API problem beside the field it names", () => {
    assert.equal(problemField("params.k", "spike"), "params.k");
    assert.equal(problemField("body.params.k", "spike"), "params.k");
    assert.equal(problemField("k", "spike"), "params.k");
    assert.equal(problemField("body.target", "milestone"), "target");
    assert.equal(problemField("target", "milestone"), "target");
    assert.equal(problemField("scope_name", "milestone"), "scope_name");
    assert.equal(problemField(null, "milestone"), null);
    assert.equal(problemField("something_else", "milestone"), null);
  });
});
