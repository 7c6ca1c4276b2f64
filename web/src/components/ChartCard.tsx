// A chart with its frame: title, tools (PNG, CSV, embed), legend, footnotes, and the
// loading, empty and error states in the same space (so nothing moves when data arrives).

import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";

import { type LegendEntry, copyText, downloadPng } from "../chart/download";
import type { EmbedSnippets } from "../embeds";

export const CHART_HEIGHT = 240;

export interface ChartCardProps {
  id: string;
  title: string;
  legend: LegendEntry[];
  /** The chart, or a state (loading, empty, error) drawn in its space. */
  children: ComponentChildren;
  footnotes?: ComponentChildren;
  csvUrl?: string;
  csvName?: string;
  embeds?: EmbedSnippets;
  /** Extra controls beside the title (a package picker). */
  controls?: ComponentChildren;
  ready: boolean;
}

function Legend(props: { entries: LegendEntry[] }) {
  return (
    <ul class="legend" aria-label="Legend">
      {props.entries.map((entry) => (
        <li key={entry.label}>
          <svg width="22" height="10" aria-hidden="true">
            <line
              x1="1"
              y1="5"
              x2="21"
              y2="5"
              stroke={entry.color}
              stroke-width="2.5"
              stroke-dasharray={entry.dashed ? "5 3" : undefined}
            />
          </svg>
          {entry.label}
        </li>
      ))}
    </ul>
  );
}

function CopyField(props: { label: string; value: string }) {
  const [said, setSaid] = useState("");
  return (
    <div class="copy-field">
      <label>
        <span>{props.label}</span>
        <input type="text" readOnly value={props.value} onFocus={(event) => event.currentTarget.select()} />
      </label>
      <button
        type="button"
        onClick={() => {
          void copyText(props.value).then((copied) =>
            setSaid(copied ? "Copied" : "Select the text and copy it"),
          );
        }}
      >
        Copy
      </button>
      <span class="copy-said" role="status">
        {said}
      </span>
    </div>
  );
}

function EmbedPanel(props: { embeds: EmbedSnippets }) {
  const { embeds } = props;
  return (
    <div class="embed-panel">
      <CopyField label="Markdown (chart)" value={embeds.markdown} />
      <CopyField label="HTML (chart)" value={embeds.html} />
      <CopyField label="Badge image" value={embeds.badgeUrl} />
      <CopyField label="shields.io endpoint" value={embeds.shieldsUrl} />
    </div>
  );
}

export function ChartCard(props: ChartCardProps) {
  const [embedOpen, setEmbedOpen] = useState(false);
  const headingId = `chart-title-${props.id}`;
  return (
    <section class="chart-card" aria-labelledby={headingId} data-chart={props.id}>
      <div class="chart-head">
        <h2 id={headingId}>{props.title}</h2>
        {props.controls}
        <div class="chart-tools">
          <button
            type="button"
            disabled={!props.ready}
            onClick={() => {
              const chart = window.ossgrowthCharts?.[props.id];
              if (chart) downloadPng(chart, props.title, props.legend, `${props.csvName ?? props.id}.png`);
            }}
          >
            PNG
          </button>
          {props.csvUrl && (
            <a class="button" href={props.csvUrl} download={`${props.csvName ?? props.id}.csv`}>
              CSV
            </a>
          )}
          {props.embeds && (
            <button type="button" aria-expanded={embedOpen} onClick={() => setEmbedOpen(!embedOpen)}>
              Embed
            </button>
          )}
        </div>
      </div>
      {embedOpen && props.embeds && <EmbedPanel embeds={props.embeds} />}
      <Legend entries={props.legend} />
      <div class="chart-body" style={{ minHeight: `${CHART_HEIGHT}px` }}>
        {props.children}
      </div>
      {props.footnotes && <div class="chart-footnotes">{props.footnotes}</div>}
    </section>
  );
}
