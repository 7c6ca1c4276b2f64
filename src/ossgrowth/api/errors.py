"""One error shape for every error the API returns: RFC 9457 ``application/problem+json``.

Every failure becomes ``{"type", "title", "status", "detail", "parameter"}``; ``parameter``
names the query or path parameter at fault when there is one. Errors are mapped here and
nowhere else:

- :class:`Problem` (raised by routers) → its own status;
- :class:`~ossgrowth.errors.UnknownName` (a collection or alert rule that does not exist) →
  404; any other :class:`~ossgrowth.errors.InputError` → 422; FastAPI's
  ``RequestValidationError`` → 422, naming the parameter, or 400 when the body is not JSON at
  all; Starlette's HTTP errors (unknown route 404, wrong method 405) → theirs;
- :class:`~ossgrowth.errors.StoreUnreachable` → 503; any other failure → 500, logged, with no
  detail (client input never gets here).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ossgrowth.errors import InputError, StoreError, StoreUnreachable, UnknownName

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "Problem",
    "ProblemBody",
    "NotTracked",
    "install_error_handlers",
    "problem_response",
    "problem_responses",
    "validation_problem",
]

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Content too large",
    422: "Invalid parameter",
    500: "Internal error",
    503: "Unavailable",
}


class ProblemBody(BaseModel):
    """An error, as RFC 9457 describes it."""

    type: str = Field("about:blank", description="A URI naming the kind of problem.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this request, in one line.")
    parameter: str | None = Field(None, description="The parameter at fault, when one is.")


class Problem(Exception):
    """An error response a router raises: status, one-line detail, the parameter at fault."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        parameter: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.parameter = parameter
        self.headers = headers or {}


class NotTracked(Problem):
    """404: the repository a request names is not tracked (embeds answer it as an image)."""

    def __init__(self, repo: object) -> None:
        super().__init__(404, f"{repo} is not tracked")


def problem_response(
    status: int,
    detail: str,
    *,
    parameter: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The problem+json response of ``status``."""
    body = ProblemBody(
        title=_TITLES.get(status, "Error"), status=status, detail=detail, parameter=parameter
    )
    return Response(
        body.model_dump_json(), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` declaring the problem body for each of ``statuses``."""
    return {
        status: {
            "description": _TITLES.get(status, "Error"),
            "content": {
                PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemBody"}}
            },
        }
        for status in statuses
    }


def _parameter_of(location: Iterable[Any]) -> str | None:
    parts = [str(part) for part in location]
    if parts and parts[0] in {"query", "path", "header", "body"}:
        parts = parts[1:]
    return ".".join(parts) or None


async def _on_problem(request: Request, error: Exception) -> Response:
    assert isinstance(error, Problem)
    return problem_response(
        error.status, error.detail, parameter=error.parameter, headers=error.headers
    )


async def _on_input(request: Request, error: Exception) -> Response:
    return problem_response(422, str(error))


async def _on_unknown_name(request: Request, error: Exception) -> Response:
    return problem_response(404, str(error))


def validation_problem(error: RequestValidationError) -> Problem:
    """The 422 problem of a request FastAPI found invalid, naming its first bad parameter (a
    400 for a body that is not JSON)."""
    problems = error.errors()
    first = problems[0] if problems else {"loc": (), "msg": "invalid request"}
    if first.get("type") == "json_invalid":  # not a bad value: no JSON at all
        context = first.get("ctx")
        reason = str(context.get("error", "")) if isinstance(context, dict) else ""
        return Problem(400, f"the body is not valid JSON{': ' + reason if reason else ''}"[:300])
    parameter = _parameter_of(first.get("loc", ()))
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    detail = f"{parameter}: {message}" if parameter else message
    return Problem(422, detail[:300], parameter=parameter)


async def _on_validation(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    return await _on_problem(request, validation_problem(error))


async def _on_http(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    detail = error.detail if isinstance(error.detail, str) else _TITLES.get(error.status_code, "")
    if error.status_code == 404 and detail == "Not Found":
        detail = f"no route {request.url.path[:100]!r}; see /docs"
    headers = dict(error.headers or {})
    if error.status_code == 405:
        detail = f"{request.method} is not allowed here"
        headers["Allow"] = ", ".join(sorted(_methods_at(request)))
    return problem_response(error.status_code, detail, headers=headers)


def _methods_at(request: Request) -> set[str]:
    """Every method some route answers at the request's path (routers may share a path)."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(request.url.path) and route.methods:
            methods |= route.methods
    return methods


async def _on_unreachable(request: Request, error: Exception) -> Response:
    log.warning("store unreachable: %s", error)
    return problem_response(503, "the store does not answer; try again shortly")


async def _on_store(request: Request, error: Exception) -> Response:
    log.error("store failure on %s: %s", request.url.path, error)
    return problem_response(500, "the store failed; the operators have the details")


async def _on_unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected failure on %s", request.url.path)
    return problem_response(500, "unexpected failure; the operators have the details")


def install_error_handlers(app: FastAPI) -> None:
    """Map every error to the problem shape (most specific class first, by Starlette's MRO walk)."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(InputError, _on_input)
    app.add_exception_handler(UnknownName, _on_unknown_name)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(StoreUnreachable, _on_unreachable)
    app.add_exception_handler(StoreError, _on_store)
    app.add_exception_handler(Exception, _on_unexpected)
