"""Simulated GraphQL: recorded shapes, aliases and partial errors, cost, limits, 2026 rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ossgrowth.simulator.graphql_cost import QueryCost
from tests.simulator.conftest import TOKEN, Served, fixture

pytestmark = pytest.mark.anyio


async def ask(served: Served, query: str, variables: dict[str, Any] | None = None,
              token: str = "sim-token-1") -> dict[str, Any]:  # fmt: skip
    answer = await served.client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-ratelimit-resource"] == "graphql"
    body: dict[str, Any] = answer.json()
    return body


async def test_the_recorded_2026_nodes_query_runs_with_the_recorded_error_shape(
    served: Served,
) -> None:
    recorded = fixture("github/graphql/unsung-exists.json")
    ids = [repo.node_id for repo in served.world.repos] + ["R_kgDOAAAAAA"]
    body = await ask(served, recorded["request"]["query"], {"ids": ids})
    assert list(body) == list(recorded["body"])
    assert set(body["data"]["rateLimit"]) == set(recorded["body"]["data"]["rateLimit"])
    ours, theirs = body["data"]["nodes"][0], recorded["body"]["data"]["nodes"][0]
    assert set(ours) == set(theirs)
    assert body["data"]["nodes"][-1] is None
    (error,) = body["errors"]
    assert list(error) == list(recorded["body"]["errors"][0])
    assert error["type"] == "NOT_FOUND"
    assert error["path"] == ["nodes", len(ids) - 1]
    assert error["message"] == "Could not resolve to a node with the global id of 'R_kgDOAAAAAA'."
    assert (
        body["data"]["nodes"][0]["stargazerCount"]
        == served.world.snapshot(served.world.repos[0].full_name, served.clock.now()).star_count
    )


async def test_aliases_return_every_repository_and_a_partial_not_found(served: Served) -> None:
    first, second = served.world.repos[:2]
    body = await ask(
        served,
        f"""query {{
          r0: repository(owner: "{first.owner}", name: "{first.name}") {{
            nameWithOwner stargazerCount }}
          r1: repository(owner: "{second.owner}", name: "{second.name}") {{ nameWithOwner }}
          r2: repository(owner: "o", name: "r") {{ nameWithOwner }}
        }}""",
    )
    assert body["data"]["r0"]["nameWithOwner"] == first.full_name
    assert body["data"]["r1"]["nameWithOwner"] == second.full_name
    assert body["data"]["r2"] is None
    assert body["errors"] == [
        {
            "type": "NOT_FOUND",
            "path": ["r2"],
            "locations": [{"line": 5, "column": 11}],
            "message": "Could not resolve to a Repository with the name 'o/r'.",
        }
    ]


async def test_totals_by_state_equal_the_truth(served: Served) -> None:
    repo = max(served.world.repos, key=lambda repo: len(repo.items))
    body = await ask(
        served,
        """query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) {
             stargazerCount
             openIssues: issues(states: OPEN) { totalCount }
             closedIssues: issues(states: CLOSED) { totalCount }
             openPrs: pullRequests(states: OPEN) { totalCount }
             mergedPrs: pullRequests(states: MERGED) { totalCount }
             closedPrs: pullRequests(states: CLOSED) { totalCount }
        } }""",
        {"owner": repo.owner, "name": repo.name},
    )
    found = body["data"]["repository"]
    truth = served.world.snapshot(repo.full_name, served.clock.now())
    assert found["stargazerCount"] == truth.star_count
    assert found["openIssues"]["totalCount"] == truth.open_issues
    assert found["closedIssues"]["totalCount"] == truth.closed_issues
    assert found["openPrs"]["totalCount"] == truth.open_prs
    assert found["mergedPrs"]["totalCount"] == truth.merged_prs
    assert found["closedPrs"]["totalCount"] == truth.closed_prs


async def test_cursor_pages_walk_every_pull_request_once(served: Served) -> None:
    repo = max(served.world.repos, key=lambda repo: len(repo.items))
    query = """query($owner: String!, $name: String!, $after: String) {
      repository(owner: $owner, name: $name) {
        pullRequests(first: 9, after: $after, orderBy: {field: CREATED_AT, direction: DESC}) {
          totalCount pageInfo { hasNextPage endCursor } nodes { number state createdAt mergedAt }
        } } }"""
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        body = await ask(served, query, {"owner": repo.owner, "name": repo.name, "after": after})
        connection = body["data"]["repository"]["pullRequests"]
        seen.extend(connection["nodes"])
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    truth = served.world.snapshot(repo.full_name, served.clock.now())
    assert (
        len(seen)
        == connection["totalCount"]
        == truth.open_prs + truth.merged_prs + truth.closed_prs
    )
    assert len({node["number"] for node in seen}) == len(seen)
    assert sum(node["state"] == "MERGED" for node in seen) == truth.merged_prs
    assert [node["createdAt"] for node in seen] == sorted(
        (n["createdAt"] for n in seen), reverse=True
    )


async def test_a_renamed_repository_resolves_under_its_old_name(served: Served) -> None:
    repo = next(repo for repo in served.world.repos if repo.previous_names)
    owner, name = repo.previous_names[0].split("/")
    body = await ask(
        served, f'{{ repository(owner: "{owner}", name: "{name}") {{ nameWithOwner id }} }}'
    )
    assert body["data"]["repository"] == {"nameWithOwner": repo.full_name, "id": repo.node_id}
    strict = await ask(
        served,
        f'{{ repository(owner: "{owner}", name: "{name}", followRenames: false) {{ id }} }}',
    )
    assert strict["data"]["repository"] is None
    assert strict["errors"][0]["type"] == "NOT_FOUND"


async def test_stargazers_answer_only_collaborators_since_2026_06_30(served: Served) -> None:
    repo = served.repo_where(collaborator="sim-token-1", stranger="sim-token-2")
    query = f"""{{
      count: repository(owner: "{repo.owner}", name: "{repo.name}") {{ stargazerCount }}
      list: repository(owner: "{repo.owner}", name: "{repo.name}") {{
        stargazers(first: 5) {{ totalCount edges {{ starredAt cursor }} }} }} }}"""
    allowed = await ask(served, query)
    refused = await ask(served, query, token="sim-token-2")
    assert "errors" not in allowed
    assert len(allowed["data"]["list"]["stargazers"]["edges"]) == min(
        5, len(served.world.repo(repo.full_name).stars)
    )
    assert refused["data"]["count"] == allowed["data"]["count"]
    assert refused["data"]["list"] is None
    assert refused["errors"][0]["type"] == "FORBIDDEN"
    assert refused["errors"][0]["path"] == ["list", "stargazers"]


async def test_anonymous_and_unknown_callers_are_refused(served: Served) -> None:
    anonymous = await served.client.post("/graphql", json={"query": "{ rateLimit { cost } }"})
    unknown = await served.client.post(
        "/graphql", json={"query": "{ rateLimit { cost } }"}, headers={"Authorization": "bearer x"}
    )
    assert anonymous.status_code == 401
    assert anonymous.json()["message"] == "This endpoint requires you to be authenticated."
    assert unknown.status_code == 401
    assert unknown.json()["message"] == "Bad credentials"


@pytest.mark.parametrize(
    ("connections", "points"),
    [
        ("issues(first: 1) { totalCount }", 1),
        ("issues(first: 100) { nodes { number } }", 1),
        # 1 request for the pulls page, 100 for the 100 nested pages: 101 → 1 point.
        (
            "pullRequests(first: 100) "
            "{ nodes { repository { issues(first: 10) { totalCount } } } }",
            1,
        ),
    ],
)
async def test_cost_follows_githubs_formula(served: Served, connections: str, points: int) -> None:
    repo = served.world.repos[0]
    body = await ask(
        served,
        f"{{ rateLimit {{ cost remaining used limit nodeCount }} "
        f'repository(owner: "{repo.owner}", name: "{repo.name}") {{ {connections} }} }}',
    )
    limit = body["data"]["rateLimit"]
    assert limit["cost"] == points
    assert limit["remaining"] == 5000 - points
    assert limit["used"] == points


def test_cost_rounds_requests_over_100_and_is_at_least_one() -> None:
    assert QueryCost(requests=1, nodes=1).points == 1
    assert QueryCost(requests=149, nodes=1).points == 1
    assert QueryCost(requests=150, nodes=1).points == 2
    assert QueryCost(requests=5101, nodes=1).points == 51  # GitHub's documented example


async def test_many_aliases_cost_more_than_one_point(served: Served) -> None:
    repo = served.world.repos[0]
    aliases = " ".join(
        f'r{index}: repository(owner: "{repo.owner}", name: "{repo.name}") '
        "{ pullRequests(first: 100) "
        "{ nodes { repository { issues(first: 100) { totalCount } } } } }"
        for index in range(3)
    )
    body = await ask(served, f"{{ rateLimit {{ cost }} {aliases} }}")
    assert body["data"]["rateLimit"]["cost"] == 3  # 3 × (1 + 100) requests = 303 → 3
    ledger = served.app.state.ledger.snapshot()
    assert ledger.graphql_points == {"sim-token-1": 3}


async def test_more_than_500000_nodes_is_refused_before_running(served: Served) -> None:
    repo = served.world.repos[0]
    body = await ask(
        served,
        f'{{ repository(owner: "{repo.owner}", name: "{repo.name}") {{ pullRequests(first: 100) '
        "{ nodes { repository { issues(first: 100) { nodes { repository { "
        "pullRequests(first: 100) { totalCount } } } } } } } } }",
    )
    assert "data" not in body
    (error,) = body["errors"]
    assert error["type"] == "MAX_NODE_LIMIT_EXCEEDED"
    assert "1,010,100 possible nodes" in error["message"]
    assert served.app.state.ledger.snapshot().graphql_points == {}


@pytest.mark.parametrize(
    ("connection", "kind"),
    [
        ("issues { nodes { number } }", "MISSING_PAGINATION_BOUNDARIES"),
        ("issues(first: 101) { nodes { number } }", "EXCESSIVE_PAGINATION"),
        ('issues(first: 1, after: "nope") { nodes { number } }', "INVALID_CURSOR_ARGUMENTS"),
    ],
)
async def test_connection_bounds_are_checked_like_github(
    served: Served, connection: str, kind: str
) -> None:
    repo = served.world.repos[0]
    body = await ask(
        served, f'{{ repository(owner: "{repo.owner}", name: "{repo.name}") {{ {connection} }} }}'
    )
    assert body["data"] == {"repository": None}
    assert body["errors"][0]["type"] == kind
    assert body["errors"][0]["path"] == ["repository", "issues"]


async def test_a_spent_graphql_budget_answers_rate_limit() -> None:
    import httpx

    from ossgrowth.clock import FixedClock
    from ossgrowth.simulator import SimulatorTransport, WorldConfig, build_world, create_app

    tiny = build_world(WorldConfig(repo_count=1, activity_scale=0.02, graphql_points_per_hour=2))
    clock = FixedClock(tiny.config.now)
    app = create_app(tiny, clock)
    query = {"query": "{ rateLimit { cost remaining } }"}
    async with httpx.AsyncClient(
        transport=SimulatorTransport(app), base_url="http://sim.test"
    ) as client:
        answers = [
            (await client.post("/graphql", json=query, headers=TOKEN)).json() for _ in range(3)
        ]
        clock.advance(timedelta(hours=1))
        later = (await client.post("/graphql", json=query, headers=TOKEN)).json()
    assert [answer.get("data") for answer in answers[:2]] == [
        {"rateLimit": {"cost": 1, "remaining": 1}},
        {"rateLimit": {"cost": 1, "remaining": 0}},
    ]
    assert answers[2] == {
        "errors": [
            {
                "type": "RATE_LIMIT",
                "code": "graphql_rate_limit",
                "message": "API rate limit already exceeded for user ID 7000000.",
            }
        ]
    }
    assert later["data"] == {"rateLimit": {"cost": 1, "remaining": 1}}


async def test_invalid_queries_are_answered_without_data(served: Served) -> None:
    unknown_field = await ask(served, "{ rateLimit { nope } }")
    broken = await ask(served, "{ rateLimit { ")
    missing = await served.client.post("/graphql", json={}, headers=TOKEN)
    assert "data" not in unknown_field and unknown_field["errors"]
    assert "data" not in broken and broken["errors"]
    assert missing.json() == {
        "errors": [{"message": "A query attribute must be specified and must be a string."}]
    }
