// One uPlot chart: lines over time (or over age in days), a tooltip that follows the pointer
// or the arrow keys, drag to zoom, linear or log scale, gaps drawn as gaps, and markers on
// chosen moments (flagged days).

import { useLayoutEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

import { wallClockDate } from "../format";
import type { ChartMarker } from "./flags";
import { chartDrawn } from "./marks";

export interface ChartLine {
  label: string;
  /** null: a gap, drawn as one; undefined: no point at this x, the line passes over it. */
  values: readonly (number | null | undefined)[];
  color: string;
  /** Drawn dashed: reconstructed (or estimated) values. */
  dashed?: boolean;
  /** The right-hand axis (ratios); the left one by default. */
  right?: boolean;
}

export interface TooltipRow {
  label: string;
  value: string;
  color?: string;
}

export interface Tooltip {
  title: string;
  rows: TooltipRow[];
  note?: string;
}

export interface TimeChartProps {
  /** Names the chart for tests and performance marks (`stars`, `compare` …). */
  id: string;
  /** What the chart shows, read to screen readers. */
  label: string;
  xs: number[];
  lines: ChartLine[];
  /** `time`: epoch seconds; `days`: days since each series' day 0. */
  xKind: "time" | "days";
  zone: string;
  log: boolean;
  height: number;
  /** The tooltip of the point at an index. */
  describe: (index: number) => Tooltip;
  /** A range dragged out on the chart (in x units). */
  onZoom?: (from: number, to: number) => void;
  /** An axis's tick labels: each tick's value, with all the axis's ticks to tell apart. */
  formatLeft?: AxisFormat;
  formatRight?: AxisFormat;
  /** Show only this stretch of x (a zoom applied here rather than by asking for less data). */
  xRange?: [number, number] | null;
  /** Called once, when the chart has first drawn its data. */
  onDrawn?: () => void;
  /** Bumped when the colour scheme changes, so the axes are redrawn in the new colours. */
  theme: string;
  /** Vertical markers (flagged days), each labelled and titled; say in words elsewhere too. */
  markers?: readonly ChartMarker[];
}

/** The charts on the page, for tests and the console: `ossgrowthCharts.stars.data` … */
declare global {
  interface Window {
    ossgrowthCharts?: Record<string, uPlot>;
  }
}

function cssColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

export type AxisFormat = (value: number, ticks: readonly number[]) => string;

/** uPlot's own axis font, which the labels are drawn in (the charts do not set another). */
const AXIS_FONT =
  '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif, "Apple Color Emoji", "Segoe UI Emoji", "Segoe UI Symbol", "Noto Color Emoji"';
/** What a y axis holds besides its labels: uPlot's tick (10 px) and gap (5 px), and a margin. */
const AXIS_EXTRA_PIXELS = 19;

/** A y axis at least `least` pixels wide, wider where its longest label needs it (`6.05M`
 * beside a chart was cut off at the fixed width). */
function axisSize(least: number): uPlot.Axis.Size {
  return (_chart, values) => {
    const context = document.createElement("canvas").getContext("2d");
    if (!context || !values?.length) return least;
    context.font = AXIS_FONT;
    const widest = Math.max(...values.map((label) => context.measureText(label).width));
    return Math.max(least, Math.ceil(widest) + AXIS_EXTRA_PIXELS);
  };
}

function axisValues(format?: AxisFormat) {
  return format ? (_: uPlot, splits: number[]) => splits.map((value) => format(value, splits)) : undefined;
}

function buildOptions(
  props: TimeChartProps,
  width: number,
  tooltip: HTMLDivElement,
  markers: () => readonly ChartMarker[],
): uPlot.Options {
  const axis = cssColor("--chart-axis", "#57606a");
  const grid = cssColor("--chart-grid", "rgba(128,128,128,0.15)");
  const hasRight = props.lines.some((line) => line.right);
  const { id, onDrawn, onZoom, xKind, zone } = props;
  let reported = false;
  const options: uPlot.Options = {
    width,
    height: props.height,
    legend: { show: false },
    cursor: {
      drag: { x: true, y: false, setScale: false },
      points: { size: 7 },
      focus: { prox: 16 },
    },
    select: { show: true, left: 0, top: 0, width: 0, height: 0 },
    scales: {
      x: props.xRange
        ? { time: xKind === "time", range: [props.xRange[0], props.xRange[1]] }
        : { time: xKind === "time" },
      y: { distr: props.log ? 3 : 1 },
      ...(hasRight ? { ratio: { distr: 1 } } : {}),
    },
    axes: [
      {
        stroke: axis,
        grid: { stroke: grid },
        ticks: { stroke: grid },
        ...(xKind === "days" ? { space: 60, values: axisValues((value) => `${Math.round(value)} d`) } : {}),
      },
      {
        stroke: axis,
        grid: { stroke: grid },
        ticks: { stroke: grid },
        size: axisSize(60),
        values: axisValues(props.formatLeft),
      },
      ...(hasRight
        ? [
            {
              scale: "ratio",
              side: 1,
              stroke: axis,
              grid: { show: false },
              size: axisSize(50),
              values: axisValues(props.formatRight),
            } satisfies uPlot.Axis,
          ]
        : []),
    ],
    series: [
      {},
      ...props.lines.map(
        (line): uPlot.Series => ({
          label: line.label,
          stroke: line.color,
          width: 2,
          scale: line.right ? "ratio" : "y",
          spanGaps: false,
          points: { show: false },
          ...(line.dashed ? { dash: [6, 4] } : {}),
        }),
      ),
    ],
    hooks: {
      draw: [
        (chart) => {
          if (!reported && chart.data[0].length > 0) {
            reported = true;
            chartDrawn(id);
            onDrawn?.();
          }
        },
      ],
      setSelect: [
        (chart) => {
          const { left, width: selected } = chart.select;
          if (selected > 4 && onZoom) {
            const from = chart.posToVal(left, "x");
            const to = chart.posToVal(left + selected, "x");
            onZoom(from, to);
          }
          chart.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        },
      ],
      setCursor: [(chart) => showTooltip(chart, tooltip, props.describe)],
    },
  };
  options.hooks?.draw?.push((chart) => placeMarkers(chart, markers()));
  if (xKind === "time") options.tzDate = (seconds) => wallClockDate(seconds, zone);
  return options;
}

/**
 * Put each marker where its moment falls on the plot (again after every redraw or zoom), its
 * label on the left of the line where the right would run past the plot's edge.
 */
function placeMarkers(chart: uPlot, markers: readonly ChartMarker[]): void {
  let layer = chart.over.querySelector<HTMLDivElement>(".chart-markers");
  if (!layer && markers.length === 0) return;
  if (!layer) {
    layer = document.createElement("div");
    layer.className = "chart-markers";
    chart.over.append(layer);
  }
  layer.replaceChildren();
  const low = chart.scales.x?.min;
  const high = chart.scales.x?.max;
  for (const marker of markers) {
    if (low == null || high == null || marker.x < low || marker.x > high) continue;
    const element = document.createElement("div");
    element.className = "chart-marker";
    element.dataset.kind = marker.kind;
    element.title = marker.title;
    const left = chart.valToPos(marker.x, "x");
    element.style.left = `${left}px`;
    const label = document.createElement("span");
    label.className = "chart-marker-label";
    label.textContent = marker.label;
    element.append(label);
    layer.append(element);
    if (left + label.offsetLeft + label.offsetWidth > chart.over.clientWidth) element.dataset.side = "left";
  }
}

function showTooltip(chart: uPlot, tooltip: HTMLDivElement, describe: (index: number) => Tooltip) {
  const index = chart.cursor.idx;
  if (index == null || chart.cursor.left == null || chart.cursor.left < 0) {
    tooltip.hidden = true;
    return;
  }
  const content = describe(index);
  tooltip.replaceChildren();
  const title = document.createElement("div");
  title.className = "tooltip-title";
  title.textContent = content.title;
  tooltip.append(title);
  for (const row of content.rows) {
    const line = document.createElement("div");
    line.className = "tooltip-row";
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = row.color ?? "transparent";
    const label = document.createElement("span");
    label.textContent = `${row.label}: `;
    const value = document.createElement("strong");
    value.textContent = row.value;
    line.append(swatch, label, value);
    tooltip.append(line);
  }
  if (content.note) {
    const note = document.createElement("div");
    note.className = "tooltip-note";
    note.textContent = content.note;
    tooltip.append(note);
  }
  tooltip.hidden = false;
  const plotLeft = chart.over.offsetLeft;
  const wide = chart.over.clientWidth;
  const x = chart.cursor.left;
  const placeRight = x < wide / 2;
  tooltip.style.left = placeRight ? `${plotLeft + x + 12}px` : "";
  tooltip.style.right = placeRight ? "" : `${chart.root.clientWidth - plotLeft - x + 12}px`;
  tooltip.style.top = `${chart.over.offsetTop + 4}px`;
}

/** The index of the next x, from `index`, with any line holding a value there. */
function stepIndex(chart: uPlot, index: number, step: number): number {
  const length = chart.data[0].length;
  let next = index;
  for (let tries = 0; tries < length; tries += 1) {
    next = Math.min(length - 1, Math.max(0, next + step));
    if (chart.data.slice(1).some((values) => values[next] != null)) return next;
    if (next === 0 || next === length - 1) return next;
  }
  return index;
}

export function TimeChart(props: TimeChartProps) {
  const holderRef = useRef<HTMLDivElement>(null);
  const tooltipRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<uPlot | null>(null);
  const markersRef = useRef<readonly ChartMarker[]>(props.markers ?? []);

  const xFrom = props.xRange?.[0];
  const xTo = props.xRange?.[1];
  // Drawn in a layout effect: as soon as its box exists, not a frame later.
  useLayoutEffect(() => {
    const element = holderRef.current;
    const tip = tooltipRef.current;
    if (!element || !tip) return;
    const data = [props.xs, ...props.lines.map((line) => line.values)] as uPlot.AlignedData;
    const options = buildOptions(props, Math.max(200, element.clientWidth), tip, () => markersRef.current);
    const made = new uPlot(options, data, element);
    chartRef.current = made;
    window.ossgrowthCharts = { ...window.ossgrowthCharts, [props.id]: made };
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, element.clientWidth);
      if (Math.abs(width - made.width) > 1) made.setSize({ width, height: props.height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      made.destroy();
      chartRef.current = null;
      if (window.ossgrowthCharts?.[props.id] === made) delete window.ossgrowthCharts[props.id];
    };
    // The chart is rebuilt whenever what it draws changes; the props object itself is new
    // on every render, so it is not a dependency.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [
    props.xs,
    props.lines,
    props.log,
    props.xKind,
    props.zone,
    props.theme,
    props.height,
    xFrom,
    xTo,
  ]);

  // Flagged days come after the points: the chart drawn stays and only places them anew
  // (rebuilding it made it flash, and left a moment without a plot).
  useLayoutEffect(() => {
    markersRef.current = props.markers ?? [];
    chartRef.current?.redraw(false, false);
  }, [props.markers]);

  const onKey = (event: KeyboardEvent) => {
    const made = chartRef.current;
    if (!made || made.data[0].length === 0) return;
    const current = made.cursor.idx ?? -1;
    let next: number | null = null;
    if (event.key === "ArrowRight") next = stepIndex(made, current, 1);
    else if (event.key === "ArrowLeft") next = stepIndex(made, current < 0 ? made.data[0].length : current, -1);
    else if (event.key === "Home") next = stepIndex(made, -1, 1);
    else if (event.key === "End") next = stepIndex(made, made.data[0].length, -1);
    else if (event.key === "Escape") {
      made.setCursor({ left: -10, top: -10 });
      return;
    }
    if (next === null) return;
    event.preventDefault();
    const x = made.data[0][next];
    if (x == null) return;
    made.setCursor({ left: made.valToPos(x, "x"), top: made.over.clientHeight / 2 });
  };

  return (
    <div class="chart-frame">
      <div
        class="chart-canvas"
        ref={holderRef}
        role="img"
        tabIndex={0}
        aria-label={`${props.label}. Use the left and right arrow keys to read the points.`}
        style={{ height: `${props.height}px` }}
        onKeyDown={onKey}
        onBlur={() => chartRef.current?.setCursor({ left: -10, top: -10 })}
      />
      <div class="chart-tooltip" ref={tooltipRef} hidden role="status" aria-live="polite" />
    </div>
  );
}
