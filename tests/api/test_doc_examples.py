"""The curl examples of docs/api.md show real answers: each plain GET is replayed here.

The examples were made against the test store of ``tests/api/conftest.py``, with the collection
of :func:`seed_collections`, by a server with the docs' admin token (replayed at the fixture's
moment, as the ``/about`` and ``/overview`` examples were made). Skipped: requests with a
method, headers other than ``Accept``, or a pipe (shown with their context in the docs), and
``/growth``, whose answer names the moment it was asked.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from ossgrowth.store import SqlStore
from tests.api.conftest import GADGETS, START, WIDGETS, AppFactory, client_of

pytestmark = pytest.mark.anyio
DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
ORIGIN = "http://127.0.0.1:8000"
DOCS_ADMIN_TOKEN = "example-admin-token"


def seed_collections(store: SqlStore) -> None:
    """The collection the docs' examples show."""
    store.create_collection(
        "frontend", name="Front-end tooling", description="Bundlers", created_at=START
    )
    store.add_collection_members("frontend", [WIDGETS, GADGETS])


def examples() -> list[tuple[str, dict[str, str], str]]:
    """(path and query, headers, expected body) of every replayable example."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    found = []
    for index, line in enumerate(lines):
        if not line.startswith("$ curl ") or "|" in line:
            continue
        words = shlex.split(line[2:])
        options = {word for word in words if word.startswith("-")}
        headers = dict(
            words[position + 1].split(": ", 1)
            for position, word in enumerate(words)
            if word == "-H"
        )
        url = next((word for word in words if word.startswith(ORIGIN)), None)
        if url is None or options - {"-s", "-H"} or set(headers) - {"Accept"} or "/growth" in url:
            continue
        expected = []
        for answer in lines[index + 1 :]:
            if answer.startswith(("$ ", "```")):
                break
            expected.append(answer)
        found.append((url.removeprefix(ORIGIN), headers, "\n".join(expected)))
    return found


def test_the_docs_hold_examples_to_replay() -> None:
    assert len(examples()) >= 12


@pytest.mark.parametrize(("target", "headers", "expected"), examples(), ids=lambda v: str(v)[:60])
async def test_an_example_shows_what_the_api_answers(
    make_app: AppFactory, store: SqlStore, target: str, headers: dict[str, str], expected: str
) -> None:
    seed_collections(store)
    async with client_of(make_app(admin_token=DOCS_ADMIN_TOKEN)) as client:
        answer = await client.get(target, headers=headers)
    assert re.sub(r"\n$", "", answer.text) == expected
