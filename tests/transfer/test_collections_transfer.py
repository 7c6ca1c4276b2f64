"""Collections travel with export and import: written after the subjects, merged into the
target, round-tripped through SQLite and DynamoDB; version 1 files still import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from ossgrowth.model import Collection, RepoName
from ossgrowth.store import DynamoStore, SqlStore, store_at
from ossgrowth.transfer import ExportFilter, check_file, import_file
from ossgrowth.transfer.migrating import migrate
from tests.test_cli import run_cli
from tests.transfer.test_export_import import (
    CLOCK,
    GADGETS,
    T0,
    WIDGETS,
    exported,
    seeded,
    written,
)

MADE = T0 + timedelta(days=2)


def with_collections(store: SqlStore) -> SqlStore:
    store.create_collection("tools", name="Tools", description="Build\ntools", created_at=MADE)
    store.add_collection_members("tools", [WIDGETS, GADGETS])
    store.create_collection("empty", name="Ünïcödé 字", created_at=MADE)
    store.create_collection("one", name="One", created_at=MADE)
    store.add_collection_members("one", [GADGETS])
    return store


def test_collections_follow_the_subjects_by_slug_and_the_end_line_counts_them(
    tmp_path: Path,
) -> None:
    store = with_collections(seeded(SqlStore(f"sqlite:///{tmp_path}/a.db", environment="dev")))
    records = [json.loads(line) for line in exported(store)]
    assert [r["type"] for r in records[-4:]] == ["collection"] * 3 + ["end"]
    assert records[-4:] == [
        {
            "type": "collection",
            "slug": "empty",
            "name": "Ünïcödé 字",
            "description": "",
            "members": [],
            "created_at": "2026-03-03T00:00:00Z",
        },
        {
            "type": "collection",
            "slug": "one",
            "name": "One",
            "description": "",
            "members": ["octo/gadgets"],
            "created_at": "2026-03-03T00:00:00Z",
        },
        {
            "type": "collection",
            "slug": "tools",
            "name": "Tools",
            "description": "Build\ntools",
            "members": ["octo/gadgets", "octo/Widgets"],
            "created_at": "2026-03-03T00:00:00Z",
        },
        {"type": "end", "subjects": 2, "points": 36, "stargazer_days": 0, "collections": 3},
    ]


def test_a_filtered_export_names_only_the_members_it_holds(tmp_path: Path) -> None:
    store = with_collections(seeded(SqlStore(f"sqlite:///{tmp_path}/a.db", environment="dev")))
    lines = exported(store, ExportFilter(repos=[WIDGETS]))
    collections = [json.loads(line) for line in lines if '"type":"collection"' in line]
    assert {c["slug"]: c["members"] for c in collections} == {
        "empty": [],
        "one": [],
        "tools": ["octo/Widgets"],
    }
    target = SqlStore(f"sqlite:///{tmp_path}/b.db", environment="dev")
    target.upgrade()
    result = import_file(target, written(tmp_path, lines), CLOCK.now())
    assert result.collections == 3
    assert target.get_collection("tools").members == (WIDGETS,)


@pytest.fixture(params=["sqlite", pytest.param("dynamodb", marks=pytest.mark.dynamodb)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore | DynamoStore]:
    """An empty store of the backend under test."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/target.db"
    else:
        request.getfixturevalue("aws_credentials")
        endpoint = request.getfixturevalue("moto_endpoint")
        url = f"dynamodb://?region=us-west-2&endpoint={endpoint}&table_prefix={tmp_path.name}-"
    store = store_at(url, environment="staging")
    store.upgrade()
    yield store
    store.close()


def test_a_round_trip_keeps_every_collection_and_a_second_import_changes_nothing(
    tmp_path: Path, target: SqlStore
) -> None:
    source = with_collections(seeded(SqlStore(f"sqlite:///{tmp_path}/a.db", environment="dev")))
    first = exported(source)
    path = written(tmp_path, first)
    checked = check_file(path)
    assert (checked.subjects, checked.points, checked.collections) == (2, 36, 3)
    once = import_file(target, path, CLOCK.now())
    assert once.collections == 3
    assert target.list_collections() == source.list_collections()
    twice = import_file(target, path, CLOCK.now())
    assert twice.collections == 3
    assert target.list_collections() == source.list_collections()
    assert exported(target)[1:] == first[1:]  # byte for byte, but for the header


def test_an_import_merges_into_the_collections_a_store_has(tmp_path: Path) -> None:
    source = with_collections(seeded(SqlStore(f"sqlite:///{tmp_path}/a.db", environment="dev")))
    path = written(tmp_path, exported(source))
    target = SqlStore(f"sqlite:///{tmp_path}/b.db", environment="dev")
    target.upgrade()
    kept = RepoName("acme", "kept")
    target.add_subject(kept, [], added_at=T0)
    target.create_collection("tools", name="Old name", description="old", created_at=T0)
    target.add_collection_members("tools", [kept])
    target.create_collection("mine", name="Mine", created_at=T0)
    import_file(target, path, CLOCK.now())
    assert target.get_collection("tools") == Collection(
        "tools", "Tools", "Build\ntools", (kept, GADGETS, WIDGETS), T0
    )  # the file's name and description, its members added; made when it was first made
    assert [c.slug for c in target.list_collections()] == ["empty", "mine", "one", "tools"]


def test_a_version_1_file_without_collections_still_imports(tmp_path: Path) -> None:
    lines = exported(seeded(SqlStore(f"sqlite:///{tmp_path}/a.db", environment="dev")))
    old = [
        lines[0].replace('"version":3', '"version":1'),
        *lines[1:-1],
        lines[-1].replace(',"stargazer_days":0,"collections":0', ""),
    ]
    assert json.loads(old[-1]) == {"type": "end", "subjects": 2, "points": 36}
    target = SqlStore(f"sqlite:///{tmp_path}/b.db", environment="dev")
    target.upgrade()
    result = import_file(target, written(tmp_path, old), CLOCK.now())
    assert (result.subjects, result.points, result.collections) == (2, 36, 0)
    assert target.list_collections() == []


def _collection_line(**changes: object) -> str:
    record: dict[str, object] = {
        "type": "collection",
        "slug": "tools",
        "name": "Tools",
        "description": "",
        "members": ["octo/gadgets"],
        "created_at": None,
    }
    record.update(changes)
    return json.dumps(record)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (_collection_line(members=["no/body"]), "names no/body, which has no subject line"),
        (_collection_line(slug="Not a slug"), "slug is 1 to 64"),
        (_collection_line(name="x" * 201), "at most 200"),
        (_collection_line(name=7), "name is a string"),
        (_collection_line(members="octo/gadgets"), "members is a list"),
        (_collection_line(members=["../../etc"]), "line 40: "),
        (_collection_line(colour="blue"), "unknown field 'colour' in a collection record"),
        (_collection_line(created_at="yesterday"), "created_at is a UTC time"),
    ],
    ids=[
        "untracked-member",
        "bad-slug",
        "long-name",
        "name-not-text",
        "members-not-list",
        "bad-member",
        "unknown-key",
        "bad-time",
    ],
)
def test_a_bad_collection_line_is_named_and_nothing_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    lines = exported(seeded(SqlStore(f"sqlite:///{tmp_path}/a.db", environment="dev")))
    end = json.loads(lines[-1])
    end["collections"] = 1
    path = written(tmp_path, [*lines[:-1], line, json.dumps(end)])
    code, out, err = run_cli(capsys, "import", str(path))
    assert code == 2 and message in err and "Traceback" not in err, out + err
    assert "line 40: " in err and "nothing was imported" in err


def test_a_collection_twice_in_a_file_is_a_line_too_many(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = exported(seeded(SqlStore(f"sqlite:///{tmp_path}/a.db", environment="dev")))
    end = json.loads(lines[-1])
    end["collections"] = 2
    path = written(tmp_path, [*lines[:-1], _collection_line(), _collection_line(), json.dumps(end)])
    code, _, err = run_cli(capsys, "import", str(path))
    assert code == 2 and "line 41: collection 'tools' has a line already" in err


def test_import_and_restore_say_how_many_collections_they_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = with_collections(seeded(SqlStore(f"sqlite:///{tmp_path}/a.db", environment="dev")))
    path = written(tmp_path, exported(source))
    code, out, _ = run_cli(capsys, "import", str(path), "--dry-run")
    assert code == 0 and "holds 2 subjects, 36 points and 3 collections" in out
    code, out, _ = run_cli(capsys, "import", str(path))
    assert code == 0 and "imported 2 subjects (2 new), 36 points and 3 collections" in out
    code, _, err = run_cli(capsys, "restore", str(path))
    assert code == 2 and "dev holds 2 subjects and 3 collections" in err
    code, out, _ = run_cli(capsys, "restore", str(path), "--force")
    assert code == 0 and out.startswith("restored 2 subjects, 36 points and 3 collections")


def test_a_migration_moves_the_collections_too(tmp_path: Path) -> None:
    source = with_collections(seeded(SqlStore(f"sqlite:///{tmp_path}/a.db", environment="dev")))
    target = SqlStore(f"sqlite:///{tmp_path}/b.db", environment="dev")
    target.upgrade()
    result = migrate(source, target, CLOCK.now())
    assert result.collections == 3
    assert target.list_collections() == source.list_collections()
    assert migrate(source, target, CLOCK.now()).collections == 3  # again: nothing changes
    assert target.list_collections() == source.list_collections()
