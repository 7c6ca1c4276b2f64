// Alert rules and their deliveries (admin only): the rules, a form to add one with the API's
// refusals shown beside the field they name, and the delivery history.

import { useState } from "preact/hooks";

import {
  KIND_FAMILY,
  KIND_LABELS,
  KIND_PARAMS,
  type FormProblems,
  type RuleForm,
  describeParams,
  describeScope,
  problemField,
  ruleRequest,
  shownTarget,
} from "../alertRules";
import { ApiError } from "../api";
import { type AdminAccess, AdminTokenForm, WritesOff, problemText, useAdminAccess } from "../components/AdminAccess";
import { ConfirmAction, WhenLoaded } from "../components/common";
import { useDashboard } from "../context";
import { epochOf, fieldLabel, formatTime } from "../format";
import { type AlertRule, FAMILIES, type Family, RULE_KINDS, type RuleChannel, type RuleKind, type RuleScope } from "../types";
import { useLoad } from "../useLoad";

const CHANNEL_LABELS: Record<RuleChannel, string> = { webhook: "Webhook", slack: "Slack", email: "E-mail" };
const TARGET_HINTS: Record<RuleChannel, string> = {
  webhook: "https://hooks.example.com/ossgrowth",
  slack: "https://hooks.slack.com/services/…",
  email: "team@example.com",
};
const HISTORY_LIMIT = 100;

export function AlertsView() {
  const { about } = useDashboard();
  const access = useAdminAccess();
  return (
    <section class="view alerts-view">
      <div class="view-head">
        <h1>Alerts</h1>
        <p class="subtitle">Rules that notice milestones, spikes, download drops and late collections, and where each went.</p>
      </div>
      {about.writes === "off" ? (
        <WritesOff />
      ) : (
        <>
          <AdminTokenForm access={access} />
          {access.canWrite ? (
            <AlertsAdmin access={access} />
          ) : (
            <p class="hint">Alert rules are for administrators: enter the admin token above to see and change them.</p>
          )}
        </>
      )}
    </section>
  );
}

function AlertsAdmin(props: { access: AdminAccess }) {
  const { api, about } = useDashboard();
  const { token } = props.access;
  const rules = useLoad((signal) => api.alertRules(token, signal), [token]);
  const deliveries = useLoad(
    (signal) => api.alertDeliveries(token, { limit: HISTORY_LIMIT }, signal),
    [token],
  );
  const [confirming, setConfirming] = useState<number | null>(null);
  const [removal, setRemoval] = useState<string | null>(null);
  const names = new Map((rules.data ?? []).map((rule) => [rule.id, rule.name]));
  const remove = async (rule: AlertRule) => {
    setRemoval(null);
    try {
      await api.deleteAlertRule(rule.id, token);
      setConfirming(null);
      rules.reload();
    } catch (error) {
      setRemoval(problemText(error));
    }
  };
  const zone = about.timezone;
  const titleOf = (family: string) => about.families.find((item) => item.family === family)?.title ?? family;
  return (
    <>
      <section class="alert-rules" aria-labelledby="rules-title">
        <h2 id="rules-title" class="section-title">
          Rules
        </h2>
        {removal && (
          <p class="field-problem" role="alert">
            {removal}
          </p>
        )}
        <WhenLoaded
          loaded={rules}
          what="the alert rules"
          failure="Could not list the rules"
          empty={<p>No rules yet: add one below.</p>}
        >
          {(listed) => (
            <div class="table-scroll">
              <table class="overview-table rules-table">
                <caption class="visually-hidden">Alert rules</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Watches</th>
                    <th scope="col">Scope</th>
                    <th scope="col">Channel</th>
                    <th scope="col">Target</th>
                    <th scope="col">Secret</th>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {listed.map((rule) => (
                    <tr key={rule.id} data-rule={rule.id}>
                      <th scope="row">{rule.name}</th>
                      <td class="kind">{KIND_LABELS[rule.kind] ?? rule.kind}</td>
                      <td class="watches">
                        {titleOf(rule.family)}: {fieldLabel(rule.field)}
                        {describeParams(rule) ? ` (${describeParams(rule)})` : ""}
                      </td>
                      <td class="scope">{describeScope(rule)}</td>
                      <td>{CHANNEL_LABELS[rule.channel] ?? rule.channel}</td>
                      <td class="target">{shownTarget(rule.target)}</td>
                      <td>{rule.secret_set ? "secret set" : "none"}</td>
                      <td>
                        <ConfirmAction
                          open={confirming === rule.id}
                          onOpen={() => setConfirming(rule.id)}
                          onCancel={() => setConfirming(null)}
                          onConfirm={() => void remove(rule)}
                          trigger="Delete"
                          triggerLabel={`Delete ${rule.name}`}
                          confirm={`Delete rule ${rule.name}`}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </WhenLoaded>
      </section>
      <AddRule access={props.access} added={rules.reload} />
      <section class="alert-history" aria-labelledby="history-title">
        <div class="view-head">
          <h2 id="history-title" class="section-title">
            Delivery history
          </h2>
          <button type="button" onClick={deliveries.reload}>
            Refresh
          </button>
        </div>
        <WhenLoaded
          loaded={deliveries}
          what="the delivery history"
          failure="Could not read the history"
          empty={<p>Nothing delivered yet: an alert is sent when newly collected values meet a rule.</p>}
        >
          {(history) => (
            // focusable, so the keyboard can scroll it when it is wider than the screen
            <div class="table-scroll" tabIndex={0} role="region" aria-label="Deliveries">
              <table class="overview-table deliveries-table">
                <caption class="visually-hidden">The newest {HISTORY_LIMIT} deliveries</caption>
                <thead>
                  <tr>
                    <th scope="col">Created</th>
                    <th scope="col">Rule</th>
                    <th scope="col">Alert</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="number">
                      Attempts
                    </th>
                    <th scope="col">Last error</th>
                    <th scope="col">Delivery id</th>
                  </tr>
                </thead>
                <tbody>
                  {history.map((delivery) => (
                    <tr key={delivery.id}>
                      <td>{formatTime(epochOf(delivery.created_at), zone)}</td>
                      <td>{names.get(delivery.rule_id) ?? `rule ${delivery.rule_id}`}</td>
                      <td class="summary">{delivery.summary ?? delivery.event_key ?? ""}</td>
                      <th scope="row" class={`delivery-status status-${delivery.status}`}>
                        {delivery.status}
                      </th>
                      <td class="number">{delivery.attempts}</td>
                      <td class="last-error">{delivery.last_error ?? "—"}</td>
                      <td>
                        <code>{delivery.id}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </WhenLoaded>
      </section>
    </>
  );
}

/** The line of the form a problem with `field` is shown on (the form's own for the rest). */
function shownAt(field: string | null, form: RuleForm): string {
  if (field === null) return "form";
  if (field === "family") return "field";
  if (field === "scope" || field === "scope_name") return form.scope === "all" ? "scope" : "scope_name";
  if (field === "secret" && form.channel !== "webhook") return "form";
  if (field.startsWith("params.") || ["name", "kind", "field", "scope_name", "channel", "target", "secret"].includes(field)) {
    return field;
  }
  return "form";
}

const EMPTY_FORM: RuleForm = {
  name: "",
  kind: "milestone",
  family: "stars",
  field: "",
  scope: "all",
  scopeName: "",
  channel: "webhook",
  target: "",
  secret: "",
  params: {},
};

function AddRule(props: { access: AdminAccess; added: () => void }) {
  const { api, about } = useDashboard();
  const { token, canWrite } = props.access;
  const [form, setForm] = useState<RuleForm>(EMPTY_FORM);
  const [problems, setProblems] = useState<FormProblems>({});
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState("");
  const subjects = useLoad((signal) => api.subjects(signal), []);
  const collections = useLoad((signal) => api.collections(signal), []);
  const change = (part: Partial<RuleForm>) => setForm((current) => ({ ...current, ...part }));
  const info = about.families.find((item) => item.family === form.family);
  const submit = async () => {
    setSaid("");
    const request = ruleRequest(form);
    if ("problems" in request) {
      setProblems(request.problems);
      return;
    }
    setBusy(true);
    setProblems({});
    try {
      const rule = await api.addAlertRule(request.rule, token);
      setForm({ ...EMPTY_FORM, kind: form.kind, family: form.family, channel: form.channel });
      setSaid(`Added ${rule.name}.`);
      props.added();
    } catch (error) {
      const field = error instanceof ApiError ? problemField(error.parameter, form.kind) : null;
      setProblems({ [shownAt(field, form)]: problemText(error) });
    } finally {
      setBusy(false);
    }
  };
  const problemOf = (name: string) => problems[name] ?? "";
  const describedBy = (name: string) => `rule-${name.replace(".", "-")}-problem`;
  const invalid = (name: string) => (problems[name] ? "true" : undefined);
  const problemLine = (name: string) => (
    <p id={describedBy(name)} class="field-problem" role="alert">
      {problemOf(name)}
    </p>
  );
  return (
    <form
      class="track-form rule-form"
      aria-label="Add an alert rule"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <fieldset disabled={!canWrite || busy}>
        <legend>Add a rule</legend>
        <label>
          <span>Name</span>
          <input
            name="name"
            type="text"
            required
            value={form.name}
            aria-invalid={invalid("name")}
            aria-describedby={describedBy("name")}
            onInput={(event) => change({ name: event.currentTarget.value })}
          />
        </label>
        {problemLine("name")}
        <label>
          <span>Kind</span>
          <select
            name="kind"
            value={form.kind}
            onChange={(event) => {
              const kind = event.currentTarget.value as RuleKind;
              change({ kind, family: KIND_FAMILY[kind], field: "", params: {} });
            }}
          >
            {RULE_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {KIND_LABELS[kind]}
              </option>
            ))}
          </select>
        </label>
        {problemLine("kind")}
        <div class="field-pair">
          <label>
            <span>Family</span>
            <select
              name="family"
              value={form.family}
              onChange={(event) => change({ family: event.currentTarget.value as Family, field: "" })}
            >
              {about.families
                .filter((item) => FAMILIES.includes(item.family))
                .map((item) => (
                  <option key={item.family} value={item.family}>
                    {item.title}
                  </option>
                ))}
            </select>
          </label>
          <label>
            <span>Field</span>
            <select name="field" value={form.field} onChange={(event) => change({ field: event.currentTarget.value })}>
              <option value="">the family's headline field</option>
              {(info?.fields ?? []).map((item) => (
                <option key={item.name} value={item.name}>
                  {fieldLabel(item.name)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {problemLine("field")}
        {KIND_PARAMS[form.kind].map((spec) => (
          <div key={spec.name}>
            <label>
              <span>{spec.label}</span>
              <input
                name={`params.${spec.name}`}
                type="text"
                inputMode="decimal"
                required={!spec.optional}
                value={form.params[spec.name] ?? ""}
                aria-invalid={invalid(`params.${spec.name}`)}
                aria-describedby={`${describedBy(`params.${spec.name}`)} rule-${spec.name}-hint`}
                onInput={(event) => change({ params: { ...form.params, [spec.name]: event.currentTarget.value } })}
              />
            </label>
            <p id={`rule-${spec.name}-hint`} class="hint">
              {spec.hint}
            </p>
            {problemLine(`params.${spec.name}`)}
          </div>
        ))}
        <div class="field-pair">
          <label>
            <span>Scope</span>
            <select
              name="scope"
              value={form.scope}
              onChange={(event) => change({ scope: event.currentTarget.value as RuleScope, scopeName: "" })}
            >
              <option value="all">All repositories</option>
              <option value="repository">One repository</option>
              <option value="collection">A collection</option>
            </select>
          </label>
          {form.scope === "repository" && (
            <label>
              <span>Repository</span>
              <input
                name="scope_name"
                type="text"
                list="rule-repositories"
                placeholder="owner/name"
                value={form.scopeName}
                aria-invalid={invalid("scope_name")}
                aria-describedby={describedBy("scope_name")}
                onInput={(event) => change({ scopeName: event.currentTarget.value })}
              />
              <datalist id="rule-repositories">
                {(subjects.data ?? []).map((subject) => (
                  <option key={subject.repo} value={subject.repo} />
                ))}
              </datalist>
            </label>
          )}
          {form.scope === "collection" && (
            <label>
              <span>Collection</span>
              <select
                name="scope_name"
                value={form.scopeName}
                aria-invalid={invalid("scope_name")}
                aria-describedby={describedBy("scope_name")}
                onChange={(event) => change({ scopeName: event.currentTarget.value })}
              >
                <option value="">Pick one</option>
                {(collections.data ?? []).map((item) => (
                  <option key={item.slug} value={item.slug}>
                    {item.name}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
        {form.scope === "all" ? problemLine("scope") : problemLine("scope_name")}
        <label>
          <span>Channel</span>
          <select
            name="channel"
            value={form.channel}
            onChange={(event) => change({ channel: event.currentTarget.value as RuleChannel })}
          >
            {(Object.keys(CHANNEL_LABELS) as RuleChannel[]).map((channel) => (
              <option key={channel} value={channel}>
                {CHANNEL_LABELS[channel]}
              </option>
            ))}
          </select>
        </label>
        {problemLine("channel")}
        <label>
          <span>{form.channel === "email" ? "Address" : "URL"}</span>
          <input
            name="target"
            type="text"
            required
            placeholder={TARGET_HINTS[form.channel]}
            value={form.target}
            aria-invalid={invalid("target")}
            aria-describedby={describedBy("target")}
            onInput={(event) => change({ target: event.currentTarget.value })}
          />
        </label>
        {problemLine("target")}
        {form.channel === "webhook" && (
          <>
            <label>
              <span>Signing secret (optional)</span>
              <input
                name="secret"
                type="password"
                autoComplete="off"
                value={form.secret}
                aria-invalid={invalid("secret")}
                aria-describedby={describedBy("secret")}
                onInput={(event) => change({ secret: event.currentTarget.value })}
              />
            </label>
            {problemLine("secret")}
          </>
        )}
        <button type="submit">{busy ? "Adding…" : "Add rule"}</button>
        {problems.form && (
          <p class="field-problem form-problem" role="alert">
            {problems.form}
          </p>
        )}
        <p class="hint" role="status">
          {said}
        </p>
      </fieldset>
    </form>
  );
}
