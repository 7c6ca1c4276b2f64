"""What ``ossgrowth doctor`` and ``ossgrowth tokens`` find: one finding a line, and what to do.

Each check asks one thing of the settings, the store, the upstreams or the machine and never
changes anything: the store is opened without migrating, GitHub is asked ``GET /rate_limit``
(which costs no budget), npm and PyPI stats are only asked to answer. A token is named by its
position and its last four characters, never whole.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import httpx
from sqlalchemy.engine import make_url

from ossgrowth.collect.staleness import staleness
from ossgrowth.config import Environment, Settings
from ossgrowth.errors import OssgrowthError
from ossgrowth.store import open_store
from ossgrowth.store.dynamo_tables import is_dynamodb_url
from ossgrowth.store.engines import describe_url

__all__ = ["Finding", "TokenState", "diagnose", "token_states"]

Status = Literal["ok", "warn", "fail"]
_TIMEOUT_SECONDS = 5.0
_DISK_WARN_BYTES = 1 << 30


@dataclass(frozen=True, slots=True)
class Finding:
    """One check's outcome: ``fail`` makes the doctor exit non-zero."""

    status: Status
    topic: str
    message: str


@dataclass(frozen=True, slots=True)
class TokenState:
    """What GitHub says of one configured token."""

    name: str
    """``token 2 (…a1b2)``: its position and last four characters."""
    valid: bool
    detail: str
    """Why it is not valid, or its scopes."""
    core: tuple[int, int, datetime] | None = None
    """Requests left, limit and reset of the REST budget."""
    graphql: tuple[int, int, datetime] | None = None


def token_states(
    settings: Settings, transport: httpx.BaseTransport | None = None
) -> list[TokenState]:
    """Each configured token as GitHub's ``/rate_limit`` sees it (no budget spent)."""
    states = []
    with httpx.Client(transport=transport, timeout=_TIMEOUT_SECONDS) as client:
        for position, secret in enumerate(settings.github_tokens, start=1):
            token = secret.get_secret_value()
            name = f"token {position} (…{token[-4:]})"
            try:
                answer = client.get(
                    f"{settings.github_api_url}/rate_limit",
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Accept": "application/vnd.github+json",
                    },
                )
            except httpx.HTTPError as error:
                states.append(
                    TokenState(name, False, f"GitHub did not answer ({type(error).__name__})")
                )
                continue
            if answer.status_code == 401:
                states.append(
                    TokenState(name, False, "GitHub refuses it (401): revoked or mistyped")
                )
                continue
            if answer.status_code != 200:
                states.append(TokenState(name, False, f"GitHub answered {answer.status_code}"))
                continue
            resources = answer.json().get("resources", {})
            scopes = answer.headers.get("x-oauth-scopes")
            states.append(
                TokenState(
                    name,
                    True,
                    "scopes: " + (scopes or "none") if scopes is not None else "scopes: not told",
                    _budget(resources.get("core")),
                    _budget(resources.get("graphql")),
                )
            )
    return states


def _budget(bucket: object) -> tuple[int, int, datetime] | None:
    if not isinstance(bucket, dict):
        return None
    try:
        reset = datetime.fromtimestamp(int(bucket["reset"]), UTC)
        return int(bucket["remaining"]), int(bucket["limit"]), reset
    except (KeyError, TypeError, ValueError):
        return None


def diagnose(
    settings: Settings, now: datetime, transport: httpx.BaseTransport | None = None
) -> list[Finding]:
    """Every check, in the order an operator would fix them."""
    findings = [
        Finding(
            "ok",
            "settings",
            f"{settings.environment.value}, time zone {settings.timezone} (now "
            f"{now.astimezone(settings.zone):%Y-%m-%d %H:%M %Z}), store "
            f"{describe_url(settings.resolved_store_url)}",
        )
    ]
    findings += _store_findings(settings, now)
    findings += _disk_findings(settings)
    findings += _token_findings(settings, transport)
    findings += _upstream_findings(settings, transport)
    return findings


def _store_findings(settings: Settings, now: datetime) -> list[Finding]:
    upgrade = f"run: ossgrowth --env {settings.environment.value} db upgrade"
    try:
        store = open_store(settings)
        store.ping()
        revision = store.schema_revision()
    except OssgrowthError as error:
        return [Finding("fail", "store", str(error))]
    try:
        if revision is None:
            if settings.environment is Environment.DEV:  # any command creates dev's
                return [
                    Finding(
                        "warn", "store", "answers; no schema yet (the first command creates it)"
                    )
                ]
            return [Finding("fail", "store", f"answers, but has no schema yet; {upgrade}")]
        if revision != store.newest_revision:
            newer = revision > store.newest_revision
            return [
                Finding(
                    "fail",
                    "store",
                    f"schema revision {revision}, this version needs {store.newest_revision}; "
                    + ("use a newer ossgrowth" if newer else f"migrations pending: {upgrade}"),
                )
            ]
        try:
            store.is_current()  # the environment's claim
        except OssgrowthError as error:
            return [Finding("fail", "store", str(error))]
        found = [
            Finding("ok", "store", f"answers; schema revision {revision}, no migration pending")
        ]
        if not store.rollups_ready():
            found.append(
                Finding(
                    "warn", "store", f"rollups are still being built (reads are slower); {upgrade}"
                )
            )
        if store.first_added_at() is None:  # nothing tracked (without listing 100,000)
            found.append(
                Finding("warn", "schedules", "nothing tracked yet: ossgrowth track owner/name")
            )
            return found
        for job in staleness(store, now, settings.zone):
            slot = job.latest_slot.astimezone(settings.zone)
            if job.overdue:
                found.append(
                    Finding(
                        "fail",
                        "schedules",
                        f"{job.job}: the slot of {slot:%Y-%m-%d %H:%M %Z} was missed; is a "
                        "server or `ossgrowth collect` running? see ossgrowth runs --status failed",
                    )
                )
            else:
                found.append(
                    Finding(
                        "ok",
                        "schedules",
                        f"{job.job}: on time (latest slot {slot:%Y-%m-%d %H:%M %Z})",
                    )
                )
        return found
    finally:
        store.close()


def _disk_findings(settings: Settings) -> list[Finding]:
    if is_dynamodb_url(settings.resolved_store_url):
        return []
    url = make_url(settings.resolved_store_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        return []
    folder = Path(url.database).expanduser().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    shown = f"{free / 2**30:.1f} GiB free where the SQLite file is"
    if free < _DISK_WARN_BYTES:
        return [Finding("warn", "disk", f"only {shown}: writes fail when it runs out")]
    return [Finding("ok", "disk", shown)]


def _token_findings(settings: Settings, transport: httpx.BaseTransport | None) -> list[Finding]:
    if not settings.github_tokens:
        return [
            Finding(
                "warn",
                "tokens",
                "none configured: anonymous REST, 60 requests an hour; set "
                "OSSGROWTH_GITHUB_TOKENS (or GH_TOKEN)",
            )
        ]
    found = []
    for state in token_states(settings, transport):
        if not state.valid:
            found.append(Finding("fail", "tokens", f"{state.name}: {state.detail}"))
            continue
        core = "" if state.core is None else f"; REST {state.core[0]} of {state.core[1]} left"
        graphql = (
            "" if state.graphql is None else f", GraphQL {state.graphql[0]} of {state.graphql[1]}"
        )
        found.append(Finding("ok", "tokens", f"{state.name}: valid, {state.detail}{core}{graphql}"))
    return found


def _upstream_findings(settings: Settings, transport: httpx.BaseTransport | None) -> list[Finding]:
    found = []
    with httpx.Client(transport=transport, timeout=_TIMEOUT_SECONDS) as client:
        for name, base, path in (
            ("GitHub", settings.github_api_url, "/rate_limit"),
            ("npm downloads", settings.npm_downloads_url, "/downloads/point/last-day/npm"),
            ("PyPI stats", settings.pypistats_url, "/api/packages/pip/recent"),
        ):
            try:
                status = client.get(base + path).status_code
            except httpx.HTTPError as error:
                problem = f"{name} at {base}: no answer ({type(error).__name__})"
                found.append(Finding("fail", "upstreams", problem))
                continue
            state: Status = "ok" if status < 500 else "fail"
            found.append(Finding(state, "upstreams", f"{name} at {base} answers ({status})"))
    return found
