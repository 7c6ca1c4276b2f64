// Add and remove repositories through the admin API, with its messages shown where they
// belong, and the new repository's history reconstruction followed while it runs.

import { useEffect, useState } from "preact/hooks";

import { ApiError } from "../api";
import { AdminTokenForm, useAdminAccess } from "../components/AdminAccess";
import { ConfirmAction, Empty, ErrorState, Loading, Progress, ViewLink } from "../components/common";
import { useDashboard } from "../context";
import type { Backfill } from "../types";
import { useLoad } from "../useLoad";

/** `npm:vite, pypi:requests` or space-separated → the package list the API takes. */
export function parsePackages(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
}

function BackfillProgress(props: { repo: string }) {
  const { api } = useDashboard();
  const [backfill, setBackfill] = useState<Backfill | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const found = await api.backfill(props.repo);
        if (stopped) return;
        setBackfill(found);
        setProblem(null);
        const settled = found.complete || found.jobs.some((job) => job.status === "failed");
        if (!settled) timer = setTimeout(() => void poll(), 2000);
      } catch (error) {
        if (stopped) return;
        setProblem(error instanceof ApiError ? error.message : String(error));
        timer = setTimeout(() => void poll(), 5000);
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, props.repo]);
  if (problem) return <p class="error-text">Cannot follow the history of {props.repo}: {problem}</p>;
  if (!backfill) return <Loading what="history progress" />;
  const done = backfill.jobs.filter((job) => job.status === "done").length;
  return (
    <div class="backfill-progress" data-complete={backfill.complete ? "true" : "false"}>
      <Progress value={done} total={backfill.jobs.length} label={`History of ${props.repo}`} />
      <ul>
        {backfill.jobs.map((job) => (
          <li key={job.family} class={`job job-${job.status}`}>
            <strong>{job.family}</strong>: {job.status === "queued" && job.running ? "running" : job.status}
            {job.pages_stored ? `, ${job.pages_stored} pages fetched` : ""}
            {job.message ? ` — ${job.message}` : ""}
          </li>
        ))}
      </ul>
      {backfill.complete && (
        <p>
          Done: see <ViewLink to={{ view: "repo", repo: backfill.repo }}>{backfill.repo}</ViewLink>.
        </p>
      )}
    </div>
  );
}

interface FieldProblems {
  repo?: string;
  packages?: string;
  form?: string;
}

function problemsOf(error: unknown): FieldProblems {
  if (!(error instanceof ApiError)) return { form: `The server did not answer: ${String(error)}` };
  if (error.status === 401) return { form: `${error.message}. Enter the admin token above.` };
  if (error.parameter === "repo") return { repo: error.message };
  if (error.parameter?.startsWith("packages")) return { packages: error.message };
  return { form: error.message };
}

export function ManageView() {
  const { api, about } = useDashboard();
  const access = useAdminAccess();
  const { token, canWrite } = access;
  const subjects = useLoad((signal) => api.subjects(signal), []);
  const [repoText, setRepoText] = useState("");
  const [packagesText, setPackagesText] = useState("");
  const [problems, setProblems] = useState<FieldProblems>({});
  const [busy, setBusy] = useState(false);
  const [added, setAdded] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [removal, setRemoval] = useState<string | null>(null);

  const submit = async () => {
    setBusy(true);
    setProblems({});
    try {
      const subject = await api.track(repoText.trim(), parsePackages(packagesText), token);
      setAdded(subject.repo);
      setRepoText("");
      setPackagesText("");
      subjects.reload();
    } catch (error) {
      setProblems(problemsOf(error));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (repo: string) => {
    setRemoval(null);
    try {
      await api.untrack(repo, token);
      setConfirming(null);
      if (added === repo) setAdded(null);
      subjects.reload();
    } catch (error) {
      setRemoval(problemsOf(error).form ?? (error instanceof Error ? error.message : String(error)));
    }
  };

  return (
    <section class="view manage-view">
      <div class="view-head">
        <h1>Manage</h1>
        <p class="subtitle">{about.writes_hint}</p>
      </div>
      {about.writes === "off" && (
        <Empty>
          <p>
            Changes are turned off on this server. Start it with <code>OSSGROWTH_ADMIN_TOKEN</code> set to enable them
            here, or track repositories from a terminal: <code>ossgrowth track owner/name --npm package</code>.
          </p>
        </Empty>
      )}
      {about.writes === "token" && <AdminTokenForm access={access} />}
      <form
        class="track-form"
        aria-label="Track a repository"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <fieldset disabled={!canWrite || busy}>
          <legend>Track a repository</legend>
          <label>
            <span>Repository</span>
            <input
              name="repo"
              type="text"
              required
              placeholder="owner/name or a github.com address"
              value={repoText}
              aria-invalid={problems.repo ? "true" : undefined}
              aria-describedby="repo-problem"
              onInput={(event) => setRepoText(event.currentTarget.value)}
            />
          </label>
          <p id="repo-problem" class="field-problem" role="alert">
            {problems.repo ?? ""}
          </p>
          <label>
            <span>Packages (optional)</span>
            <input
              name="packages"
              type="text"
              placeholder="npm:vite pypi:requests"
              value={packagesText}
              aria-invalid={problems.packages ? "true" : undefined}
              aria-describedby="packages-problem"
              onInput={(event) => setPackagesText(event.currentTarget.value)}
            />
          </label>
          <p id="packages-problem" class="field-problem" role="alert">
            {problems.packages ?? ""}
          </p>
          <button type="submit">{busy ? "Adding…" : "Track"}</button>
          {problems.form && (
            <p class="field-problem form-problem" role="alert">
              {problems.form}
            </p>
          )}
          {!canWrite && about.writes === "token" && <p class="hint">Enter the admin token above to make changes.</p>}
        </fieldset>
      </form>
      {added && (
        <section class="added" aria-live="polite">
          <h2>Tracking {added}</h2>
          <BackfillProgress repo={added} />
        </section>
      )}
      <section class="tracked">
        <h2>Tracked repositories</h2>
        {removal && <p class="field-problem" role="alert">{removal}</p>}
        {subjects.error ? (
          <ErrorState message={`Could not list the repositories: ${subjects.error}`} retry={subjects.reload} />
        ) : !subjects.data ? (
          <Loading what="the tracked repositories" />
        ) : subjects.data.length === 0 ? (
          <p>None yet.</p>
        ) : (
          <ul class="tracked-list">
            {subjects.data.map((subject) => (
              <li key={subject.repo}>
                <ViewLink to={{ view: "repo", repo: subject.repo }}>{subject.repo}</ViewLink>
                <span class="packages">{subject.packages.join(", ")}</span>
                {canWrite && (
                  <ConfirmAction
                    open={confirming === subject.repo}
                    onOpen={() => setConfirming(subject.repo)}
                    onCancel={() => setConfirming(null)}
                    onConfirm={() => void remove(subject.repo)}
                    trigger="Remove"
                    triggerLabel={`Remove ${subject.repo}`}
                    confirm={`Remove ${subject.repo} and its data`}
                  />
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}
