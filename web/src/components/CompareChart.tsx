// Several repositories on one family and field, in one chart card: the compare view's and a
// collection page's chart. The family, field, scale and zoom come from the view state.

import type { ComponentChildren } from "preact";
import { useMemo } from "preact/hooks";

import { TimeChart, type Tooltip } from "../chart/TimeChart";
import { compareLines } from "../compareLines";
import { useDashboard } from "../context";
import { fieldLabel, formatCompactTick, formatDay, formatExact, formatRatio } from "../format";
import { type Comparison, FAMILIES, type Family } from "../types";
import type { Loaded } from "../useLoad";
import { CHART_HEIGHT, ChartCard } from "./ChartCard";
import { Empty, ErrorState, Loading } from "./common";

const DAY = 86_400;

export function CompareChart(props: {
  id: string;
  loaded: Loaded<Comparison | null>;
  /** The repositories in the order that picks their colours. */
  order: string[];
  byAge: boolean;
  normalize: boolean;
  /** Shown instead of the chart when there is nothing to compare. */
  nothing: ComponentChildren | null;
  /** Words for the chart's label: what is compared. */
  subject: string;
  /** A footnote of the view's own (what was left out). */
  note?: ComponentChildren;
}) {
  const { about, state, navigate, theme } = useDashboard();
  const { loaded, byAge, normalize, order } = props;
  const info = about.families.find((item) => item.family === state.compareFamily) ?? about.families[0];
  const field = info?.fields.find((item) => item.name === state.compareField) ?? info?.fields[0];
  const data = useMemo(
    () =>
      loaded.data && field
        ? compareLines(loaded.data.series, field.name, { byAge, normalize, log: state.scale === "log", order })
        : null,
    [loaded.data, field, byAge, normalize, state.scale, order],
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
          value:
            exact === null
              ? "no point"
              : `${value}${normalize ? ` (${formatExact(line.values[index] ?? null)} %)` : ""}${provenance ? `, ${provenance}` : ""}`,
          color: line.color,
        };
      }),
    };
  };
  let body;
  if (props.nothing) {
    body = <Empty>{props.nothing}</Empty>;
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
        id={props.id}
        label={`${info?.title} of ${props.subject}`}
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
          navigate({
            zoom: byAge
              ? { from: Math.floor(from * DAY), to: Math.ceil(to * DAY) }
              : { from: Math.floor(from), to: Math.ceil(to) },
          })
        }
        formatLeft={normalize ? (value) => `${value.toFixed(0)} %` : formatCompactTick}
      />
    );
  }
  return (
    <ChartCard
      id={props.id}
      title={`${info?.title ?? ""}: ${field ? fieldLabel(field.name) : ""}${byAge ? " by age" : ""}`}
      legend={(data?.lines ?? []).map((line) => ({ label: line.label, color: line.color, dashed: false }))}
      ready={Boolean(data?.xs.length)}
      footnotes={
        <>
          {props.note}
          {byAge && (
            <p class="series-note">
              Day 0 is each repository's first point: its creation once its history has been reconstructed. By age, the
              whole history is compared; drag to zoom.
            </p>
          )}
          {loaded.data?.series.flatMap((item) =>
            item.notes.map((note) => (
              <p key={`${item.repo}${note}`} class="series-note">
                {item.repo}: {note}
              </p>
            )),
          )}
        </>
      }
    >
      <div data-family={state.compareFamily} data-series={data?.lines.length ?? 0}>
        {body}
      </div>
    </ChartCard>
  );
}

/** The family and field pickers of a chart of several repositories (or of a ranking). */
export function FamilyFieldPicker(props: { rankable?: boolean }) {
  const { about, state, navigate } = useDashboard();
  const info = about.families.find((item) => item.family === state.compareFamily) ?? about.families[0];
  // A ratio's gain is not ranked (its parts are): a ranking offers counts, windows and flows.
  const fields = (info?.fields ?? []).filter((item) => !props.rankable || item.kind !== "ratio");
  const field = fields.find((item) => item.name === state.compareField) ?? fields[0];
  return (
    <>
      <label>
        <span>Family</span>
        <select
          value={state.compareFamily}
          onChange={(event) =>
            navigate({ compareFamily: event.currentTarget.value as Family, compareField: null, zoom: null })
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
        <select value={field?.name} onChange={(event) => navigate({ compareField: event.currentTarget.value })}>
          {fields.map((item) => (
            <option key={item.name} value={item.name}>
              {fieldLabel(item.name)}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}
