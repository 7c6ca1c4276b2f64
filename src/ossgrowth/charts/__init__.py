"""Pure SVG rendering of charts and badges: no I/O, no third-party chart library."""

from ossgrowth.charts.svg import (
    BADGE_COLORS,
    THEMES,
    Theme,
    compact_number,
    render_badge,
    render_chart,
)

__all__ = ["BADGE_COLORS", "THEMES", "Theme", "compact_number", "render_badge", "render_chart"]
