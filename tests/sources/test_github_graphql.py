"""Batched GraphQL snapshots: batching, variables, partial errors, retries of just the failed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.errors import ConfigError, NotFound, SourceError
from ossgrowth.model import RepoName
from ossgrowth.sources import GitHubGraphQL, Replay, RetryPolicy, TokenPool, load_recording
from ossgrowth.sources.github_graphql import snapshot_query

pytestmark = pytest.mark.anyio

URL = "https://api.github.com/graphql"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "sources"


@dataclass
class FakeGraphQL:
    """Answers the snapshot query from a table of repositories, like GitHub would."""

    missing: set[str] = field(default_factory=set)
    flaky: dict[str, int] = field(default_factory=dict)
    """Repository → how many answers give it a transient partial error first."""
    renamed: dict[str, str] = field(default_factory=dict)
    queries: list[dict[str, object]] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        payload = json.loads(request.content)
        self.queries.append(payload)
        variables: dict[str, str] = payload["variables"]
        data: dict[str, object] = {"rateLimit": {"cost": 1, "remaining": 4999, "resetAt": "x"}}
        errors: list[dict[str, object]] = []
        for index in range(len(variables) // 2):
            alias = f"r{index}"
            full_name = f"{variables[f'o{index}']}/{variables[f'n{index}']}"
            if full_name in self.missing:
                data[alias] = None
                errors.append(
                    {
                        "type": "NOT_FOUND",
                        "path": [alias],
                        "message": f"Could not resolve to a Repository named '{full_name}'.",
                    }
                )
            elif self.flaky.get(full_name, 0) > 0:
                self.flaky[full_name] -= 1
                data[alias] = None
                errors.append({"path": [alias], "message": "Something went wrong"})
            else:
                data[alias] = self.counts(self.renamed.get(full_name, full_name))
        body: dict[str, object] = {"data": data}
        if errors:
            body["errors"] = errors
        return httpx.Response(200, json=body, headers={"x-ratelimit-resource": "graphql"})

    @staticmethod
    def counts(full_name: str) -> dict[str, object]:
        size = len(full_name)
        return {
            "id": f"R_{full_name}",
            "nameWithOwner": full_name,
            "stargazerCount": size * 10,
            "forkCount": size * 4,
            "watchers": {"totalCount": size + 1},
            "openIssues": {"totalCount": size},
            "closedIssues": {"totalCount": size * 3},
            "openPrs": {"totalCount": 2},
            "mergedPrs": {"totalCount": size * 2},
            "closedPrs": {"totalCount": 1},
        }


def client(
    transport: httpx.AsyncBaseTransport, clock: FixedClock, retry: RetryPolicy, **options: int
) -> GitHubGraphQL:
    return GitHubGraphQL(
        URL,
        clock=clock,
        tokens=TokenPool(["token"], clock=clock),
        transport=transport,
        retry=retry,
        **options,
    )


def repos(count: int) -> list[RepoName]:
    return [RepoName(f"owner{index}", f"repo-{index}") for index in range(count)]


async def test_repositories_are_asked_a_hundred_per_request(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    server = FakeGraphQL()

    async with client(httpx.MockTransport(server.handle), clock, retry) as github:
        batch = await github.snapshots(repos(250))

    assert len(server.queries) == 3
    assert [len(query["variables"]) // 2 for query in server.queries] == [100, 100, 50]
    assert len(batch.snapshots) == 250 and batch.failures == ()
    assert batch.requests_sent == 3 and batch.points_spent == 3


async def test_a_snapshot_holds_every_count_and_the_time_of_the_answer(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    server = FakeGraphQL()

    async with client(httpx.MockTransport(server.handle), clock, retry) as github:
        (snapshot,) = await github.snapshots([RepoName("octo", "cat")])

    assert snapshot.repo == RepoName("octo", "cat")
    assert snapshot.node_id == "R_octo/cat"
    assert (snapshot.star_count, snapshot.open_issues, snapshot.closed_issues) == (80, 8, 24)
    assert (snapshot.open_prs, snapshot.merged_prs, snapshot.closed_prs) == (2, 16, 1)
    assert (snapshot.forks, snapshot.watchers) == (32, 9)
    assert snapshot.observed_at == clock.now()
    assert not snapshot.renamed


async def test_a_renamed_repository_reports_its_current_name(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    server = FakeGraphQL(renamed={"old/name": "new-owner/new-name"})

    async with client(httpx.MockTransport(server.handle), clock, retry) as github:
        (snapshot,) = await github.snapshots([RepoName("old", "name")])

    assert snapshot.repo == RepoName("old", "name")
    assert snapshot.name_with_owner == RepoName("new-owner", "new-name")
    assert snapshot.renamed
    # the counts are those of the repository under its new name
    assert (snapshot.forks, snapshot.watchers) == (len("new-owner/new-name") * 4, 19)


async def test_names_travel_as_variables_never_in_the_query_text(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    server = FakeGraphQL()
    tricky = RepoName('evil"){ viewer { login } }', "x\\y")

    async with client(httpx.MockTransport(server.handle), clock, retry) as github:
        await github.snapshots([tricky])

    (query,) = server.queries
    assert "evil" not in str(query["query"])
    assert query["variables"] == {"o0": tricky.owner, "n0": tricky.name}


async def test_a_missing_repository_fails_alone_and_is_not_asked_again(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    server = FakeGraphQL(missing={"owner1/repo-1"})

    async with client(httpx.MockTransport(server.handle), clock, retry) as github:
        batch = await github.snapshots(repos(3))

    assert [snapshot.repo.name for snapshot in batch.snapshots] == ["repo-0", "repo-2"]
    (failure,) = batch.failures
    assert failure.subject == RepoName("owner1", "repo-1") and failure.kind == "NOT_FOUND"
    assert isinstance(failure.error, NotFound)
    assert len(server.queries) == 1


async def test_a_transient_partial_error_is_retried_for_just_that_repository(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    server = FakeGraphQL(flaky={"owner2/repo-2": 2})

    async with client(httpx.MockTransport(server.handle), clock, retry) as github:
        batch = await github.snapshots(repos(5))

    assert len(batch.snapshots) == 5 and batch.failures == ()
    assert [len(query["variables"]) // 2 for query in server.queries] == [5, 1, 1]
    assert server.queries[1]["variables"] == {"o0": "owner2", "n0": "repo-2"}
    retried = batch.snapshots[-1]
    assert retried.repo == RepoName("owner2", "repo-2")
    assert (retried.forks, retried.watchers) == (len("owner2/repo-2") * 4, len("owner2/repo-2") + 1)


async def test_a_partial_error_that_never_clears_ends_as_that_repository_failure(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    server = FakeGraphQL(flaky={"owner0/repo-0": 100})

    async with client(httpx.MockTransport(server.handle), clock, retry) as github:
        batch = await github.snapshots(repos(2))

    assert [snapshot.repo.name for snapshot in batch.snapshots] == ["repo-1"]
    (failure,) = batch.failures
    assert failure.kind == "ERROR" and failure.message == "Something went wrong"
    assert len(server.queries) == retry.max_attempts


async def test_each_repository_is_asked_once_however_often_it_is_named(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    server = FakeGraphQL()
    same = [RepoName("Octo", "Cat"), RepoName("octo", "cat"), RepoName("octo", "dog")]

    async with client(httpx.MockTransport(server.handle), clock, retry) as github:
        batch = await github.snapshots(same)

    assert [snapshot.repo for snapshot in batch.snapshots] == [same[0], same[2]]


async def test_an_answer_without_data_is_retried_as_a_whole(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    server = FakeGraphQL()
    answers = [httpx.Response(200, json={"data": None, "errors": [{"message": "timeout"}]})]

    def handle(request: httpx.Request) -> httpx.Response:
        return answers.pop() if answers else server.handle(request)

    async with client(httpx.MockTransport(handle), clock, retry) as github:
        batch = await github.snapshots(repos(3))

    assert len(batch.snapshots) == 3


async def test_a_refused_query_is_an_error_not_a_retry(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    refusal = {"errors": [{"message": "Field 'nope' doesn't exist on type 'Repository'"}]}
    replay = Replay().answer("POST", "/graphql", 200, refusal)

    async with client(replay.transport, clock, retry) as github:
        with pytest.raises(SourceError, match="refused the snapshot query: Field 'nope'"):
            await github.snapshots(repos(1))


async def test_batches_that_keep_failing_become_failures_and_the_rest_go_on(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    server = FakeGraphQL()
    broken = {"count": 0}

    def handle(request: httpx.Request) -> httpx.Response:
        if broken["count"] < retry.max_attempts:
            broken["count"] += 1
            return httpx.Response(502, json={"message": "Server Error"})
        return server.handle(request)

    async with client(httpx.MockTransport(handle), clock, retry, batch_size=2) as github:
        batch = await github.snapshots(repos(4))

    assert [failure.kind for failure in batch.failures] == ["UNAVAILABLE", "UNAVAILABLE"]
    assert [snapshot.repo.name for snapshot in batch.snapshots] == ["repo-2", "repo-3"]


def test_graphql_without_a_token_is_a_configuration_error(clock: FixedClock) -> None:
    with pytest.raises(ConfigError, match="needs a token"):
        GitHubGraphQL(URL, clock=clock, tokens=TokenPool([], clock=clock))


@pytest.mark.parametrize("size", [0, 101])
def test_a_batch_holds_one_to_a_hundred_repositories(clock: FixedClock, size: int) -> None:
    with pytest.raises(ValueError, match="1 to 100"):
        GitHubGraphQL(URL, clock=clock, tokens=TokenPool(["t"], clock=clock), batch_size=size)


def test_the_query_asks_every_count_through_one_fragment() -> None:
    query = snapshot_query(2)

    assert query.count("...Counts") == 2
    assert "r1: repository(owner: $o1, name: $n1)" in query
    for connection in (
        "issues(states: OPEN)",
        "issues(states: CLOSED)",
        "pullRequests(states: OPEN)",
        "pullRequests(states: MERGED)",
        "pullRequests(states: CLOSED)",
        "watchers { totalCount }",
    ):
        assert connection in query
    assert "forkCount" in query
    assert "rateLimit { cost remaining resetAt }" in query


async def test_a_repository_without_reach_fields_is_asked_again_not_counted_as_zero(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    server = FakeGraphQL()
    answers = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal answers
        answers += 1
        response = server.handle(request)
        if answers > 1:
            return response
        body = json.loads(response.content)
        del body["data"]["r0"]["forkCount"]
        return httpx.Response(200, json=body)

    async with client(httpx.MockTransport(handle), clock, retry) as github:
        batch = await github.snapshots(repos(2))

    assert len(batch.snapshots) == 2 and batch.failures == ()
    assert [len(query["variables"]) // 2 for query in server.queries] == [2, 1]
    assert batch.snapshots[1].forks == len("owner0/repo-0") * 4


async def test_a_recorded_not_found_error_fails_that_repository_with_its_message(
    clock: FixedClock, retry: RetryPolicy
) -> None:
    # GitHub's real answer for a missing node, its alias moved from "node" to "r0"
    exchanges = load_recording(FIXTURES / "github/graphql/pygithub-GraphQl.testNode.json")
    recorded = json.loads(exchanges[1].body)
    (error,) = recorded["errors"]
    answer = {"data": {"r0": recorded["data"]["node"]}, "errors": [{**error, "path": ["r0"]}]}
    replay = Replay().answer("POST", "/graphql", 200, answer, dict(exchanges[1].headers))

    async with client(replay.transport, clock, retry) as github:
        batch = await github.snapshots([RepoName("PyGithub", "gone")])

    (failure,) = batch.failures
    assert failure.kind == "NOT_FOUND"
    assert failure.message == "Could not resolve to a node with the global id of 'D_abcdefgh'"
    assert len(replay.requests) == 1
