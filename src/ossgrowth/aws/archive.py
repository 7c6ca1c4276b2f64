"""A folder as a reproducible zip: the same files give the same bytes, whenever and wherever
they were written.

What would otherwise vary is fixed: entries are sorted by path, every entry carries one
timestamp (1980-01-01 00:00, the earliest a zip holds, or ``SOURCE_DATE_EPOCH``), modes are
``0644`` (``0755`` for a file with any execute bit), there are no directory entries, extra
fields or comment, and every file is deflated at one level. The zlib library does the
deflating, so two machines agree as long as their zlib versions produce the same stream (they
have for years; the checksum printed by ``ossgrowth aws package`` tells).
"""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = [
    "EARLIEST_ZIP_TIME",
    "ArchiveSummary",
    "archive_time",
    "entry_mode",
    "write_reproducible_zip",
]

EARLIEST_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""The timestamp of every entry unless ``SOURCE_DATE_EPOCH`` says otherwise."""
COMPRESS_LEVEL = 6
_EARLIEST_EPOCH_SECONDS = int(datetime(*EARLIEST_ZIP_TIME, tzinfo=UTC).timestamp())
_READ_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ArchiveSummary:
    """What a written zip holds: its file count, its size, the size of its files unpacked and
    the SHA-256 of its bytes."""

    files: int
    compressed_bytes: int
    unpacked_bytes: int
    sha256: str


def archive_time(source_date_epoch: str | None) -> tuple[int, int, int, int, int, int]:
    """The entries' timestamp: ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) when set, never
    before 1980-01-01 (a zip cannot say earlier), else 1980-01-01 00:00.

    Raises:
        ValueError: ``source_date_epoch`` is not a whole number of seconds.
    """
    if source_date_epoch is None or not source_date_epoch.strip():
        return EARLIEST_ZIP_TIME
    if not source_date_epoch.strip().isdigit():
        raise ValueError(f"SOURCE_DATE_EPOCH must be whole seconds, not {source_date_epoch!r}")
    seconds = max(int(source_date_epoch), _EARLIEST_EPOCH_SECONDS)
    moment = datetime.fromtimestamp(seconds, UTC)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def entry_mode(file_mode: int) -> int:
    """The mode an entry gets: ``0755`` when the file has any execute bit, else ``0644``."""
    executable = file_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return 0o755 if executable else 0o644


def write_reproducible_zip(
    root: Path,
    output: Path,
    *,
    date_time: tuple[int, int, int, int, int, int] = EARLIEST_ZIP_TIME,
    on_file: Callable[[int, int], None] | None = None,
) -> ArchiveSummary:
    """Write every file under ``root`` into the zip ``output``, named by its path below
    ``root`` (``/``-separated), reproducibly (see the module's docstring).

    The zip is written beside ``output`` and renamed onto it when complete, so ``output`` is
    never half-written. Symbolic links are stored as the files they point to.

    Args:
        root: the folder whose files are archived.
        output: the zip to write (replaced if it exists; its folder is created).
        date_time: every entry's timestamp (see :func:`archive_time`).
        on_file: called with (files written, files in all) after each file.

    Returns:
        The zip's summary.
    """
    files = sorted(
        (path.relative_to(root).as_posix(), path) for path in root.rglob("*") if path.is_file()
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    unpacked_bytes = 0
    try:
        with zipfile.ZipFile(partial, "w") as archive:
            for index, (name, path) in enumerate(files, start=1):
                unpacked_bytes += _add_file(archive, name, path, date_time)
                if on_file is not None:
                    on_file(index, len(files))
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return ArchiveSummary(
        files=len(files),
        compressed_bytes=output.stat().st_size,
        unpacked_bytes=unpacked_bytes,
        sha256=_sha256(output),
    )


def _add_file(
    archive: zipfile.ZipFile,
    name: str,
    path: Path,
    date_time: tuple[int, int, int, int, int, int],
) -> int:
    """Add one file as entry ``name``; return its size."""
    entry = zipfile.ZipInfo(name, date_time=date_time)
    entry.create_system = 3  # Unix, so readers honour the mode below
    entry.external_attr = (stat.S_IFREG | entry_mode(path.stat().st_mode)) << 16
    data = path.read_bytes()
    archive.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
    return len(data)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(_READ_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()
