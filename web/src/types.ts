// The answers of the REST API (/api/v1) the dashboard reads, as docs/api.md describes them.

export type Family = "stars" | "prs" | "issues" | "downloads" | "reach";
export const FAMILIES: readonly Family[] = ["stars", "prs", "issues", "downloads", "reach"];

export type Provenance = "measured" | "reconstructed" | "estimated";
export type Interval = "raw" | "3h" | "day" | "week" | "month";
export type Environment = "dev" | "staging" | "prod";
export type WritesMode = "open" | "token" | "off";
export type FieldKind = "count" | "window" | "flow" | "ratio";

export interface FieldInfo {
  name: string;
  kind: FieldKind;
  description: string;
}

export interface ScheduleInfo {
  job: string;
  description: string;
  timezone: string;
  last_slot_at: string;
  next_slot_at: string;
  last_taken_at: string | null;
}

export interface FamilyInfo {
  family: Family;
  title: string;
  per_package: boolean;
  fields: FieldInfo[];
  cadence_interval: Interval;
  schedule: ScheduleInfo;
}

export interface About {
  name: string;
  version: string;
  environment: Environment;
  timezone: string;
  now: string;
  writes: WritesMode;
  writes_hint: string;
  families: FamilyInfo[];
}

export type CollectionStatus = "ok" | "overdue" | "failed" | "pending";
export type BackfillState = "done" | "running" | "queued" | "failed" | "none";

export interface OverviewItem {
  repo: string;
  packages: string[];
  added_at: string | null;
  stars: number | null;
  stars_as_of: string | null;
  stars_change: Record<"1d" | "7d" | "30d", number | null>;
  sparkline: (number | null)[];
  sparkline_start: string;
  open_issues: number | null;
  open_prs: number | null;
  pr_ratio: number | null;
  weekly_downloads: number | null;
  collection: { status: CollectionStatus; last_measured_at: string | null; message: string | null };
  backfill: {
    status: BackfillState;
    families_done: number;
    families_total: number;
    pages_stored: number;
    message: string | null;
  };
}

export interface Overview {
  now: string;
  sparkline_days: number;
  items: OverviewItem[];
}

/** A point of a series: its time, the family's fields, how it was known; all null in a gap. */
export interface SeriesPoint {
  time: string;
  epoch_seconds: number;
  provenance: Provenance | null;
  source: string | null;
  age_days?: number;
  [field: string]: number | string | null | undefined;
}

export interface Series {
  repo: string;
  family: Family;
  package: string | null;
  interval: Interval;
  fields: string[];
  aggregation: Record<string, string>;
  count: number;
  downsampled: boolean;
  total_counted_from: string | null;
  notes: string[];
  points: SeriesPoint[];
}

export interface CompareSeries {
  repo: string;
  package: string | null;
  day_zero: string | null;
  total_counted_from: string | null;
  notes: string[];
  points: SeriesPoint[];
}

export interface Comparison {
  family: Family;
  interval: Interval;
  align: "calendar" | "age";
  fields: string[];
  series: CompareSeries[];
}

export interface Subject {
  repo: string;
  owner: string;
  name: string;
  packages: string[];
  github_node_id: string | null;
  added_at: string | null;
  url: string;
}

export interface BackfillJob {
  family: Family;
  status: "queued" | "done" | "failed";
  running: boolean;
  pages_stored: number;
  method: string | null;
  message: string | null;
  since: string | null;
  enqueued_at: string;
  finished_at: string | null;
}

export interface Backfill {
  repo: string;
  complete: boolean;
  jobs: BackfillJob[];
}

/** RFC 9457 problem details, as every API error is written. */
export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  parameter?: string | null;
}
