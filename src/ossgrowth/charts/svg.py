"""SVG line charts and flat badges as text. Every piece of user text is XML-escaped.

A chart draws one line per run of observations; a gap (``None``) breaks the line instead of
dropping to zero. Badges follow the shields.io flat style, with text widths estimated per
character, so no font is needed.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from xml.sax.saxutils import escape

__all__ = ["BADGE_COLORS", "THEMES", "Theme", "compact_number", "render_badge", "render_chart"]


class Theme(enum.StrEnum):
    """Colour schemes of the chart."""

    LIGHT = "light"
    DARK = "dark"


@dataclass(frozen=True, slots=True)
class _Palette:
    background: str
    text: str
    grid: str
    line: str


THEMES = MappingProxyType(
    {
        Theme.LIGHT: _Palette("#ffffff", "#24292f", "#d0d7de", "#0969da"),
        Theme.DARK: _Palette("#0d1117", "#e6edf3", "#30363d", "#58a6ff"),
    }
)
BADGE_COLORS = MappingProxyType({"label": "#555", "value": "#007ec6", "missing": "#9f9f9f"})
_CHARACTER_WIDTH_PIXELS = 6.8
_PADDING_PIXELS = 10


def _attribute(text: str) -> str:
    """``text`` escaped for a double-quoted XML attribute."""
    return escape(text, {'"': "&quot;"})


def compact_number(value: float | None) -> str:
    """``1234`` → ``1.2k``, ``2500000`` → ``2.5M``; ``None`` → ``n/a``."""
    if value is None:
        return "n/a"
    magnitude = abs(value)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= threshold:
            shown = f"{value / threshold:.1f}".removesuffix(".0")
            return f"{shown}{suffix}"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}"


def render_chart(
    epoch_seconds: Sequence[int],
    values: Sequence[float | None],
    *,
    title: str,
    theme: Theme = Theme.LIGHT,
    width_pixels: int = 600,
    height_pixels: int = 300,
) -> str:
    """A line chart of ``values`` over ``epoch_seconds`` with its title and value range."""
    palette = THEMES[theme]
    left, right, top, bottom = 56, 12, 32, 28
    plot_width = max(1, width_pixels - left - right)
    plot_height = max(1, height_pixels - top - bottom)
    known = [value for value in values if value is not None]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width_pixels}" '
        f'height="{height_pixels}" viewBox="0 0 {width_pixels} {height_pixels}" role="img" '
        f'aria-label="{_attribute(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="100%" height="100%" fill="{palette.background}"/>',
        f'<text x="{left}" y="20" fill="{palette.text}" font-family="sans-serif" '
        f'font-size="14">{escape(title)}</text>',
    ]
    if not known or not epoch_seconds:
        parts.append(
            f'<text x="{left}" y="{top + plot_height // 2}" fill="{palette.text}" '
            'font-family="sans-serif" font-size="12">no data yet</text>'
        )
        return "".join(parts) + "</svg>"
    lowest, highest = min(known), max(known)
    span = (highest - lowest) or 1
    first, last = epoch_seconds[0], epoch_seconds[-1]
    duration = (last - first) or 1
    for fraction, label in ((0.0, highest), (1.0, lowest)):
        y = top + fraction * plot_height
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_width}" y2="{y:.1f}" '
            f'stroke="{palette.grid}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" fill="{palette.text}" text-anchor="end" '
            f'font-family="sans-serif" font-size="11">{compact_number(label)}</text>'
        )
    for moment, anchor, x in ((first, "start", left), (last, "end", left + plot_width)):
        day = datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d")
        parts.append(
            f'<text x="{x}" y="{height_pixels - 8}" fill="{palette.text}" text-anchor="{anchor}" '
            f'font-family="sans-serif" font-size="11">{day}</text>'
        )
    path: list[str] = []
    pen_down = False
    for moment, value in zip(epoch_seconds, values, strict=True):
        if value is None:
            pen_down = False
            continue
        x_position = left + (moment - first) / duration * plot_width
        y_position = top + (highest - value) / span * plot_height
        path.append(f"{'L' if pen_down else 'M'}{x_position:.1f} {y_position:.1f}")
        pen_down = True
    parts.append(
        f'<path d="{" ".join(path)}" fill="none" stroke="{palette.line}" stroke-width="2" '
        'stroke-linejoin="round"/>'
    )
    return "".join(parts) + "</svg>"


def render_badge(label: str, message: str, *, color: str = BADGE_COLORS["value"]) -> str:
    """A flat badge ``label | message`` like shields.io draws."""
    label_width = int(len(label) * _CHARACTER_WIDTH_PIXELS) + _PADDING_PIXELS
    message_width = int(len(message) * _CHARACTER_WIDTH_PIXELS) + _PADDING_PIXELS
    total = label_width + message_width
    label_text, message_text = escape(label), escape(message)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{_attribute(label)}: {_attribute(message)}">'
        f"<title>{label_text}: {message_text}</title>"
        f'<rect width="{label_width}" height="20" fill="{BADGE_COLORS["label"]}"/>'
        f'<rect x="{label_width}" width="{message_width}" height="20" fill="{_attribute(color)}"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" '
        'font-size="11">'
        f'<text x="{label_width / 2:.1f}" y="14">{label_text}</text>'
        f'<text x="{label_width + message_width / 2:.1f}" y="14">{message_text}</text>'
        "</g></svg>"
    )
