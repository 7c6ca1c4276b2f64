"""pyproject.toml says what the package needs: every import is declared, and the tools that
``make lint`` runs strictly are pinned to the versions installed."""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "ossgrowth"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

CORE = [Requirement(line) for line in PROJECT["dependencies"]]
EXTRAS = {
    extra: [Requirement(line) for line in lines]
    for extra, lines in PROJECT["optional-dependencies"].items()
}
PINNED_TOOLS = ("mypy", "ruff")
"""`make lint` fails on any new finding of these: a release must not change its verdict."""
UNDECLARED_ON_PURPOSE = {
    "packaging": "only `ossgrowth aws package` needs it; aws/package.py says how to install it",
}


def imports(path: Path, *, module_level_only: bool = False) -> Iterator[str]:
    """The top-level names of the absolute imports in ``path`` (those a function makes too,
    unless ``module_level_only``)."""
    tree = ast.parse(path.read_text(), str(path))
    nodes = ast.iter_child_nodes(tree) if module_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.partition(".")[0]


@functools.cache
def distribution_of(module: str) -> str:
    """The installed distribution that provides ``module``, by its canonical name."""
    providers = _providers().get(module)
    assert providers, f"no installed distribution provides {module!r}"
    return canonicalize_name(providers[0])


@functools.cache
def _providers() -> dict[str, list[str]]:
    return dict(importlib.metadata.packages_distributions())


def third_party(modules: Iterator[str]) -> set[str]:
    return {
        module
        for module in modules
        if module not in sys.stdlib_module_names and module != "ossgrowth"
    }


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_imported_distribution_is_declared() -> None:
    declared = {canonicalize_name(r.name) for r in CORE}
    declared |= {canonicalize_name(r.name) for lines in EXTRAS.values() for r in lines}
    imported = third_party(module for path in SOURCES for module in imports(path))
    undeclared = {
        module: distribution_of(module)
        for module in imported - set(UNDECLARED_ON_PURPOSE)
        if distribution_of(module) not in declared
    }
    assert undeclared == {}, "declare these in pyproject.toml"
    assert set(UNDECLARED_ON_PURPOSE) <= imported, "an exception no module needs any more"


def test_modules_import_only_core_dependencies_at_load() -> None:
    """An extra's distribution (boto3, mangum …) is imported by the function that needs it, so
    every module loads without the extras."""
    core = {canonicalize_name(r.name) for r in CORE}
    extras_at_load = {
        str(path.relative_to(PACKAGE)): sorted(outside)
        for path in SOURCES
        if (
            outside := {
                module
                for module in third_party(imports(path, module_level_only=True))
                if distribution_of(module) not in core
            }
        )
    }
    assert extras_at_load == {}


@pytest.mark.parametrize("tool", PINNED_TOOLS)
def test_lint_tools_are_pinned_to_the_installed_version(tool: str) -> None:
    (requirement,) = [r for r in EXTRAS["dev"] if canonicalize_name(r.name) == tool]
    (specifier,) = requirement.specifier
    assert specifier.operator == "==", f"pin {tool} exactly: {requirement}"
    installed = importlib.metadata.version(tool)
    assert specifier.version == installed, f"{tool} {installed} installed: run make venv"
