// The alert rule form's pure parts: which parameters each kind takes, reading them from the
// form's text, and showing a rule's target without its path (which may carry a secret). Pure.

import type { AlertRule, AlertRuleInput, Family, RuleChannel, RuleKind, RuleScope } from "./types";

export interface ParamSpec {
  name: string;
  label: string;
  /** Empty text leaves the parameter out (the API's default), when true. */
  optional: boolean;
  hint: string;
  integer: boolean;
}

export const KIND_LABELS: Record<RuleKind, string> = {
  milestone: "Milestone reached",
  spike: "Spike in daily gain",
  "downloads-drop": "Drop in weekly downloads",
  overdue: "Collection overdue or failing",
};

/** Each kind's parameters, in the form's order. */
export const KIND_PARAMS: Record<RuleKind, ParamSpec[]> = {
  milestone: [
    {
      name: "value",
      label: "Milestone value",
      optional: true,
      hint: "Leave empty for the next round number.",
      integer: false,
    },
  ],
  spike: [
    {
      name: "k",
      label: "k (times the trailing median)",
      optional: false,
      hint: "A day's gain above k × the median daily gain.",
      integer: false,
    },
    {
      name: "days",
      label: "Trailing days",
      optional: true,
      hint: "The days the median is taken over; leave empty for 28.",
      integer: true,
    },
  ],
  "downloads-drop": [
    {
      name: "percent",
      label: "Drop percent",
      optional: false,
      hint: "Weekly downloads down by more than this against the week before.",
      integer: false,
    },
  ],
  overdue: [
    {
      name: "slots",
      label: "Overdue slots",
      optional: false,
      hint: "Collection slots missed or failed in a row.",
      integer: true,
    },
  ],
};

/** The family a kind watches when the form does not choose one. */
export const KIND_FAMILY: Record<RuleKind, Family> = {
  milestone: "stars",
  spike: "stars",
  "downloads-drop": "downloads",
  overdue: "stars",
};

export interface RuleForm {
  name: string;
  kind: RuleKind;
  family: Family;
  field: string;
  scope: RuleScope;
  scopeName: string;
  channel: RuleChannel;
  target: string;
  secret: string;
  /** The kind's parameters as typed, by name. */
  params: Record<string, string>;
}

export type FormProblems = Partial<Record<string, string>>;

/**
 * The request a filled form makes, or the problems that keep it from being sent (by field:
 * `params.k`, `scope_name` …). Only what the form can know is checked here: that numbers are
 * numbers and required fields are filled. Limits (an absurd k, a private address) are the
 * API's to judge, and its answer is shown beside the field it names.
 */
export function ruleRequest(form: RuleForm): { rule: AlertRuleInput } | { problems: FormProblems } {
  const problems: FormProblems = {};
  const params: Record<string, number> = {};
  for (const spec of KIND_PARAMS[form.kind]) {
    const text = (form.params[spec.name] ?? "").trim();
    if (!text) {
      if (!spec.optional) problems[`params.${spec.name}`] = `${spec.label} is needed.`;
      continue;
    }
    const value = Number(text);
    if (!Number.isFinite(value) || (spec.integer && !Number.isInteger(value))) {
      problems[`params.${spec.name}`] = `${spec.label} must be ${spec.integer ? "a whole number" : "a number"}.`;
      continue;
    }
    params[spec.name] = value;
  }
  if (!form.name.trim()) problems.name = "A name is needed.";
  if (!form.target.trim()) problems.target = "A target is needed.";
  const scopeName = form.scope === "all" ? null : form.scopeName.trim();
  if (scopeName === "") {
    problems.scope_name = form.scope === "repository" ? "Name the repository (owner/name)." : "Pick a collection.";
  }
  if (Object.keys(problems).length) return { problems };
  const rule: AlertRuleInput = {
    name: form.name.trim(),
    kind: form.kind,
    family: form.family,
    scope: form.scope,
    scope_name: scopeName,
    channel: form.channel,
    target: form.target.trim(),
    params,
  };
  if (form.field) rule.field = form.field;
  // Only a webhook is signed: a secret typed before the channel changed (its field now
  // hidden) is not sent with a Slack or e-mail rule, which the API would refuse.
  if (form.secret && form.channel === "webhook") rule.secret = form.secret;
  return { rule };
}

/**
 * A target as the rules list shows it: a URL's scheme and host only (a webhook's path or
 * query often is its secret), an e-mail address's domain only.
 */
export function shownTarget(target: string): string {
  const at = target.lastIndexOf("@");
  if (!target.includes("://") && at > 0) return `…@${target.slice(at + 1)}`;
  try {
    const url = new URL(target);
    return `${url.protocol}//${url.host}`;
  } catch {
    return "(not a URL)";
  }
}

/** A rule's scope in words: `all repositories`, `octo/widgets`, `collection frontend`. */
export function describeScope(rule: Pick<AlertRule, "scope" | "scope_name">): string {
  if (rule.scope === "all" || !rule.scope_name) return "all repositories";
  return rule.scope === "collection" ? `collection ${rule.scope_name}` : rule.scope_name;
}

/** A rule's parameters in words: `k = 3`, `value = 1000`, or `next round number`. */
export function describeParams(rule: Pick<AlertRule, "kind" | "params">): string {
  const parts = Object.entries(rule.params)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([name, value]) => `${name} = ${String(value)}`);
  if (!parts.length && rule.kind === "milestone") return "next round number";
  return parts.join(", ");
}

/**
 * Which form field an API problem's `parameter` belongs to: `params.k` and `k` both go to the
 * k field, `target` to the target; anything else to the form as a whole (`null`).
 */
export function problemField(parameter: string | null, kind: RuleKind): string | null {
  if (!parameter) return null;
  const last = parameter.split(/[.[\]]/).filter(Boolean).at(-1) ?? parameter;
  if (KIND_PARAMS[kind].some((spec) => spec.name === last)) return `params.${last}`;
  for (const field of ["name", "target", "secret", "scope_name", "scope", "channel", "field", "family", "kind"]) {
    if (parameter === field || last === field || parameter.endsWith(`.${field}`)) return field;
  }
  return null;
}
