"""Points in and out of a store as files: the export format, exporting and importing."""

from __future__ import annotations

from ossgrowth.transfer.exporting import ExportFilter, export_points
from ossgrowth.transfer.format import FORMAT_VERSION, Header, RecordError
from ossgrowth.transfer.importing import CheckedFile, check_file, import_file

__all__ = [
    "FORMAT_VERSION",
    "CheckedFile",
    "ExportFilter",
    "Header",
    "RecordError",
    "check_file",
    "export_points",
    "import_file",
]
