"""Bodies of the collections routes, as pydantic models (they also write the OpenAPI).

A collection here is a named group of repositories; ``CollectionOut`` of
:mod:`ossgrowth.api.schemas` is something else (where a repository's scheduled collection of
data stands), hence the ``RepoCollection`` names.

The patterns say in the OpenAPI exactly what the checks of :mod:`ossgrowth.collection_names`
accept (the API runs those checks, with their messages): a value matches if and only if it
is accepted, as long as it is within its ``maxLength`` (and holds no lone surrogate, which
the checks refuse and the patterns do not name).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ossgrowth.api import patterns
from ossgrowth.api.schemas import CompareOut, OverviewItemOut
from ossgrowth.collection_names import MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, MAX_SLUG_LENGTH

__all__ = [
    "DESCRIPTION_PATTERN",
    "MAX_MEMBERS_ADDED",
    "NAME_PATTERN",
    "SLUG_PATTERN",
    "MembersIn",
    "RepoCollectionCompareOut",
    "RepoCollectionDetailOut",
    "RepoCollectionIn",
    "RepoCollectionOut",
    "RepoCollectionPatch",
    "RepoCollectionsOut",
]

MAX_MEMBERS_ADDED = 500
"""Repositories one request may add (a body of 500 full-length names stays under the API's
64 kB body limit)."""
SLUG_PATTERN = rf"^[A-Za-z0-9-]{{1,{MAX_SLUG_LENGTH}}}$"
_CONTROL = r"\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
"""What :mod:`ossgrowth.collection_names` takes for control characters, but lone surrogates
(no UTF-8 text holds one, and a range of them is no regular expression every validator
compiles)."""
_CONTROL_BUT_BREAKS = _CONTROL.replace(r"\x00-\x1f", r"\x00-\x08\x0b-\x1f")
NAME_PATTERN = rf"^\s*[^\s{_CONTROL}](?:[^{_CONTROL}]*[^\s{_CONTROL}])?\s*$"
"""Text with something besides spaces and no control characters (spaces around are trimmed)."""
DESCRIPTION_PATTERN = (
    rf"^\s*(?:[^\s{_CONTROL}](?:(?:[^{_CONTROL_BUT_BREAKS}]|\r\n)*[^\s{_CONTROL}])?)?\s*$"
)
"""As a name, but it may be empty and hold line breaks and tabs."""


class RepoCollectionIn(BaseModel):
    """A collection to make, empty (add members with PUT …/members)."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(
        max_length=MAX_SLUG_LENGTH,
        examples=["frontend"],
        description="Its name in URLs: letters, digits and hyphens, kept in lower case.",
        json_schema_extra={"pattern": SLUG_PATTERN},
    )
    name: str = Field(
        max_length=MAX_NAME_LENGTH,
        examples=["Front-end tooling"],
        json_schema_extra={"pattern": NAME_PATTERN},
    )
    description: str = Field(
        "",
        max_length=MAX_DESCRIPTION_LENGTH,
        examples=["Bundlers and dev servers"],
        json_schema_extra={"pattern": DESCRIPTION_PATTERN},
    )


class RepoCollectionPatch(BaseModel):
    """What to change of a collection; a field left out keeps its value."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(
        None, max_length=MAX_NAME_LENGTH, json_schema_extra={"pattern": NAME_PATTERN}
    )
    description: str | None = Field(
        None, max_length=MAX_DESCRIPTION_LENGTH, json_schema_extra={"pattern": DESCRIPTION_PATTERN}
    )


class MembersIn(BaseModel):
    """Tracked repositories to add to a collection (those in it already stay once)."""

    model_config = ConfigDict(extra="forbid")

    repos: list[str] = Field(
        max_length=MAX_MEMBERS_ADDED,
        examples=[["vitejs/vite"]],
        description="owner/name of tracked repositories.",
        json_schema_extra={"items": {"type": "string", "maxLength": 300, "pattern": patterns.REPO}},
    )


class RepoCollectionOut(BaseModel):
    """A named group of tracked repositories."""

    slug: str = Field(examples=["frontend"])
    name: str
    description: str
    members: list[str] = Field(description="owner/name of each member, by name.")
    created_at: str | None = Field(description="ISO-8601 UTC")


class RepoCollectionsOut(BaseModel):
    """Every collection, by slug."""

    collections: list[RepoCollectionOut]


class RepoCollectionDetailOut(RepoCollectionOut):
    """A collection and, for each member, what the overview table shows of it."""

    overview: list[OverviewItemOut] = Field(
        description="One row per member, by name, as in GET /api/v1/overview."
    )


class RepoCollectionCompareOut(CompareOut):
    """The members' series of one family, as GET /api/v1/compare answers them."""

    collection: str = Field(examples=["frontend"])
    omitted: list[str] = Field(
        description="Members not compared: beyond the first 10 chosen, or without a package "
        "for a per-package family (downloads)."
    )
