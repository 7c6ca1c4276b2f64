"""Series as JSON records or CSV, entity tags, and conditional (304) answers."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from fastapi import Request
from starlette.responses import Response

from ossgrowth.api.cache import CachedBody, request_key
from ossgrowth.model import Provenance

__all__ = [
    "CSV_MEDIA_TYPE",
    "answer",
    "csv_lines",
    "entity_tag",
    "point_records",
    "remember",
    "wants_csv",
]

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
_LABELS = {int(member): member.label for member in Provenance}


@lru_cache(maxsize=8192)
def _day_prefix(day_number: int) -> str:
    return datetime.fromtimestamp(day_number * 86400, UTC).strftime("%Y-%m-%dT")


@lru_cache(maxsize=65536)
def _iso(epoch_seconds: int) -> str:
    """``2026-03-01T12:00:00Z``. Answers repeat moments (rollups keep the same rows for every
    range around them), so recent ones are remembered; each day is formatted once."""
    day, rest = divmod(epoch_seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{_day_prefix(day)}{hours:02d}:{minutes:02d}:{seconds:02d}Z"


def point_records(
    rows: Sequence[tuple[Any, ...]], field_names: Sequence[str]
) -> list[dict[str, Any]]:
    """Rows as ``{time, epoch_seconds, *fields, provenance, source}`` records.

    Every series answer builds one record a point, so the families' widths (one to three
    fields) each have a dict display, which Python builds in about half the time of a dict
    filled key by key.
    """
    iso, labels = _iso, _LABELS
    if len(field_names) == 1:
        (a,) = field_names
        return [
            {
                "time": iso(t),
                "epoch_seconds": t,
                a: x,
                "provenance": None if p is None else labels[p],
                "source": s,
            }
            for t, x, p, s in rows
        ]
    if len(field_names) == 2:
        a, b = field_names
        return [
            {
                "time": iso(t),
                "epoch_seconds": t,
                a: x,
                b: y,
                "provenance": None if p is None else labels[p],
                "source": s,
            }
            for t, x, y, p, s in rows
        ]
    if len(field_names) == 3:
        a, b, c = field_names
        return [
            {
                "time": iso(t),
                "epoch_seconds": t,
                a: x,
                b: y,
                c: z,
                "provenance": None if p is None else labels[p],
                "source": s,
            }
            for t, x, y, z, p, s in rows
        ]
    width = len(field_names)
    records = []
    for row in rows:
        record: dict[str, Any] = {"time": iso(row[0]), "epoch_seconds": row[0]}
        for index in range(width):
            record[field_names[index]] = row[1 + index]
        rank = row[1 + width]
        record["provenance"] = None if rank is None else labels[rank]
        record["source"] = row[-1]
        records.append(record)
    return records


def csv_lines(rows: Sequence[tuple[Any, ...]], field_names: Sequence[str]) -> Iterator[str]:
    """The CSV text of ``rows`` (header first), a chunk of lines at a time; gaps are empty cells."""
    width = len(field_names)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["time", "epoch_seconds", *field_names, "provenance", "source"])
    for index, row in enumerate(rows, start=1):
        rank = row[1 + width]
        writer.writerow(
            [
                _iso(row[0]),
                row[0],
                *("" if value is None else value for value in row[1 : 1 + width]),
                "" if rank is None else _LABELS[rank],
                row[-1] or "",
            ]
        )
        if index % 2000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def wants_csv(request: Request, format_parameter: str | None) -> bool:
    """CSV when ``?format=csv`` or, without ``format``, when ``Accept`` names text/csv first."""
    if format_parameter is not None:
        return format_parameter == "csv"
    accept = request.headers.get("accept", "")
    return accept.split(",")[0].strip().startswith("text/csv")


def entity_tag(body: bytes) -> str:
    """A strong entity tag of ``body``: 96 bits of its SHA-256 (which processors with SHA
    instructions hash at twice BLAKE2b's rate: 33 against 59 µs for a 60 kB series answer)."""
    return '"' + hashlib.sha256(body).hexdigest()[:24] + '"'


def answer(cached: CachedBody, if_none_match: str) -> Response:
    """``cached`` as a 200, or a bodiless 304 when ``If-None-Match`` names its tag."""
    headers = {"ETag": cached.etag, "Cache-Control": cached.cache_control, "Vary": "Accept"}
    headers.update(cached.headers)
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    if cached.etag in tags or "*" in tags:
        return Response(status_code=304, headers=headers)
    return Response(cached.body, media_type=cached.media_type, headers=headers)


def remember(request: Request, rendered: CachedBody) -> Response:
    """Keep ``rendered`` in the app's cache under this request, and answer with it."""
    key = request_key(request.scope)
    route = getattr(request.scope.get("route"), "path", "")
    cached = replace(rendered, route=route)
    if key is not None:
        request.app.state.context.cache.put(key, cached)
    return answer(cached, request.headers.get("if-none-match", ""))
