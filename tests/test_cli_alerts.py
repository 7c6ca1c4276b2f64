"""``ossgrowth alerts``: rules made, listed and deleted, and the delivery history."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ossgrowth.alert_types import AlertEvent, DeliveryStatus
from ossgrowth.config import load_settings
from ossgrowth.model import Family, RepoName
from ossgrowth.store import open_store
from tests.test_cli import run_cli

WIDGETS = RepoName("octo", "widgets")
HOOK = "https://93.184.215.14/hooks/T0/B0/secret-path"
AT = datetime(2026, 11, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")


def test_rules_are_added_listed_and_deleted_without_their_secret(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", "whsec-from-the-environment")
    run_cli(capsys, "track", "octo/widgets")
    code, out, err = run_cli(
        capsys,
        "alerts", "rules", "add", "widgets 1k",
        "--repo", "OCTO/widgets", "--value", "1000", "--target", HOOK,
        "--secret-env", "HOOK_SECRET",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.strip() == (
        "alert rule 1 made: milestone of stars star_count, value 1000 for octo/widgets, "
        "to webhook https://93.184.215.14/…"
    )
    code, out, _ = run_cli(
        capsys,
        "alerts", "rules", "add", "weekly drop", "--kind", "downloads-drop",
        "--family", "downloads", "--percent", "40", "--channel", "email",
        "--target", "team@example.com", "--disabled",
    )  # fmt: skip
    assert code == 0 and "downloads-drop of downloads weekly_downloads, percent 40" in out
    code, out, _ = run_cli(capsys, "alerts", "rules", "list")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].split("\t") == [
        "id", "name", "kind", "field", "params", "scope", "target", "secret_set", "enabled",
        "created_at",
    ]  # fmt: skip
    first = lines[1].split("\t")
    assert first[:9] == [
        "1", "widgets 1k", "milestone", "stars.star_count", "value 1000", "octo/widgets",
        "webhook https://93.184.215.14/…", "yes", "yes",
    ]  # fmt: skip
    assert lines[2].split("\t")[6:9] == ["email team@example.com", "no", "no"]
    code, out, _ = run_cli(capsys, "alerts", "rules", "list", "--json")
    listed = json.loads(out)
    assert [rule["params"] for rule in listed] == [{"value": 1000}, {"percent": 40}]
    assert "whsec" not in out and "secret-path" not in out
    code, out, _ = run_cli(capsys, "alerts", "rules", "delete", "1", "--yes")
    assert code == 0 and out.strip() == "deleted alert rule 1 (widgets 1k)"
    code, _, err = run_cli(capsys, "alerts", "rules", "delete", "1", "--yes")
    assert code == 2 and err.startswith("Error: there is no alert rule 1")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--kind", "spike", "--k", "5000"], "params.k is a number above 1 and at most 1,000"),
        (["--target", "http://127.0.0.1:9/x"], "OSSGROWTH_ALERTS_ALLOW_PRIVATE_TARGETS=true"),
        (["--family", "galaxies"], "unknown family 'galaxies'"),
        (["--k", "3"], "a milestone rule takes no 'k'"),
        (["--repo", "a/b", "--collection", "c"], "give one of them"),
        (["--repo", "no/such"], "no/such is not tracked"),
        (["--secret-env", "UNSET_SECRET"], "UNSET_SECRET holds no secret"),
        (["--channel", "slack", "--target", "ftp://x"], "a target is an http(s) URL"),
    ],
)
def test_a_refused_rule_is_one_line_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    code, out, err = run_cli(
        capsys, "alerts", "rules", "add", "r", "--target", "https://93.184.215.14/h", *arguments
    )
    assert code == 2 and out == ""
    assert err.startswith("Error: ") and message in err and err.count("\n") == 1


def test_a_ten_kilobyte_name_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "alerts", "rules", "add", "n" * 10_240, "--target", HOOK)
    assert code == 2 and "at most 200 characters, not 10,240" in err


def test_private_targets_are_taken_when_the_operator_allows_them(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OSSGROWTH_ALERTS_ALLOW_PRIVATE_TARGETS", "true")
    code, out, _ = run_cli(
        capsys, "alerts", "rules", "add", "local", "--target", "http://127.0.0.1:9/x"
    )
    assert code == 0 and "to webhook http://127.0.0.1:9/…" in out


def test_the_history_shows_each_delivery_newest_first(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "alerts", "history")[1].strip() == "no deliveries yet"
    run_cli(capsys, "track", "octo/widgets")
    run_cli(capsys, "alerts", "rules", "add", "w", "--target", HOOK)
    store = open_store(load_settings())
    events = [
        AlertEvent(1, f"milestone:octo/widgets:star_count:{n}", WIDGETS, Family.STARS,
                   AT.replace(hour=h), f"octo/widgets reached {n} stars")
        for h, n in ((1, 1000), (2, 2000))
    ]  # fmt: skip
    store.write_points([], events=events)
    first = store.due_deliveries(now=AT)[0]
    assert store.claim_delivery(first.id, owner="t", now=AT, until=AT.replace(hour=13))
    store.settle_delivery(
        first.id,
        owner="t",
        status=DeliveryStatus.FAILED,
        attempts=8,
        at=AT,
        error="the receiver answered 410",
    )
    store.close()
    code, out, _ = run_cli(capsys, "alerts", "history")
    rows = [line.split("\t") for line in out.strip().splitlines()]
    assert rows[0] == [
        "id", "rule_id", "status", "attempts", "summary", "created_at", "delivered_at",
        "next_attempt_at", "last_error",
    ]  # fmt: skip
    assert [row[2] for row in rows[1:]] == ["pending", "failed"]
    assert rows[2][3:5] == ["8", "octo/widgets reached 1000 stars"]
    assert rows[2][-1] == "the receiver answered 410"
    code, out, _ = run_cli(capsys, "alerts", "history", "--status", "failed", "--json")
    (failed,) = json.loads(out)
    assert failed["id"] == first.id and failed["created_at"] == "2026-11-01T01:00:00Z"
    code, _, err = run_cli(capsys, "alerts", "history", "--status", "lost")
    assert code == 2 and "lost" in err
