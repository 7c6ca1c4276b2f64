"""What every upstream client shares: its one HTTP layer, closing it, and what it has spent."""

from __future__ import annotations

from typing import Self

from ossgrowth.sources.http import SourceHttp

__all__ = ["SourceClient"]


class SourceClient:
    """Base of the upstream clients; a subclass sets ``self._http`` in its ``__init__``."""

    _http: SourceHttp

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    @property
    def requests_sent(self) -> int:
        """HTTP requests made so far, retries included (a 304 counts, though it costs no budget)."""
        return self._http.requests_sent
