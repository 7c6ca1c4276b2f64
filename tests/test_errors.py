"""The tree drawn in ``ossgrowth.errors``' docstring is the real one: every error the package
defines, under its real parent, with the module that defines it."""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass

import ossgrowth
from ossgrowth import errors
from ossgrowth.errors import OssgrowthError

BRANCH = re.compile(r"[├└]── (?P<name>\w+)\s+(?:(?P<module>[a-z_]+(?:\.[a-z_]+)+): )?")


@dataclass(frozen=True)
class Drawn:
    """One error as the tree draws it."""

    parent: str
    module: str


def drawn_tree() -> dict[str, Drawn]:
    """Each error of the docstring's tree by name: its parent, and its module (a branch that
    names none is defined in ``ossgrowth.errors``)."""
    lines = (errors.__doc__ or "").splitlines()
    (root_line,) = [n for n, line in enumerate(lines) if line.strip() == "OssgrowthError"]
    root_column = lines[root_line].index("OssgrowthError")
    path = ["OssgrowthError"]
    tree: dict[str, Drawn] = {}
    for line in lines[root_line + 1 :]:
        if not line.strip():
            break
        branch = BRANCH.search(line)
        assert branch, f"not a branch of the tree: {line!r}"
        depth = (branch.start("name") - root_column) // 4
        path[depth:] = [branch["name"]]
        module = f"ossgrowth.{branch['module']}" if branch["module"] else errors.__name__
        assert branch["name"] not in tree, f"drawn twice: {branch['name']}"
        tree[branch["name"]] = Drawn(parent=path[depth - 1], module=module)
    return tree


def defined_errors() -> dict[str, Drawn]:
    """Each subclass of OssgrowthError in the package, after importing every module."""
    for info in pkgutil.walk_packages(ossgrowth.__path__, "ossgrowth."):
        if ".alembic" not in info.name and not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    found: dict[str, Drawn] = {}
    pending = [OssgrowthError]
    while pending:
        cls = pending.pop()
        for child in cls.__subclasses__():
            if not child.__module__.startswith("ossgrowth."):
                continue
            (parent,) = [base for base in child.__bases__ if issubclass(base, OssgrowthError)]
            assert child.__name__ not in found, f"two errors named {child.__name__}"
            found[child.__name__] = Drawn(parent=parent.__name__, module=child.__module__)
            pending.append(child)
    return found


def test_the_docstring_tree_is_every_error_under_its_parent_with_its_module() -> None:
    assert drawn_tree() == defined_errors()
