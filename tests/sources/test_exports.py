"""``ossgrowth.sources.__all__`` names exactly what the package offers."""

from __future__ import annotations

import importlib
import pkgutil

import ossgrowth.sources as sources


def test_every_exported_name_exists_and_is_listed_once() -> None:
    assert len(set(sources.__all__)) == len(sources.__all__)
    for name in sources.__all__:
        assert hasattr(sources, name), name


def test_every_module_lists_what_it_defines_in_its_all() -> None:
    for module_info in pkgutil.iter_modules(sources.__path__):
        module = importlib.import_module(f"ossgrowth.sources.{module_info.name}")
        exported = set(module.__all__)
        for name in exported:
            assert hasattr(module, name), f"{module_info.name}.{name}"
        defined = {
            name
            for name, value in vars(module).items()
            if not name.startswith("_")
            and getattr(value, "__module__", None) == module.__name__
            and isinstance(value, type | type(test_every_module_lists_what_it_defines_in_its_all))
        }
        assert defined <= exported, f"{module_info.name} does not export {defined - exported}"
