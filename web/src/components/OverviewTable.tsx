// The overview's table of repositories (also a collection's): a row each, every column
// sortable by its heading.

import { epochOf, formatChange, formatCompact, formatExact, formatRatio, formatRelative } from "../format";
import type { Order, SortKey } from "../state";
import type { OverviewItem } from "../types";
import { ViewLink } from "./common";
import { Sparkline } from "./Sparkline";

const COLUMNS: { key: SortKey; label: string; numeric: boolean }[] = [
  { key: "repo", label: "Repository", numeric: false },
  { key: "stars", label: "Stars", numeric: true },
  { key: "change1d", label: "1 day", numeric: true },
  { key: "change7d", label: "7 days", numeric: true },
  { key: "change30d", label: "30 days", numeric: true },
  { key: "open_issues", label: "Open issues", numeric: true },
  { key: "pr_ratio", label: "PR ratio", numeric: true },
  { key: "weekly_downloads", label: "Downloads / week", numeric: true },
  { key: "collected", label: "Collected", numeric: false },
];

function CollectionCell(props: { item: OverviewItem; now: number }) {
  const { collection } = props.item;
  const when = collection.last_measured_at
    ? formatRelative(epochOf(collection.last_measured_at), props.now)
    : "not yet";
  return (
    <td class={`collection status-${collection.status}`} title={collection.message ?? undefined}>
      <span class="status-dot" aria-hidden="true" />
      <span>{when}</span>
      {collection.status !== "ok" && (
        <span class="status-text">
          <span class="visually-hidden">, </span>
          {collection.status}
        </span>
      )}
      {collection.message && <span class="visually-hidden">: {collection.message}</span>}
    </td>
  );
}

function BackfillNote(props: { item: OverviewItem }) {
  const { backfill } = props.item;
  if (backfill.status === "done" || backfill.status === "none") return null;
  if (backfill.status === "failed") {
    return <span class="backfill-note error-text">history failed{backfill.message ? `: ${backfill.message}` : ""}</span>;
  }
  return (
    <span class="backfill-note">
      <progress max={backfill.families_total || 1} value={backfill.families_done} aria-label="History reconstructed" />{" "}
      history {backfill.status === "running" ? "being reconstructed" : "queued"} ({backfill.families_done}/
      {backfill.families_total}, {backfill.pages_stored} pages)
    </span>
  );
}

function Row(props: { item: OverviewItem; now: number }) {
  const { item } = props;
  const change = (value: number | null) => (
    <td class={`number change ${value !== null && value > 0 ? "up" : value !== null && value < 0 ? "down" : ""}`}>
      {formatChange(value)}
    </td>
  );
  return (
    <tr>
      <th scope="row">
        <ViewLink to={{ view: "repo", repo: item.repo }}>{item.repo}</ViewLink>
        <BackfillNote item={item} />
      </th>
      <td class="number">
        <div class="stars">
          <Sparkline values={item.sparkline} label={`stars of ${item.repo} over the last ${item.sparkline.length} days`} />
          <span title={formatExact(item.stars)}>{formatCompact(item.stars)}</span>
        </div>
      </td>
      {change(item.stars_change["1d"])}
      {change(item.stars_change["7d"])}
      {change(item.stars_change["30d"])}
      <td class="number">{formatCompact(item.open_issues)}</td>
      <td class="number">{formatRatio(item.pr_ratio)}</td>
      <td class="number">{formatCompact(item.weekly_downloads)}</td>
      <CollectionCell item={item} now={props.now} />
    </tr>
  );
}

export function OverviewTable(props: {
  rows: OverviewItem[];
  sort: SortKey;
  order: Order;
  onSort: (sort: SortKey, order: Order) => void;
  caption: string;
  now: number;
}) {
  const { sort, order } = props;
  return (
    <div class="table-scroll">
      <table class="overview-table">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            {COLUMNS.map((column) => {
              const sorted = sort === column.key;
              return (
                <th
                  key={column.key}
                  scope="col"
                  class={column.numeric ? "number" : ""}
                  aria-sort={sorted ? (order === "asc" ? "ascending" : "descending") : undefined}
                >
                  <button
                    type="button"
                    onClick={() =>
                      props.onSort(column.key, sorted ? (order === "asc" ? "desc" : "asc") : column.numeric ? "desc" : "asc")
                    }
                  >
                    {column.label}
                    <span aria-hidden="true" class="sort-mark">
                      {sorted ? (order === "asc" ? "▲" : "▼") : ""}
                    </span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((item) => (
            <Row key={item.repo} item={item} now={props.now} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
