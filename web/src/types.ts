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

/** A named group of tracked repositories (`GET /api/v1/collections`). */
export interface Collection {
  slug: string;
  name: string;
  description: string;
  members: string[];
  created_at: string | null;
}

/** One collection with its members' overview rows (`GET /api/v1/collections/{slug}`). */
export interface CollectionDetail extends Collection {
  overview: OverviewItem[];
}

/** A collection's members compared (`GET /api/v1/collections/{slug}/compare`). */
export interface CollectionComparison extends Comparison {
  collection: string;
  /** Members not in the chart: beyond the first 10, or without a package for downloads. */
  omitted: string[];
}

export type RankWindow = "7d" | "30d" | "90d" | "1y";
export type RankBy = "gain" | "relative" | "score";
export const RANK_WINDOWS: readonly RankWindow[] = ["7d", "30d", "90d", "1y"];
export const RANK_BYS: readonly RankBy[] = ["score", "gain", "relative"];

export interface LeaderboardPoint {
  at: string;
  value: number | null;
  provenance: string;
}

export interface LeaderboardEntry {
  rank: number;
  previous_rank: number | null;
  rank_change: number | null;
  repo: string;
  package?: string | null;
  value: number | null;
  start_value: number | null;
  gain: number | null;
  relative_gain: number | null;
  score: number | null;
  provenance: string[];
  points: LeaderboardPoint[];
}

export interface Leaderboard {
  family: Family;
  field: string;
  window: RankWindow;
  by: RankBy;
  collection: string | null;
  collection_name: string | null;
  as_of: string;
  /** How many series were ranked; `entries` are the first of them. */
  ranked: number;
  entries: LeaderboardEntry[];
}

export type RuleKind = "milestone" | "spike" | "downloads-drop" | "overdue";
export const RULE_KINDS: readonly RuleKind[] = ["milestone", "spike", "downloads-drop", "overdue"];
export type RuleScope = "repository" | "collection" | "all";
export type RuleChannel = "webhook" | "slack" | "email";

/** An alert rule as the API shows it: never its secret, only whether one is set. */
export interface AlertRule {
  id: number;
  name: string;
  kind: RuleKind;
  family: Family;
  field: string;
  scope: RuleScope;
  scope_name: string | null;
  channel: RuleChannel;
  target: string;
  params: Record<string, number | string | boolean | null>;
  secret_set: boolean;
  enabled: boolean;
  created_at: string | null;
}

/** What `POST /api/v1/alerts/rules` takes. */
export interface AlertRuleInput {
  name: string;
  kind: RuleKind;
  family: Family;
  field?: string;
  scope: RuleScope;
  scope_name: string | null;
  channel: RuleChannel;
  target: string;
  params: Record<string, number>;
  secret?: string;
}

export type DeliveryStatus = "pending" | "delivered" | "failed";

/** One alert on its way (or delivered, or given up): the history's row. */
export interface AlertDelivery {
  id: string;
  rule_id: number;
  status: DeliveryStatus;
  attempts: number;
  created_at: string;
  next_attempt_at: string | null;
  delivered_at: string | null;
  last_error: string | null;
  summary?: string;
  repo?: string | null;
  event_key?: string;
}

export type FlagKind = "spike" | "unusual";

/** A day whose star gain is anomalous for the repository (`GET …/unusual`); never a verdict. */
export interface FlaggedDay {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  gain: number;
  median: number;
  mad: number;
  score: number;
  kind: FlagKind;
  /** Share of the day's stars from accounts made within 30 days before; null: not known. */
  new_account_share: number | null;
}

export interface UnusualGrowth {
  repo: string;
  family: Family;
  method: string;
  account_age_test: "run" | "not_run";
  baseline_new_account_share: number | null;
  notes: string[];
  days: FlaggedDay[];
}
