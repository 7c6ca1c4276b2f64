// Up to ten repositories on one family: by date or by age since creation, optionally as a
// percentage of each one's peak, each repository in its own colour.

import { useEffect, useMemo, useState } from "preact/hooks";

import { expectCharts } from "../chart/marks";
import { TimeChart, type Tooltip } from "../chart/TimeChart";
import { CHART_HEIGHT, ChartCard } from "../components/ChartCard";
import { Empty, ErrorState, Loading } from "../components/common";
import { RangeControls } from "../components/RangeControls";
import { compareLines } from "../compareLines";
import { useDashboard } from "../context";
import { fieldLabel, formatCompact, formatDay, formatExact, formatRatio } from "../format";
import { clientNowSeconds, resolveRange, seriesQuery } from "../ranges";
import { MAX_COMPARED, cleanRepo } from "../state";
import { FAMILIES, type Family } from "../types";
import { useLoad } from "../useLoad";

const DAY = 86_400;

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
  const { api, about, state, navigate, theme } = useDashboard();
  const subjects = useLoad((signal) => api.subjects(signal), []);
  const info = about.families.find((item) => item.family === state.compareFamily) ?? about.families[0];
  const fields = info?.fields ?? [];
  const field = fields.find((item) => item.name === state.compareField) ?? fields[0];
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
  const data = useMemo(
    () =>
      loaded.data && field
        ? compareLines(loaded.data.series, field.name, {
            byAge,
            normalize: state.normalize,
            log: state.scale === "log",
            order: wanted,
          })
        : null,
    [loaded.data, field, byAge, state.normalize, state.scale, wanted],
  );
  const zone = about.timezone;
  const describe = (index: number): Tooltip => {
    const x = data?.xs[index] ?? 0;
    return {
      title: byAge ? `Day ${Math.round(x)} since day 0` : formatDay(x, zone),
      rows: (data?.lines ?? []).map((line) => {
        const exact = line.exact[index] ?? null;
        const provenance = line.provenance[index];
        const value = field?.kind === "ratio" ? formatRatio(exact) : formatExact(exact);
        return {
          label: line.label,
          value: exact === null ? "no point" : `${value}${state.normalize ? ` (${formatExact(line.values[index] ?? null)} %)` : ""}${provenance ? `, ${provenance}` : ""}`,
          color: line.color,
        };
      }),
    };
  };
  const known = (subjects.data ?? []).map((subject) => subject.repo);
  let body;
  if (!wanted.length) {
    body = (
      <Empty>
        <p>Add up to {MAX_COMPARED} tracked repositories above to compare them.</p>
      </Empty>
    );
  } else if (loaded.error) {
    body = <ErrorState message={`Could not compare: ${loaded.error}`} retry={loaded.reload} />;
  } else if (!data) {
    body = <Loading what="the comparison" />;
  } else if (!data.xs.length) {
    body = (
      <Empty>
        <p>None of these repositories has {info?.title.toLowerCase()} points in this range.</p>
      </Empty>
    );
  } else {
    body = (
      <TimeChart
        id="compare"
        label={`${info?.title} of ${wanted.join(", ")}`}
        xs={data.xs}
        lines={data.lines.map((line) => ({ label: line.label, values: line.values, color: line.color }))}
        xKind={byAge ? "days" : "time"}
        zone={zone}
        log={state.scale === "log"}
        height={CHART_HEIGHT + 80}
        theme={theme}
        describe={describe}
        xRange={byAge && state.zoom ? [state.zoom.from / DAY, state.zoom.to / DAY] : null}
        onZoom={(from, to) =>
          navigate({ zoom: byAge ? { from: Math.floor(from * DAY), to: Math.ceil(to * DAY) } : { from: Math.floor(from), to: Math.ceil(to) } })
        }
        formatLeft={state.normalize ? (value) => `${value.toFixed(0)} %` : formatCompact}
      />
    );
  }
  return (
    <section class="view compare-view">
      <div class="view-head">
        <h1>Compare</h1>
      </div>
      <RepoPicker known={known} />
      <div class="controls" role="toolbar" aria-label="Comparison">
        <label>
          <span>Family</span>
          <select
            value={state.compareFamily}
            onChange={(event) =>
              navigate({ compareFamily: event.currentTarget.value as Family, compareField: null })
            }
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
          <select
            value={field?.name}
            onChange={(event) => navigate({ compareField: event.currentTarget.value })}
          >
            {fields.map((item) => (
              <option key={item.name} value={item.name}>
                {fieldLabel(item.name)}
              </option>
            ))}
          </select>
        </label>
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
      <ChartCard
        id="compare"
        title={`${info?.title ?? ""}: ${field ? fieldLabel(field.name) : ""}${byAge ? " by age" : ""}`}
        legend={(data?.lines ?? []).map((line) => ({ label: line.label, color: line.color, dashed: false }))}
        ready={Boolean(data?.xs.length)}
        footnotes={
          <>
            {byAge && (
              <p class="series-note">
                Day 0 is each repository's first point: its creation once its history has been reconstructed. By age,
                the whole history is compared; drag to zoom.
              </p>
            )}
            {loaded.data?.series.flatMap((item) => item.notes.map((note) => (
              <p key={`${item.repo}${note}`} class="series-note">
                {item.repo}: {note}
              </p>
            )))}
          </>
        }
      >
        <div data-family={state.compareFamily} data-series={data?.lines.length ?? 0}>
          {body}
        </div>
      </ChartCard>
    </section>
  );
}
