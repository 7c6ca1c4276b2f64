"""Parse repository and package names typed by users, accepting exactly what the registries allow.

Each parser returns a model type or raises :class:`~ossgrowth.errors.InputError` with one line
that says what was wrong. Nothing here does I/O.

Rules:

- GitHub owner (user or organisation): 1 to 39 characters, letters, digits and single hyphens,
  not starting or ending with a hyphen.
- GitHub repository: 1 to 100 characters of letters, digits, ``.``, ``-`` and ``_``; not ``.``
  or ``..``; a trailing ``.git`` is dropped (GitHub does the same).
- npm: 1 to 214 characters, optionally ``@scope/name``; URL-safe characters only
  (letters, digits, ``-._~!'()*``), not starting with ``.`` or ``_``. Upper case and
  ``~'!()*`` are still served for packages published before npm forbade them, so they are accepted.
- PyPI: the PEP 508 name rule (letters, digits, ``.``, ``-``, ``_``, starting and ending with a
  letter or digit), at most 214 characters (ossgrowth's own bound; PyPI documents none),
  normalised as PEP 503 says (``Foo_Bar`` → ``foo-bar``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ossgrowth.errors import InputError
from ossgrowth.model import Ecosystem, PackageRef, RepoName

__all__ = [
    "MAX_OWNER_LENGTH",
    "MAX_PACKAGE_LENGTH",
    "MAX_REPO_LENGTH",
    "parse_package",
    "parse_repo",
]

MAX_OWNER_LENGTH = 39
MAX_REPO_LENGTH = 100
MAX_PACKAGE_LENGTH = 214
_MAX_INPUT_LENGTH = 300
"""Longer input is refused before any other check, so messages stay one short line."""

_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_REPO = re.compile(r"[A-Za-z0-9._-]{1,100}")
_NPM_PART = re.compile(r"[A-Za-z0-9\-~!'()*][A-Za-z0-9\-._~!'()*]*")
_PYPI = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_GITHUB_HOSTS = frozenset({"github.com", "www.github.com"})
_NPM_RESERVED = frozenset({"node_modules", "favicon.ico"})


def _shown(text: str) -> str:
    """Quote user input for a message: control characters escaped, long input cut."""
    shown = text if len(text) <= 60 else text[:57] + "..."
    return repr(shown)


def _check_plain(text: str, what: str) -> None:
    if len(text) > _MAX_INPUT_LENGTH:
        raise InputError(f"{what} is too long ({len(text)} characters): {_shown(text)}")
    if not text.isprintable():
        raise InputError(f"{what} contains control characters: {_shown(text)}")


def parse_repo(text: str) -> RepoName:
    """Parse ``owner/name`` or a GitHub URL into a :class:`RepoName`.

    Args:
        text: ``owner/name``, or ``https://github.com/owner/name`` (with or without ``.git``,
            a trailing slash or deeper paths such as ``/tree/main``).

    Returns:
        The repository name, with the case the user typed.

    Raises:
        InputError: the text is not a repository GitHub would accept.
    """
    _check_plain(text, "repository")
    candidate = text.strip()
    if "://" in candidate:
        candidate = _path_of_github_url(candidate, original=text)
    parts = candidate.split("/")
    if len(parts) != 2:
        raise InputError(f"repository must be owner/name, not {_shown(text)}")
    owner, name = parts
    if name.endswith(".git") and len(name) > len(".git"):
        name = name[: -len(".git")]
    if not owner or not name:
        raise InputError(f"repository must be owner/name, not {_shown(text)}")
    if len(owner) > MAX_OWNER_LENGTH:
        raise InputError(
            f"owner {_shown(owner)} is longer than GitHub's {MAX_OWNER_LENGTH} characters"
        )
    if not _OWNER.fullmatch(owner):
        raise InputError(
            f"owner {_shown(owner)} is not a GitHub account name "
            "(letters, digits and single hyphens, not at either end)"
        )
    if len(name) > MAX_REPO_LENGTH:
        raise InputError(
            f"repository name {_shown(name)} is longer than GitHub's {MAX_REPO_LENGTH} characters"
        )
    if name in {".", ".."} or not _REPO.fullmatch(name):
        raise InputError(
            f"repository name {_shown(name)} is not one GitHub allows "
            "(letters, digits, '.', '-' and '_'; not '.' or '..')"
        )
    return RepoName(owner, name)


def _path_of_github_url(url: str, *, original: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        raise InputError(f"not a GitHub repository URL: {_shown(original)}") from None
    if parts.scheme not in {"http", "https"} or (parts.hostname or "") not in _GITHUB_HOSTS:
        raise InputError(
            f"only github.com URLs can be tracked, not {_shown(original)}; "
            "for GitHub Enterprise give owner/name"
        )
    segments = [segment for segment in parts.path.split("/") if segment]
    if len(segments) < 2:
        raise InputError(f"the URL {_shown(original)} does not name a repository")
    return f"{segments[0]}/{segments[1]}"


def parse_package(text: str, ecosystem: Ecosystem | None = None) -> PackageRef:
    """Parse a package reference.

    Args:
        text: ``npm:name``, ``pypi:name``, or a bare name when ``ecosystem`` is given.
        ecosystem: the registry of a bare name (``--npm NAME`` on the command line).

    Returns:
        The package, with PyPI names normalised (PEP 503).

    Raises:
        InputError: unknown registry, or a name that registry does not allow.
    """
    _check_plain(text, "package")
    name = text.strip()
    if ecosystem is None:
        prefix, separator, rest = name.partition(":")
        if not separator:
            raise InputError(f"package must be npm:NAME or pypi:NAME, not {_shown(text)}")
        try:
            ecosystem = Ecosystem(prefix.lower())
        except ValueError:
            known = ", ".join(member.value for member in Ecosystem)
            raise InputError(
                f"unknown package registry {_shown(prefix)}; expected one of {known}"
            ) from None
        name = rest
    if ecosystem is Ecosystem.NPM:
        return PackageRef(Ecosystem.NPM, _npm_name(name))
    return PackageRef(Ecosystem.PYPI, _pypi_name(name))


def _npm_name(name: str) -> str:
    if not name:
        raise InputError("npm package name is empty")
    if len(name) > MAX_PACKAGE_LENGTH:
        raise InputError(f"npm package name is longer than {MAX_PACKAGE_LENGTH} characters")
    if name.startswith("@"):
        scope, separator, bare = name[1:].partition("/")
        valid = bool(separator and _NPM_PART.fullmatch(scope) and _NPM_PART.fullmatch(bare))
    else:
        valid = bool(_NPM_PART.fullmatch(name)) and name.lower() not in _NPM_RESERVED
    if not valid:
        raise InputError(
            f"{_shown(name)} is not an npm package name (URL-safe characters, optionally "
            "@scope/name, not starting with '.' or '_')"
        )
    return name


def _pypi_name(name: str) -> str:
    if not name:
        raise InputError("PyPI package name is empty")
    if len(name) > MAX_PACKAGE_LENGTH:
        raise InputError(f"PyPI package name is longer than {MAX_PACKAGE_LENGTH} characters")
    if not _PYPI.fullmatch(name):
        raise InputError(
            f"{_shown(name)} is not a PyPI project name (letters, digits, '.', '-' and '_', "
            "starting and ending with a letter or digit)"
        )
    return re.sub(r"[-_.]+", "-", name).lower()
