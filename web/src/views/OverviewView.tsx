// Every tracked repository in one table: sortable, filterable, a page of 50 at a time.

import { useEffect, useLayoutEffect, useMemo } from "preact/hooks";

import { OVERVIEW_MARK, markOnce } from "../chart/marks";
import { Empty, ErrorState, Loading, ViewLink } from "../components/common";
import { Sparkline } from "../components/Sparkline";
import { useDashboard } from "../context";
import { epochOf, formatChange, formatCompact, formatExact, formatRatio, formatRelative } from "../format";
import { filterItems, paginate, sortItems } from "../overviewTable";
import type { SortKey } from "../state";
import type { OverviewItem } from "../types";
import { useLoad } from "../useLoad";

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
      {collection.status !== "ok" && <span class="status-text"> · {collection.status}</span>}
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

export function OverviewView() {
  const { api, state, navigate, nowSeconds } = useDashboard();
  const loaded = useLoad((signal) => api.overview(signal), []);
  const items = loaded.data?.items;
  useEffect(() => {
    if (!items?.some((item) => item.backfill.status === "running" || item.backfill.status === "queued")) return;
    const timer = setTimeout(loaded.reload, 5000);
    return () => clearTimeout(timer);
  }, [items, loaded.reload]);
  useLayoutEffect(() => {
    if (items?.length) markOnce(OVERVIEW_MARK);
  }, [items]);
  const page = useMemo(
    () => paginate(sortItems(filterItems(items ?? [], state.filter), state.sort, state.order), state.page),
    [items, state.filter, state.sort, state.order, state.page],
  );
  if (loaded.error && !items) {
    return (
      <section class="view">
        <h1>Overview</h1>
        <ErrorState message={`Could not load the overview: ${loaded.error}`} retry={loaded.reload} />
      </section>
    );
  }
  const now = nowSeconds();
  return (
    <section class="view overview">
      <div class="view-head">
        <h1>Overview</h1>
        <label class="filter">
          <span>Filter</span>
          <input
            type="search"
            value={state.filter}
            placeholder="owner/name or package"
            onInput={(event) => navigate({ filter: event.currentTarget.value, page: 1 }, { replace: true })}
          />
        </label>
      </div>
      {!items ? (
        <Loading what="the tracked repositories" />
      ) : items.length === 0 ? (
        <Empty>
          <p>No repositories yet. Add one in <ViewLink to={{ view: "manage" }}>Manage</ViewLink>, or from a terminal:</p>
          <pre>
            <code>ossgrowth track vitejs/vite --npm vite</code>
          </pre>
        </Empty>
      ) : (
        <>
          <div class="table-scroll">
            <table class="overview-table">
              <caption class="visually-hidden">Tracked repositories, sortable by each column</caption>
              <thead>
                <tr>
                  {COLUMNS.map((column) => {
                    const sorted = state.sort === column.key;
                    return (
                      <th
                        key={column.key}
                        scope="col"
                        class={column.numeric ? "number" : ""}
                        aria-sort={sorted ? (state.order === "asc" ? "ascending" : "descending") : undefined}
                      >
                        <button
                          type="button"
                          onClick={() =>
                            navigate({
                              sort: column.key,
                              order: sorted ? (state.order === "asc" ? "desc" : "asc") : column.numeric ? "desc" : "asc",
                              page: 1,
                            })
                          }
                        >
                          {column.label}
                          <span aria-hidden="true" class="sort-mark">
                            {sorted ? (state.order === "asc" ? "▲" : "▼") : ""}
                          </span>
                        </button>
                      </th>
                    );
                  })}
                </tr>
              </thead>
              <tbody>
                {page.rows.map((item) => (
                  <Row key={item.repo} item={item} now={now} />
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Pages">
            <span>
              {page.total === 0
                ? `No repository matches “${state.filter}”.`
                : `${formatExact(page.first)}–${formatExact(page.last)} of ${formatExact(page.total)}`}
            </span>
            <button type="button" disabled={page.page <= 1} onClick={() => navigate({ page: page.page - 1 })}>
              Previous
            </button>
            <span>
              Page {page.page} of {page.pages}
            </span>
            <button type="button" disabled={page.page >= page.pages} onClick={() => navigate({ page: page.page + 1 })}>
              Next
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
