"""GitHub-shaped identifiers: global node ids, connection cursors, logins and request ids.

GitHub's current node ids are a type prefix and the URL-safe base64 of a MessagePack array
(``R_kgDOUOjAWg`` is ``R_`` + ``[0, 1357430874]``); connection cursors are the base64 of
``cursor:v2:`` and a MessagePack array holding the position. Both are opaque to clients, but
looking like GitHub's keeps parsers honest.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

__all__ = [
    "decode_cursor",
    "encode_cursor",
    "issue_node_id",
    "login_for",
    "node_kind",
    "pull_request_node_id",
    "repository_node_id",
    "request_id",
    "user_id_of",
    "user_node_id",
]

_CURSOR_PREFIX = b"cursor:v2:"
_REPOSITORY_PREFIX = "R_"
_ISSUE_PREFIX = "I_"
_PULL_REQUEST_PREFIX = "PR_"
_SYLLABLES = (
    "ka", "lo", "mi", "ra", "te", "vu", "no", "si", "da", "pe", "zo", "li", "an", "or", "el",
    "ix", "um", "yo", "be", "cu",
)  # fmt: skip


def _pack_unsigned(value: int) -> bytes:
    """MessagePack encoding of a non-negative integer."""
    if value < 0:
        raise ValueError("identifiers are non-negative")
    if value < 0x80:
        return bytes([value])
    for marker, width in ((0xCC, 1), (0xCD, 2), (0xCE, 4), (0xCF, 8)):
        if value < 1 << (8 * width):
            return bytes([marker]) + value.to_bytes(width, "big")
    raise ValueError("identifier does not fit 64 bits")


def _unpack_unsigned(data: bytes) -> tuple[int, bytes]:
    if not data:
        raise ValueError("truncated")
    marker = data[0]
    if marker < 0x80:
        return marker, data[1:]
    widths = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}
    if marker not in widths:
        raise ValueError("not an unsigned integer")
    width = widths[marker]
    if len(data) < 1 + width:
        raise ValueError("truncated")
    return int.from_bytes(data[1 : 1 + width], "big"), data[1 + width :]


def _pack_array(values: tuple[int, ...]) -> bytes:
    return bytes([0x90 | len(values)]) + b"".join(_pack_unsigned(value) for value in values)


def _global_id(prefix: str, values: tuple[int, ...]) -> str:
    encoded = base64.urlsafe_b64encode(_pack_array(values)).rstrip(b"=")
    return prefix + encoded.decode("ascii")


def repository_node_id(database_id: int) -> str:
    """``R_…`` node id of a repository."""
    return _global_id(_REPOSITORY_PREFIX, (0, database_id))


def issue_node_id(repository_id: int, database_id: int) -> str:
    """``I_…`` node id of an issue."""
    return _global_id(_ISSUE_PREFIX, (0, repository_id, database_id))


def pull_request_node_id(repository_id: int, database_id: int) -> str:
    """``PR_…`` node id of a pull request."""
    return _global_id(_PULL_REQUEST_PREFIX, (0, repository_id, database_id))


def user_node_id(user_id: int) -> str:
    """Legacy-format node id of a user (``MDQ6VXNlcj…``), as GitHub still serves for users."""
    return base64.b64encode(f"04:User{user_id}".encode()).decode("ascii")


def user_id_of(node_id: str) -> int | None:
    """The user id inside a user node id, or ``None`` when it is not one."""
    try:
        decoded = base64.b64decode(node_id, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    digits = decoded.removeprefix("04:User")
    return int(digits) if decoded.startswith("04:User") and digits.isdigit() else None


def node_kind(node_id: str) -> str | None:
    """``"Repository"``, ``"Issue"``, ``"PullRequest"`` or ``"User"`` from an id's shape."""
    for prefix, kind in (
        (_PULL_REQUEST_PREFIX, "PullRequest"),
        (_REPOSITORY_PREFIX, "Repository"),
        (_ISSUE_PREFIX, "Issue"),
    ):
        if node_id.startswith(prefix):
            return kind
    return "User" if user_id_of(node_id) is not None else None


def encode_cursor(position: int) -> str:
    """Opaque cursor of the item at ``position`` (0-based) in a connection."""
    return base64.b64encode(_CURSOR_PREFIX + _pack_array((position,))).decode("ascii")


def decode_cursor(cursor: str) -> int:
    """Position encoded by :func:`encode_cursor`.

    Raises:
        ValueError: the text is not a cursor this simulator made.
    """
    try:
        raw = base64.b64decode(cursor, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{cursor!r} is not a cursor") from None
    if not raw.startswith(_CURSOR_PREFIX) or len(raw) < len(_CURSOR_PREFIX) + 2:
        raise ValueError(f"{cursor!r} is not a cursor")
    body = raw[len(_CURSOR_PREFIX) :]
    if body[0] != 0x91:
        raise ValueError(f"{cursor!r} is not a cursor")
    position, rest = _unpack_unsigned(body[1:])
    if rest:
        raise ValueError(f"{cursor!r} is not a cursor")
    return position


def login_for(user_id: int) -> str:
    """A stable, pronounceable login for a simulated user."""
    digest = hashlib.sha256(str(user_id).encode()).digest()
    name = "".join(_SYLLABLES[byte % len(_SYLLABLES)] for byte in digest[:3])
    return f"{name}{user_id % 10_000}"


def request_id(sequence: int) -> str:
    """An ``x-github-request-id`` shaped like GitHub's (``CA6A:617C:4252CD4:44D5F2B:6462B949``)."""
    digest = hashlib.sha256(f"request-{sequence}".encode()).hexdigest().upper()
    return f"{digest[0:4]}:{digest[4:8]}:{digest[8:15]}:{digest[15:22]}:{digest[22:30]}"
