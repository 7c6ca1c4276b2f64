"""One router per resource; ``create_app`` includes them."""

from ossgrowth.api.routers import (
    admin,
    compare,
    compat,
    embeds,
    growth,
    operations,
    repos,
    series,
)

__all__ = ["admin", "compare", "compat", "embeds", "growth", "operations", "repos", "series"]
