"""One router per resource; ``create_app`` includes them."""

from ossgrowth.api.routers import (
    about,
    admin,
    compare,
    compat,
    embeds,
    growth,
    operations,
    overview,
    repos,
    series,
)

__all__ = [
    "about",
    "admin",
    "compare",
    "compat",
    "embeds",
    "growth",
    "operations",
    "overview",
    "repos",
    "series",
]
