// Up to ten repositories on one family: by date or by age since creation, optionally as a
// percentage of each one's peak, each repository in its own colour.

import { useEffect, useState } from "preact/hooks";

import { expectCharts } from "../chart/marks";
import { CompareChart, FamilyFieldPicker } from "../components/CompareChart";
import { RangeControls } from "../components/RangeControls";
import { useDashboard } from "../context";
import { clientNowSeconds, resolveRange, seriesQuery } from "../ranges";
import { MAX_COMPARED, cleanRepo } from "../state";
import { useLoad } from "../useLoad";

function RepoPicker(props: { known: string[] }) {
  const { state, navigate } = useDashboard();
  const [text, setText] = useState("");
  const [problem, setProblem] = useState("");
  const add = () => {
    const name = cleanRepo(text.replace(/^https?:\/\/github\.com\//, "").replace(/\/$/, ""));
    const known = props.known.find((repo) => repo.toLowerCase() === name?.toLowerCase());
    if (!name || !known) {
      setProblem(`${text.trim() || "That"} is not a tracked repository; pick one from the list.`);
      return;
    }
    if (state.compared.some((repo) => repo.toLowerCase() === known.toLowerCase())) {
      setProblem(`${known} is compared already.`);
      return;
    }
    setProblem("");
    setText("");
    navigate({ compared: [...state.compared, known] });
  };
  const full = state.compared.length >= MAX_COMPARED;
  return (
    <div class="repo-picker">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          add();
        }}
      >
        <label>
          <span>Add a repository</span>
          <input
            type="text"
            list="tracked-repos"
            value={text}
            disabled={full}
            placeholder={full ? `at most ${MAX_COMPARED}` : "owner/name"}
            aria-describedby="picker-problem"
            onInput={(event) => setText(event.currentTarget.value)}
          />
        </label>
        <datalist id="tracked-repos">
          {props.known.map((repo) => (
            <option key={repo} value={repo} />
          ))}
        </datalist>
        <button type="submit" disabled={full}>
          Add
        </button>
        <span id="picker-problem" class="error-text" role="status">
          {problem}
        </span>
      </form>
      <ul class="chips" aria-label="Compared repositories">
        {state.compared.map((repo) => (
          <li key={repo}>
            {repo}
            <button
              type="button"
              aria-label={`Remove ${repo} from the comparison`}
              onClick={() => navigate({ compared: state.compared.filter((item) => item !== repo), zoom: null })}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function CompareView() {
  const { api, state, navigate } = useDashboard();
  const subjects = useLoad((signal) => api.subjects(signal), []);
  const byAge = state.align === "age";
  const now = clientNowSeconds();
  const range = byAge ? { from: null, to: null } : resolveRange(state.preset, state.zoom, now);
  const query = seriesQuery(state.compareFamily, range, now, 1000, "values", null);
  const wanted = state.compared;
  const loaded = useLoad(
    (signal) =>
      wanted.length
        ? api.compare({ ...query, repos: wanted, family: state.compareFamily, align: state.align }, signal)
        : Promise.resolve(null),
    [wanted.join(","), state.compareFamily, state.align, query.from, query.to, query.interval],
  );
  useEffect(() => expectCharts(wanted.length ? ["compare"] : []), [wanted.length]);
  const known = (subjects.data ?? []).map((subject) => subject.repo);
  return (
    <section class="view compare-view">
      <div class="view-head">
        <h1>Compare</h1>
      </div>
      <RepoPicker known={known} />
      <div class="controls" role="toolbar" aria-label="Comparison">
        <FamilyFieldPicker />
        <div class="segmented" role="group" aria-label="Align">
          <button type="button" aria-pressed={!byAge} onClick={() => navigate({ align: "calendar", zoom: null })}>
            By date
          </button>
          <button type="button" aria-pressed={byAge} onClick={() => navigate({ align: "age", zoom: null })}>
            By age
          </button>
        </div>
        <label class="checkbox">
          <input
            type="checkbox"
            checked={state.normalize}
            onChange={(event) => navigate({ normalize: event.currentTarget.checked })}
          />
          Normalise (% of each one's peak)
        </label>
      </div>
      <RangeControls modes={false} ageAxis={byAge} />
      <CompareChart
        id="compare"
        loaded={loaded}
        order={wanted}
        byAge={byAge}
        normalize={state.normalize}
        subject={wanted.join(", ")}
        nothing={
          wanted.length ? null : <p>Add up to {MAX_COMPARED} tracked repositories above to compare them.</p>
        }
      />
    </section>
  );
}
