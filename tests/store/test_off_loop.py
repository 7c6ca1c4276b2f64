"""No coroutine calls the store directly: every store call from async code runs in a worker
thread through :func:`ossgrowth.store.off_loop`, so no request waits on a write.

The check reads the package's source: inside each ``async def`` (not in functions nested in
it), a call of a method of something named ``store`` (``store.x()``, ``self._store.x()``,
``context.store.x()`` …) must be handed to ``off_loop`` rather than called.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import ossgrowth

PACKAGE = Path(ossgrowth.__file__).parent


def _is_store(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id in {"store", "_store"}
    if isinstance(node, ast.Attribute):
        return node.attr in {"store", "_store"}
    return False


def _body_nodes(function: ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The nodes of ``function``'s own body, not of functions or lambdas defined in it."""
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        yield node
        pending.extend(ast.iter_child_nodes(node))


def _blocking(node: ast.AST, awaited: set[int]) -> bool:
    """A store method called, or a function handed the store and not awaited (a sync helper
    that would call it here)."""
    if not isinstance(node, ast.Call):
        return False
    if isinstance(node.func, ast.Attribute) and _is_store(node.func.value):
        return True
    if id(node) in awaited or _hands_on(node.func):
        return False
    arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
    return any(_is_store(argument) for argument in arguments)


HANDS_ON = {"off_loop", "read_off_loop", "cls", "partial", "start_soon"}
"""Callables that take the store without calling it on the loop: they run it in a thread,
build an object or a coroutine that is awaited later, or start a task."""


def _hands_on(func: ast.expr) -> bool:
    """Whether a call of ``func`` only hands the store on: one of :data:`HANDS_ON` (by name or
    as a method, ``group.start_soon``), or a class being built (a capitalised name, or its
    alternative constructor ``Class.from_…``)."""
    name = func.attr if isinstance(func, ast.Attribute) else ast.unparse(func)
    if isinstance(func, ast.Attribute) and name.startswith("from_"):
        return ast.unparse(func.value)[:1].isupper()
    return name in HANDS_ON or name[:1].isupper()


def direct_store_calls() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.AsyncFunctionDef):
                continue
            nodes = list(_body_nodes(function))
            awaited = {id(node.value) for node in nodes if isinstance(node, ast.Await)}
            for node in nodes:
                if _blocking(node, awaited):
                    where = path.relative_to(PACKAGE)
                    call = ast.unparse(node.func)  # type: ignore[attr-defined]
                    found.append(f"{where}:{node.lineno} {function.name}: {call}")  # type: ignore[attr-defined]
    return found


def test_async_code_never_calls_the_store_on_the_event_loop() -> None:
    assert direct_store_calls() == []


@pytest.mark.parametrize(
    ("line", "blocks"),
    [
        ("self._store.write_points([])", True),
        ("context.store.list_runs(5)", True),
        ("helper(store, 1)", True),
        ("await off_loop(store.write_points, [])", False),
        ("await helper(store)", False),
        ("group.start_soon(renew, store)", False),
        ("work = partial(collect, store)", False),
        ("scheduler = Scheduler(store)", False),
        ("sender = Dispatcher.from_settings(settings, store)", False),
        ("rows = table.from_store(store)", True),
        ("print(store.environment)", False),
    ],
)
def test_the_check_sees_calls_that_block(line: str, blocks: bool) -> None:
    function = ast.parse(f"async def f(self, store, context):\n    {line}\n").body[0]
    assert isinstance(function, ast.AsyncFunctionDef)
    nodes = list(_body_nodes(function))
    awaited = {id(node.value) for node in nodes if isinstance(node, ast.Await)}
    assert any(_blocking(node, awaited) for node in nodes) is blocks
