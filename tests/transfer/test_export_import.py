"""Export and import: nothing lost in a round trip across stores and backends, imports that
change nothing the second time, and hostile files refused whole with their line numbers."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ossgrowth.clock import FixedClock
from ossgrowth.config import load_settings
from ossgrowth.metrics.registry import Family
from ossgrowth.model import Ecosystem, PackageRef, Point, Provenance, RepoName, Subject
from ossgrowth.store import SqlStore, open_store
from ossgrowth.transfer import ExportFilter, export_points, import_file
from ossgrowth.transfer.migrating import migrate
from tests.conftest import POSTGRES_URL
from tests.test_cli import run_cli

T0 = datetime(2026, 3, 1, tzinfo=UTC)
WIDGETS = RepoName("octo", "Widgets")
GADGETS = RepoName("octo", "gadgets")
NPM = PackageRef(Ecosystem.NPM, "widgets")
PYPI = PackageRef(Ecosystem.PYPI, "widgets-py")
CLOCK = FixedClock(T0 + timedelta(days=30))


def every_kind_of_point() -> list[Point]:
    """Every family, two packages, every provenance, nulls, ratios and a big count."""
    points = []
    for day in range(6):
        moment = T0 + timedelta(days=day)
        provenance = list(Provenance)[day % 3]
        points += [
            Point(WIDGETS, Family.STARS, moment, {"star_count": 2**40 + day}, provenance, "gql"),
            Point(
                WIDGETS,
                Family.PRS,
                moment,
                {"open_prs": day, "merged_prs": 10, "ratio": None if day == 0 else 10 / day},
                provenance,
                "rest",
            ),
            Point(
                WIDGETS,
                Family.ISSUES,
                moment,
                {"open_issues": 3, "closed_issues": day, "ratio": day / 3},
                provenance,
                "rest",
            ),
            Point(
                WIDGETS,
                Family.DOWNLOADS,
                moment,
                {"weekly_downloads": 700 + day, "total_downloads": None},
                provenance,
                "npm-downloads",
                package=NPM,
            ),
            Point(
                WIDGETS,
                Family.DOWNLOADS,
                moment,
                {"weekly_downloads": 9, "total_downloads": 99},
                Provenance.MEASURED,
                "pypistats-180d",
                package=PYPI,
            ),
            Point(
                GADGETS,
                Family.STARS,
                moment + timedelta(hours=3),
                {"star_count": day},
                Provenance.MEASURED,
                'ünïcode "source"',
            ),
        ]
    return points


def seeded(store: SqlStore) -> SqlStore:
    store.upgrade()
    store.add_subject(WIDGETS, [PYPI, NPM], added_at=T0)
    store.set_identity(WIDGETS, node_id="R_kgDOwidgets", current=WIDGETS)
    store.add_subject(GADGETS, [], added_at=T0 + timedelta(days=1))
    store.write_points(every_kind_of_point())
    return store


def exported(store: SqlStore, wanted: ExportFilter | None = None) -> list[str]:
    out = io.StringIO()
    export_points(store, out, CLOCK, wanted or ExportFilter())
    return out.getvalue().splitlines()


def written(tmp_path: Path, lines: list[str], name: str = "points.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def test_the_format_is_a_header_subjects_with_their_points_and_an_end(tmp_path: Path) -> None:
    lines = exported(seeded(SqlStore(f"sqlite:///{tmp_path}/a.db", environment="dev")))
    header = json.loads(lines[0])
    assert header == {
        "format": "ossgrowth-points",
        "version": 3,
        "environment": "dev",
        "exported_at": "2026-03-31T00:00:00Z",
        "from": None,
        "to": None,
        "repos": None,
        "families": None,
    }
    records = [json.loads(line) for line in lines[1:]]
    assert [r["repo"] for r in records if r["type"] == "subject"] == [
        "octo/gadgets",
        "octo/Widgets",
    ]
    assert records[-1] == {
        "type": "end",
        "subjects": 2,
        "points": 36,
        "stargazer_days": 0,
        "collections": 0,
    }
    first_pypi = next(r for r in records if r.get("package") == "pypi:widgets-py")
    assert first_pypi == {
        "type": "point",
        "repo": "octo/Widgets",
        "family": "downloads",
        "package": "pypi:widgets-py",
        "time": "2026-03-01T00:00:00Z",
        "values": {"weekly_downloads": 9, "total_downloads": 99},
        "provenance": "measured",
        "source": "pypistats-180d",
    }
    assert not any("dev" in line for line in lines[1:])


@pytest.mark.postgres
def test_a_round_trip_through_sqlite_and_postgres_loses_nothing(
    tmp_path: Path, postgres_schema_prefix: str
) -> None:
    first = exported(seeded(SqlStore(f"sqlite:///{tmp_path}/a.db", environment="prod")))
    path = written(tmp_path, first)
    copy = SqlStore(f"sqlite:///{tmp_path}/b.db", environment="staging")
    copy.upgrade()
    import_file(copy, path, CLOCK.now())  # export → import into a fresh SQLite …
    second = exported(copy)
    remote = SqlStore(
        POSTGRES_URL, environment="staging", schema=f"{postgres_schema_prefix}_staging"
    )
    remote.upgrade()
    migrated = migrate(copy, remote, CLOCK.now())  # … → migrate to PostgreSQL → export
    third = exported(remote)
    remote.close()
    assert migrated.points_written == 36
    assert json.loads(first[0])["environment"] == "prod"
    assert json.loads(third[0])["environment"] == "staging"
    assert first[1:] == second[1:] == third[1:]  # byte for byte, but for the header


def test_importing_twice_changes_nothing_and_a_weaker_point_never_replaces_a_stronger(
    tmp_path: Path,
) -> None:
    source = seeded(SqlStore(f"sqlite:///{tmp_path}/a.db", environment="dev"))
    path = written(tmp_path, exported(source))
    target = SqlStore(f"sqlite:///{tmp_path}/b.db", environment="dev")
    target.upgrade()
    target.add_subject(WIDGETS, [], added_at=T0)
    measured = Point(
        WIDGETS, Family.STARS, T0, {"star_count": 5000}, Provenance.MEASURED, "kept"
    )  # the file's point at T0 is estimated
    target.write_points([measured])
    once = import_file(target, path, CLOCK.now())
    after_once = exported(target)
    twice = import_file(target, path, CLOCK.now())
    assert (once.subjects, once.new_subjects, once.points) == (2, 1, 36)
    assert (twice.subjects, twice.new_subjects, twice.points) == (2, 0, 36)
    assert exported(target)[1:] == after_once[1:]
    assert target.read_series(WIDGETS, Family.STARS).rows[0][1:] == (
        5000,
        int(Provenance.MEASURED),
        "kept",
    )
    assert target.get_subject(WIDGETS) == Subject(
        WIDGETS, (NPM, PYPI), "R_kgDOwidgets", T0
    )  # the packages and node id the file named, added to the one tracked already


def test_filters_choose_repositories_families_and_a_time_range(tmp_path: Path) -> None:
    store = seeded(SqlStore(f"sqlite:///{tmp_path}/a.db", environment="dev"))
    lines = exported(
        store,
        ExportFilter(
            repos=[RepoName("OCTO", "widgets")],
            families=[Family.DOWNLOADS, Family.STARS],
            start=T0 + timedelta(days=1),
            end=T0 + timedelta(days=2),
        ),
    )
    records = [json.loads(line) for line in lines]
    assert records[0]["repos"] == ["OCTO/widgets"] and records[0]["families"] == [
        "stars",
        "downloads",
    ]
    points = [r for r in records if r.get("type") == "point"]
    assert {r["family"] for r in points} == {"stars", "downloads"}
    assert {r["time"] for r in points} == {"2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z"}
    assert len(points) == 6
    assert records[-1] == {
        "type": "end",
        "subjects": 1,
        "points": 6,
        "stargazer_days": 0,
        "collections": 0,
    }


def _good_lines(tmp_path: Path) -> list[str]:
    return exported(seeded(SqlStore(f"sqlite:///{tmp_path}/a.db", environment="dev")))


def _nothing_imported() -> bool:
    store = open_store(load_settings())
    store.upgrade()
    try:
        return store.list_subjects() == []
    finally:
        store.close()


def _point_line(lines: list[str], **changes: object) -> str:
    record = json.loads(next(line for line in lines if '"type":"point"' in line))
    record.update(changes)
    return json.dumps(record)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda lines: [*lines[:-1], lines[-2][:25]], "ends without its end line"),
        (lambda lines: lines[:-1], "ends without its end line"),
        (
            lambda lines: [lines[0].replace('"version":3', '"version":4'), *lines[1:]],
            "format version 4; this ossgrowth reads versions 1, 2 and 3",
        ),
        (lambda lines: ['{"format":"something-else"}', *lines[1:]], "not an ossgrowth export"),
        (lambda lines: [*lines[:3], lines[2], *lines[3:]], "line 4: the same moment as the line"),
        (
            lambda lines: [
                *lines[:2],
                _point_line(lines, values={"star_count": "many"}),
                *lines[3:],
            ],
            'line 3: star_count is a whole number or null, not "many"',
        ),
        (
            lambda lines: [*lines[:2], _point_line(lines, family="forks"), *lines[3:]],
            "line 3: unknown family 'forks'",
        ),
        (
            lambda lines: [
                *lines[:2],
                _point_line(lines, values={"star_count": 1, "forks": 2}),
                *lines[3:],
            ],
            "line 3: unknown field 'forks' of stars",
        ),
        (
            lambda lines: [*lines[:2], _point_line(lines, colour="blue"), *lines[3:]],
            "line 3: unknown field 'colour' in a point record",
        ),
        (
            lambda lines: [*lines[:2], "x" * (2 << 20), *lines[3:]],
            "line 3: longer than 1048576 bytes: not a record",
        ),
        (
            lambda lines: [lines[0], lines[2], lines[1], *lines[3:]],
            "line 2: a point of octo/gadgets before its subject line",
        ),
        (
            lambda lines: [*lines[:-1], '{"type":"end","subjects":2,"points":99}'],
            "its end line counts 101 records, and it holds 38",
        ),
    ],
    ids=[
        "cut-mid-line",
        "no-end",
        "version",
        "not-ours",
        "duplicate",
        "wrong-type",
        "unknown-family",
        "unknown-field",
        "unknown-key",
        "huge-line",
        "point-first",
        "miscounted",
    ],
)
def test_a_hostile_file_is_a_clear_error_and_nothing_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: object, message: str
) -> None:
    path = written(tmp_path, damage(_good_lines(tmp_path)))  # type: ignore[operator]
    code, out, err = run_cli(capsys, "import", str(path))
    assert code == 2, out + err
    assert message in err and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("Error: ")
    assert _nothing_imported()


@pytest.mark.parametrize("kind", ["directory", "missing", "empty", "binary"])
def test_something_that_is_not_an_export_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    path = tmp_path / "input"
    if kind == "directory":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "binary":
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff" * 100)
    code, out, err = run_cli(capsys, "import", str(path))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("Error: "), err
    assert _nothing_imported()


def test_skip_bad_imports_the_good_lines_and_dry_run_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _good_lines(tmp_path)
    bad = [*lines[:2], _point_line(lines, provenance="guessed"), *lines[3:]]
    path = written(tmp_path, bad)
    code, out, err = run_cli(capsys, "import", str(path), "--dry-run", "--skip-bad")
    assert code == 0 and "holds 2 subjects and 35 points" in out and "1 bad lines skipped" in out
    assert "line 3: provenance is one of estimated, reconstructed, measured" in err
    assert _nothing_imported()
    code, out, err = run_cli(capsys, "import", str(path), "--skip-bad")
    assert code == 0, err
    assert out.strip() == "imported 2 subjects (2 new) and 35 points into dev; 1 bad lines skipped"
    code, out, _ = run_cli(capsys, "export", "-o", str(tmp_path / "back.jsonl"))
    assert code == 0 and out.strip().endswith(
        "exported 2 subjects and 35 points of dev to " + str(tmp_path / "back.jsonl")
    )


def test_reset_empties_staging_or_fills_it_with_a_copy_of_prod_and_never_touches_prod(
    capsys: pytest.CaptureFixture[str],
) -> None:
    prod = seeded(open_store(load_settings(environment="prod")))
    prod_lines = exported(prod)
    prod.close()
    assert run_cli(capsys, "--env", "staging", "track", "other/repo")[0] == 0
    code, out, err = run_cli(capsys, "--env", "prod", "reset", "--yes")
    assert code == 2 and "prod is never reset" in err
    code, out, err = run_cli(capsys, "--env", "staging", "reset", "--from", "prod", "--yes")
    assert code == 0, err
    assert out.splitlines() == [
        "staging holds 1 subjects and 0 points; reset empties it and fills it with a copy of "
        "prod's 2 subjects and 36 points",
        "emptied staging: 1 subjects, 0 points",
        "copied 2 subjects and 36 points of prod into staging",
    ]
    staging = open_store(load_settings(environment="staging"))
    assert exported(staging)[1:] == prod_lines[1:]
    staging.close()
    code, out, _ = run_cli(capsys, "--env", "staging", "reset", "--yes")
    assert code == 0 and out.splitlines()[-1] == "emptied staging: 2 subjects, 36 points"
    assert json.loads(run_cli(capsys, "--env", "staging", "list", "--json")[1]) == []
    prod = open_store(load_settings(environment="prod"))
    assert exported(prod)[1:] == prod_lines[1:]  # read, never written
    prod.close()
    code, _, err = run_cli(capsys, "--env", "staging", "reset", "--from", "staging", "--yes")
    assert code == 2 and "--from names staging itself" in err


def test_a_csv_export_holds_the_same_points_as_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prod = seeded(open_store(load_settings(environment="prod")))
    prod.close()
    target = tmp_path / "points.csv"
    code, out, err = run_cli(
        capsys, "--env", "prod", "export", "--format", "csv", "-o", str(target)
    )
    assert code == 0, err
    lines = target.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0].removeprefix("# "))
    assert header["format"] == "ossgrowth-points" and header["environment"] == "prod"
    assert lines[-1] == "# end subjects=2 points=36"
    rows = list(csv.DictReader(lines[1:-1]))
    assert len(rows) == 36
    gadget = rows[0]
    assert gadget["repo"] == "octo/gadgets" and gadget["star_count"] == "0"
    assert gadget["source"] == 'ünïcode "source"' and gadget["open_prs"] == ""
    pypi = [row for row in rows if row["package"] == "pypi:widgets-py"]
    assert len(pypi) == 6 and pypi[0]["total_downloads"] == "99"
    code, _, err = run_cli(capsys, "import", str(target))
    assert code == 2 and "line 1: not JSON" in err  # import reads JSON Lines
