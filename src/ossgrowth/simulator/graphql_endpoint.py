"""``POST /graphql``: authentication, cost, node limit, budget, execution, GitHub-shaped errors.

Order of checks, as GitHub answers them: no token → 401; unknown token → 401; body not JSON →
400; no query → 200 with an error; syntax or validation errors → 200 with errors and no data;
node limit → 200 ``MAX_NODE_LIMIT_EXCEEDED``; budget short of the cost → 200 ``RATE_LIMIT``;
otherwise the cost is charged and the query runs, field errors sitting beside partial data.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, execute_sync, parse, validate
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ossgrowth.simulator.github_bodies import DOCS, error_body
from ossgrowth.simulator.github_gate import Caller, GitHubGate
from ossgrowth.simulator.graphql_cost import MAX_NODES, query_cost
from ossgrowth.simulator.graphql_resolvers import GitHubError, QueryContext
from ossgrowth.simulator.graphql_schema import build_github_schema
from ossgrowth.simulator.ratelimit import Budget
from ossgrowth.simulator.views import ViewCache

__all__ = ["GitHubGraphQL"]

ENDPOINT = "POST /graphql"


_CHECKED_QUERIES = 64


class GitHubGraphQL:
    """The GraphQL endpoint over one gate and one view cache."""

    def __init__(self, gate: GitHubGate, views: ViewCache) -> None:
        self.gate = gate
        self.views = views
        self.schema: GraphQLSchema = build_github_schema()
        self._checked: OrderedDict[str, tuple[DocumentNode, list[GraphQLError]]] = OrderedDict()
        """Parsed and validated query texts, most recent last: clients repeat a few queries
        with new variables (every page of a list), and validation costs more than running."""

    def _check(self, query: str) -> tuple[DocumentNode, list[GraphQLError]]:
        """The parsed ``query`` and its validation errors; a syntax error is raised."""
        found = self._checked.get(query)
        if found is None:
            document = parse(query)
            found = (document, validate(self.schema, document))
            self._checked[query] = found
            if len(self._checked) > _CHECKED_QUERIES:
                self._checked.popitem(last=False)
        else:
            self._checked.move_to_end(query)
        return found

    def routes(self) -> list[Route]:
        return [Route("/graphql", self._graphql, methods=["POST"])]

    async def _graphql(self, request: Request) -> Response:
        if not request.headers.get("authorization"):
            refused = error_body(
                "This endpoint requires you to be authenticated.",
                f"{DOCS}/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql",
                401,
            )
            return self.gate.plain(request, ENDPOINT, None, 401, refused)
        caller = self.gate.identify(request, ENDPOINT)
        if isinstance(caller, Response):
            return caller
        now = self.gate.clock.now()
        budget = self.gate.budget(caller, "graphql", now)
        try:
            payload = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError):
            problem = error_body("Problems parsing JSON", f"{DOCS}/graphql", 400)
            return self.gate.plain(request, ENDPOINT, caller, 400, problem, budget)
        query = payload.get("query") if isinstance(payload, dict) else None
        if not isinstance(query, str):
            message = "A query attribute must be specified and must be a string."
            return self._answer(request, caller, {"errors": [{"message": message}]}, budget)
        variables = payload.get("variables") or {}
        operation_name = payload.get("operationName")
        try:
            document, problems = self._check(query)
        except GraphQLError as syntax_error:
            return self._answer(request, caller, {"errors": [_format(syntax_error)]}, budget)
        if problems:
            return self._answer(request, caller, {"errors": [_format(p) for p in problems]}, budget)
        cost = query_cost(self.schema, document, operation_name, variables)
        if cost.exceeded_at is not None:
            message = (
                f"By the time this query traverses to the {cost.exceeded_at} connection, it is "
                f"requesting up to {cost.nodes:,} possible nodes which exceeds the maximum limit "
                f"of {MAX_NODES:,}."
            )
            refusal = {"type": "MAX_NODE_LIMIT_EXCEEDED", "message": message}
            return self._answer(request, caller, {"errors": [refusal]}, budget)
        if budget.remaining < cost.points:
            self.gate.ledger.rate_limited += 1
            refusal = {
                "type": "RATE_LIMIT",
                "code": "graphql_rate_limit",
                "message": f"API rate limit already exceeded for user ID {caller.user_id}.",
            }
            return self._answer(request, caller, {"errors": [refusal]}, budget)
        budget = self.gate.charge(caller, "graphql", cost.points, now)
        self.gate.ledger.record_points(caller.token or "", cost.points)
        context = QueryContext(
            world=self.gate.world,
            views=self.views,
            clock=self.gate.clock,
            at=now,
            token=caller.token or "",
            cost=cost.points,
            node_count=cost.nodes,
            budget=budget,
        )
        result = execute_sync(
            self.schema,
            document,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
        )
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [_format(error) for error in result.errors]
        return self._answer(request, caller, body, budget)

    def _answer(
        self, request: Request, caller: Caller, body: dict[str, Any], budget: Budget
    ) -> Response:
        return self.gate.plain(
            request, ENDPOINT, caller, 200, body, budget,
            headers={"x-github-media-type": "github.v4; format=json"},
        )  # fmt: skip


def _format(error: GraphQLError) -> dict[str, Any]:
    """An error entry in GitHub's key order: type, path, locations, message."""
    entry: dict[str, Any] = {}
    original = error.original_error
    if isinstance(original, GitHubError):
        entry["type"] = original.kind
    if error.path is not None:
        entry["path"] = list(error.path)
    if error.locations:
        entry["locations"] = [
            {"line": location.line, "column": location.column} for location in error.locations
        ]
    entry["message"] = error.message
    return entry
