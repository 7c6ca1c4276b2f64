"""REST page parameters and the ``Link`` header, as GitHub writes them.

GitHub links every page of a repository's lists through ``/repositories/{id}/…`` whatever
path the first request used, keeps the request's other parameters, puts ``page`` last, and
lists relations in the order prev, next, last, first (octokit's 2022 recording).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

__all__ = ["Page", "link_header", "page_request"]


@dataclass(frozen=True, slots=True)
class Page:
    """A page request: ``number`` from 1, ``size`` items."""

    number: int
    size: int

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size

    def last_number(self, total: int) -> int:
        """The number of the last page of ``total`` items (1 when empty)."""
        return max(1, -(-total // self.size))


def _integer(text: str | None, default: int) -> int:
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        return default  # GitHub ignores a page parameter it cannot read


def page_request(query: dict[str, str], *, default_size: int = 30, max_size: int = 100) -> Page:
    """The page asked for: ``per_page`` clamped to ``1..max_size``, ``page`` at least 1."""
    size = _integer(query.get("per_page"), default_size)
    size = default_size if size < 1 else min(size, max_size)
    number = max(1, _integer(query.get("page"), 1))
    return Page(number, size)


def link_header(
    base_path_url: str, query: dict[str, str], page: Page, total: int, max_page: int | None = None
) -> str | None:
    """The ``Link`` header of ``page`` over ``total`` items, or ``None`` for a single page.

    Args:
        base_path_url: absolute URL of the list without a query, e.g.
            ``https://host/repositories/1/issues``.
        query: the request's parameters; ``page`` is replaced.
        page: the page being answered.
        total: how many items the list holds.
        max_page: the deepest page GitHub lets a client reach (``rel="last"`` stops there).
    """
    last = page.last_number(total)
    if max_page is not None:
        last = min(last, max_page)
    if last <= 1 and page.number <= 1:
        return None
    others = {key: value for key, value in query.items() if key != "page"}

    def url(number: int) -> str:
        return f"{base_path_url}?{urlencode({**others, 'page': str(number)})}"

    relations = []
    if page.number > 1:
        relations.append((url(min(page.number - 1, last + 1)), "prev"))
    if page.number < last:
        relations.append((url(page.number + 1), "next"))
        relations.append((url(last), "last"))
    if page.number > 1:
        relations.append((url(1), "first"))
    return ", ".join(f'<{target}>; rel="{relation}"' for target, relation in relations)
