"""Check an alert rule as a person gives it (the API's body, the CLI's options) before it is
stored: every refusal is an :class:`~ossgrowth.errors.InputError` with one line that says
what was wrong (the API answers 422, the CLI exits 2).

Rules:

- ``name``: 1 to 200 characters once trimmed, without control characters;
- ``kind``: milestone, spike, downloads-drop or overdue; ``family`` a family of the registry;
  ``field`` one of its fields (by default the family's headline; ``weekly_downloads`` for a
  drop): not a ratio, a count for a spike, a weekly window for a drop;
- ``params``, by kind, numbers only, nothing else: milestone ``value`` (optional, above 0,
  at most 10^15); spike ``k`` (above 1, at most 1000) and ``days`` (optional, 7 to 365);
  downloads-drop ``percent`` (above 0, at most 100); overdue ``slots`` (a whole number, 1 to
  1000);
- ``scope``: ``repository`` names a tracked repository, ``collection`` an existing
  collection, ``all`` names nothing;
- ``channel`` and ``target``: a webhook or Slack rule posts to an ``http(s)`` URL of at most
  2,000 characters, without a user name or password, whose host (every address its name
  resolves to) is a public address, unless the operator set
  ``OSSGROWTH_ALERTS_ALLOW_PRIVATE_TARGETS`` (a rule could otherwise make the server call into
  its own network); an e-mail rule's target is one plausible address; ``secret`` (webhooks
  only) is 8 to 200 printable characters without spaces.

The checks are pure but for the host-name resolution, which is given as ``resolve``.
"""

from __future__ import annotations

import ipaddress
import math
import re
import socket
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ossgrowth.alert_types import AlertRule, Channel, RuleKind, Scope
from ossgrowth.collection_names import parse_slug
from ossgrowth.errors import InputError, RuleRefused
from ossgrowth.metrics.registry import FAMILIES, Family, FieldKind, parse_family
from ossgrowth.model import RepoName
from ossgrowth.names import parse_repo

if TYPE_CHECKING:
    from ossgrowth.store.base import Store

__all__ = [
    "MAX_NAME_LENGTH",
    "MAX_TARGET_LENGTH",
    "PARAM_LIMITS",
    "Resolver",
    "RuleDraft",
    "add_rule",
    "check_rule",
    "host_addresses",
    "is_public_address",
    "resolve_host",
    "shown_target",
]

MAX_TARGET_LENGTH = 2000
MAX_NAME_LENGTH = 200
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(rf"[^@\s]{{1,64}}@{_LABEL}(?:\.{_LABEL})+")
_UNSHOWN = frozenset({"Cc", "Cs", "Zl", "Zp"})
_DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SECRET_LENGTHS = (8, 200)

Resolver = Callable[[str], list[str]]
"""A host name → the addresses it resolves to."""


@contextmanager
def _part(parameter: str) -> Iterator[None]:
    """Refusals raised within name ``parameter`` (unless they name a part already)."""
    try:
        yield
    except RuleRefused:
        raise
    except InputError as error:
        raise RuleRefused(str(error), parameter) from None


@dataclass(frozen=True, slots=True)
class _Limit:
    low: float
    high: float
    low_open: bool
    whole: bool = False
    required: bool = True

    def describe(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        opening = "above" if self.low_open else "at least"
        return f"{kind} {opening} {_shown_number(self.low)} and at most {_shown_number(self.high)}"


PARAM_LIMITS: Mapping[RuleKind, Mapping[str, _Limit]] = {
    RuleKind.MILESTONE: {"value": _Limit(0, 1e15, True, required=False)},
    RuleKind.SPIKE: {"k": _Limit(1, 1000, True), "days": _Limit(7, 365, False, True, False)},
    RuleKind.DOWNLOADS_DROP: {"percent": _Limit(0, 100, True)},
    RuleKind.OVERDUE: {"slots": _Limit(1, 1000, False, True)},
}
"""Each kind's parameters and their bounds (see the module doc)."""


@dataclass(frozen=True, slots=True)
class RuleDraft:
    """A rule as given, before any check: text and numbers as they came."""

    name: str
    kind: str
    family: str
    channel: str
    target: str
    field: str | None = None
    scope: str = Scope.ALL.value
    scope_name: str | None = None
    params: Mapping[str, Any] = dataclass_field(default_factory=dict)
    secret: str | None = None
    enabled: bool = True


def _shown_number(value: float) -> str:
    whole = float(value).is_integer() and abs(value) < 1e16
    return f"{int(value):,}" if whole else f"{value:g}"


def _shown(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _name(text: str) -> str:
    name = text.strip()
    if not name:
        raise InputError("an alert rule needs a name")
    if len(name) > MAX_NAME_LENGTH:
        raise InputError(
            f"an alert rule's name is at most {MAX_NAME_LENGTH} characters, not {len(name):,}"
        )
    if any(unicodedata.category(c) in _UNSHOWN or c in _DIRECTION_CONTROLS for c in name):
        raise InputError(f"an alert rule's name has no control characters: {_shown(name)}")
    return name


def _choice(text: str, kind: type[Any], what: str) -> Any:
    try:
        return kind(text.strip().lower())
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise InputError(f"unknown {what} {_shown(text)}; expected one of {known}") from None


def _field(kind: RuleKind, family: Family, given: str | None) -> str:
    row = FAMILIES[family]
    if kind is RuleKind.DOWNLOADS_DROP and family is not Family.DOWNLOADS:
        raise InputError("a downloads-drop rule watches the downloads family")
    default = "weekly_downloads" if kind is RuleKind.DOWNLOADS_DROP else row.headline
    name = default if given is None or not given.strip() else given.strip()
    by_name = {each.name: each for each in row.fields}
    chosen = by_name.get(name)
    if chosen is None:
        raise InputError(
            f"{family.value} has no field {_shown(name)}; its fields: {', '.join(by_name)}"
        )
    if chosen.kind is FieldKind.RATIO:
        raise InputError(f"{name} is a ratio; alert rules watch counts and windows")
    if kind is RuleKind.SPIKE and chosen.kind is not FieldKind.COUNT:
        raise InputError(f"a spike rule watches a count ({name} is a {chosen.kind.value})")
    if kind is RuleKind.DOWNLOADS_DROP and chosen.kind is not FieldKind.WINDOW:
        raise InputError(f"a downloads-drop rule watches a weekly window, not {name}")
    return name


def _params(kind: RuleKind, given: Mapping[str, Any]) -> dict[str, float | int]:
    if not isinstance(given, Mapping):
        raise RuleRefused('params is an object of numbers, such as {"k": 3}', "params")
    limits = PARAM_LIMITS[kind]
    unknown = sorted(set(given) - set(limits))
    if unknown:
        takes = ", ".join(limits) or "none"
        raise RuleRefused(
            f"a {kind.value} rule takes no {_shown(str(unknown[0]))}; it takes {takes}",
            f"params.{unknown[0]}",
        )
    checked: dict[str, float | int] = {}
    for name, limit in limits.items():
        value = given.get(name)
        if value is None:
            if limit.required:
                raise RuleRefused(
                    f"a {kind.value} rule needs params.{name}: {limit.describe()}", f"params.{name}"
                )
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RuleRefused(
                f"params.{name} is {limit.describe()}, not {_shown(str(value))}", f"params.{name}"
            )
        low_ok = value > limit.low if limit.low_open else value >= limit.low
        if not math.isfinite(value) or not low_ok or value > limit.high:
            shown = f", not {_shown_number(value)}" if math.isfinite(value) else ""
            raise RuleRefused(f"params.{name} is {limit.describe()}{shown}", f"params.{name}")
        if limit.whole and not float(value).is_integer():
            raise RuleRefused(
                f"params.{name} is {limit.describe()}, not {value:g}", f"params.{name}"
            )
        checked[name] = int(value) if limit.whole or float(value).is_integer() else float(value)
    return checked


def is_public_address(address: str) -> bool:
    """Whether ``address`` (an IPv4 or IPv6 address, an IPv6 zone allowed) is a public one:
    not private, loopback, link-local, reserved, shared or multicast; an IPv4-mapped IPv6
    address is judged as its IPv4 address.

    Raises:
        ValueError: ``address`` is not an IP address.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _url_target(target: str, *, allow_private: bool, resolve: Resolver) -> str:
    if len(target) > MAX_TARGET_LENGTH:
        raise InputError(
            f"a target URL is at most {MAX_TARGET_LENGTH:,} characters, not {len(target):,}"
        )
    if not target.isprintable() or any(character.isspace() for character in target):
        raise InputError(f"a target URL has no spaces or control characters: {_shown(target)}")
    try:
        parts = urlsplit(target)
        host = parts.hostname
        parts.port  # noqa: B018 (a port out of range raises here)
    except ValueError:
        raise InputError(f"not a URL: {_shown(target)}") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise InputError(
            f"a target is an http(s) URL, such as https://example.com/hook, not {_shown(target)}"
        )
    if parts.username is not None or parts.password is not None:
        raise InputError("a target URL carries no user name or password")
    if allow_private:
        return target
    try:
        addresses = host_addresses(host, resolve)
    except OSError:
        raise InputError(f"the target's host {_shown(host)} does not resolve") from None
    if not addresses:
        raise InputError(f"the target's host {_shown(host)} does not resolve")
    private = [address for address in addresses if not is_public_address(address)]
    if private:
        where = (
            f"the target's address {host} is"
            if _is_ip(host)
            else f"the target's host {_shown(host)} resolves to {private[0]},"
        )
        raise InputError(
            f"{where} a private, loopback or link-local address; the operator allows such "
            "targets with OSSGROWTH_ALERTS_ALLOW_PRIVATE_TARGETS=true"
        )
    return target


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def resolve_host(host: str) -> list[str]:
    """Every address ``host`` resolves to (the system's resolver).

    Raises:
        OSError: it does not resolve.
    """
    found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({str(entry[4][0]) for entry in found})


def host_addresses(host: str, resolve: Resolver = resolve_host) -> list[str]:
    """The addresses a URL's ``host`` stands for: itself when it is an IP address, else what
    ``resolve`` finds. Made when a rule is checked, and again when a delivery is sent
    (:mod:`ossgrowth.delivery.public_addresses`), each time judged by
    :func:`is_public_address`.

    Raises:
        OSError: the name does not resolve.
    """
    return [host] if _is_ip(host) else resolve(host)


def _target(channel: Channel, target: str, *, allow_private: bool, resolve: Resolver) -> str:
    target = target.strip()
    if not target:
        raise InputError("a rule needs a target: a URL, or an e-mail address")
    if channel is Channel.EMAIL:
        if len(target) > 254 or not _EMAIL.fullmatch(target) or not target.isprintable():
            raise InputError(
                "an e-mail rule's target is one address, such as team@example.com, "
                f"not {_shown(target)}"
            )
        return target
    return _url_target(target, allow_private=allow_private, resolve=resolve)


def _secret(channel: Channel, secret: str | None) -> str | None:
    if secret is None or secret == "":
        return None
    if channel is not Channel.WEBHOOK:
        raise InputError("a secret signs webhook bodies; slack and email rules take none")
    low, high = _SECRET_LENGTHS
    if not low <= len(secret) <= high:
        raise InputError(f"a secret is {low} to {high} characters, not {len(secret)}")
    if not secret.isprintable() or any(character.isspace() for character in secret):
        raise InputError("a secret has no spaces or control characters")
    return secret


def check_rule(
    draft: RuleDraft,
    *,
    created_at: datetime,
    tracked: Callable[[RepoName], RepoName | None],
    collection_exists: Callable[[str], bool],
    allow_private_targets: bool,
    resolve: Resolver = resolve_host,
) -> AlertRule:
    """The rule ``draft`` describes, checked (not stored yet).

    Args:
        draft: the rule as given.
        created_at: when it is made.
        tracked: the repository's tracked name, or ``None`` when it is not tracked.
        collection_exists: whether a collection slug exists.
        allow_private_targets: the operator's ``alerts_allow_private_targets``.
        resolve: how a host name becomes addresses.

    Raises:
        RuleRefused: one line naming what is wrong (see the module doc), and the part.
    """
    with _part("name"):
        name = _name(draft.name)
    with _part("kind"):
        kind: RuleKind = _choice(draft.kind, RuleKind, "rule kind")
    with _part("family"):
        family = parse_family(draft.family)
    with _part("field"):
        rule_field = _field(kind, family, draft.field)
    params = _params(kind, draft.params)
    with _part("scope"):
        scope: Scope = _choice(draft.scope, Scope, "scope")
    with _part("scope_name"):
        scope_name = _scope_name(scope, draft.scope_name, tracked, collection_exists)
    with _part("channel"):
        channel: Channel = _choice(draft.channel, Channel, "channel")
    with _part("target"):
        target = _target(
            channel, draft.target, allow_private=allow_private_targets, resolve=resolve
        )
    with _part("secret"):
        secret = _secret(channel, draft.secret)
    return AlertRule(
        name=name,
        kind=kind,
        family=family,
        field=rule_field,
        scope=scope,
        scope_name=scope_name,
        channel=channel,
        target=target,
        params=params,
        secret=secret,
        enabled=bool(draft.enabled),
        created_at=created_at,
    )


def _scope_name(
    scope: Scope,
    given: str | None,
    tracked: Callable[[RepoName], RepoName | None],
    collection_exists: Callable[[str], bool],
) -> str | None:
    text = (given or "").strip()
    if scope is Scope.ALL:
        if text:
            raise InputError("a rule on all repositories names no repository or collection")
        return None
    if not text:
        raise InputError(
            "name the repository (owner/name)"
            if scope is Scope.REPOSITORY
            else "name the collection (its slug)"
        )
    if scope is Scope.REPOSITORY:
        repo = tracked(parse_repo(text))
        if repo is None:
            raise InputError(f"{text} is not tracked; track it with: ossgrowth track {text}")
        return repo.full_name
    slug = parse_slug(text)
    if not collection_exists(slug):
        raise InputError(
            f"there is no collection {slug!r}; see them with: ossgrowth collection list"
        )
    return slug


def shown_target(target: str) -> str:
    """A target as answers and lists show it: an e-mail address whole, a URL's scheme and
    host only (a webhook's path or query is often its secret: Slack's is)."""
    if "://" not in target:
        return target
    parts = urlsplit(target)
    rest = "/…" if (parts.path not in ("", "/") or parts.query) else ""
    return f"{parts.scheme}://{parts.netloc}{rest}"


def add_rule(
    store: Store,
    draft: RuleDraft,
    *,
    created_at: datetime,
    allow_private_targets: bool,
    resolve: Resolver = resolve_host,
) -> AlertRule:
    """Check ``draft`` against ``store`` (tracked repositories, collections) and store it;
    the one way the API and the CLI make a rule.

    Raises:
        InputError: the rule is refused (see :func:`check_rule`).
    """

    def tracked(repo: RepoName) -> RepoName | None:
        subject = store.get_subject(repo)
        return None if subject is None else subject.repo

    rule = check_rule(
        draft,
        created_at=created_at,
        tracked=tracked,
        collection_exists=lambda slug: store.get_collection(slug) is not None,
        allow_private_targets=allow_private_targets,
        resolve=resolve,
    )
    return store.add_alert_rule(rule)
