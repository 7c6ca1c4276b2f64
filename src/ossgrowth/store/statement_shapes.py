"""Reads filtered by repository name a chunk of names at a time, in few statement shapes.

A read of some repositories (a collection's members, the repositories an alert rule watches)
names them in the statement, ``repo_key IN (:k0, …)``, at most :data:`KEYS_PER_STATEMENT` a
statement. Each count of names is a statement of its own to compile and keep, so a chunk is
padded to the next power of two by repeating its last name: at most ten shapes per read.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["KEYS_PER_STATEMENT", "key_chunks"]

KEYS_PER_STATEMENT = 512
"""Repositories named in one statement (a power of two)."""


def key_chunks(keys: Iterable[str]) -> list[list[str]]:
    """The distinct ``keys``, sorted, in chunks of at most :data:`KEYS_PER_STATEMENT`, each
    padded to a power of two with its last key; no chunk when there is no key."""
    distinct = sorted(set(keys))
    return [
        _padded(distinct[start : start + KEYS_PER_STATEMENT])
        for start in range(0, len(distinct), KEYS_PER_STATEMENT)
    ]


def _padded(keys: list[str]) -> list[str]:
    size = 1
    while size < len(keys):
        size *= 2
    return keys + [keys[-1]] * (size - len(keys))
