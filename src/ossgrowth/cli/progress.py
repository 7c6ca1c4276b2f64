"""The backfill's progress on the terminal: a Rich bar per repository, on stderr.

Each bar shows pages stored out of pages known to be needed (the total grows as first pages
reveal how long each list is), the requests left in the GitHub budget and an ETA.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from ossgrowth.model import RepoName

__all__ = ["BackfillBars", "RollupBar", "StepBar"]


class BackfillBars:
    """A :class:`~ossgrowth.collect.Progress` drawn with Rich; use it as a context manager.

    Args:
        budget_left: requests the GitHub token pool is known to have left, or ``None``.
        console: where to draw (default: stderr).
    """

    def __init__(
        self, budget_left: Callable[[], int | None], console: Console | None = None
    ) -> None:
        self._budget_left = budget_left
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("pages  budget left: {task.fields[budget]}"),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> BackfillBars:
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def _task(self, repo: RepoName) -> TaskID:
        if repo.key not in self._tasks:
            self._tasks[repo.key] = self._progress.add_task(
                repo.full_name, total=0, budget=self._budget()
            )
        return self._tasks[repo.key]

    def _budget(self) -> str:
        left = self._budget_left()
        return "unknown" if left is None else f"{left:,}"

    def planned(self, repo: RepoName, pages: int) -> None:
        task = self._task(repo)
        total = self._progress.tasks[self._tasks_index(task)].total or 0
        self._progress.update(task, total=total + pages)

    def advanced(self, repo: RepoName, pages: int) -> None:
        self._progress.update(self._task(repo), advance=pages, budget=self._budget())

    def _tasks_index(self, task: TaskID) -> int:
        return next(i for i, found in enumerate(self._progress.tasks) if found.id == task)


class RollupBar:
    """One bar while the rollups of existing points are built; nothing when there are none."""

    def __init__(self, console: Console | None = None) -> None:
        self._progress = Progress(
            TextColumn("building rollups"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
            transient=True,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> RollupBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._task is not None:
            self._progress.stop()

    def advance(self, done: int, total: int) -> None:
        """Show ``done`` of ``total`` series built."""
        if self._task is None:
            self._progress.start()
            self._task = self._progress.add_task("rollups", total=total)
        self._progress.update(self._task, completed=done, total=total)


class StepBar:
    """One bar on stderr for a long step of a command (exporting, checking, writing): done of
    in all, with an estimate of the time left. Use it as a context manager."""

    def __init__(self, label: str, console: Console | None = None) -> None:
        console = console or Console(stderr=True)
        self._progress = Progress(
            TextColumn(label),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,  # a log file gets the command's lines only
        )
        self._task = self._progress.add_task(label, total=None)

    def __enter__(self) -> StepBar:
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def advance(self, done: int, total: int) -> None:
        """Show ``done`` of ``total``."""
        self._progress.update(self._task, completed=done, total=total)
