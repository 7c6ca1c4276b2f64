"""Stargazer days (the account ages of unusual growth) travel with export, import, restore and
migrate, with the place in the stargazer list the counts end at; a store that follows a list
keeps its own days; version 2 files still import."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from ossgrowth.metrics.registry import Family
from ossgrowth.metrics.unusual import StargazerDay
from ossgrowth.store import SqlStore
from ossgrowth.transfer import ExportFilter, check_file, import_file
from ossgrowth.transfer.migrating import migrate, verify_stargazer_days
from ossgrowth.transfer.stargazers import DayChanges, compare_days
from tests.contracts import test_store_contract as contract
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

make_store = contract.make_store
"""Every backend's fixture (SQLite, PostgreSQL, DynamoDB), shared with the store contract."""

FIRST = T0.date()
MARK = T0 + timedelta(days=4, hours=12)
"""Where the widgets' stargazer list was read to: noon of the fifth day."""


def ages(count: int, first: date = FIRST, listed: int = 10) -> list[StargazerDay]:
    return [
        StargazerDay(first + timedelta(days=offset), listed + offset, offset % 3)
        for offset in range(count)
    ]


def with_days(store: SqlStore) -> SqlStore:
    """The seeded store, the widgets' list followed to :data:`MARK`, the gadgets' not."""
    store.write_stargazer_days(WIDGETS, ages(5), read_through=MARK)
    store.write_stargazer_days(GADGETS, ages(2, listed=1))
    return store


def source(tmp_path: Path) -> SqlStore:
    return with_days(seeded(SqlStore(f"sqlite:///{tmp_path}/source.db", environment="prod")))


def test_a_subjects_days_follow_its_points_and_its_line_names_the_mark(tmp_path: Path) -> None:
    records = [json.loads(line) for line in exported(source(tmp_path))]
    assert records[0]["version"] == 3
    kinds = [(r["type"], r.get("repo")) for r in records[1:]]
    widgets = [kind for kind in kinds if kind[1] == "octo/Widgets"]
    assert widgets[0] == ("subject", "octo/Widgets")
    assert widgets[-5:] == [("stargazer_day", "octo/Widgets")] * 5  # after all its points
    subjects = {r["repo"]: r for r in records[1:] if r["type"] == "subject"}
    assert subjects["octo/Widgets"]["stargazers_read_through"] == "2026-03-05T12:00:00Z"
    assert subjects["octo/gadgets"]["stargazers_read_through"] is None
    gadgets = [r for r in records[1:] if r["type"] == "stargazer_day"][:2]
    assert gadgets == [
        {
            "type": "stargazer_day",
            "repo": "octo/gadgets",
            "day": day,
            "listed": listed,
            "new_accounts": new,
        }
        for day, listed, new in (("2026-03-01", 1, 0), ("2026-03-02", 2, 1))
    ]
    assert records[-1] == {
        "type": "end",
        "subjects": 2,
        "points": 36,
        "stargazer_days": 7,
        "collections": 0,
    }


@pytest.mark.parametrize(
    ("wanted", "days", "mark"),
    [
        (ExportFilter(families=[Family.PRS]), [], None),
        (ExportFilter(start=T0 + timedelta(days=3, hours=5)), ["2026-03-04", "2026-03-05"], MARK),
        (ExportFilter(end=T0 + timedelta(days=1, hours=5)), ["2026-03-01", "2026-03-02"], None),
        (ExportFilter(end=MARK), [f"2026-03-0{n}" for n in range(1, 6)], MARK),
    ],
    ids=["other-family", "from", "to-before-the-mark", "to-at-the-mark"],
)
def test_filters_choose_days_by_day_and_name_a_mark_only_for_whole_counts(
    tmp_path: Path, wanted: ExportFilter, days: list[str], mark: datetime | None
) -> None:
    wanted = replace(wanted, repos=[WIDGETS])
    records = [json.loads(line) for line in exported(source(tmp_path), wanted)]
    assert [r["day"] for r in records[1:] if r["type"] == "stargazer_day"] == days
    subject = next(r for r in records[1:] if r["type"] == "subject")
    assert subject["stargazers_read_through"] == (
        None if mark is None else mark.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    assert records[-1]["stargazer_days"] == len(days)


def test_a_round_trip_keeps_the_days_and_the_mark_on_every_backend(
    tmp_path: Path, make_store: contract.StoreFactory
) -> None:
    first = exported(source(tmp_path))
    path = written(tmp_path, first)
    checked = check_file(path)
    assert (checked.subjects, checked.points, checked.stargazer_days) == (2, 36, 7)
    target = make_store("staging")
    once = import_file(target, path, CLOCK.now())
    assert (once.stargazer_days, once.stargazer_days_kept) == (7, 0)
    assert target.read_stargazer_days(WIDGETS) == ages(5)
    assert target.stargazers_read_through([WIDGETS, GADGETS]) == {WIDGETS.key: MARK}
    twice = import_file(target, path, CLOCK.now())  # it follows the list now: nothing differs
    assert (twice.stargazer_days, twice.stargazer_days_kept) == (7, 0)
    assert exported(target)[1:] == first[1:]  # byte for byte, but for the header


def test_a_store_that_follows_a_list_keeps_its_own_days(tmp_path: Path) -> None:
    path = written(tmp_path, exported(source(tmp_path)))
    target = seeded(SqlStore(f"sqlite:///{tmp_path}/target.db", environment="dev"))
    own = ages(6, listed=50)
    later = MARK + timedelta(days=1)
    target.write_stargazer_days(WIDGETS, own, read_through=later)
    result = import_file(target, path, CLOCK.now())
    assert result.stargazer_days_kept == 5
    assert target.read_stargazer_days(WIDGETS) == own
    assert target.stargazers_read_through([WIDGETS]) == {WIDGETS.key: later}
    assert target.read_stargazer_days(GADGETS) == ages(2, listed=1)  # not followed: written


def test_a_mark_is_not_taken_where_the_stores_own_days_would_be_counted_again(
    tmp_path: Path,
) -> None:
    path = written(tmp_path, exported(source(tmp_path)))
    target = seeded(SqlStore(f"sqlite:///{tmp_path}/target.db", environment="dev"))
    own_later_day = StargazerDay(MARK.date() + timedelta(days=1), 4, 0)
    target.write_stargazer_days(WIDGETS, [own_later_day])  # read later; followed no more
    import_file(target, path, CLOCK.now())
    assert target.read_stargazer_days(WIDGETS) == [*ages(5), own_later_day]
    assert target.stargazers_read_through([WIDGETS]) == {}


def test_a_version_2_file_without_days_still_imports(tmp_path: Path) -> None:
    lines = exported(seeded(SqlStore(f"sqlite:///{tmp_path}/a.db", environment="dev")))
    old = [
        lines[0].replace('"version":3', '"version":2'),
        *(line.replace(',"stargazers_read_through":null', "") for line in lines[1:-1]),
        lines[-1].replace('"stargazer_days":0,', ""),
    ]
    assert json.loads(old[-1]) == {"type": "end", "subjects": 2, "points": 36, "collections": 0}
    assert "stargazers_read_through" not in old[1]
    target = SqlStore(f"sqlite:///{tmp_path}/b.db", environment="dev")
    target.upgrade()
    result = import_file(target, written(tmp_path, old), CLOCK.now())
    assert (result.subjects, result.points, result.stargazer_days) == (2, 36, 0)


def _day_line(**changes: object) -> str:
    record: dict[str, object] = {
        "type": "stargazer_day",
        "repo": "octo/gadgets",
        "day": "2026-03-01",
        "listed": 3,
        "new_accounts": 1,
    }
    record.update(changes)
    return json.dumps(record)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([_day_line(day="2026-3-1")], "line 40: day is a UTC day as 2026-02-01"),
        ([_day_line(day="2026-03-01T00:00:00Z")], "day is a UTC day"),
        ([_day_line(listed=-1)], "listed is a whole number from 0 to 2^31-1"),
        ([_day_line(listed=2**31)], "listed is a whole number from 0 to 2^31-1"),
        ([_day_line(new_accounts=True)], "new_accounts is a whole number"),
        ([_day_line(new_accounts=4)], "new_accounts is at most listed"),
        ([_day_line(repo="no/body")], "a stargazer day of no/body before its subject line"),
        ([_day_line(colour="blue")], "unknown field 'colour' in a stargazer_day record"),
        ([_day_line(), _day_line()], "line 41: the same day as the line before it"),
        (
            [_day_line(day="2026-03-02"), _day_line()],
            "line 41: earlier than the line before it: a repository's stargazer days go",
        ),
    ],
    ids=[
        "bad-day",
        "a-time",
        "negative",
        "too-big",
        "boolean",
        "more-new-than-listed",
        "no-subject",
        "unknown-key",
        "repeated",
        "backwards",
    ],
)
def test_a_bad_stargazer_day_line_is_named_and_nothing_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str], message: str
) -> None:
    exported_lines = exported(seeded(SqlStore(f"sqlite:///{tmp_path}/a.db", environment="dev")))
    end = json.loads(exported_lines[-1])
    end["stargazer_days"] = len(lines)
    path = written(tmp_path, [*exported_lines[:-1], *lines, json.dumps(end)])
    code, out, err = run_cli(capsys, "import", str(path))
    assert code == 2 and message in err and "Traceback" not in err, out + err
    assert "nothing was imported" in err


def test_import_restore_and_reset_say_how_many_stargazer_days_they_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = written(tmp_path, exported(source(tmp_path)))
    code, out, _ = run_cli(capsys, "import", str(path), "--dry-run")
    assert code == 0 and "holds 2 subjects, 36 points and 7 stargazer days" in out
    code, out, _ = run_cli(capsys, "import", str(path))
    assert code == 0 and "imported 2 subjects (2 new), 36 points and 7 stargazer days" in out
    code, out, _ = run_cli(capsys, "restore", str(path), "--force")
    assert code == 0 and out.startswith("restored 2 subjects, 36 points and 7 stargazer days")
    code, out, err = run_cli(capsys, "--env", "staging", "reset", "--from", "dev", "--yes")
    assert code == 0, err
    assert out.splitlines()[-1] == (
        "copied 2 subjects, 36 points and 7 stargazer days of dev into staging"
    )


def test_a_migration_moves_the_days_and_the_mark_and_verifies_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_store: contract.StoreFactory
) -> None:
    moved_from = source(tmp_path)
    target = make_store("prod")
    assert migrate(moved_from, target, CLOCK.now()).stargazer_days == 7
    assert target.read_stargazer_days(WIDGETS) == ages(5)
    assert target.stargazers_read_through([WIDGETS, GADGETS]) == {WIDGETS.key: MARK}
    assert all(check.equal for check in verify_stargazer_days(moved_from, target))
    assert migrate(moved_from, target, CLOCK.now()).stargazer_days == 0  # again: nothing
    moved_from.write_stargazer_days(GADGETS, [StargazerDay(FIRST, 99, 0)])
    (differing,) = [c for c in verify_stargazer_days(moved_from, target) if not c.equal]
    assert differing.repo == "octo/gadgets"


def test_migrate_prints_the_days_it_verified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source(tmp_path).close()
    source_url, target_url = f"sqlite:///{tmp_path}/source.db", f"sqlite:///{tmp_path}/b.db"
    common = ["--env", "prod", "migrate", "--from", source_url, "--to", target_url]
    code, out, err = run_cli(capsys, *common)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == (
        "moved 2 subjects of prod: 6 series written (36 points), 0 already there; 7 stargazer days"
    )
    assert lines[-2] == "stargazer days: 7 days of 2 repositories, equal day by day"
    target = SqlStore(target_url, environment="prod")
    target.write_stargazer_days(GADGETS, [StargazerDay(FIRST + timedelta(days=9), 1, 0)])
    target.close()  # a day only the target has: a migration leaves it, the check finds it
    code, out, err = run_cli(capsys, *common)
    assert code == 1
    assert "the stargazer days of octo/gadgets differ: 2 days in --from, 3 in --to" in err
    assert err.splitlines()[-1] == (
        "verification failed: 0 of 10 series and the stargazer days of 1 repositories differ"
    )


@pytest.mark.parametrize(
    ("held", "follows", "mark", "counts", "written", "taken"),
    [
        ([], False, MARK, (5, 0, 0, 0, 0), 5, MARK),
        (ages(5), False, None, (0, 0, 5, 0, 0), 0, None),
        (ages(2, listed=40), False, MARK, (3, 2, 0, 0, 0), 5, MARK),
        (ages(2, listed=40), True, MARK, (0, 0, 0, 5, 0), 0, None),
        (ages(7), True, None, (0, 0, 5, 0, 2), 0, None),
        (ages(7), False, MARK, (0, 0, 5, 0, 2), 0, None),  # its own days after the mark
        (ages(7), False, MARK + timedelta(days=3), (0, 0, 5, 0, 2), 0, MARK + timedelta(days=3)),
    ],
    ids=[
        "none-held",
        "same",
        "some-differ",
        "follows",
        "follows-with-more",
        "own-days-from-the-mark",
        "own-days-before-the-mark",
    ],
)
def test_incoming_days_are_written_unless_the_store_follows_the_list(
    held: list[StargazerDay],
    follows: bool,
    mark: datetime | None,
    counts: tuple[int, int, int, int, int],
    written: int,
    taken: datetime | None,
) -> None:
    changes = DayChanges()
    copy = compare_days(ages(5), held, changes, incoming_mark=mark, follows=follows)
    got = (changes.new, changes.changed, changes.same, changes.kept, changes.only_in_target)
    assert got == counts
    assert (len(copy.days), copy.mark) == (written, taken)
    assert changes.marks == (taken is not None)
