"""Parameter declarations shared by several routers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from fastapi import Path, Query

from ossgrowth.api.errors import problem_responses
from ossgrowth.api.representation import CSV_MEDIA_TYPE
from ossgrowth.model import Provenance

__all__ = [
    "ANY_TEXT_KEY",
    "CACHE_CONTROL",
    "AnyNameParameter",
    "AnyOwnerParameter",
    "FormatParameter",
    "FromParameter",
    "MaxPointsParameter",
    "NameParameter",
    "OwnerParameter",
    "PackageParameter",
    "ProvenanceParameter",
    "ToParameter",
    "conditional_responses",
    "provenance_set",
]

CACHE_CONTROL = "public, max-age=60"

OwnerParameter = Annotated[
    str, Path(description="Repository owner.", examples=["vitejs"], max_length=300)
]
NameParameter = Annotated[
    str, Path(description="Repository name.", examples=["vite"], max_length=300)
]
ANY_TEXT_KEY = "x-ossgrowth-any-text"
"""Marks a name parameter that takes any text: the OpenAPI keeps it free of GitHub's rules."""
AnyOwnerParameter = Annotated[
    str,
    Path(
        description="Repository owner; any text (one GitHub does not allow gets an answer too).",
        examples=["vitejs"],
        max_length=300,
        json_schema_extra={ANY_TEXT_KEY: True},
    ),
]
AnyNameParameter = Annotated[
    str,
    Path(
        description="Repository name; any text (one GitHub does not allow gets an answer too).",
        examples=["vite"],
        max_length=300,
        json_schema_extra={ANY_TEXT_KEY: True},
    ),
]
FromParameter = Annotated[
    str | None,
    Query(
        alias="from",
        max_length=40,
        description="Start, inclusive: a date or ISO-8601 datetime; without an offset, UTC.",
        examples=["2026-01-01"],
    ),
]
ToParameter = Annotated[
    str | None,
    Query(
        max_length=40,
        description="End, inclusive: a date (its whole day) or ISO-8601 datetime; UTC if naive.",
        examples=["2026-12-31"],
    ),
]
MaxPointsParameter = Annotated[
    int | None,
    Query(
        ge=2, le=100_000, description="Downsample to at most this many points, keeping extremes."
    ),
]
ProvenanceParameter = Annotated[
    list[Literal["measured", "reconstructed", "estimated"]] | None,
    Query(description="Only points known this way; repeatable."),
]
PackageParameter = Annotated[
    str | None,
    Query(
        max_length=300,
        description="npm:NAME or pypi:NAME, for downloads; default: the first package.",
    ),
]
FormatParameter = Annotated[
    Literal["json", "csv"] | None,
    Query(description="json (default) or csv; `Accept: text/csv` asks for CSV too."),
]


def provenance_set(labels: Sequence[str] | None) -> frozenset[Provenance] | None:
    """The provenances named by ``labels``; ``None`` when no filter was asked for."""
    if not labels:
        return None
    return frozenset(Provenance.from_label(label) for label in labels)


def conditional_responses(*problems: int, csv: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses: 304, the problems, and CSV as an alternative 200 body."""
    responses: dict[int | str, dict[str, Any]] = {
        304: {"description": "Not modified: the ETag in If-None-Match is current."},
        **problem_responses(*problems),
    }
    if csv:
        responses[200] = {"content": {CSV_MEDIA_TYPE.split(";")[0]: {"schema": {"type": "string"}}}}
    return responses
