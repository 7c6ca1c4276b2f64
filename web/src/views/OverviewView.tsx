// Every tracked repository in one table: sortable, filterable, a page of 50 at a time.

import { useEffect, useLayoutEffect, useMemo } from "preact/hooks";

import { OVERVIEW_MARK, markOnce } from "../chart/marks";
import { Empty, ErrorState, Loading, ViewLink } from "../components/common";
import { OverviewTable } from "../components/OverviewTable";
import { useDashboard } from "../context";
import { formatExact } from "../format";
import { filterItems, paginate, sortItems } from "../overviewTable";
import { useLoad } from "../useLoad";

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
          <OverviewTable
            rows={page.rows}
            sort={state.sort}
            order={state.order}
            onSort={(sort, order) => navigate({ sort, order, page: 1 })}
            caption="Tracked repositories, sortable by each column"
            now={now}
          />
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
