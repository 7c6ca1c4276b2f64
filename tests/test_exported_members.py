"""Each package's ``__all__`` names exactly what it exports."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import ossgrowth

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(ossgrowth.__path__, "ossgrowth.")
    if ".alembic" not in info.name and not info.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_only_existing_public_names(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    for member in exported:
        assert hasattr(module, member), f"{name}.__all__ names missing {member}"
    assert len(set(exported)) == len(exported)
