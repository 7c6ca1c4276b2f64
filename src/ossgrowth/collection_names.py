"""Check what users type for a collection of repositories: its slug, name and description.

Pure, like :mod:`ossgrowth.names`: each function returns the clean value or raises
:class:`~ossgrowth.errors.InputError` with one line that says what was wrong. Every backend,
the API and the CLI check through these, so the rules are the same wherever a collection is
made.

Rules:

- slug (the collection's name in URLs and commands): 1 to 64 lower-case ASCII letters, digits
  and hyphens. It may be typed in any case (``Frontend`` is ``frontend``); stores keep it in
  lower case.
- name: 1 to 200 characters once surrounding spaces are trimmed, without control characters,
  line separators or direction overrides (any other Unicode text is kept as typed).
- description: at most 2,000 characters once trimmed (CR LF read as a line break); line breaks
  and tabs are the only control characters it may hold.
"""

from __future__ import annotations

import re
import unicodedata

from ossgrowth.errors import InputError, UnknownName

__all__ = [
    "MAX_DESCRIPTION_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_SLUG_LENGTH",
    "check_description",
    "check_name",
    "parse_slug",
    "unknown_collection",
]

MAX_SLUG_LENGTH = 64
MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
_SLUG = re.compile(r"[a-z0-9-]{1,64}")
_ALLOWED_IN_DESCRIPTION = frozenset("\n\t")
_CONTROL_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Characters that reorder the text shown after them: a name holding one could show as
another."""


def _is_control(character: str) -> bool:
    """Whether ``character`` is a control character, a line or paragraph separator, a lone
    surrogate or a direction override (joiners and other format characters of emoji and
    scripts are text)."""
    return (
        unicodedata.category(character) in _CONTROL_CATEGORIES or character in _DIRECTION_CONTROLS
    )


def _shown(text: str) -> str:
    """User input quoted for a message: control characters escaped, long input cut."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def parse_slug(text: str) -> str:
    """The slug ``text`` names, in lower case.

    Raises:
        InputError: not 1 to 64 letters, digits and hyphens.
    """
    if len(text) > MAX_SLUG_LENGTH:
        raise InputError(
            f"a collection slug is at most {MAX_SLUG_LENGTH} characters, not {len(text)}: "
            f"{_shown(text)}"
        )
    slug = text.lower()
    if not text.isascii() or not _SLUG.fullmatch(slug):
        raise InputError(
            f"a collection slug is 1 to {MAX_SLUG_LENGTH} letters, digits and hyphens (like "
            f"python-web), not {_shown(text)}"
        )
    return slug


def check_name(text: str) -> str:
    """A collection's name, trimmed.

    Raises:
        InputError: empty, longer than 200 characters, or holding control characters.
    """
    name = text.strip()
    if not name:
        raise InputError("a collection needs a name")
    if len(name) > MAX_NAME_LENGTH:
        raise InputError(
            f"a collection name is at most {MAX_NAME_LENGTH} characters, not {len(name)}"
        )
    if any(_is_control(character) for character in name):
        raise InputError(f"a collection name has no control characters: {_shown(name)}")
    return name


def check_description(text: str) -> str:
    """A collection's description, trimmed (it may be empty).

    Raises:
        InputError: longer than 2,000 characters, or holding control characters other than
            line breaks and tabs.
    """
    description = text.replace("\r\n", "\n").strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InputError(
            f"a collection description is at most {MAX_DESCRIPTION_LENGTH} characters, "
            f"not {len(description)}"
        )
    if any(_is_control(c) and c not in _ALLOWED_IN_DESCRIPTION for c in description):
        raise InputError("a collection description has no control characters but line breaks")
    return description


def unknown_collection(slug: str) -> UnknownName:
    """The error for the collection ``slug`` when there is none (the API answers it 404)."""
    return UnknownName(f"there is no collection {slug!r}")
