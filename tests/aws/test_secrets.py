"""Secrets read from Secrets Manager (moto's server): the seed's token shapes, the API secret,
a cache that picks up a rotation, and errors that name the secret but never its value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from ossgrowth.aws.container import SETTINGS_TTL_SECONDS, Container
from ossgrowth.aws.secrets import SECRET_TTL_SECONDS, SecretCache, SecretError
from tests.aws.conftest import ADMIN_TOKEN, OTHER_TOKEN, STAGING_PASSWORD, TOKEN

MakeSecret = Callable[[dict[str, Any] | str], str]


class MovingClock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def values(tokens: list[Any]) -> list[str]:
    return [token.get_secret_value() for token in tokens]


@pytest.fixture
def endpoint(moto_endpoint: str, aws_credentials: None, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    return moto_endpoint


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"token": TOKEN}, [TOKEN]),
        ({"tokens": [TOKEN, OTHER_TOKEN]}, [TOKEN, OTHER_TOKEN]),
        ({"token": TOKEN, "tokens": [OTHER_TOKEN, TOKEN]}, [TOKEN, OTHER_TOKEN]),
        ({"token": f"  {TOKEN}\n", "rotated_on": 20261201}, [TOKEN]),
    ],
)
def test_the_seeds_token_shapes_give_each_token_once_in_order(
    document: dict[str, Any], expected: list[str], endpoint: str, make_secret: MakeSecret
) -> None:
    name = make_secret(document)

    assert values(SecretCache().github_tokens(name)) == expected


def test_the_api_secret_gives_the_admin_token_and_the_staging_password_each_optional(
    endpoint: str, make_secret: MakeSecret
) -> None:
    cache = SecretCache()

    both = cache.api_secrets(
        make_secret({"admin_token": ADMIN_TOKEN, "staging_password": STAGING_PASSWORD})
    )
    only_admin = cache.api_secrets(
        make_secret({"admin_token": ADMIN_TOKEN, "staging_password": ""})
    )

    assert both.admin_token is not None and both.staging_password is not None
    assert both.admin_token.get_secret_value() == ADMIN_TOKEN
    assert both.staging_password.get_secret_value() == STAGING_PASSWORD
    assert only_admin.staging_password is None
    assert STAGING_PASSWORD not in repr(both) and ADMIN_TOKEN not in str(both)


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        (f"token={TOKEN}", "is not a JSON object"),
        (f'["{TOKEN}"]', "is not a JSON object"),
        ({"tokens": []}, "holds no GitHub token"),
        ({"token": ""}, "holds no GitHub token"),
        ({"github_token": TOKEN}, "holds no GitHub token"),
        ({"token": [TOKEN, OTHER_TOKEN]}, '"token" must be one string'),
    ],
)
def test_a_malformed_token_secret_is_an_error_naming_it_never_its_value(
    stored: dict[str, Any] | str, message: str, endpoint: str, make_secret: MakeSecret
) -> None:
    name = make_secret(stored)

    with pytest.raises(SecretError, match=message) as raised:
        SecretCache().github_tokens(name)

    assert name in str(raised.value)
    assert TOKEN not in str(raised.value) and OTHER_TOKEN not in str(raised.value)
    assert raised.value.__cause__ is None  # no parser error chained (it may quote the text)
    assert raised.value.__context__ is None or raised.value.__suppress_context__


def test_a_secret_that_does_not_exist_is_an_error_naming_it(endpoint: str) -> None:
    with pytest.raises(SecretError, match="'ossgrowth/dev/absent' was not found"):
        SecretCache().github_tokens("ossgrowth/dev/absent")


def test_a_secret_is_read_once_while_fresh_and_a_rotation_shows_after_its_time_to_live(
    endpoint: str, make_secret: MakeSecret
) -> None:
    name = make_secret({"token": TOKEN})
    clock = MovingClock()
    cache = SecretCache(monotonic=clock)
    assert values(cache.github_tokens(name)) == [TOKEN]

    boto3.client("secretsmanager").put_secret_value(SecretId=name, SecretString='{"token": "x2"}')
    clock.seconds += SECRET_TTL_SECONDS - 1
    kept = values(cache.github_tokens(name))
    clock.seconds += 1
    rotated = values(cache.github_tokens(name))

    assert (kept, rotated) == ([TOKEN], ["x2"])


def test_the_project_endpoint_variable_is_used_when_the_standard_one_is_unset(
    moto_endpoint: str,
    aws_credentials: None,
    monkeypatch: pytest.MonkeyPatch,
    make_secret: MakeSecret,
) -> None:
    name = make_secret({"token": TOKEN})
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("OSSGROWTH_AWS_ENDPOINT_URL", moto_endpoint)

    assert values(SecretCache().github_tokens(name)) == [TOKEN]


def test_an_unreachable_secrets_manager_is_an_error_naming_the_secret(
    aws_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # the discard port: refused

    with pytest.raises(SecretError, match="cannot reach Secrets Manager for 'ossgrowth/dev/api'"):
        SecretCache().api_secrets("ossgrowth/dev/api")


def test_a_rotated_token_reaches_the_functions_settings_within_the_secrets_time_to_live(
    endpoint: str, make_secret: MakeSecret, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = make_secret({"token": TOKEN})
    monkeypatch.setenv("OSSGROWTH_GITHUB_TOKEN_SECRET", name)
    monkeypatch.setenv("OSSGROWTH_STORE_URL", "sqlite:///lambda.db")
    clock = MovingClock()
    container = Container(SecretCache(monotonic=clock), monotonic=clock)
    assert values(container.settings(github_tokens=True).github_tokens) == [TOKEN]

    boto3.client("secretsmanager").put_secret_value(
        SecretId=name, SecretString=f'{{"token": "{OTHER_TOKEN}"}}'
    )
    clock.seconds += SETTINGS_TTL_SECONDS
    before_the_secrets_time = values(container.settings(github_tokens=True).github_tokens)
    clock.seconds += SECRET_TTL_SECONDS - SETTINGS_TTL_SECONDS
    after = values(container.settings(github_tokens=True).github_tokens)

    assert (before_the_secrets_time, after) == ([TOKEN], [OTHER_TOKEN])
    assert container.settings().github_tokens == []  # the API's settings read no token
