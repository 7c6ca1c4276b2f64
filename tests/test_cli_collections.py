"""``ossgrowth collection …``: make, change, list and show collections; bad input is one line
and exit code 2, never a traceback."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from ossgrowth.config import load_settings
from ossgrowth.model import Family, Point, Provenance, RepoName
from ossgrowth.store import open_store
from tests.test_cli import run_cli, wide_terminal  # noqa: F401 (an autouse fixture)

VITE = RepoName("vitejs", "vite")


@pytest.fixture
def tracked(capsys: pytest.CaptureFixture[str]) -> None:
    """vitejs/vite (with stars) and webpack/webpack tracked in dev."""
    assert run_cli(capsys, "track", "vitejs/vite", "--npm", "vite")[0] == 0
    assert run_cli(capsys, "track", "webpack/webpack")[0] == 0
    store = open_store(load_settings())
    moment = datetime(2026, 11, 1, tzinfo=UTC)
    store.write_points(
        [Point(VITE, Family.STARS, moment, {"star_count": 71234}, Provenance.MEASURED, "t")]
    )
    store.close()


def test_a_collection_is_made_filled_shown_and_deleted(
    capsys: pytest.CaptureFixture[str], tracked: None
) -> None:
    code, out, _ = run_cli(
        capsys, "collection", "create", "FrontEnd", "--name", "Front-end tooling"
    )
    assert code == 0 and out.strip() == "created collection frontend (Front-end tooling)"
    code, out, _ = run_cli(
        capsys, "collection", "add", "frontend", "webpack/webpack", "VITEJS/vite"
    )
    assert code == 0 and out.strip() == "collection frontend has 2 members"
    code, out, _ = run_cli(capsys, "collection", "describe", "frontend", "Bundlers")
    assert code == 0 and out.strip() == "description of collection frontend updated"
    code, out, _ = run_cli(capsys, "collection", "rename", "frontend", "Build tools")
    assert code == 0 and out.strip() == "collection frontend is now named Build tools"
    code, out, _ = run_cli(capsys, "collection", "show", "frontend")
    assert code == 0
    lines = out.splitlines()
    assert lines[:2] == ["frontend: Build tools", "Bundlers"]
    assert lines[2] == "repository\tpackages\tstars\tas_of"  # not a terminal: whole values
    assert lines[3].startswith("vitejs/vite\tnpm:vite\t71234\t2026-10-31 17:00")
    assert lines[4] == "webpack/webpack\t—\t—\t—"
    code, out, _ = run_cli(capsys, "collection", "remove", "frontend", "webpack/webpack")
    assert code == 0 and out.strip() == "collection frontend has 1 member"
    code, out, _ = run_cli(capsys, "collection", "delete", "frontend", "--yes")
    assert code == 0 and "deleted collection frontend; its repositories stay tracked" in out
    assert "no collections yet" in run_cli(capsys, "collection", "list")[1]
    assert "webpack/webpack" in run_cli(capsys, "list")[1]


def test_list_and_show_print_json_for_scripts(
    capsys: pytest.CaptureFixture[str], tracked: None
) -> None:
    run_cli(capsys, "collection", "create", "b", "--name", "B", "--description", "two\nlines")
    run_cli(capsys, "collection", "create", "a", "--name", "Ünïcödé 字")
    run_cli(capsys, "collection", "add", "a", "vitejs/vite")
    run_cli(capsys, "collection", "add", "b", "vitejs/vite", "webpack/webpack")
    code, out, _ = run_cli(capsys, "collection", "list", "--json")
    listed = json.loads(out)
    assert code == 0 and [c["slug"] for c in listed] == ["a", "b"]
    assert listed[0]["name"] == "Ünïcödé 字" and listed[0]["members"] == ["vitejs/vite"]
    assert listed[1]["description"] == "two\nlines"
    assert listed[1]["members"] == ["vitejs/vite", "webpack/webpack"]
    assert listed[1]["created_at"].endswith("Z")
    code, out, _ = run_cli(capsys, "collection", "list")
    assert out.splitlines()[2].startswith("b\tB\tvitejs/vite, webpack/webpack\ttwo lines\t")
    code, out, _ = run_cli(capsys, "collection", "show", "A", "--json")
    shown = json.loads(out)
    assert (
        code == 0
        and shown["slug"] == "a"
        and shown["members"]
        == [
            {
                "repository": "vitejs/vite",
                "packages": ["npm:vite"],
                "stars": 71234,
                "as_of": "2026-11-01T00:00:00Z",
            }
        ]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "has space", "--name", "n"], "slug is 1 to 64 letters"),
        (["create", "a" * 65, "--name", "n"], "at most 64 characters"),
        (["create", "ok", "--name", "x" * 10_000], "at most 200 characters, not 10000"),
        (["create", "ok", "--name", "  "], "a collection needs a name"),
        (["create", "ok", "--name", "bell\x07"], "no control characters"),
        (["create", "taken", "--name", "again"], "there is a collection 'taken' already"),
        (["add", "taken", "no/body"], "no/body is not tracked"),
        (["add", "taken", "not a repo"], "repository"),
        (["add", "nothing", "vitejs/vite"], "there is no collection 'nothing'"),
        (["remove", "nothing", "vitejs/vite"], "there is no collection 'nothing'"),
        (["rename", "nothing", "n"], "there is no collection 'nothing'"),
        (["describe", "taken", "d" * 2001], "at most 2000 characters"),
        (["delete", "nothing", "--yes"], "there is no collection 'nothing'"),
        (["show", "Nothing"], "there is no collection 'nothing'"),
        (["show", "../etc"], "slug is 1 to 64 letters"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], tracked: None, args: list[str], message: str
) -> None:
    run_cli(capsys, "collection", "create", "taken", "--name", "Taken")
    code, out, err = run_cli(capsys, "collection", *args)
    assert code == 2, out + err
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and err.startswith("Error: ")


def test_removing_a_repository_not_in_the_collection_says_so(
    capsys: pytest.CaptureFixture[str], tracked: None
) -> None:
    run_cli(capsys, "collection", "create", "c", "--name", "C")
    run_cli(capsys, "collection", "add", "c", "vitejs/vite")
    code, out, err = run_cli(capsys, "collection", "remove", "c", "webpack/webpack", "vitejs/vite")
    assert code == 0 and out.strip() == "collection c has 0 members"
    assert err.strip() == "not in collection c: webpack/webpack"


def test_untracking_takes_a_repository_out_of_its_collections(
    capsys: pytest.CaptureFixture[str], tracked: None
) -> None:
    run_cli(capsys, "collection", "create", "c", "--name", "C")
    run_cli(capsys, "collection", "add", "c", "vitejs/vite", "webpack/webpack")
    assert run_cli(capsys, "untrack", "vitejs/vite", "--yes")[0] == 0
    shown = json.loads(run_cli(capsys, "collection", "show", "c", "--json")[1])
    assert [member["repository"] for member in shown["members"]] == ["webpack/webpack"]


def test_deleting_asks_first_and_a_no_keeps_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tracked: None
) -> None:
    run_cli(capsys, "collection", "create", "c", "--name", "C")
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, out, _ = run_cli(capsys, "collection", "delete", "c")
    assert code == 1 and "delete collection c (0 members)?" in out
    assert json.loads(run_cli(capsys, "collection", "list", "--json")[1])[0]["slug"] == "c"


def test_reading_commands_never_migrate_prod(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["list"], ["show", "x"]):
        code, out, err = run_cli(capsys, "--env", "prod", "collection", *args)
        assert code == 2 and out == "" and "has no schema yet" in err
