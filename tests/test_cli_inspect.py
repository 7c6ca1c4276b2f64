"""``runs`` and ``rows``: what an operator reads of a running system, for people and scripts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ossgrowth.cli.inspect import claim_state, claim_words
from ossgrowth.collect.slots import SCHEDULES, latest_slot
from ossgrowth.config import load_settings
from ossgrowth.model import (
    Ecosystem,
    Family,
    PackageRef,
    Point,
    Provenance,
    RepoName,
    Run,
    RunStatus,
    SlotClaim,
)
from ossgrowth.store import open_store
from tests.test_cli import run_cli
from tests.web.served import free_port, running_command

T0 = datetime(2026, 11, 30, 8, tzinfo=UTC)
HOUR = timedelta(hours=1)
VITE = RepoName("vitejs", "vite")
NPM_VITE = PackageRef(Ecosystem.NPM, "vite")


@pytest.fixture
def recorded(capsys: pytest.CaptureFixture[str]) -> None:
    """vite tracked with npm:vite, a few points of two families, three runs."""
    assert run_cli(capsys, "track", "vitejs/vite", "--npm", "vite")[0] == 0
    store = open_store(load_settings())
    store.write_points(
        [
            *(
                Point(
                    VITE,
                    Family.STARS,
                    T0 + timedelta(hours=3 * step),
                    {"star_count": 100 + step},
                    Provenance.RECONSTRUCTED if step < 2 else Provenance.MEASURED,
                    "github-graphql",
                )
                for step in range(5)
            ),
            Point(
                VITE,
                Family.DOWNLOADS,
                T0,
                {"weekly_downloads": 700, "total_downloads": None},
                Provenance.MEASURED,
                "npm-downloads",
                package=NPM_VITE,
            ),
        ]
    )
    store.record_run(
        Run(
            job="collect:stars#1/2",
            environment="dev",
            started_at=T0,
            finished_at=T0 + timedelta(seconds=42),
            status=RunStatus.SUCCEEDED,
            counts={"subjects": 1, "points": 1},
            requests_spent=1,
        )
    )
    store.record_run(
        Run(
            job="collect:prs+issues",
            environment="dev",
            started_at=T0 + timedelta(days=1),
            status=RunStatus.FAILED,
            error="cannot reach GitHub\tat all",
        )
    )
    store.record_run(
        Run(job="backfill:stars", environment="dev", started_at=T0 + timedelta(days=2))
    )
    store.close()
    capsys.readouterr()


@pytest.mark.usefixtures("recorded")
def test_runs_lists_the_newest_first_and_filters_by_job_status_and_day(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "runs")
    lines = out.splitlines()
    assert code == 0 and lines[0].split("\t")[:3] == ["id", "job", "status"]
    assert [line.split("\t")[1] for line in lines[1:]] == [
        "backfill:stars",
        "collect:prs+issues",
        "collect:stars#1/2",
    ]
    failed = lines[2].split("\t")
    assert failed[2] == "failed" and failed[-1] == "cannot reach GitHub at all"  # one line
    code, out, _ = run_cli(capsys, "runs", "--job", "collect:stars", "--json")
    (only,) = json.loads(out)
    assert only["job"] == "collect:stars#1/2" and only["seconds"] == 42
    assert only["started_at"] == "2026-11-30T08:00:00Z" and only["counts"]["points"] == 1
    code, out, _ = run_cli(capsys, "runs", "--status", "running", "--json")
    assert [run["job"] for run in json.loads(out)] == ["backfill:stars"]
    code, out, _ = run_cli(capsys, "runs", "--since", "2026-12-01", "--limit", "1", "--json")
    assert [run["job"] for run in json.loads(out)] == ["backfill:stars"]
    code, out, _ = run_cli(capsys, "runs", "--since", "2027-01-01")
    assert code == 0 and out.strip() == "no runs recorded that match"
    code, _, err = run_cli(capsys, "runs", "--since", "yesterday")
    assert code == 2 and "--since must be a day as YYYY-MM-DD" in err


@pytest.mark.usefixtures("recorded")
def test_rows_prints_the_newest_points_as_stored(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "rows", "vitejs/vite", "stars", "--limit", "3", "--json")
    stored = json.loads(out)
    assert code == 0 and [row["star_count"] for row in stored] == [102, 103, 104]
    assert stored[0]["observed_at"] == "2026-11-30T14:00:00Z"
    assert stored[0]["local_time"] == "2026-11-30 06:00 PST"
    assert {row["provenance"] for row in stored} == {"measured"}
    code, out, _ = run_cli(capsys, "rows", "vitejs/vite", "star-growth")  # the seed's name
    lines = out.splitlines()
    assert lines[0].split("\t") == [
        "observed_at",
        "local_time",
        "star_count",
        "provenance",
        "source",
    ]
    assert lines[1].split("\t")[2:] == ["100", "reconstructed", "github-graphql"]
    code, out, _ = run_cli(capsys, "rows", "vitejs/vite", "downloads")  # its one package
    assert out.splitlines()[1].split("\t")[2:] == ["700", "—", "measured", "npm-downloads"]
    code, out, _ = run_cli(capsys, "rows", "vitejs/vite", "prs")
    assert code == 0 and out.strip() == "no prs points stored for vitejs/vite"


@pytest.mark.usefixtures("recorded")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rows", "octo/gone", "stars"], "octo/gone is not tracked"),
        (["rows", "vitejs/vite", "forks"], "forks"),
        (["rows", "vitejs/vite", "stars", "--package", "npm:vite"], "drop --package"),
        (["rows", "vitejs/vite", "downloads", "--package", "pypi:vite"], "not a package"),
        (["runs", "--status", "lost"], "'lost' is not one of"),
    ],
)
def test_bad_input_is_one_error_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("Error: ") and message in err and len(err.strip().splitlines()) == 1


def test_schedules_tell_each_latest_slot_its_claims_and_the_next(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = load_settings()
    stars = next(schedule for schedule in SCHEDULES if schedule.name == "collect:stars")
    store = open_store(settings)
    store.upgrade()
    for _ in range(3):  # a slot may begin while the command runs: then ask again
        now = datetime.now(UTC)
        slot = latest_slot(stars, now, settings.zone)
        store.claim_slot("collect:stars#1/2", slot, owner="host-a:1", now=now, until=now + HOUR)
        store.finish_slot("collect:stars#1/2", slot, owner="host-a:1", now=now)
        store.claim_slot("collect:stars#2/2", slot, owner="host-b:7", now=now, until=now + HOUR)
        code, out, err = run_cli(capsys, "schedules", "--json")
        assert code == 0, err
        if latest_slot(stars, datetime.now(UTC), settings.zone) == slot:
            break
    store.close()
    listed = {entry["job"]: entry for entry in json.loads(out)}
    assert code == 0 and set(listed) == {"collect:stars", "collect:prs+issues", "collect:downloads"}
    taken = listed["collect:stars"]
    assert taken["when"] == "every 3 hours from 00:00 (America/Los_Angeles)"
    assert taken["latest_slot"] == slot.isoformat().replace("+00:00", "Z")
    assert taken["state"] == "running"
    assert [claim["owner"] for claim in taken["claims"]] == ["host-a:1", "host-b:7"]
    assert listed["collect:downloads"]["state"] == "not taken"
    assert listed["collect:stars"]["overdue"] is False
    assert listed["collect:downloads"]["next_slot"] > listed["collect:downloads"]["latest_slot"]
    code, out, _ = run_cli(capsys, "schedules")
    line = next(line for line in out.splitlines() if line.startswith("collect:stars\t"))
    assert "1 part done, collect:stars#2/2 running (host-b:7 until " in line


def test_a_slots_claims_read_done_running_or_stalled() -> None:
    slot = T0
    later = T0 + timedelta(hours=2)

    def claim(part: str, until: datetime, finished: datetime | None = None) -> SlotClaim:
        return SlotClaim(part, slot, "host:1", slot, until, finished)

    done = claim("collect:stars#1/2", slot + HOUR, slot + timedelta(minutes=5))
    lost = claim("collect:stars#2/2", slot + HOUR)  # its runner died: the lease ran out
    assert claim_state([], later) == "not taken"
    assert claim_state([done], later) == "done"
    assert claim_state([done, lost], later) == "stalled"
    assert claim_state([done, lost], slot + timedelta(minutes=30)) == "running"
    assert claim_words([done, lost], later, UTC) == (
        "1 part done, 1 stalled (their runner stopped; the next runner takes them)"
    )


@pytest.mark.slow  # a simulator in a process of its own
def test_doctor_and_tokens_tell_a_valid_token_from_a_refused_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    for name, value in {
        "OSSGROWTH_GITHUB_API_URL": origin,
        "OSSGROWTH_GITHUB_TOKENS": "sim-token-1,ghp_canaryrefused99",
        "OSSGROWTH_NPM_DOWNLOADS_URL": f"{origin}/npm",
        "OSSGROWTH_PYPISTATS_URL": f"{origin}/pypistats",
    }.items():
        monkeypatch.setenv(name, value)
    with running_command(
        ["simulator", "--port", str(port), "--repos", "3"], ready_url=f"{origin}/rate_limit"
    ):
        code, out, err = run_cli(capsys, "tokens", "--json")
        states = json.loads(out)
        assert code == 1 and [state["valid"] for state in states] == [True, False]
        assert states[0]["token"] == "token 1 (…en-1)" and states[0]["core"]["limit"] == 5000
        assert states[1]["detail"] == "GitHub refuses it (401): revoked or mistyped"
        code, out, err = run_cli(capsys, "doctor")
    assert "canaryrefused" not in out + err and "sim-token-1" not in out + err
    lines = out.splitlines()
    assert code == 1 and err.strip() == "1 problem to fix"
    assert "FAIL  tokens: token 2 (…ed99): GitHub refuses it (401): revoked or mistyped" in lines
    assert f"ok    upstreams: GitHub at {origin} answers (200)" in lines
    assert "warn  store: answers; no schema yet (the first command creates it)" in lines


def test_doctor_names_what_to_fix_without_network_or_schema(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("GITHUB_API_URL", "NPM_DOWNLOADS_URL", "PYPISTATS_URL"):
        monkeypatch.setenv(f"OSSGROWTH_{name}", "http://127.0.0.1:9")  # nothing listens
    code, out, _ = run_cli(capsys, "--env", "prod", "doctor")
    lines = out.splitlines()
    assert code == 1
    assert lines[0].startswith("ok    settings: prod, time zone America/Los_Angeles (now ")
    assert (
        "FAIL  store: answers, but has no schema yet; run: ossgrowth --env prod db upgrade" in lines
    )
    assert any(line.startswith("warn  tokens: none configured") for line in lines)
    assert "FAIL  upstreams: GitHub at http://127.0.0.1:9: no answer (ConnectError)" in lines
    assert run_cli(capsys, "--env", "prod", "list")[0] == 2  # doctor migrated nothing
