"""Alert rules as people give them: a clear one-line refusal for each bad part."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from ossgrowth.alert_rules_input import RuleDraft, check_rule, resolve_host, shown_target
from ossgrowth.alert_types import AlertRule, Channel, RuleKind, Scope
from ossgrowth.errors import InputError
from ossgrowth.model import Family, RepoName

NOW = datetime(2026, 12, 3, tzinfo=UTC)
TRACKED = {"octo/widgets": RepoName("Octo", "Widgets")}
HOSTS = {
    "hooks.example.com": ["93.184.215.14"],
    "intranet.example.com": ["192.168.1.5"],
    "split.example.com": ["93.184.215.14", "10.1.2.3"],
    "metadata.example.com": ["169.254.169.254"],
    "six.example.com": ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
}


def resolve(host: str) -> list[str]:
    if host not in HOSTS:
        raise OSError(f"{host}: name or service not known")
    return HOSTS[host]


def never_resolve(host: str) -> list[str]:
    raise AssertionError(f"{host} was resolved")


def draft(**changes: Any) -> RuleDraft:
    base = RuleDraft(
        name="stars",
        kind="milestone",
        family="stars",
        channel="webhook",
        target="https://hooks.example.com/ossgrowth",
    )
    return dataclasses.replace(base, **changes)


def check(given: RuleDraft, *, allow_private: bool = False) -> AlertRule:
    return check_rule(
        given,
        created_at=NOW,
        tracked=lambda repo: TRACKED.get(repo.key),
        collection_exists=lambda slug: slug == "tools",
        allow_private_targets=allow_private,
        resolve=resolve,
    )


def test_a_plain_rule_takes_the_familys_headline_and_watches_everything() -> None:
    rule = check(draft(name="  stars  ", secret="signing-key-1"))
    assert rule == AlertRule(
        name="stars",
        kind=RuleKind.MILESTONE,
        family=Family.STARS,
        field="star_count",
        scope=Scope.ALL,
        channel=Channel.WEBHOOK,
        target="https://hooks.example.com/ossgrowth",
        params={},
        secret="signing-key-1",
        created_at=NOW,
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"kind": "downloads-drop", "family": "downloads", "params": {"percent": 30}},
            "weekly_downloads",
        ),
        ({"kind": "spike", "family": "reach", "params": {"k": 3}}, "forks"),
        ({"kind": "milestone", "family": "prs", "field": "merged_prs"}, "merged_prs"),
        ({"kind": "overdue", "family": "issues", "params": {"slots": 2}}, "open_issues"),
    ],
)
def test_each_kind_has_its_default_field(changes: dict[str, Any], expected: str) -> None:
    assert check(draft(**changes)).field == expected


def test_scopes_are_named_as_the_store_knows_them() -> None:
    one = check(draft(scope="repository", scope_name="https://github.com/octo/WIDGETS"))
    assert (one.scope, one.scope_name) == (Scope.REPOSITORY, "Octo/Widgets")
    group = check(draft(scope="Collection", scope_name="Tools"))
    assert (group.scope, group.scope_name) == (Scope.COLLECTION, "tools")


def test_parameters_are_kept_as_numbers_within_bounds() -> None:
    spike = check(draft(kind="spike", params={"k": 3.0, "days": 14}))
    assert spike.params == {"k": 3, "days": 14}
    assert check(draft(kind="spike", params={"k": 1000})).params == {"k": 1000}
    assert check(draft(kind="spike", params={"k": 1.5})).params == {"k": 1.5}
    assert check(draft(params={"value": 2500})).params == {"value": 2500}
    assert check(draft(kind="overdue", params={"slots": 1000})).params == {"slots": 1000}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "x" * 10_240}, "at most 200 characters, not 10,240"),
        ({"name": "   "}, "needs a name"),
        ({"name": "bell\x07"}, "no control characters"),
        ({"kind": "tsunami"}, "unknown rule kind 'tsunami'; expected one of milestone, spike"),
        ({"family": "nonsense"}, "unknown family 'nonsense'"),
        ({"field": "stargazers"}, "stars has no field 'stargazers'"),
        ({"family": "prs", "field": "ratio"}, "ratio is a ratio"),
        (
            {
                "kind": "spike",
                "family": "downloads",
                "field": "weekly_downloads",
                "params": {"k": 2},
            },
            "a spike rule watches a count",
        ),
        ({"kind": "downloads-drop", "params": {"percent": 10}}, "watches the downloads family"),
        (
            {
                "kind": "downloads-drop",
                "family": "downloads",
                "field": "total_downloads",
                "params": {"percent": 10},
            },
            "weekly window",
        ),
        ({"kind": "spike"}, "a spike rule needs params.k: a number above 1 and at most 1,000"),
        ({"kind": "spike", "params": {"k": 1}}, "params.k is a number above 1"),
        ({"kind": "spike", "params": {"k": 1e9}}, "not 1,000,000,000"),
        (
            {"kind": "spike", "params": {"k": 1e300}},
            "params.k is a number above 1 and at most 1,000, not 1e+300",
        ),
        ({"kind": "spike", "params": {"k": float("nan")}}, "params.k is a number above 1"),
        ({"kind": "spike", "params": {"k": float("inf")}}, "params.k is a number above 1"),
        ({"kind": "spike", "params": {"k": "3"}}, "not '3'"),
        ({"kind": "spike", "params": {"k": True}}, "not 'True'"),
        (
            {"kind": "spike", "params": {"k": 3, "days": 3}},
            "params.days is a whole number at least 7",
        ),
        (
            {"kind": "spike", "params": {"k": 3, "window": 3}},
            "a spike rule takes no 'window'; it takes k, days",
        ),
        (
            {"kind": "downloads-drop", "family": "downloads", "params": {"percent": 0}},
            "above 0 and at most 100",
        ),
        ({"kind": "downloads-drop", "family": "downloads", "params": {"percent": 101}}, "not 101"),
        ({"kind": "overdue", "params": {"slots": 0}}, "params.slots is a whole number at least 1"),
        ({"kind": "overdue", "params": {"slots": 1001}}, "at most 1,000"),
        ({"kind": "overdue", "params": {"slots": 1.5}}, "not 1.5"),
        ({"params": {"value": 0}}, "params.value is a number above 0"),
        ({"params": {"value": -5}}, "params.value is a number above 0"),
        ({"params": ["k"]}, "params is an object of numbers"),
        ({"scope": "galaxy"}, "unknown scope 'galaxy'"),
        ({"scope": "all", "scope_name": "octo/widgets"}, "names no repository or collection"),
        ({"scope": "repository"}, "name the repository"),
        ({"scope": "repository", "scope_name": "octo/gadgets"}, "octo/gadgets is not tracked"),
        ({"scope": "repository", "scope_name": "not a repo"}, "repository must be owner/name"),
        ({"scope": "collection", "scope_name": "gone"}, "there is no collection 'gone'"),
        ({"scope": "collection", "scope_name": "Not A Slug!"}, "a collection slug is"),
        ({"channel": "pigeon"}, "unknown channel 'pigeon'; expected one of webhook, slack, email"),
        ({"target": ""}, "a rule needs a target"),
        ({"target": "ftp://hooks.example.com/x"}, "a target is an http(s) URL"),
        ({"target": "https:///no-host"}, "a target is an http(s) URL"),
        ({"target": "https://hooks.example.com:99999/x"}, "not a URL"),
        (
            {"target": "https://hooks.example.com/" + "a" * 2000},
            "at most 2,000 characters, not 2,026",
        ),
        ({"target": "https://hooks.example.com/a b"}, "no spaces or control characters"),
        ({"target": "https://user:pw@hooks.example.com/x"}, "no user name or password"),
        ({"target": "https://nowhere.example.com/x"}, "'nowhere.example.com' does not resolve"),
        (
            {"channel": "email", "target": "not-an-address"},
            "an e-mail rule's target is one address",
        ),
        ({"channel": "email", "target": "a@localhost"}, "an e-mail rule's target is one address"),
        (
            {"channel": "email", "target": "a b@example.com"},
            "an e-mail rule's target is one address",
        ),
        ({"channel": "slack", "secret": "signing-key-1"}, "slack and email rules take none"),
        ({"secret": "short"}, "a secret is 8 to 200 characters, not 5"),
        ({"secret": "has a space"}, "no spaces or control characters"),
    ],
)
def test_a_bad_part_is_refused_in_one_clear_line(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError) as refused:
        check(draft(**changes))
    text = str(refused.value)
    assert message in text
    assert "\n" not in text and len(text) < 400


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.0.0.1/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "https://intranet.example.com/hook",
        "https://split.example.com/hook",  # one of its addresses is private
        "https://metadata.example.com/hook",
    ],
)
def test_private_targets_are_refused_unless_the_operator_allows_them(target: str) -> None:
    for channel in ("webhook", "slack"):
        with pytest.raises(InputError, match="OSSGROWTH_ALERTS_ALLOW_PRIVATE_TARGETS=true"):
            check(draft(channel=channel, target=target))
    allowed = check_rule(
        draft(target=target),
        created_at=NOW,
        tracked=lambda repo: None,
        collection_exists=lambda slug: False,
        allow_private_targets=True,
        resolve=never_resolve,
    )
    assert allowed.target == target


def test_public_targets_and_addresses_are_taken() -> None:
    assert check(draft(target="https://six.example.com/h")).target == "https://six.example.com/h"
    assert check(draft(target="http://93.184.215.14/h")).target == "http://93.184.215.14/h"
    assert check(draft(channel="email", target=" team@example.com ")).target == "team@example.com"
    assert check(draft(channel="SLACK", target="https://hooks.example.com/T/B/x")).secret is None


def test_the_system_resolver_gives_every_address_of_a_name() -> None:
    assert {"127.0.0.1", "::1"} & set(resolve_host("localhost"))
    with pytest.raises(OSError):
        resolve_host("no-such-host.invalid")


@pytest.mark.parametrize(
    ("target", "shown"),
    [
        ("https://hooks.slack.com/services/T000/B000/XXXX", "https://hooks.slack.com/…"),
        ("https://example.com", "https://example.com"),
        ("https://example.com/?token=abc", "https://example.com/…"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("team@example.com", "team@example.com"),
    ],
)
def test_targets_are_shown_without_their_path(target: str, shown: str) -> None:
    assert shown_target(target) == shown
