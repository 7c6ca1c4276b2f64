// The leaderboard: tracked repositories (or a collection's) ranked by their gain over a
// window, with the rank's move, the points' provenance and the same ranking as CSV.

import { FamilyFieldPicker } from "../components/CompareChart";
import { ViewLink, WhenLoaded } from "../components/common";
import { Segmented } from "../components/RangeControls";
import { useDashboard } from "../context";
import { epochOf, fieldLabel, formatCompact, formatExact, formatTime } from "../format";
import {
  BY_LABELS,
  WINDOW_LABELS,
  entryLabel,
  formatGain,
  formatRelativeGain,
  formatScore,
  rankMove,
  restsOnReconstruction,
} from "../leaderboard";
import { type LeaderboardEntry, RANK_BYS, RANK_WINDOWS } from "../types";
import { useLoad } from "../useLoad";

function Row(props: { entry: LeaderboardEntry }) {
  const { entry } = props;
  const move = rankMove(entry);
  const reconstructed = restsOnReconstruction(entry);
  const sign = (value: number | null) => (value !== null && value > 0 ? "up" : value !== null && value < 0 ? "down" : "");
  return (
    <tr data-repo={entry.repo} data-reconstructed={reconstructed ? "true" : "false"}>
      <td class="number rank">{entry.rank}</td>
      <td class={`rank-move move-${move.direction}`}>
        <span aria-hidden="true">{move.mark || (move.direction === "new" ? "new" : "=")}</span>
        <span class="visually-hidden">{move.text}</span>
      </td>
      <th scope="row">
        <ViewLink to={{ view: "repo", repo: entry.repo }}>{entryLabel(entry)}</ViewLink>
        {reconstructed && (
          <span class="provenance-mark" title="Computed from reconstructed points, not only measured ones">
            reconstructed
          </span>
        )}
      </th>
      <td class="number">{formatCompact(entry.value)}</td>
      <td class={`number change ${sign(entry.gain)}`}>{formatGain(entry.gain)}</td>
      <td class={`number change ${sign(entry.relative_gain)}`}>{formatRelativeGain(entry.relative_gain)}</td>
      <td class="number">{formatScore(entry.score)}</td>
    </tr>
  );
}

export function LeaderboardView() {
  const { api, about, state, navigate } = useDashboard();
  const collections = useLoad((signal) => api.collections(signal), []);
  const info = about.families.find((item) => item.family === state.compareFamily);
  // A field carried over from another view that cannot be ranked (a ratio) is left to the API's default.
  const chosen = info?.fields.find((item) => item.name === state.compareField && item.kind !== "ratio");
  const query = {
    family: state.compareFamily,
    field: chosen?.name,
    window: state.window,
    by: state.by,
    collection: state.collection ?? undefined,
  };
  const loaded = useLoad(
    (signal) => api.leaderboard(query, signal),
    [query.family, query.field, query.window, query.by, query.collection],
  );
  const board = loaded.data;
  const collectionName = state.collection
    ? (board?.collection_name ?? collections.data?.find((item) => item.slug === state.collection)?.name ?? state.collection)
    : null;
  const field = board?.field ?? state.compareField ?? info?.fields[0]?.name ?? "";
  const caption = `${info?.title ?? state.compareFamily}: ${fieldLabel(field)}, ranked by ${BY_LABELS[state.by].toLowerCase()} over ${WINDOW_LABELS[state.window]}${collectionName ? ` in ${collectionName}` : " across all tracked repositories"}`;
  const body = (
    <WhenLoaded
      loaded={loaded}
      what="the leaderboard"
      failure="Could not rank"
      isEmpty={(ranking) => ranking.entries.length === 0}
      empty={
        <p>Nothing to rank: no repository has two {fieldLabel(field)} points {WINDOW_LABELS[state.window]} apart yet.</p>
      }
    >
      {(ranking) => (
        <div class="table-scroll" aria-busy={loaded.loading ? "true" : "false"}>
          <table class="overview-table leaderboard-table">
            <caption class="visually-hidden">{caption}</caption>
            <thead>
              <tr>
                <th scope="col" class="number">
                  Rank
                </th>
                <th scope="col">Change</th>
                <th scope="col">Repository</th>
                <th scope="col" class="number">
                  Value
                </th>
                <th scope="col" class="number">
                  Gain
                </th>
                <th scope="col" class="number">
                  Relative gain
                </th>
                <th scope="col" class="number">
                  Score
                </th>
              </tr>
            </thead>
            <tbody>
              {ranking.entries.map((entry) => (
                <Row key={`${entry.repo}${entry.package ?? ""}`} entry={entry} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </WhenLoaded>
  );
  return (
    <section class="view leaderboard-view">
      <div class="view-head">
        <h1>Leaderboard{collectionName ? ` of ${collectionName}` : ""}</h1>
        <a class="button" href={api.leaderboardCsvUrl(query)} download="leaderboard.csv">
          CSV
        </a>
      </div>
      <p class="subtitle" aria-live="polite">
        {caption}
        {board ? `, as of ${formatTime(epochOf(board.as_of), about.timezone)}` : ""}.
      </p>
      <div class="controls" role="toolbar" aria-label="Ranking">
        <FamilyFieldPicker rankable />
        <label>
          <span>Collection</span>
          <select
            value={state.collection ?? ""}
            onChange={(event) => navigate({ collection: event.currentTarget.value || null })}
          >
            <option value="">All tracked repositories</option>
            {state.collection && !collections.data?.some((item) => item.slug === state.collection) && (
              <option value={state.collection}>{state.collection}</option>
            )}
            {(collections.data ?? []).map((item) => (
              <option key={item.slug} value={item.slug}>
                {item.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div class="controls" role="toolbar" aria-label="Window and ranking">
        <Segmented
          label="Window"
          options={RANK_WINDOWS}
          value={state.window}
          names={WINDOW_LABELS}
          choose={(window) => navigate({ window })}
        />
        <Segmented label="Rank by" options={RANK_BYS} value={state.by} names={BY_LABELS} choose={(by) => navigate({ by })} />
      </div>
      {body}
      {board && board.entries.length > 0 && (
        <p class="hint">
          {board.ranked > board.entries.length
            ? `The first ${formatExact(board.entries.length)} of ${formatExact(board.ranked)} ranked.`
            : `${formatExact(board.ranked)} ranked.`}{" "}
          The rank's change is against the window before this one;
          “reconstructed” marks a row computed from points rebuilt from history rather than only measured ones. The
          growth score is the gain ÷ √(start value + 1), times the share of the window the repository has existed:
          a gain counts more for a small or young project, without letting size alone decide.
        </p>
      )}
      {state.collection && (
        <p>
          <ViewLink to={{ view: "collections", collection: state.collection }}>
            The collection {collectionName ?? state.collection}
          </ViewLink>
        </p>
      )}
    </section>
  );
}
