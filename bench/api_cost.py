"""Requests one snapshot of N repositories costs, against the seed's per-page method, same run.

Both methods run against one simulated world served in-process (no network, simulated time):

- ours: every repository's stars, PRs and issues through ``GitHubGraphQL`` (100 a request), and
  the downloads family through ``NpmDownloads`` (bulk, 128 a request) and ``PyPIStats`` (one a
  package, the API has no bulk form);
- the seed's: per repository ``GET /repos/{o}/{r}``, then ``/pulls?state=open``,
  ``/pulls?state=closed`` and ``/issues?state=all``, each walked page by page at
  ``per_page=100`` to the last page (what a per-page loop costs; every request is really sent).

Requests are counted by the simulator's ledger, so retries and redirects count too.

A second cycle, three simulated hours later, measures what conditional requests save on the REST
path (a deployment without GraphQL): the same REST snapshots with the ETag cache the collector
keeps for the process, against a new cache. GitHub does not charge an authorised 304, so the
budget of the second cycle is its 200 answers. (The default GraphQL path has no conditional
requests: it already reads 100 repositories a point.)

A collection of stars also reads the newest stargazers of every repository whose list it
follows (the account ages of unusual growth: ``collect/stargazer_reads.py``) and whose star
count changed since the list was last read: one GraphQL request each when fewer than 100 stars
came. ``--followed`` is the share of repositories followed (1: an organisation tracking its own
repositories with its own token; most deployments follow few or none). Each followed list is
marked as read at the previous cycle (3 hours before) with the star count shown then, in a
SQLite store of its own; ``follow_stargazers`` then runs with this cycle's counts, a token of
each list's collaborators and the default page bound, and its requests are counted too.

    python bench/api_cost.py [--repos 1000] [--seed 7] [--scale 0.2] [--followed 1.0]

Last line: ``requests_per_1000_repos=<n> seed_requests=<m> ratio=<m/n>``, where both figures are
the GitHub requests (stars, PRs and issues: the families the seed's method covers) scaled to
1,000 repositories. Download requests, the stargazer reads and the second cycle's REST figures
are printed on the lines before.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import httpx

from ossgrowth.clock import FixedClock
from ossgrowth.collect.stargazer_reads import StargazerReader, follow_stargazers
from ossgrowth.model import Ecosystem, PackageRef, RepoName
from ossgrowth.simulator import World, WorldConfig, build_world, create_app
from ossgrowth.sources import (
    GitHubGraphQL,
    GitHubRest,
    MemoryEtagCache,
    NpmDownloads,
    PyPIStats,
    RetryPolicy,
    SourceHttp,
    TokenPool,
    clock_sleeper,
)
from ossgrowth.sources.github_timeline import GitHubTimeline
from ossgrowth.sources.urls import next_page_url, repo_path
from ossgrowth.store import SqlStore

BASE = "http://simulator"
SEED_PAGE_SIZE = 100


async def ours(world: World, clock: FixedClock, retry: RetryPolicy) -> dict[str, int]:
    """Requests of one snapshot of every family the way ossgrowth collects."""
    app = create_app(world, clock)
    transport = httpx.ASGITransport(app=app)
    tokens = TokenPool(list(world.config.tokens), clock=clock)
    repos = [RepoName(*repo.full_name.split("/")) for repo in world.repos]
    packages = list(world.packages())
    npm = [
        PackageRef(Ecosystem.NPM, package.name)
        for package in packages
        if package.ecosystem is Ecosystem.NPM
    ]
    pypi = [
        PackageRef(Ecosystem.PYPI, package.name)
        for package in packages
        if package.ecosystem is Ecosystem.PYPI
    ]
    async with GitHubGraphQL(
        f"{BASE}/graphql", clock=clock, tokens=tokens, transport=transport, retry=retry
    ) as github:
        batch = await github.snapshots(repos)
    github_requests = app.state.ledger.requests
    async with NpmDownloads(f"{BASE}/npm", clock=clock, transport=transport, retry=retry) as client:
        npm_batch = await client.last_week(npm)
    async with PyPIStats(
        f"{BASE}/pypistats", clock=clock, transport=transport, retry=retry
    ) as client:
        pypi_batch = await client.last_week(pypi)
    total = app.state.ledger.requests
    return {
        "github": github_requests,
        "graphql_points": batch.points_spent or 0,
        "repos_collected": len(batch.snapshots),
        "npm": npm_batch.requests_sent,
        "npm_packages": len(npm),
        "pypi": pypi_batch.requests_sent,
        "pypi_packages": len(pypi),
        "downloads": total - github_requests,
    }


async def stargazer_reads(
    world: World, clock: FixedClock, retry: RetryPolicy, share: float
) -> dict[str, int]:
    """Requests of one cycle's reads of the followed stargazer lists: the first ``share`` of
    the repositories, each read through at the cycle 3 hours before with the count shown then,
    read again when this cycle's count differs, with a collaborator's token."""
    app = create_app(world, clock)
    transport = httpx.ASGITransport(app=app)
    followed = world.repos[: round(share * len(world.repos))]
    previous_cycle = clock.now() - timedelta(hours=3)
    by_token: defaultdict[str, dict[RepoName, int]] = defaultdict(dict)
    changed = 0
    with tempfile.TemporaryDirectory() as folder:
        store = SqlStore(f"sqlite:///{Path(folder) / 'api_cost.db'}", environment="dev")
        store.upgrade()
        for repo in followed:
            name = RepoName(*repo.full_name.split("/"))
            before = world.snapshot(repo.full_name, previous_cycle).star_count
            now = world.snapshot(repo.full_name, clock.now()).star_count
            changed += before != now
            store.add_subject(name, [], added_at=previous_cycle)
            store.write_stargazer_days(name, [], read_through=previous_cycle)
            store.keep_stars_seen(name, before, read_through=previous_cycle)
            by_token[min(world.collaborator_tokens(repo.full_name))][name] = now
        reads = []
        for token, counts in sorted(by_token.items()):
            timeline = GitHubTimeline(
                f"{BASE}/graphql",
                BASE,
                clock=clock,
                tokens=TokenPool([token], clock=clock),
                transport=transport,
                retry=retry,
            )
            reader = StargazerReader(timeline)
            reads.append(await follow_stargazers(store, reader, counts))
            await reader.aclose()
        store.close()
    return {
        "followed": len(followed),
        "changed": changed,
        "unchanged": sum(read.unchanged for read in reads),
        "requests": int(app.state.ledger.requests),
        "pages": sum(read.pages for read in reads),
        "behind": sum(len(read.behind) for read in reads),
    }


async def seeds(world: World, clock: FixedClock, retry: RetryPolicy) -> int:
    """Requests of the seed's method: four endpoints a repository, every page walked."""
    app = create_app(world, clock)
    http = SourceHttp(
        "GitHub",
        BASE,
        clock=clock,
        transport=httpx.ASGITransport(app=app),
        tokens=TokenPool(list(world.config.tokens), clock=clock),
        retry=retry,
        headers={"Accept": "application/vnd.github+json"},
    )
    limiter = asyncio.Semaphore(16)

    async def walk(target: str, params: dict[str, str | int]) -> None:
        page: str | None = target
        query: dict[str, str | int] | None = {**params, "per_page": SEED_PAGE_SIZE}
        while page is not None:
            reply = await http.send("GET", page, params=query)
            page, query = next_page_url(reply.headers.get("link")), None

    async def one(repo: RepoName) -> None:
        async with limiter:
            path = f"/repos/{repo_path(repo)}"
            await http.send("GET", path)
            await walk(f"{path}/pulls", {"state": "open"})
            await walk(f"{path}/pulls", {"state": "closed"})
            await walk(f"{path}/issues", {"state": "all"})

    await asyncio.gather(*(one(RepoName(*repo.full_name.split("/"))) for repo in world.repos))
    await http.aclose()
    return int(app.state.ledger.requests)


async def rest_cycles(world: World, clock: FixedClock, retry: RetryPolicy) -> dict[str, int]:
    """GitHub budget of two REST snapshot cycles 3 hours apart: ETags kept, and not."""
    app = create_app(world, clock)
    transport = httpx.ASGITransport(app=app)
    tokens = TokenPool(list(world.config.tokens), clock=clock)
    repos = [RepoName(*repo.full_name.split("/")) for repo in world.repos]
    kept = MemoryEtagCache(max_entries=20 * len(repos))

    async def cycle(etags: MemoryEtagCache) -> tuple[int, int]:
        before = app.state.ledger.snapshot()
        async with GitHubRest(
            BASE, clock=clock, tokens=tokens, transport=transport, retry=retry, etags=etags
        ) as rest:
            await rest.snapshots(repos)
        after = app.state.ledger.snapshot()
        return after.requests - before.requests, after.not_modified - before.not_modified

    first, _ = await cycle(kept)
    clock.advance(timedelta(hours=3))
    second, not_modified = await cycle(kept)
    fresh, _ = await cycle(MemoryEtagCache())
    return {
        "first": first,
        "second": second,
        "not_modified": not_modified,
        "second_budget": second - not_modified,
        "fresh_budget": fresh,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", type=float, default=0.2, help="world activity scale")
    parser.add_argument(
        "--followed", type=float, default=1.0, help="share of stargazer lists followed"
    )
    arguments = parser.parse_args()

    started = time.perf_counter()
    world = build_world(
        WorldConfig(seed=arguments.seed, repo_count=arguments.repos, activity_scale=arguments.scale)
    )
    built = time.perf_counter()
    clock = FixedClock(world.config.now)
    retry = RetryPolicy(sleep=clock_sleeper(clock), seed=arguments.seed)
    cost = asyncio.run(ours(world, clock, retry))
    measured = time.perf_counter()
    seed_requests = asyncio.run(seeds(world, clock, retry))
    finished = time.perf_counter()
    rest = asyncio.run(rest_cycles(world, FixedClock(world.config.now), retry))
    lists = asyncio.run(
        stargazer_reads(world, FixedClock(world.config.now), retry, arguments.followed)
    )

    repos = len(world.repos)
    per_1000 = 1000 / repos
    print(
        f"world: {repos} repositories (seed {arguments.seed}, activity scale {arguments.scale}), "
        f"built in {built - started:.1f} s"
    )
    print(
        f"ours: {cost['github']} GraphQL requests for {cost['repos_collected']} repositories, "
        f"{cost['graphql_points']} points, {measured - built:.1f} s"
    )
    print(
        f"seed: {seed_requests} REST requests (4 endpoints a repository, every page at "
        f"per_page={SEED_PAGE_SIZE}), {finished - measured:.1f} s"
    )
    print(
        f"download_requests={cost['downloads']} npm={cost['npm']} "
        f"(for {cost['npm_packages']} packages) pypi={cost['pypi']} "
        f"(for {cost['pypi_packages']} packages)"
    )
    print(
        f"rest_second_cycle: {rest['second']} requests, {rest['not_modified']} answered 304; "
        f"budget {rest['second_budget']} with the kept ETags against {rest['fresh_budget']} "
        f"with a new cache (first cycle {rest['first']})"
    )
    print(
        f"stargazer_reads: {lists['requests']} GraphQL requests ({lists['pages']} pages) for "
        f"{lists['followed']} followed lists, {lists['changed']} of them with a star count "
        f"changed in the 3 hours since the previous cycle ({lists['unchanged']} not read); "
        f"lists past the page bound: {lists['behind']}"
    )
    print(
        f"cycle_requests_per_1000_repos={(cost['github'] + lists['requests']) * per_1000:g} "
        f"(snapshots {cost['github'] * per_1000:g}, stargazer lists "
        f"{lists['requests'] * per_1000:g} with {arguments.followed:.0%} of the lists followed)"
    )
    ours_scaled = cost["github"] * per_1000
    seed_scaled = seed_requests * per_1000
    print(
        f"requests_per_1000_repos={ours_scaled:g} seed_requests={seed_scaled:g} "
        f"ratio={seed_scaled / ours_scaled:.1f}"
    )


if __name__ == "__main__":
    main()
