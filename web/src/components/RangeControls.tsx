// Range presets, the zoom and its reset, the scale and (on a repository) values or deltas.

import { useDashboard } from "../context";
import { formatDay } from "../format";
import { type Mode, PRESETS, type Preset, type Scale } from "../state";

const PRESET_LABELS: Record<Preset, string> = {
  "7d": "7 days",
  "30d": "30 days",
  "90d": "90 days",
  "1y": "1 year",
  all: "All",
};

/** Buttons of which one is pressed: a choice among a few named options. */
export function Segmented<T extends string>(props: {
  label: string;
  options: readonly T[];
  value: T;
  names: Record<T, string>;
  choose: (value: T) => void;
}) {
  return (
    <div class="segmented" role="group" aria-label={props.label}>
      {props.options.map((option) => (
        <button
          key={option}
          type="button"
          aria-pressed={props.value === option}
          onClick={() => props.choose(option)}
        >
          {props.names[option]}
        </button>
      ))}
    </div>
  );
}

export function RangeControls(props: { modes: boolean; ageAxis?: boolean }) {
  const { state, navigate, about } = useDashboard();
  const zoom = state.zoom;
  return (
    <div class="controls" role="toolbar" aria-label="Chart controls">
      {!props.ageAxis && (
        <Segmented
          label="Range"
          options={PRESETS}
          value={state.preset}
          names={PRESET_LABELS}
          choose={(preset) => navigate({ preset, zoom: null })}
        />
      )}
      <Segmented
        label="Scale"
        options={["linear", "log"] as const}
        value={state.scale}
        names={{ linear: "Linear", log: "Log" } satisfies Record<Scale, string>}
        choose={(scale) => navigate({ scale })}
      />
      {props.modes && (
        <Segmented
          label="Show"
          options={["values", "daily", "weekly"] as const}
          value={state.mode}
          names={{ values: "Values", daily: "Per day", weekly: "Per week" } satisfies Record<Mode, string>}
          choose={(mode) => navigate({ mode })}
        />
      )}
      <div class="zoom-state" aria-live="polite">
        {zoom ? (
          <>
            <span>
              {props.ageAxis
                ? `Zoomed: day ${Math.round(zoom.from / 86_400)} to ${Math.round(zoom.to / 86_400)}`
                : `Zoomed: ${formatDay(zoom.from, about.timezone)} – ${formatDay(zoom.to, about.timezone)}`}
            </span>
            <button type="button" class="reset-zoom" onClick={() => navigate({ zoom: null })}>
              Reset zoom
            </button>
          </>
        ) : (
          <span class="hint">Drag across a chart to zoom.</span>
        )}
      </div>
    </div>
  );
}
