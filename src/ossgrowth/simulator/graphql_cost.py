"""GitHub's GraphQL query cost and node limit, computed from the query before it runs.

As GitHub documents: every connection needs as many requests as pages of its parent can hold
(the product of the ``first``/``last`` values above it); the cost is the sum of requests over
100, rounded, at least 1 point. The possible nodes are the sum over connections of that
product times the connection's own page size; above 500,000 the query is refused.
``nodes(ids:)`` multiplies what is selected under it by the number of ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)
from graphql.language import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.utilities import value_from_ast_untyped

__all__ = ["MAX_NODES", "QueryCost", "query_cost"]

MAX_NODES = 500_000


@dataclass(frozen=True, slots=True)
class QueryCost:
    """What a query asks of GitHub before it runs."""

    requests: int
    nodes: int
    exceeded_at: str | None = None
    """The connection at which the running node count first passed the limit."""

    @property
    def points(self) -> int:
        """Rate-limit points: requests / 100, rounded half up, at least 1."""
        return max(1, int(self.requests / 100 + 0.5))


@dataclass
class _Tally:
    schema: GraphQLSchema
    requests: int = 0
    nodes: int = 0
    exceeded_at: str | None = None
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> QueryCost:
    """Cost and possible nodes of the operation that would run (a validated document)."""
    tally = _Tally(schema, variables=dict(variables or {}))
    operations = []
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            tally.fragments[definition.name.value] = definition
        elif isinstance(definition, OperationDefinitionNode):
            operations.append(definition)
    chosen = [
        operation
        for operation in operations
        if operation_name is None or (operation.name and operation.name.value == operation_name)
    ]
    root = schema.query_type
    if chosen and root is not None:
        _walk(chosen[0].selection_set, root, 1, tally)
    return QueryCost(tally.requests, tally.nodes, tally.exceeded_at)


def _walk(
    selection_set: SelectionSetNode | None,
    parent: GraphQLObjectType | GraphQLInterfaceType,
    multiplier: int,
    tally: _Tally,
) -> None:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            _field(selection, parent, multiplier, tally)
        elif isinstance(selection, InlineFragmentNode):
            _walk(selection.selection_set, _narrow(parent, selection, tally), multiplier, tally)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = tally.fragments.get(selection.name.value)
            if fragment is not None:
                _walk(fragment.selection_set, _narrow(parent, fragment, tally), multiplier, tally)


def _narrow(
    parent: GraphQLObjectType | GraphQLInterfaceType,
    fragment: InlineFragmentNode | FragmentDefinitionNode,
    tally: _Tally,
) -> GraphQLObjectType | GraphQLInterfaceType:
    condition = fragment.type_condition
    if condition is None:
        return parent
    narrowed = tally.schema.get_type(condition.name.value)
    if isinstance(narrowed, GraphQLObjectType | GraphQLInterfaceType):
        return narrowed
    return parent


def _field(
    node: FieldNode,
    parent: GraphQLObjectType | GraphQLInterfaceType,
    multiplier: int,
    tally: _Tally,
) -> None:
    definition: GraphQLField | None = parent.fields.get(node.name.value)
    if definition is None:
        return
    target = get_named_type(definition.type)
    arguments = {
        argument.name.value: value_from_ast_untyped(argument.value, tally.variables)
        for argument in node.arguments or ()
    }
    child_multiplier = multiplier
    if target.name.endswith("Connection"):
        size = _page_size(arguments)
        tally.requests += multiplier
        tally.nodes += multiplier * size
        if tally.nodes > MAX_NODES and tally.exceeded_at is None:
            tally.exceeded_at = node.name.value
        child_multiplier = multiplier * max(1, size)
    elif node.name.value == "nodes" and isinstance(arguments.get("ids"), list):
        child_multiplier = multiplier * max(1, len(arguments["ids"]))
    if isinstance(target, GraphQLObjectType | GraphQLInterfaceType):
        _walk(node.selection_set, target, child_multiplier, tally)


def _page_size(arguments: dict[str, Any]) -> int:
    sizes = [value for key in ("first", "last") if isinstance(value := arguments.get(key), int)]
    return max(sizes) if sizes else 0
