"""GitHub URLs: repository paths, and the ``Link`` pagination header (next page, last page)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

from ossgrowth.model import RepoName

__all__ = ["last_page", "link_targets", "next_page_url", "repo_path"]

_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="([^"]+)"')


def link_targets(header: str | None) -> dict[str, str]:
    """The URLs of a ``Link`` header by relation (``next``, ``last``, ``prev``, ``first``)."""
    if not header:
        return {}
    targets: dict[str, str] = {}
    for url, relations in _LINK.findall(header):
        for relation in relations.split():
            targets[relation] = url
    return targets


def next_page_url(header: str | None) -> str | None:
    """The URL of the next page, or ``None`` on the last one."""
    return link_targets(header).get("next")


def last_page(header: str | None) -> int | None:
    """The ``page`` number of the ``rel="last"`` link, or ``None`` when there is none.

    With ``per_page=1`` this is the exact number of items in one request.
    """
    url = link_targets(header).get("last")
    if url is None:
        return None
    pages = parse_qs(urlsplit(url).query).get("page")
    if not pages or not pages[0].isdigit():
        return None
    return int(pages[0])


def repo_path(repo: RepoName) -> str:
    """``owner/name`` escaped for a URL path."""
    return f"{quote(repo.owner, safe='')}/{quote(repo.name, safe='')}"
