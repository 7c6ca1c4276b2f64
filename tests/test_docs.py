"""The docs stay true: the CLI reference is real --help output, every setting is documented.

Regenerate the CLI reference with ``python -m tests.test_docs``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import typer

from ossgrowth.cli import app
from ossgrowth.config import Settings

ROOT = Path(__file__).resolve().parent.parent
CLI_REFERENCE = ROOT / "docs" / "cli.md"


def command_paths() -> list[list[str]]:
    """Every command and sub-command of the CLI, as argument lists."""
    root = typer.main.get_command(app)
    paths: list[list[str]] = [[]]

    def walk(command: object, prefix: list[str]) -> None:
        for name, child in sorted(getattr(command, "commands", {}).items()):
            paths.append([*prefix, name])
            walk(child, [*prefix, name])

    walk(root, [])
    return paths


def help_text(path: list[str]) -> str:
    environment = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    done = subprocess.run(
        [sys.executable, "-m", "ossgrowth", *path, "--help"],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    return done.stdout.rstrip()


def cli_reference() -> str:
    sections = [
        "# CLI reference",
        "",
        "Generated from the real `--help` output (`python -m tests.test_docs` rewrites it;"
        " a test fails when it is stale).",
    ]
    for path in command_paths():
        title = " ".join(["ossgrowth", *path])
        sections += ["", f"## {title}", "", "```text", help_text(path), "```"]
    return "\n".join(sections) + "\n"


def test_cli_reference_is_generated_from_the_real_help() -> None:
    assert CLI_REFERENCE.read_text() == cli_reference(), "run: python -m tests.test_docs"


def test_every_command_has_help_and_an_example() -> None:
    root = typer.main.get_command(app)
    for path in command_paths()[1:]:
        command = root
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        if getattr(command, "commands", None):
            continue
        assert command.help and "Example:" in command.help, " ".join(path)


def test_every_setting_is_documented() -> None:
    page = (ROOT / "docs" / "configuration.md").read_text()
    for name in Settings.model_fields:
        assert f"OSSGROWTH_{name.upper()}" in page, name


def test_readme_names_the_two_commands_and_links_the_docs() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    for link in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (ROOT / link).exists(), link


if __name__ == "__main__":
    CLI_REFERENCE.write_text(cli_reference())
    print(f"wrote {CLI_REFERENCE}")
