"""A route that binds plain requests itself and leaves the rest to FastAPI.

FastAPI's dependency solving validates every declared parameter through pydantic on every
request: about 0.4 ms for the series route's eleven parameters, a third of what a cold series
costs. :class:`PlainParametersRoute` works out once, from the route's own declarations, how to
bind a request whose parameters are plain (each given at most once, each inside its declared
constraints) and binds those directly. Anything else (a value out of range, a repeated
parameter, a type it does not know) goes through FastAPI unchanged, so every error answer is
FastAPI's own and the OpenAPI document is built from the same declarations as before.

What it binds: path and query parameters of type ``str`` (with ``max_length``), ``int`` (with
``ge``/``le``), an :class:`~enum.Enum`, a ``Literal`` of strings, or a ``list`` of such a
``Literal`` (repeatable), each optional or not; the request itself; dependencies that take the
request alone. A route declaring anything else (a body, headers, cookies, security) is served
by FastAPI alone.
"""

from __future__ import annotations

import enum
import inspect
import types
import typing
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from annotated_types import Ge, Le, MaxLen
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

__all__ = ["PlainParametersRoute", "plain_binder"]

Binder = Callable[[Request], Awaitable[dict[str, Any] | None]]
"""The endpoint's arguments for a plain request; ``None``: leave it to FastAPI."""

_LONGEST_INTEGER = 9
"""Digits of an integer bound here (longer ones, and any sign or space, go to pydantic)."""
_MISSING = object()


class PlainParametersRoute(APIRoute):
    """An :class:`~fastapi.routing.APIRoute` whose plain requests skip dependency solving.

    The endpoint must return a :class:`~starlette.responses.Response` (there is no response
    model to serialise on this path); a route whose endpoint is declared otherwise, or whose
    parameters :func:`plain_binder` cannot bind, is served by FastAPI alone.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        solved = super().get_route_handler()
        binder = plain_binder(self.dependant) if _returns_response(self.endpoint) else None
        if binder is None:
            return solved
        endpoint = self.endpoint
        overrides = self.dependency_overrides_provider

        async def handle(request: Request) -> Response:
            if getattr(overrides, "dependency_overrides", None):
                return await solved(request)  # a test replaced a dependency: FastAPI knows how
            arguments = await binder(request)
            if arguments is None:
                return await solved(request)
            answer = await endpoint(**arguments)
            assert isinstance(answer, Response), "a plain route's endpoint returns a Response"
            return answer

        return handle


def plain_binder(dependant: Dependant) -> Binder | None:
    """How to bind plain requests of ``dependant``'s endpoint, or ``None`` when it declares
    something this module leaves to FastAPI."""
    if not inspect.iscoroutinefunction(dependant.call):
        return None
    if dependant.body_params or dependant.header_params or dependant.cookie_params:
        return None
    if dependant.security_scopes_param_name or dependant.response_param_name:
        return None
    if dependant.background_tasks_param_name or dependant.websocket_param_name:
        return None
    path = [_parameter(field) for field in dependant.path_params]
    query = [_parameter(field) for field in dependant.query_params]
    requested = [_request_dependency(sub) for sub in dependant.dependencies]
    if any(parameter is None for parameter in (*path, *query)) or None in requested:
        return None
    path_parameters = typing.cast(list[_Parameter], path)
    query_parameters = typing.cast(list[_Parameter], query)
    dependencies = typing.cast(list[tuple[str, Callable[[Request], Awaitable[Any]]]], requested)
    known = frozenset(parameter.alias for parameter in query_parameters)
    request_name = dependant.request_param_name

    async def bind(request: Request) -> dict[str, Any] | None:
        arguments: dict[str, Any] = {}
        given = request.path_params
        for parameter in path_parameters:
            raw = given.get(parameter.alias)
            value = parameter.read(None if raw is None else [raw])
            if value is _MISSING:
                return None
            arguments[parameter.name] = value
        items = request.query_params.multi_items()
        asked: dict[str, list[str]] = {}
        for key, text in items:
            if key in known:
                asked.setdefault(key, []).append(text)
        for parameter in query_parameters:
            value = parameter.read(asked.get(parameter.alias))
            if value is _MISSING:
                return None
            arguments[parameter.name] = value
        for name, call in dependencies:
            arguments[name] = await call(request)
        if request_name is not None:
            arguments[request_name] = request
        return arguments

    return bind


@dataclass(frozen=True, slots=True)
class _Parameter:
    """One declared parameter and the values it takes as given."""

    name: str
    alias: str
    read_one: Callable[[str], Any]
    """A given text's value, or ``_MISSING`` when pydantic must judge it."""
    default: Any
    """The value when not given; ``_MISSING`` when required."""
    repeatable: bool

    def read(self, texts: list[str] | None) -> Any:
        if not texts:
            return self.default
        if self.repeatable:
            values = [self.read_one(text) for text in texts]
            return _MISSING if _MISSING in values else values
        if len(texts) > 1:
            return _MISSING
        return self.read_one(texts[0])


def _parameter(field: Any) -> _Parameter | None:
    """The plain reading of one of FastAPI's parameter fields, or ``None``."""
    info = field.field_info
    annotation, optional = _without_none(info.annotation)
    repeatable = typing.get_origin(annotation) is list
    if repeatable:
        (annotation,) = typing.get_args(annotation)
        if typing.get_origin(annotation) is not Literal:
            return None
    read_one = _reader(annotation, info.metadata)
    if read_one is None:
        return None
    required = info.is_required()
    if required:
        default = _MISSING
    elif info.default_factory is None and (optional or info.default is not None):
        default = info.default
    else:
        return None
    return _Parameter(field.name, field.alias, read_one, default, repeatable)


def _without_none(annotation: Any) -> tuple[Any, bool]:
    """``X`` and whether ``None`` was allowed, for ``X``, ``X | None`` or ``Optional[X]``."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [member for member in typing.get_args(annotation) if member is not type(None)]
        if len(members) == 1:
            return members[0], True
        return None, True
    return annotation, False


def _reader(annotation: Any, metadata: list[Any]) -> Callable[[str], Any] | None:
    limits: dict[type, Any] = {}
    for constraint in metadata:
        if type(constraint) not in (MaxLen, Ge, Le):
            return None
        limits[type(constraint)] = constraint
    if annotation is str and set(limits) <= {MaxLen}:
        longest = limits[MaxLen].max_length if MaxLen in limits else None
        return _text_reader(longest)
    if annotation is int and set(limits) <= {Ge, Le}:
        low = limits[Ge].ge if Ge in limits else None
        high = limits[Le].le if Le in limits else None
        return _integer_reader(low, high)
    if typing.get_origin(annotation) is Literal:
        choices = typing.get_args(annotation)
        if limits or not all(isinstance(choice, str) for choice in choices):
            return None
        return _choice_reader({choice: choice for choice in choices})
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum) and not limits:
        members = {member.value: member for member in annotation}
        if not all(isinstance(value, str) for value in members):
            return None
        return _choice_reader(members)
    return None


def _text_reader(longest: int | None) -> Callable[[str], Any]:
    def read(text: str) -> Any:
        return _MISSING if longest is not None and len(text) > longest else text

    return read


def _integer_reader(low: int | None, high: int | None) -> Callable[[str], Any]:
    def read(text: str) -> Any:
        if not (text.isascii() and text.isdigit() and len(text) <= _LONGEST_INTEGER):
            return _MISSING
        value = int(text)
        if (low is not None and value < low) or (high is not None and value > high):
            return _MISSING
        return value

    return read


def _choice_reader(choices: Mapping[str, Any]) -> Callable[[str], Any]:
    def read(text: str) -> Any:
        return choices.get(text, _MISSING)

    return read


def _request_dependency(
    dependant: Dependant,
) -> tuple[str, Callable[[Request], Awaitable[Any]]] | None:
    """A dependency that takes the request alone, as ``(argument name, call)``."""
    call = dependant.call
    if dependant.name is None or call is None or not inspect.iscoroutinefunction(call):
        return None
    if dependant.dependencies or dependant.path_params or dependant.query_params:
        return None
    if dependant.body_params or dependant.header_params or dependant.cookie_params:
        return None
    if dependant.request_param_name is None or dependant.security_scopes_param_name:
        return None
    parameters = list(inspect.signature(call).parameters)
    if parameters != [dependant.request_param_name]:
        return None
    return dependant.name, call


def _returns_response(endpoint: Callable[..., Any]) -> bool:
    try:
        returned = typing.get_type_hints(endpoint).get("return")
    except (NameError, TypeError):
        return False
    return isinstance(returned, type) and issubclass(returned, Response)
