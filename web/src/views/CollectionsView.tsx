// Collections: the list, and a collection's page (its members' overview, their chart on a
// chosen family, a link to its leaderboard), with create, rename, members and delete when the
// page may write.

import { useEffect, useMemo, useState } from "preact/hooks";

import { ApiError } from "../api";
import { expectCharts } from "../chart/marks";
import { type AdminAccess, AdminTokenForm, problemText, useAdminAccess } from "../components/AdminAccess";
import { CompareChart, FamilyFieldPicker } from "../components/CompareChart";
import { ConfirmAction, Empty, ErrorState, Loading, ViewLink, WhenLoaded } from "../components/common";
import { OverviewTable } from "../components/OverviewTable";
import { RangeControls } from "../components/RangeControls";
import { chooseMembers, isSlug, slugFrom } from "../collectionMembers";
import { useDashboard } from "../context";
import { formatExact } from "../format";
import { sortItems } from "../overviewTable";
import { clientNowSeconds, resolveRange, seriesQuery } from "../ranges";
import type { Order, SortKey } from "../state";
import type { CollectionDetail } from "../types";
import { useLoad } from "../useLoad";

export function CollectionsView() {
  const { state } = useDashboard();
  const access = useAdminAccess();
  return state.collection ? (
    <CollectionPage key={state.collection} slug={state.collection} access={access} />
  ) : (
    <CollectionList access={access} />
  );
}

function CollectionList(props: { access: AdminAccess }) {
  const { api, about } = useDashboard();
  const loaded = useLoad((signal) => api.collections(signal), []);
  return (
    <section class="view collections-view">
      <div class="view-head">
        <h1>Collections</h1>
        <p class="subtitle">Named groups of tracked repositories, each with its overview, chart and leaderboard.</p>
      </div>
      <WhenLoaded
        loaded={loaded}
        what="the collections"
        failure="Could not list the collections"
        empty={
          <p>
            No collections yet.{" "}
            {about.writes === "off" ? (
              <>
                Make one from a terminal: <code>ossgrowth collection create frontend --name "Front-end"</code>
              </>
            ) : (
              "Make one below."
            )}
          </p>
        }
      >
        {(collections) => (
          <div class="table-scroll">
            <table class="overview-table collections-table">
              <caption class="visually-hidden">Collections</caption>
              <thead>
                <tr>
                  <th scope="col">Collection</th>
                  <th scope="col">Description</th>
                  <th scope="col" class="number">
                    Members
                  </th>
                  <th scope="col">Leaderboard</th>
                </tr>
              </thead>
              <tbody>
                {collections.map((collection) => (
                  <tr key={collection.slug} data-slug={collection.slug}>
                    <th scope="row">
                      <ViewLink to={{ view: "collections", collection: collection.slug }}>{collection.name}</ViewLink>
                    </th>
                    <td class="description">{collection.description || "—"}</td>
                    <td class="number">{formatExact(collection.members.length)}</td>
                    <td>
                      <ViewLink
                        to={{ view: "leaderboard", collection: collection.slug }}
                        label={`Leaderboard of ${collection.name}`}
                      >
                        Leaderboard
                      </ViewLink>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </WhenLoaded>
      {about.writes !== "off" && <CreateCollection access={props.access} created={loaded.reload} />}
    </section>
  );
}

function CreateCollection(props: { access: AdminAccess; created: () => void }) {
  const { api, navigate } = useDashboard();
  const { token, canWrite } = props.access;
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [slugTouched, setSlugTouched] = useState(false);
  const [description, setDescription] = useState("");
  const [problem, setProblem] = useState<{ field: "slug" | "name" | "description" | null; text: string } | null>(
    null,
  );
  const [busy, setBusy] = useState(false);
  const shownSlug = slugTouched ? slug : slugFrom(name);
  const submit = async () => {
    if (!isSlug(shownSlug)) {
      setProblem({ field: "slug", text: "A slug is 1 to 64 letters, digits and hyphens, like front-end." });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const created = await api.createCollection(
        { slug: shownSlug.trim().toLowerCase(), name: name.trim(), description: description.trim() },
        token,
      );
      props.created();
      navigate({ view: "collections", collection: created.slug });
    } catch (error) {
      const parameter = error instanceof ApiError ? error.parameter : null;
      const field = parameter === "slug" || parameter === "name" || parameter === "description" ? parameter : null;
      setProblem({ field, text: problemText(error) });
    } finally {
      setBusy(false);
    }
  };
  const fieldProblem = (field: "slug" | "name" | "description") => (problem?.field === field ? problem.text : "");
  return (
    <section class="manage-section">
      <AdminTokenForm access={props.access} />
      <form
        class="track-form"
        aria-label="Create a collection"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <fieldset disabled={!canWrite || busy}>
          <legend>Create a collection</legend>
          <label>
            <span>Name</span>
            <input
              name="name"
              type="text"
              required
              maxLength={200}
              value={name}
              aria-invalid={fieldProblem("name") ? "true" : undefined}
              aria-describedby="collection-name-problem"
              onInput={(event) => setName(event.currentTarget.value)}
            />
          </label>
          <p id="collection-name-problem" class="field-problem" role="alert">
            {fieldProblem("name")}
          </p>
          <label>
            <span>Slug (in its address)</span>
            <input
              name="slug"
              type="text"
              required
              value={shownSlug}
              aria-invalid={fieldProblem("slug") ? "true" : undefined}
              aria-describedby="collection-slug-problem"
              onInput={(event) => {
                setSlugTouched(true);
                setSlug(event.currentTarget.value);
              }}
            />
          </label>
          <p id="collection-slug-problem" class="field-problem" role="alert">
            {fieldProblem("slug")}
          </p>
          <label>
            <span>Description (optional)</span>
            <input
              name="description"
              type="text"
              value={description}
              aria-invalid={fieldProblem("description") ? "true" : undefined}
              aria-describedby="collection-description-problem"
              onInput={(event) => setDescription(event.currentTarget.value)}
            />
          </label>
          <p id="collection-description-problem" class="field-problem" role="alert">
            {fieldProblem("description")}
          </p>
          <button type="submit">{busy ? "Creating…" : "Create"}</button>
          {problem && problem.field === null && (
            <p class="field-problem form-problem" role="alert">
              {problem.text}
            </p>
          )}
        </fieldset>
      </form>
    </section>
  );
}

function CollectionPage(props: { slug: string; access: AdminAccess }) {
  const { api, about, state, navigate, nowSeconds } = useDashboard();
  const loaded = useLoad((signal) => api.collection(props.slug, signal), [props.slug]);
  const collection = loaded.data;
  const [sort, setSort] = useState<{ key: SortKey; order: Order }>({ key: "stars", order: "desc" });
  const now = clientNowSeconds();
  const range = resolveRange(state.preset, state.zoom, now);
  const query = seriesQuery(state.compareFamily, range, now, 1000, "values", null);
  const members = useMemo(() => collection?.members ?? [], [collection]);
  const compared = useLoad(
    (signal) =>
      members.length
        ? api.collectionCompare(props.slug, { ...query, family: state.compareFamily, align: "calendar" }, signal)
        : Promise.resolve(null),
    [props.slug, members.join(","), state.compareFamily, query.from, query.to, query.interval],
  );
  useEffect(() => expectCharts(members.length ? ["collection"] : []), [members.length]);
  const rows = useMemo(
    () => sortItems(collection?.overview ?? [], sort.key, sort.order),
    [collection, sort.key, sort.order],
  );
  if (loaded.error && !collection) {
    return (
      <section class="view collection-page">
        <p>
          <ViewLink to={{ view: "collections", collection: null }}>All collections</ViewLink>
        </p>
        <h1>{props.slug}</h1>
        <ErrorState
          message={
            loaded.status === 404
              ? `There is no collection ${props.slug}.`
              : `Could not load the collection: ${loaded.error}`
          }
          retry={loaded.status === 404 ? undefined : loaded.reload}
        />
      </section>
    );
  }
  if (!collection) return <Loading what={`the collection ${props.slug}`} />;
  return (
    <section class="view collection-page" data-slug={collection.slug}>
      <p class="breadcrumb">
        <ViewLink to={{ view: "collections", collection: null }}>All collections</ViewLink>
      </p>
      <div class="view-head">
        <h1>{collection.name}</h1>
        <ViewLink to={{ view: "leaderboard", collection: collection.slug }}>Leaderboard of {collection.name}</ViewLink>
      </div>
      {collection.description && <p class="subtitle collection-description">{collection.description}</p>}
      <h2 class="section-title">Members ({formatExact(collection.members.length)})</h2>
      {collection.members.length === 0 ? (
        <Empty>
          <p>No members yet{about.writes === "off" ? "." : ": add tracked repositories below."}</p>
        </Empty>
      ) : (
        <OverviewTable
          rows={rows}
          sort={sort.key}
          order={sort.order}
          onSort={(key, order) => setSort({ key, order })}
          caption={`Members of ${collection.name}, sortable by each column`}
          now={nowSeconds()}
        />
      )}
      <div class="controls" role="toolbar" aria-label="Members' chart">
        <FamilyFieldPicker />
      </div>
      <RangeControls modes={false} />
      <CompareChart
        id="collection"
        loaded={compared}
        order={members}
        byAge={false}
        normalize={false}
        subject={`the members of ${collection.name}`}
        nothing={members.length ? null : <p>A chart appears once the collection has members.</p>}
        note={
          compared.data?.omitted.length ? (
            <p class="series-note omitted">
              Not in the chart: {compared.data.omitted.join(", ")} (at most 10 members are compared
              {state.compareFamily === "downloads" ? ", and only those with a package" : ""}).
            </p>
          ) : null
        }
      />
      {about.writes !== "off" && (
        <ManageCollection
          collection={collection}
          access={props.access}
          changed={loaded.reload}
          deleted={() => navigate({ view: "collections", collection: null })}
        />
      )}
    </section>
  );
}

function ManageCollection(props: {
  collection: CollectionDetail;
  access: AdminAccess;
  changed: () => void;
  deleted: () => void;
}) {
  const { api } = useDashboard();
  const { collection, access } = props;
  const { token, canWrite } = access;
  const subjects = useLoad((signal) => api.subjects(signal), []);
  const known = (subjects.data ?? []).map((subject) => subject.repo);
  const [name, setName] = useState(collection.name);
  const [description, setDescription] = useState(collection.description);
  const [membersText, setMembersText] = useState("");
  const [said, setSaid] = useState<{ where: "details" | "members" | "delete"; text: string; problem: boolean } | null>(
    null,
  );
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const nonMembers = known.filter(
    (repo) => !collection.members.some((member) => member.toLowerCase() === repo.toLowerCase()),
  );

  const run = async (where: "details" | "members" | "delete", action: () => Promise<string>) => {
    setBusy(true);
    setSaid(null);
    try {
      setSaid({ where, text: await action(), problem: false });
    } catch (error) {
      setSaid({ where, text: problemText(error), problem: true });
    } finally {
      setBusy(false);
    }
  };
  const message = (where: "details" | "members" | "delete") =>
    said?.where === where ? (
      <p class={said.problem ? "field-problem form-problem" : "hint saved"} role={said.problem ? "alert" : "status"}>
        {said.text}
      </p>
    ) : null;

  return (
    <section class="manage-section" aria-labelledby="manage-collection">
      <h2 id="manage-collection" class="section-title">
        Change {collection.name}
      </h2>
      <AdminTokenForm access={access} />
      <form
        class="track-form"
        aria-label="Name and description"
        onSubmit={(event) => {
          event.preventDefault();
          void run("details", async () => {
            await api.updateCollection(collection.slug, { name: name.trim(), description: description.trim() }, token);
            props.changed();
            return "Saved.";
          });
        }}
      >
        <fieldset disabled={!canWrite || busy}>
          <legend>Name and description</legend>
          <label>
            <span>Name</span>
            <input name="name" type="text" required value={name} onInput={(event) => setName(event.currentTarget.value)} />
          </label>
          <label>
            <span>Description</span>
            <input
              name="description"
              type="text"
              value={description}
              onInput={(event) => setDescription(event.currentTarget.value)}
            />
          </label>
          <button type="submit">Save</button>
          {message("details")}
        </fieldset>
      </form>
      <form
        class="track-form"
        aria-label="Add members"
        onSubmit={(event) => {
          event.preventDefault();
          const choice = chooseMembers(membersText, known, collection.members);
          if (choice.unknown.length) {
            setSaid({
              where: "members",
              text: `Not tracked: ${choice.unknown.join(", ")}. Track them in Manage first, or pick from the list.`,
              problem: true,
            });
            return;
          }
          if (!choice.add.length) {
            setSaid({
              where: "members",
              text: choice.already.length ? `Already members: ${choice.already.join(", ")}.` : "Name a tracked repository.",
              problem: true,
            });
            return;
          }
          void run("members", async () => {
            await api.addMembers(collection.slug, choice.add, token);
            setMembersText("");
            props.changed();
            return `Added ${choice.add.join(", ")}.`;
          });
        }}
      >
        <fieldset disabled={!canWrite || busy}>
          <legend>Add members</legend>
          <label>
            <span>Tracked repositories (owner/name, several separated by commas)</span>
            <input
              name="members"
              type="text"
              list="collection-candidates"
              value={membersText}
              onInput={(event) => setMembersText(event.currentTarget.value)}
            />
          </label>
          <datalist id="collection-candidates">
            {nonMembers.map((repo) => (
              <option key={repo} value={repo} />
            ))}
          </datalist>
          <button type="submit">Add</button>
          {message("members")}
        </fieldset>
      </form>
      {collection.members.length > 0 && (
        <ul class="tracked-list member-list" aria-label={`Members of ${collection.name}`}>
          {collection.members.map((repo) => (
            <li key={repo}>
              <ViewLink to={{ view: "repo", repo }}>{repo}</ViewLink>
              <span class="packages" />
              <button
                type="button"
                disabled={!canWrite || busy}
                aria-label={`Remove ${repo} from ${collection.name}`}
                onClick={() =>
                  void run("members", async () => {
                    await api.removeMember(collection.slug, repo, token);
                    props.changed();
                    return `Removed ${repo}.`;
                  })
                }
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="danger-zone">
        <ConfirmAction
          open={confirming}
          onOpen={() => setConfirming(true)}
          onCancel={() => setConfirming(false)}
          onConfirm={() =>
            void run("delete", async () => {
              await api.deleteCollection(collection.slug, token);
              props.deleted();
              return "Deleted.";
            })
          }
          trigger="Delete collection"
          confirm={`Delete ${collection.name} (its repositories stay tracked)`}
          disabled={!canWrite}
          confirmDisabled={!canWrite || busy}
        />
        {message("delete")}
      </div>
    </section>
  );
}
