"""Settings come from defaults, a TOML file, the environment and CLI flags, in that rising order."""

from __future__ import annotations

from pathlib import Path

import pytest

from ossgrowth.config import Environment, load_settings, mask_url_password
from ossgrowth.errors import ConfigError


def test_defaults_use_a_sqlite_file_per_environment_in_the_xdg_data_dir(tmp_path: Path) -> None:
    dev = load_settings()
    prod = load_settings(environment="prod")
    assert dev.environment is Environment.DEV
    assert dev.resolved_store_url == f"sqlite:///{tmp_path / 'xdg-data' / 'ossgrowth' / 'dev.db'}"
    assert prod.resolved_store_url.endswith("/ossgrowth/prod.db")
    assert dev.timezone == "America/Los_Angeles"
    assert prod.resolved_store_schema == "prod"


def test_home_is_used_when_xdg_data_home_is_unset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert load_settings().resolved_store_url.endswith("home/.local/share/ossgrowth/dev.db")


def test_environment_variables_beat_the_toml_file_and_flags_beat_both(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "ossgrowth.toml").write_text('environment = "staging"\ntimezone = "Europe/Paris"\n')
    assert load_settings().environment is Environment.STAGING
    monkeypatch.setenv("OSSGROWTH_ENVIRONMENT", "prod")
    settings = load_settings()
    assert settings.environment is Environment.PROD and settings.timezone == "Europe/Paris"
    assert load_settings(environment="dev").environment is Environment.DEV


def test_a_named_config_file_is_read_and_a_missing_one_is_an_error(tmp_path: Path) -> None:
    custom = tmp_path / "elsewhere.toml"
    custom.write_text('github_api_url = "https://ghes.example/api/v3"\n')
    settings = load_settings(custom)
    assert settings.github_api_url == "https://ghes.example/api/v3"
    assert settings.resolved_graphql_url == "https://ghes.example/api/v3/graphql"
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "missing.toml")


def test_tokens_are_a_comma_separated_pool_and_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSSGROWTH_GITHUB_TOKENS", "ghp_canaryONE, ghp_canaryTWO")
    monkeypatch.setenv("OSSGROWTH_STAGING_PASSWORD", "hunter2-canary")
    settings = load_settings(store_url="postgresql+psycopg://app:s3cret-canary@db:5432/ossgrowth")
    assert [token.get_secret_value() for token in settings.github_tokens] == [
        "ghp_canaryONE",
        "ghp_canaryTWO",
    ]
    shown = " ".join(settings.public_view().values()) + repr(settings) + str(settings)
    for secret in ("ghp_canaryONE", "ghp_canaryTWO", "hunter2-canary", "s3cret-canary"):
        assert secret not in shown
    assert settings.public_view()["github_tokens"] == "2 set (values hidden)"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"environment": "qa"}, "environment"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"github_api_url": "not a url"}, "is not an http"),
        ({"log_level": "LOUD"}, "unknown log level"),
        ({"store_schema": "Bad-Schema"}, "store_schema"),
    ],
)
def test_invalid_settings_are_one_clear_error(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        load_settings(**overrides)
    assert "\n" not in str(raised.value)


def test_an_unknown_setting_in_the_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "ossgrowth.toml").write_text("colour = 'blue'\n")
    with pytest.raises(ConfigError, match="colour: unknown setting"):
        load_settings()


def test_a_broken_toml_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "ossgrowth.toml").write_text("environment = \n")
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings()


def test_passwords_in_urls_are_masked() -> None:
    assert mask_url_password("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    assert mask_url_password("sqlite:///x.db") == "sqlite:///x.db"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OSSGROWTH_GITHUB_TOKENS", "ghp_canaryONE\r\nX-Injected: 1"),
        ("OSSGROWTH_GITHUB_TOKENS", "ghp_canaryONE,ghp_canary TWO"),
        ("OSSGROWTH_ADMIN_TOKEN", "admin-canary\nsecond line"),
        ("OSSGROWTH_STAGING_PASSWORD", "hunter2-canary\x1b[2J"),
    ],
)
def test_a_secret_with_a_line_break_or_a_space_is_refused_without_being_shown(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert variable.removeprefix("OSSGROWTH_").lower() in message
    assert "canary" not in message
    assert "\n" not in message and "\r" not in message


def test_a_config_file_nested_too_deeply_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "ossgrowth.toml").write_text("a = " + "[" * 10_000 + "]" * 10_000 + "\n")
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_settings()


def test_without_configured_tokens_githubs_own_variables_are_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_settings().github_tokens == []
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_from_actions\n")  # as read from a file
    assert [t.get_secret_value() for t in load_settings().github_tokens] == ["ghp_from_actions"]
    monkeypatch.setenv("GH_TOKEN", "ghp_from_cli")  # GitHub's CLI prefers it
    assert [t.get_secret_value() for t in load_settings().github_tokens] == ["ghp_from_cli"]
    monkeypatch.setenv("OSSGROWTH_GITHUB_TOKENS", "ghp_one,ghp_two")  # configured: those
    assert len(load_settings().github_tokens) == 2
    monkeypatch.delenv("OSSGROWTH_GITHUB_TOKENS")
    monkeypatch.setenv("GH_TOKEN", "ghp_canary\r\nX: 1")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert "control character" in str(raised.value) and "canary" not in str(raised.value)


def test_the_lease_is_read_from_its_name_its_file_key_and_its_deprecated_old_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert load_settings().lease_seconds == 60
    (tmp_path / "ossgrowth.toml").write_text("lease_seconds = 30\n")
    assert load_settings().lease_seconds == 30
    monkeypatch.setenv("OSSGROWTH_BACKFILL_LEASE_SECONDS", "45")  # the old name, deprecated
    assert load_settings().lease_seconds == 45
    monkeypatch.setenv("OSSGROWTH_LEASE_SECONDS", "90")  # the new name wins over the old
    assert load_settings().lease_seconds == 90
    assert load_settings(lease_seconds=120).lease_seconds == 120
    assert load_settings().public_view()["lease_seconds"] == "90.0"


def test_a_lease_out_of_bounds_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSSGROWTH_BACKFILL_LEASE_SECONDS", "0")
    with pytest.raises(ConfigError, match="OSSGROWTH_LEASE_SECONDS: .* greater than") as raised:
        load_settings()
    assert "\n" not in str(raised.value)
