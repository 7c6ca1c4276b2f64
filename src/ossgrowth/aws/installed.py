"""A folder of installed distributions, as the Lambda artifact holds them: a pure wheel
unpacked into it, an installed distribution copied into it, a second folder merged into it, and
what would differ between two builds of the same inputs pruned from it."""

from __future__ import annotations

import csv
import email.parser
import importlib.metadata
import io
import re
import shutil
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from ossgrowth.errors import OssgrowthError

__all__ = [
    "PackagingError",
    "copy_distribution",
    "merge_tree",
    "prune_installed_tree",
    "unpack_wheel",
]


class PackagingError(OssgrowthError):
    """The artifact could not be built (pip failed, or a needed file is missing)."""


def prune_installed_tree(staging: Path) -> None:
    """Remove from an installed tree what differs between builds or never runs on Lambda:
    ``__pycache__`` folders and ``.pyc`` files, the ``bin/`` of console scripts,
    ``direct_url.json``; then drop from each ``*.dist-info/RECORD`` the lines that name a file
    no longer in ``staging``."""
    shutil.rmtree(staging / "bin", ignore_errors=True)
    for cache in sorted(staging.rglob("__pycache__"), reverse=True):
        shutil.rmtree(cache, ignore_errors=True)
    for compiled in staging.rglob("*.pyc"):
        compiled.unlink()
    for direct_url in staging.glob("*.dist-info/direct_url.json"):
        direct_url.unlink()
    for record in staging.glob("*.dist-info/RECORD"):
        _rewrite_record(record, staging)


def unpack_wheel(wheel: Path, staging: Path) -> tuple[str, Sequence[str]]:
    """Install a pure wheel by unpacking it (its ``.data/purelib`` and ``platlib`` moved to the
    top, scripts left out); return its version and Requires-Dist.

    Raises:
        PackagingError: a member's path leaves the folder, or the wheel has no METADATA.
    """
    metadata_text = ""
    with zipfile.ZipFile(wheel) as archive:
        for entry in archive.infolist():
            name = _installed_name(entry.filename)
            if name is None or entry.is_dir():
                continue
            destination = staging / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            data = archive.read(entry)
            destination.write_bytes(data)
            if re.fullmatch(r"[^/]+\.dist-info/METADATA", name):
                metadata_text = data.decode()
    metadata = email.parser.Parser().parsestr(metadata_text)
    if not metadata["Version"]:
        raise PackagingError(f"{wheel.name} has no METADATA")
    return metadata["Version"], metadata.get_all("Requires-Dist") or []


def _installed_name(member: str) -> str | None:
    """Where a wheel's member goes below the install folder, or ``None`` to leave it out."""
    path = PurePosixPath(member)
    if path.is_absolute() or ".." in path.parts:
        raise PackagingError(f"the wheel holds an unsafe path: {member}")
    if path.parts and path.parts[0].endswith(".data"):
        if len(path.parts) > 2 and path.parts[1] in {"purelib", "platlib"}:
            return PurePosixPath(*path.parts[2:]).as_posix()
        return None
    return path.as_posix()


def copy_distribution(distribution: importlib.metadata.Distribution, staging: Path) -> None:
    """Copy an installed distribution's files (as its RECORD lists them) below ``staging``;
    files outside the install folder (console scripts) are left out."""
    for file in distribution.files or []:
        if ".." in file.parts or file.suffix == ".pyc":
            continue
        source = Path(str(file.locate()))
        if source.is_file():
            destination = staging / file.as_posix()
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def merge_tree(source: Path, staging: Path) -> None:
    """Move every entry of ``source`` into ``staging`` but its ``bin/`` (console scripts).

    Raises:
        PackagingError: an entry is in both (a dependency would overwrite the project).
    """
    for entry in sorted(source.iterdir()):
        if entry.name == "bin":
            continue
        if (staging / entry.name).exists():
            raise PackagingError(f"{entry.name} is both in the project and in a dependency")
        shutil.move(entry, staging / entry.name)


def _rewrite_record(record: Path, staging: Path) -> None:
    """Keep the lines of a RECORD whose file is in ``staging``, and its own line."""
    own_name = record.relative_to(staging).as_posix()
    rows = list(csv.reader(io.StringIO(record.read_text(encoding="utf-8"))))
    kept = [row for row in rows if row and (row[0] == own_name or _inside(staging, row[0]))]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(kept)
    record.write_text(text.getvalue(), encoding="utf-8")


def _inside(staging: Path, name: str) -> bool:
    path = PurePosixPath(name)
    return ".." not in path.parts and not path.is_absolute() and (staging / name).is_file()
