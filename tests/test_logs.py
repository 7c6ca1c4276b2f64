"""Log output: JSON lines with context fields, the same redaction in both formats, never a token."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import anyio
import anyio.to_thread
import pytest

from ossgrowth.api.serve import quiet_server
from ossgrowth.config import load_settings
from ossgrowth.logs import LogFormat, configure_logging, log_context
from ossgrowth.simulator import WorldConfig, build_world
from tests.test_cli import run_cli
from tests.web.served import free_port, running_command

log = logging.getLogger("ossgrowth.tests.logs")

CONFIGURED_TOKEN = "configured-canary-7f3a"
SHAPED_TOKENS = [
    "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    "gho_16C7e42F292c6912E7710c838347Ae178B4a",
    "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
    "github_pat_11ABCDEFG0_abcdefghijklmnopqrstuvwxyz0123456789",
]


@pytest.fixture(autouse=True)
def restored_logging() -> Iterator[None]:
    """Each test configures logging as the CLI does; the next one finds it as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def records(err: str) -> list[dict[str, Any]]:
    """The JSON objects among the lines written to stderr."""
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


def test_json_lines_carry_time_level_logger_message_context_and_extras(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", LogFormat.JSON)
    with log_context(run_id=7, job="collect", repo=None):
        log.info("collected %d repositories", 3, extra={"duration_s": 1.25})
    log.debug("below the level")
    (line,) = records(capsys.readouterr().err)
    assert line == {
        "time": line["time"],
        "level": "INFO",
        "logger": "ossgrowth.tests.logs",
        "message": "collected 3 repositories",
        "run_id": 7,
        "job": "collect",
        "duration_s": 1.25,
    }
    assert datetime.fromisoformat(line["time"]).utcoffset() == timedelta(0)
    assert line["time"].endswith("+00:00")


def test_an_exception_is_one_line_with_its_traceback_as_a_string(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", LogFormat.JSON)
    try:
        raise ValueError("multi\nline")
    except ValueError:
        log.exception("it broke")
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    (line,) = records(err)
    assert line["message"] == "it broke" and line["level"] == "ERROR"
    assert "Traceback" in line["exc"] and "ValueError: multi\nline" in line["exc"]


def test_text_lines_keep_their_format(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("WARNING", LogFormat.TEXT)
    with log_context(run_id=7):
        log.warning("budget low: %d left", 5)
    assert capsys.readouterr().err == "WARNING ossgrowth.tests.logs: budget low: 5 left\n"


def test_context_reaches_tasks_and_worker_threads_started_inside_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", LogFormat.JSON)

    async def job(repo: str) -> None:
        with log_context(repo=repo):
            await anyio.sleep(0)
            log.info("in a task")
            await anyio.to_thread.run_sync(log.info, "in a worker thread")

    async def run() -> None:
        with log_context(run_id=3, job="backfill"):
            async with anyio.create_task_group() as group:
                for repo in ("a/one", "b/two"):
                    group.start_soon(job, repo)
        log.info("after the run")

    anyio.run(run)
    lines = records(capsys.readouterr().err)
    inside = [line for line in lines if line["message"] != "after the run"]
    assert len(inside) == 4
    assert {(line["run_id"], line["job"]) for line in inside} == {(3, "backfill")}
    assert sorted(line["repo"] for line in inside) == ["a/one", "a/one", "b/two", "b/two"]
    (after,) = [line for line in lines if line["message"] == "after the run"]
    assert "run_id" not in after and "repo" not in after


def test_context_fields_cannot_hide_record_attributes() -> None:
    with pytest.raises(ValueError, match="clash"), log_context(name="x"):
        pass


def _log_secret(secret: str, how: str) -> None:
    if how == "message":
        log.warning(f"sending token {secret}")
    elif how == "argument":
        log.warning("sending token %s", secret)
    elif how == "header":
        log.warning("headers: %r", {"Authorization": f"token {secret}"})
    elif how == "bearer":
        log.warning("retrying with Bearer %s", secret)
    elif how == "extra":
        log.warning("sent", extra={"credential": secret, "nested": {"tokens": [secret]}})
    elif how == "exception":
        try:
            raise RuntimeError(f"refused {secret}")
        except RuntimeError:
            log.exception("request failed")
    elif how == "stack":
        log.warning("here %s", "we are", stack_info=True, extra={"seen": (secret,)})


HOW = ["message", "argument", "header", "bearer", "extra", "exception", "stack"]


@pytest.mark.parametrize("log_format", list(LogFormat))
@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("secret", [CONFIGURED_TOKEN, *SHAPED_TOKENS])
def test_a_secret_never_reaches_the_output(
    capsys: pytest.CaptureFixture[str], log_format: LogFormat, how: str, secret: str
) -> None:
    configure_logging("INFO", log_format, secrets=[CONFIGURED_TOKEN])
    _log_secret(secret, how)
    err = capsys.readouterr().err
    assert secret not in err
    if log_format is LogFormat.JSON:
        assert len(records(err)) == 1 and "***" in err
    elif how not in {"extra", "stack"}:  # text lines show no extra fields
        assert "***" in err


def test_settings_name_every_secret_they_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSSGROWTH_GITHUB_TOKENS", "tok-one, tok-two")
    monkeypatch.setenv("OSSGROWTH_STAGING_PASSWORD", "staging-pw")
    monkeypatch.setenv("OSSGROWTH_ADMIN_TOKEN", "admin-tok")
    monkeypatch.setenv("OSSGROWTH_STORE_URL", "postgresql+psycopg://app:p%40ss@db/ossgrowth")
    secrets = set(load_settings().secret_values())
    assert secrets == {"tok-one", "tok-two", "staging-pw", "admin-tok", "p%40ss", "p@ss"}


def test_uvicorn_logs_go_through_the_same_handler(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", LogFormat.JSON, secrets=[CONFIGURED_TOKEN])
    quiet_server(object(), "127.0.0.1", free_port(), "info")
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/x?t={CONFIGURED_TOKEN}", "1.1", 200
    )
    lines = records(capsys.readouterr().err)
    assert [line["logger"] for line in lines] == ["uvicorn.error", "uvicorn.access"]
    assert lines[1]["message"] == '127.0.0.1:5000 - "GET /x?t=*** HTTP/1.1" 200'


@pytest.mark.parametrize(
    ("args", "environment", "json_lines"),
    [
        (["--log-format", "json"], {}, True),
        ([], {"OSSGROWTH_LOG_FORMAT": "json"}, True),
        ([], {"OSSGROWTH_LOG_FORMAT": "JSON"}, True),
        (["--log-format", "text"], {"OSSGROWTH_LOG_FORMAT": "json"}, False),
        ([], {}, False),
    ],
)
def test_the_option_beats_the_variable_and_text_is_the_default(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    environment: dict[str, str],
    json_lines: bool,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    code, out, _ = run_cli(capsys, *args, "config", "show")
    assert code == 0 and f"log_format = {'json' if json_lines else 'text'}" in out
    log.warning("after the command")
    err = capsys.readouterr().err
    if json_lines:
        assert records(err)[-1]["message"] == "after the command"
    else:
        assert err == "WARNING ossgrowth.tests.logs: after the command\n"


@pytest.mark.parametrize(
    ("args", "environment", "message"),
    [
        (
            ["--log-format", "xml"],
            {},
            "Invalid value for '--log-format': Value error, 'xml' is not one of 'text', 'json'",
        ),
        (
            [],
            {"OSSGROWTH_LOG_FORMAT": "xml"},
            "invalid settings: log_format: unknown log format 'xml'; use text or json",
        ),
    ],
)
def test_a_bad_format_is_one_clear_line_and_exit_code_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    environment: dict[str, str],
    message: str,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    code, out, err = run_cli(capsys, *args, "list")
    assert code == 2
    assert err.startswith("Error: ") and message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err


@pytest.mark.slow
def test_collect_once_against_the_simulator_logs_json_lines_with_its_run_id(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    repo = build_world(WorldConfig(seed=0, repo_count=3)).repos[0]
    for name, value in {
        "OSSGROWTH_GITHUB_API_URL": origin,
        "OSSGROWTH_GITHUB_TOKENS": "sim-token-1",
        "OSSGROWTH_NPM_DOWNLOADS_URL": f"{origin}/npm",
        "OSSGROWTH_PYPISTATS_URL": f"{origin}/pypistats",
        "OSSGROWTH_LOG_LEVEL": "INFO",
    }.items():
        monkeypatch.setenv(name, value)
    with running_command(
        ["simulator", "--port", str(port), "--repos", "3"], ready_url=f"{origin}/rate_limit"
    ):
        assert run_cli(capsys, "track", f"{repo.owner}/{repo.name}")[0] == 0
        code, out, err = run_cli(capsys, "--log-format", "json", "collect", "--once")
    assert code == 0, err
    run_id = int(out.split()[1])  # "run 2 succeeded: …"
    lines = records(err)
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    (finished,) = [line for line in lines if line.get("duration_s") is not None]
    assert finished["run_id"] == run_id and finished["job"] == "collect"
    assert finished["status"] == "succeeded" and finished["subjects_ok"] == 1
    assert "sim-token-1" not in out + err
