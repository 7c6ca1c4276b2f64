// The dashboard's only door to data: the public REST API, at the base URL the config names.

import type { Settled } from "./early";
import type {
  About,
  AlertDelivery,
  AlertRule,
  AlertRuleInput,
  Backfill,
  Collection,
  CollectionComparison,
  CollectionDetail,
  Comparison,
  Family,
  Interval,
  Leaderboard,
  Overview,
  ProblemBody,
  RankBy,
  RankWindow,
  Series,
  Subject,
  UnusualGrowth,
} from "./types";

/** An answer that is not a success, with the API's own message and the parameter at fault. */
export class ApiError extends Error {
  readonly status: number;
  readonly parameter: string | null;

  constructor(status: number, message: string, parameter: string | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.parameter = parameter;
  }
}

export interface DashboardConfig {
  /** Absolute URL of the API's /api/v1, resolved against the page. */
  apiBaseUrl: string;
}

function configOf(body: { api_base_url?: unknown }, pageUrl: string): DashboardConfig {
  if (typeof body.api_base_url !== "string") {
    throw new ApiError(500, "the page's config names no api_base_url");
  }
  const base = new URL(body.api_base_url, pageUrl).toString();
  return { apiBaseUrl: base.endsWith("/") ? base : `${base}/` };
}

/** The config the server wrote into the page, if it did. */
export function inlineConfig(): DashboardConfig | null {
  const inline = document.getElementById("ossgrowth-config")?.textContent;
  return inline ? configOf(JSON.parse(inline) as { api_base_url?: unknown }, location.href) : null;
}

/**
 * The page's config: written into the page by the server that serves it, else read from
 * config.json beside index.html (a deployment that serves the files from a bucket writes it).
 */
export async function loadConfig(pageUrl: string): Promise<DashboardConfig> {
  const inline = inlineConfig();
  if (inline) return inline;
  const answer = await fetch(new URL("config.json", pageUrl));
  if (!answer.ok) throw new ApiError(answer.status, `config.json answered ${answer.status}`);
  return configOf((await answer.json()) as { api_base_url?: unknown }, pageUrl);
}

export interface SeriesQuery {
  from?: string | undefined;
  to?: string | undefined;
  interval?: Interval | undefined;
  maxPoints?: number | undefined;
  package?: string | undefined;
}

export interface CompareQuery extends SeriesQuery {
  repos: string[];
  family: Family;
  align: "calendar" | "age";
}

const SUBJECT_PAGE = 1000;

interface SubjectPage {
  items: Subject[];
  next: string | null;
}

type Params = Record<string, string | number | undefined | string[]>;

function withParams(url: URL, params: Params): URL {
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value) url.searchParams.append(name, item);
    } else {
      url.searchParams.set(name, String(value));
    }
  }
  return url;
}

async function problemOf(answer: Response): Promise<ApiError> {
  let body: ProblemBody = {};
  try {
    body = (await answer.json()) as ProblemBody;
  } catch {
    // not a problem document (a proxy's page): the status says enough
  }
  const detail = body.detail ?? `${answer.status} ${answer.statusText || "error"}`;
  return new ApiError(answer.status, detail, body.parameter ?? null);
}

/** Path of a repository under /repos, each part escaped. */
export function repoPath(repo: string): string {
  const [owner = "", name = ""] = repo.split("/");
  return `repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
}

export class Api {
  readonly baseUrl: string;
  /** Answers asked for before the view that needs them exists (see `prefetch`). */
  readonly earlyRequests: Map<string, Promise<Settled>>;

  constructor(config: DashboardConfig, early?: Map<string, Promise<Settled>>) {
    this.baseUrl = config.apiBaseUrl;
    this.earlyRequests = early ?? new Map<string, Promise<Settled>>();
  }

  /**
   * Start a GET now, to be taken by the first `get` of the same URL: the page asks for a
   * repository's series while it is still asking the server about itself.
   */
  prefetch(path: string, params: Params = {}): void {
    const url = this.url(path, params);
    if (!this.earlyRequests.has(url)) {
      const started = this.read(url);
      started.catch(() => undefined); // a failure is seen by the get that takes it
      this.earlyRequests.set(url, started);
    }
  }

  /** Absolute URL of an API path (relative to /api/v1) with its query. */
  url(path: string, params: Params = {}): string {
    return withParams(new URL(path, this.baseUrl), params).toString();
  }

  /** GET and parse a JSON answer; a problem comes back as a value, not thrown. */
  private async read(url: string, signal?: AbortSignal): Promise<Settled> {
    const answer = await fetch(url, { headers: { Accept: "application/json" }, signal: signal ?? null });
    if (!answer.ok) {
      const problem = await problemOf(answer);
      return { problem: { status: problem.status, detail: problem.message, parameter: problem.parameter } };
    }
    return { body: await answer.json() };
  }

  private async get<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
    const url = this.url(path, params);
    const early = this.earlyRequests.get(url);
    this.earlyRequests.delete(url);
    const settled = await (early ?? this.read(url, signal));
    if ("problem" in settled) {
      const { status, detail, parameter } = settled.problem;
      throw new ApiError(status, detail, parameter);
    }
    return settled.body as T;
  }

  private async send(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    path: string,
    token: string | null,
    body?: unknown,
    params: Params = {},
    signal?: AbortSignal,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    const answer = await fetch(this.url(path, params), {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    });
    if (!answer.ok) throw await problemOf(answer);
    return answer;
  }

  about(): Promise<About> {
    return this.get<About>("about");
  }

  overview(signal?: AbortSignal): Promise<Overview> {
    return this.get<Overview>("overview", {}, signal);
  }

  series(repo: string, family: Family, query: SeriesQuery, signal?: AbortSignal): Promise<Series> {
    return this.get<Series>(`${repoPath(repo)}/series/${family}`, seriesParams(query), signal);
  }

  seriesCsvUrl(repo: string, family: Family, query: SeriesQuery): string {
    return this.url(`${repoPath(repo)}/series/${family}`, { ...seriesParams(query), format: "csv" });
  }

  compare(query: CompareQuery, signal?: AbortSignal): Promise<Comparison> {
    return this.get<Comparison>(
      "compare",
      { ...seriesParams(query), repo: query.repos, family: query.family, align: query.align },
      signal,
    );
  }

  /** Every tracked repository, by name (all pages). */
  async subjects(signal?: AbortSignal): Promise<Subject[]> {
    const found: Subject[] = [];
    for (let offset = 0; ; offset += SUBJECT_PAGE) {
      const page = await this.get<SubjectPage>("repos", { limit: SUBJECT_PAGE, offset }, signal);
      found.push(...page.items);
      if (page.next === null || page.items.length === 0) return found;
    }
  }

  subject(repo: string, signal?: AbortSignal): Promise<Subject> {
    return this.get<Subject>(repoPath(repo), {}, signal);
  }

  backfill(repo: string, signal?: AbortSignal): Promise<Backfill> {
    return this.get<Backfill>(`${repoPath(repo)}/backfill`, {}, signal);
  }

  /** The repository's flagged star days between `from` and `to`. */
  unusual(repo: string, query: Pick<SeriesQuery, "from" | "to">, signal?: AbortSignal): Promise<UnusualGrowth> {
    return this.get<UnusualGrowth>(
      `${repoPath(repo)}/unusual`,
      { family: "stars", from: query.from, to: query.to },
      signal,
    );
  }

  async track(repo: string, packages: string[], token: string | null): Promise<Subject> {
    const answer = await this.send("POST", "repos", token, { repo, packages });
    return (await answer.json()) as Subject;
  }

  async untrack(repo: string, token: string | null): Promise<void> {
    await this.send("DELETE", repoPath(repo), token);
  }

  async collections(signal?: AbortSignal): Promise<Collection[]> {
    return (await this.get<{ collections: Collection[] }>("collections", {}, signal)).collections;
  }

  collection(slug: string, signal?: AbortSignal): Promise<CollectionDetail> {
    return this.get<CollectionDetail>(collectionPath(slug), {}, signal);
  }

  collectionCompare(
    slug: string,
    query: Omit<CompareQuery, "repos">,
    signal?: AbortSignal,
  ): Promise<CollectionComparison> {
    return this.get<CollectionComparison>(
      `${collectionPath(slug)}/compare`,
      { ...seriesParams(query), family: query.family, align: query.align },
      signal,
    );
  }

  async createCollection(
    collection: { slug: string; name: string; description: string },
    token: string | null,
  ): Promise<Collection> {
    return (await (await this.send("POST", "collections", token, collection)).json()) as Collection;
  }

  async updateCollection(
    slug: string,
    change: { name?: string; description?: string },
    token: string | null,
  ): Promise<void> {
    await this.send("PATCH", collectionPath(slug), token, change);
  }

  async addMembers(slug: string, repos: string[], token: string | null): Promise<void> {
    await this.send("PUT", `${collectionPath(slug)}/members`, token, { repos });
  }

  async removeMember(slug: string, repo: string, token: string | null): Promise<void> {
    const [owner = "", name = ""] = repo.split("/");
    const member = `${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
    await this.send("DELETE", `${collectionPath(slug)}/members/${member}`, token);
  }

  async deleteCollection(slug: string, token: string | null): Promise<void> {
    await this.send("DELETE", collectionPath(slug), token);
  }

  leaderboard(query: LeaderboardQuery, signal?: AbortSignal): Promise<Leaderboard> {
    return this.get<Leaderboard>("leaderboard", leaderboardParams(query), signal);
  }

  leaderboardCsvUrl(query: LeaderboardQuery): string {
    return this.url("leaderboard", { ...leaderboardParams(query), format: "csv" });
  }

  /** Alert rules: admin only, so the token goes with the read too. */
  async alertRules(token: string | null, signal?: AbortSignal): Promise<AlertRule[]> {
    const answer = await this.send("GET", "alerts/rules", token, undefined, {}, signal);
    return ((await answer.json()) as { rules: AlertRule[] }).rules;
  }

  async addAlertRule(rule: AlertRuleInput, token: string | null): Promise<AlertRule> {
    return (await (await this.send("POST", "alerts/rules", token, rule)).json()) as AlertRule;
  }

  async deleteAlertRule(id: number, token: string | null): Promise<void> {
    await this.send("DELETE", `alerts/rules/${encodeURIComponent(String(id))}`, token);
  }

  async alertDeliveries(
    token: string | null,
    query: { ruleId?: number | undefined; status?: string | undefined; limit?: number | undefined },
    signal?: AbortSignal,
  ): Promise<AlertDelivery[]> {
    const params = { rule_id: query.ruleId, status: query.status, limit: query.limit };
    const answer = await this.send("GET", "alerts/deliveries", token, undefined, params, signal);
    return ((await answer.json()) as { deliveries: AlertDelivery[] }).deliveries;
  }
}

/** Path of a collection, its slug escaped. */
export function collectionPath(slug: string): string {
  return `collections/${encodeURIComponent(slug)}`;
}

export interface LeaderboardQuery {
  family: Family;
  field?: string | undefined;
  window: RankWindow;
  by: RankBy;
  collection?: string | undefined;
  limit?: number | undefined;
}

function leaderboardParams(query: LeaderboardQuery): Params {
  return {
    family: query.family,
    field: query.field,
    window: query.window,
    by: query.by,
    collection: query.collection,
    limit: query.limit,
  };
}


function seriesParams(query: SeriesQuery): Params {
  return {
    from: query.from,
    to: query.to,
    interval: query.interval,
    max_points: query.maxPoints,
    package: query.package,
  };
}
