"""Export and import formats: rows of beads written as JSONL, CSV, TSV, Parquet, beads or TMX."""

from __future__ import annotations

from align.formats.rows import (
    EXPORT_FORMATS,
    ExportFormat,
    ExportRow,
    WriteReport,
    choose_format,
    default_include_unaligned,
    format_from_path,
    rows_from_alignment,
    write_rows,
)

__all__ = [
    "EXPORT_FORMATS",
    "ExportFormat",
    "ExportRow",
    "WriteReport",
    "choose_format",
    "default_include_unaligned",
    "format_from_path",
    "rows_from_alignment",
    "write_rows",
]
