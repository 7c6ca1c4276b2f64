// A repository: one chart per family over the chosen range, with its schedule in words; the
// stars chart marks the flagged days (spike or unusual) and lists them under it.

import { useCallback, useEffect, useLayoutEffect, useMemo, useState } from "preact/hooks";

import { type ChartMarker, flagMarkers } from "../chart/flags";
import { expectCharts } from "../chart/marks";
import { TimeChart, type Tooltip } from "../chart/TimeChart";
import { CHART_HEIGHT, ChartCard } from "../components/ChartCard";
import { Empty, ErrorState, Loading, ViewLink } from "../components/common";
import { RangeControls } from "../components/RangeControls";
import { useDashboard } from "../context";
import { embedSnippets } from "../embeds";
import { type FamilyChartData, familyLegend, familyLines } from "../familyLines";
import {
  epochOf,
  fieldLabel,
  formatChange,
  formatCompactTick,
  formatDay,
  formatExact,
  formatRatio,
  formatRatioTick,
  formatRelative,
  formatTime,
} from "../format";
import { repoSeriesQuery } from "../early";
import { FAMILIES, type FamilyInfo, type Series, type UnusualGrowth } from "../types";
import { useLoad } from "../useLoad";

function describePoint(series: Series, data: FamilyChartData, info: FamilyInfo, zone: string) {
  return (index: number): Tooltip => {
    const point = series.points[index];
    if (!point) return { title: "", rows: [] };
    const daily = series.interval === "day" || series.interval === "week" || series.interval === "month";
    const when = daily ? formatDay(point.epoch_seconds, zone) : formatTime(point.epoch_seconds, zone);
    const title = series.interval === "week" ? `Week of ${when}` : when;
    if (point.provenance === null) {
      const note = data.spanned[index]
        ? "Between two reconstructed days: that history has one point a day"
        : "Gap: nothing was collected here";
      return { title, rows: [], note };
    }
    const rows = info.fields.map((field) => {
      const value = point[field.name];
      const number = typeof value === "number" ? value : null;
      const shown = data.shown[field.name]?.[index] ?? null;
      const exact = field.kind === "ratio" ? formatRatio(number) : formatExact(number);
      const text = shown !== number && field.kind === "count" ? `${formatChange(shown)} (${exact})` : exact;
      const color = data.lines.find((line) => line.field === field.name)?.color;
      return { label: fieldLabel(field.name), value: text, ...(color ? { color } : {}) };
    });
    return { title, rows, note: `${point.provenance} · ${point.source ?? "unknown source"}` };
  };
}

/** The flagged days of the stars chart, in words: each marker's sentence, and what the flags
 * could not look at. */
function FlaggedDays(props: { found: UnusualGrowth; markers: readonly ChartMarker[] }) {
  const { found, markers } = props;
  return (
    <div class="flagged" data-flags={markers.length}>
      <p class="series-note">
        {markers.length === 0
          ? "No day flagged as a spike or unusual in this range."
          : "Flagged days (a flag is not a verdict: the method is in the API's answer and docs/metrics.md):"}
      </p>
      {markers.length > 0 && (
        <ul class="flagged-days">
          {markers.map((marker) => (
            <li key={marker.x} data-kind={marker.kind}>
              {marker.title}
            </li>
          ))}
        </ul>
      )}
      {markers.length > 0 &&
        found.notes.map((note) => (
          <p key={note} class="series-note">
            {note}
          </p>
        ))}
    </div>
  );
}

function ScheduleNote(props: { info: FamilyInfo }) {
  const { about, nowSeconds } = useDashboard();
  const schedule = props.info.schedule;
  const next = epochOf(schedule.next_slot_at);
  return (
    <p class="schedule-note">
      {props.info.title}: collected {schedule.description} {schedule.timezone}; next at{" "}
      <time dateTime={schedule.next_slot_at}>{formatTime(next, about.timezone)}</time> (
      {formatRelative(next, nowSeconds())}).
    </p>
  );
}

interface FamilyChartProps {
  repo: string;
  info: FamilyInfo;
  packages: string[] | null;
  /** Whether this chart may be drawn yet: the first one at once, the others once it has
   * drawn (or found nothing to draw), so the first chart is not built behind three others. */
  drawNow: boolean;
  /** Called by the first chart once it has drawn, or settled on a state without a chart. */
  onSettled?: () => void;
}

function FamilyChart(props: FamilyChartProps) {
  const { api, about, state, navigate, theme } = useDashboard();
  const { info, repo } = props;
  const family = info.family;
  const query = repoSeriesQuery(state, family);
  const loaded = useLoad(
    (signal) => api.series(repo, family, query, signal),
    [repo, family, query.from, query.to, query.interval, query.maxPoints, query.package],
  );
  const series = loaded.data;
  const flags = useLoad(
    (signal) =>
      family === "stars" ? api.unusual(repo, { from: query.from, to: query.to }, signal) : Promise.resolve(null),
    [repo, family, query.from, query.to],
  );
  const markers = useMemo(
    () => (flags.data ? flagMarkers(flags.data.days, null, (seconds) => `${formatDay(seconds, "UTC")} (UTC)`) : []),
    [flags.data],
  );
  const data = useMemo(
    () => (series ? familyLines(series, info.fields, state.mode, state.scale === "log") : null),
    [series, info.fields, state.mode, state.scale],
  );
  const legend = familyLegend(info.fields, state.mode, series?.total_counted_from ?? null);
  const chosenPackage = series?.package ?? query.package ?? null;
  const points = series?.points.filter((point) => point.provenance !== null).length ?? 0;
  const settledWithoutChart = Boolean((loaded.error && !series) || (series && data && points === 0));
  const { onSettled } = props;
  useLayoutEffect(() => {
    if (settledWithoutChart) onSettled?.();
  }, [settledWithoutChart, onSettled]);
  let body;
  if (loaded.error && !series) {
    body = <ErrorState message={`Could not load ${info.title.toLowerCase()}: ${loaded.error}`} retry={loaded.reload} />;
  } else if (!series || !data || !props.drawNow) {
    body = <Loading what={info.title.toLowerCase()} />;
  } else if (points === 0) {
    body = (
      <Empty>
        {family === "downloads" && !series.package ? (
          <p>
            No package is tracked for {repo}. Add one (npm:NAME or pypi:NAME) in{" "}
            <ViewLink to={{ view: "manage" }}>Manage</ViewLink>.
          </p>
        ) : (
          <p>
            No {info.title.toLowerCase()} points {state.zoom || state.preset !== "all" ? "in this range" : "yet"}. History
            arrives with the backfill; new points with the next collection.
          </p>
        )}
      </Empty>
    );
  } else {
    body = (
      <TimeChart
        id={family}
        label={
          markers.length
            ? `${info.title} of ${repo}, with ${markers.length} flagged ${markers.length === 1 ? "day" : "days"} listed under the chart`
            : `${info.title} of ${repo}`
        }
        xs={data.xs}
        lines={data.lines}
        xKind="time"
        zone={about.timezone}
        log={state.scale === "log"}
        height={CHART_HEIGHT}
        theme={theme}
        describe={describePoint(series, data, info, about.timezone)}
        onZoom={(from, to) => navigate({ zoom: { from: Math.floor(from), to: Math.ceil(to) } })}
        formatLeft={formatCompactTick}
        formatRight={data.rightFields.includes("ratio") ? formatRatioTick : formatCompactTick}
        onDrawn={onSettled}
        markers={markers}
      />
    );
  }
  const packages = props.packages ?? [];
  return (
    <ChartCard
      id={family}
      title={info.title + (chosenPackage ? ` · ${chosenPackage}` : "")}
      legend={legend}
      ready={points > 0}
      csvUrl={api.seriesCsvUrl(repo, family, query)}
      csvName={`${repo.replace("/", "-")}-${family}`}
      embeds={embedSnippets(api.baseUrl, repo, family)}
      controls={
        family === "downloads" && packages.length > 1 ? (
          <label class="package-picker">
            <span class="visually-hidden">Package</span>
            <select
              value={chosenPackage ?? ""}
              onChange={(event) => navigate({ package: event.currentTarget.value })}
            >
              {packages.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        ) : undefined
      }
      footnotes={
        <>
          <ScheduleNote info={info} />
          {flags.data && (
            <FlaggedDays found={flags.data} markers={markers} />
          )}
          {series?.notes.map((note) => (
            <p key={note} class="series-note">
              {note}
            </p>
          ))}
          {series?.downsampled && (
            <p class="series-note">
              Downsampled to {series.count} points for this width; each stretch keeps its highest and lowest points and its
              gaps. Zoom in for every point.
            </p>
          )}
          {loaded.error && series && <p class="series-note error-text">Refreshing failed: {loaded.error}</p>}
        </>
      }
    >
      <div data-family={family} data-points={points} data-loading={loaded.loading ? "true" : "false"}>
        {body}
      </div>
    </ChartCard>
  );
}

/** How far the reconstruction of the history has got, in the line under the name (so the
 * charts do not move when it appears); followed until it ends. */
function BackfillStatus(props: { repo: string }) {
  const { api } = useDashboard();
  const loaded = useLoad((signal) => api.backfill(props.repo, signal), [props.repo]);
  const backfill = loaded.data;
  useEffect(() => {
    if (!backfill || backfill.complete || backfill.jobs.some((job) => job.status === "failed")) return;
    const timer = setTimeout(loaded.reload, 3000);
    return () => clearTimeout(timer);
  }, [backfill, loaded.reload]);
  if (!backfill || backfill.complete || backfill.jobs.length === 0) return null;
  const done = backfill.jobs.filter((job) => job.status === "done").length;
  const failed = backfill.jobs.filter((job) => job.status === "failed");
  const pages = backfill.jobs.reduce((sum, job) => sum + job.pages_stored, 0);
  return (
    <span class="backfill-status">
      {" · "}
      <progress max={backfill.jobs.length} value={done} aria-label="History reconstructed" /> history: {done} of{" "}
      {backfill.jobs.length} families reconstructed, {pages} pages fetched
      {failed.map((job) => (
        <span key={job.family} class="error-text">
          {" · "}
          {job.family} failed: {job.message}
        </span>
      ))}
    </span>
  );
}

export function RepoView(props: { repo: string }) {
  const { api, about, state } = useDashboard();
  const subject = useLoad((signal) => api.subject(props.repo, signal), [props.repo]);
  const shown = about.families.filter((info) => state.families.includes(info.family));
  const [firstSettled, setFirstSettled] = useState(false);
  const settleFirst = useCallback(() => setFirstSettled(true), []);
  useEffect(() => {
    expectCharts(shown.map((info) => info.family));
  }, [shown.map((info) => info.family).join(",")]); // eslint-disable-line react-hooks/exhaustive-deps
  if (subject.status === 404) {
    return (
      <section class="view">
        <h1>{props.repo}</h1>
        <Empty>
          <p>
            {props.repo} is not tracked here. Add it in <ViewLink to={{ view: "manage" }}>Manage</ViewLink>, or pick one
            from the <ViewLink to={{ view: "overview" }}>overview</ViewLink>.
          </p>
        </Empty>
      </section>
    );
  }
  const packages = subject.data?.packages ?? null;
  return (
    <section class="view repo-view">
      <div class="view-head">
        <h1>{subject.data?.repo ?? props.repo}</h1>
        <p class="subtitle">
          {packages === null ? "\u00a0" : packages.length ? packages.join(", ") : "no packages tracked"}
          {" · "}
          <ViewLink to={{ view: "compare", compared: [props.repo], compareFamily: "stars" }}>Compare with others</ViewLink>
          <BackfillStatus repo={props.repo} />
        </p>
      </div>
      <RangeControls modes />
      <FamilyToggles />
      <div class="charts">
        {shown.map((info, index) => (
          <FamilyChart
            key={info.family}
            repo={props.repo}
            info={info}
            packages={packages}
            drawNow={index === 0 || firstSettled}
            onSettled={index === 0 ? settleFirst : undefined}
          />
        ))}
      </div>
    </section>
  );
}

function FamilyToggles() {
  const { about, state, navigate } = useDashboard();
  return (
    <fieldset class="family-toggles">
      <legend>Charts</legend>
      {about.families.map((info) => (
        <label key={info.family}>
          <input
            type="checkbox"
            checked={state.families.includes(info.family)}
            onChange={(event) => {
              const on = event.currentTarget.checked;
              const next = FAMILIES.filter((family) =>
                family === info.family ? on : state.families.includes(family),
              );
              if (next.length) navigate({ families: next });
            }}
          />
          {info.title}
        </label>
      ))}
    </fieldset>
  );
}
