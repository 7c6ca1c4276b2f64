"""Regular expressions (JSON Schema dialect) of the names the API accepts, for its OpenAPI.

They are the parsers' rules (:mod:`ossgrowth.names`) as far as a lookaround-free regular
expression can say them; where one cannot, they are a little stricter (an owner of at most 20
letters and digits between hyphens; no repository name starting with ``..``), so a value that
matches is always accepted. The parsers still decide, with their own messages.
"""

from __future__ import annotations

__all__ = ["NAME", "OWNER", "PACKAGE", "REPO"]

_OWNER = r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,19}"
_NAME = r"(?:[A-Za-z0-9_-]|\.[A-Za-z0-9_-])[A-Za-z0-9._-]{0,98}"
_NPM_FIRST = r"[A-Za-z0-9~!'()*-]"
_NPM_REST = r"[A-Za-z0-9._~!'()*-]"
_NPM = rf"(?:@{_NPM_FIRST}{_NPM_REST}{{0,99}}/)?{_NPM_FIRST}{_NPM_REST}{{0,99}}"
_PYPI = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,212}[A-Za-z0-9])?"

OWNER = rf"^{_OWNER}$"
NAME = rf"^{_NAME}$"
REPO = rf"^{_OWNER}/{_NAME}$"
PACKAGE = rf"^(?:npm:{_NPM}|pypi:{_PYPI})$"
