"""Export and import formats: rows of beads written as JSONL, CSV, TSV, Parquet, beads, TMX,
Moses (two plain files), XLSX or XLIFF.

A registry of named formats, as sacrebleu's `METRICS`: FORMATS maps each name to the module
under `align.formats` that implements it, imported only when that format is used (pyarrow,
lxml and csv stay unloaded until needed). Every format module has
`write(rows, out, options) -> (rows written, extra counts)`; those that can be read back
(jsonl, csv, tsv) also have `read(path) -> Iterator[ExportRow]`. The modules import only the
base, `align.formats.rows`, so there is no import cycle.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Literal

from align.errors import UsageError
from align.formats.rows import (
    ExportRow,
    WriteOptions,
    WriteReport,
    filter_rows,
    is_stdout,
    output_target,
    rows_from_alignment,
)

ExportFormat = Literal["jsonl", "csv", "tsv", "parquet", "tmx", "beads", "moses", "xlsx", "xliff"]
FORMATS: dict[str, str] = {
    "jsonl": "align.formats.jsonl",
    "csv": "align.formats.csv",
    "tsv": "align.formats.tsv",
    "parquet": "align.formats.parquet",
    "tmx": "align.formats.tmx",
    "beads": "align.formats.beads",
    "moses": "align.formats.moses",
    "xlsx": "align.formats.xlsx",
    "xliff": "align.formats.xliff",
}
"""Format name → the module that writes (and perhaps reads) it; imported on first use."""
EXPORT_FORMATS: tuple[str, ...] = tuple(FORMATS)
READABLE_FORMATS: tuple[str, ...] = ("jsonl", "csv", "tsv")
"""The formats `read_rows` reads back (their modules have `read`)."""

_EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".tmx": "tmx",
    ".beads": "beads",
    ".xlsx": "xlsx",
    ".xlf": "xliff",
    ".xliff": "xliff",
}


def format_module(fmt: str) -> ModuleType:
    """The module of a registered format (imported now if it was not yet)."""
    return importlib.import_module(FORMATS[check_format(fmt)])


def format_from_path(path: Path) -> ExportFormat:
    """The export format named by a file's extension, e.g. `out.tmx` → "tmx"."""
    fmt = _EXTENSIONS.get(Path(path).suffix.lower())
    if fmt is None:
        raise UsageError(
            f"{path}: cannot tell the format from the extension {Path(path).suffix!r}; "
            f"use one of .jsonl .csv .tsv .parquet .tmx .beads .xlsx .xlf or pass --format "
            f"({'|'.join(EXPORT_FORMATS)})"
        )
    return fmt  # type: ignore[return-value]


def check_format(fmt: str) -> ExportFormat:
    """`fmt` if it is a known export format, else a UsageError listing them."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    return fmt  # type: ignore[return-value]


def choose_format(fmt: str | None, output: Path | None) -> ExportFormat:
    """The format to write: `--format` if given, else from the output's extension; jsonl to
    stdout and to a stream without an extension (/dev/stdout, a FIFO, a pipe's /dev/fd/N)."""
    if fmt:
        return check_format(fmt)
    if is_stdout(output) or (not Path(output).suffix and output_target(output).kind != "file"):  # type: ignore[arg-type]
        return "jsonl"
    return format_from_path(output)  # type: ignore[arg-type]


def check_output(
    out: Path | None,
    *,
    fmt: ExportFormat,
    protect: Sequence[Path | str] = (),
    src_lang: str = "ja",
    tgt_lang: str = "en",
) -> None:
    """Refuse now, before a slow alignment or query, an output that `write_rows` would
    refuse: each file the format writes for `out` is checked by `output_target` (a folder, a
    disk device, one of the `protect`ed inputs, a binary format to stdout...)."""
    module = format_module(fmt)
    options = WriteOptions(src_lang=src_lang, tgt_lang=tgt_lang, protect=tuple(protect))
    targets = module.targets(out, options) if hasattr(module, "targets") else (out,)
    for target in targets:
        output_target(target, binary=getattr(module, "BINARY", False), protect=options.protect)


def default_include_unaligned(fmt: str) -> bool:
    """Whether 1-0 and 0-1 beads are exported when the user did not say.

    TMX, XLIFF and Moses leave them out (a translation unit, and a line pair for MT, needs
    both languages); the data formats (jsonl, csv, tsv, parquet, beads, xlsx) keep them, as
    they are the whole alignment.
    """
    return fmt not in ("tmx", "xliff", "moses")


def write_rows(
    rows: Iterable[ExportRow],
    out: Path | None,
    *,
    fmt: ExportFormat,
    src_lang: str = "ja",
    tgt_lang: str = "en",
    excel: bool = False,
    include_unaligned: bool | None = None,
    min_confidence: float | None = None,
    signature: str | None = None,
    timed: bool = False,
    metadata: Mapping[str, str] | None = None,
    protect: Sequence[Path | str] = (),
) -> WriteReport:
    """Write rows to `out` (None or `-` = stdout) in `fmt`, streaming and atomically.

    include_unaligned=None takes the format's default (see default_include_unaligned).
    `excel` adds a UTF-8 BOM to CSV/TSV. `src_lang`/`tgt_lang` are the TMX language codes.
    `signature` (the aligner's settings) goes into the TMX header when given. `timed` adds
    start/end columns to the tabular formats (rows from subtitles). `metadata` goes into a
    Parquet file's footer (key-value metadata; other formats ignore it). An output that is one
    of the `protect`ed files (the inputs) is refused (OutputError), as is a folder or a disk.
    """
    module = format_module(fmt)
    if include_unaligned is None:
        include_unaligned = default_include_unaligned(fmt)
    if min_confidence is not None and not 0.0 <= min_confidence <= 1.0:
        raise UsageError(f"min confidence {min_confidence} is not between 0 and 1")
    counts = {"skipped_unaligned": 0, "skipped_low_confidence": 0}
    kept = filter_rows(
        rows, include_unaligned=include_unaligned, min_confidence=min_confidence, counts=counts
    )
    options = WriteOptions(
        src_lang=src_lang, tgt_lang=tgt_lang, excel=excel, signature=signature, timed=timed,
        metadata=tuple((metadata or {}).items()), protect=tuple(protect),
    )  # fmt: skip
    n, extra = module.write(kept, out, options)
    return WriteReport(fmt=fmt, out=out, rows=n, **counts, **extra)


def read_rows(path: Path, *, fmt: str) -> Iterator[ExportRow]:
    """Read back a jsonl/csv/tsv export (undoing TSV escapes and formula neutralising)."""
    if fmt not in READABLE_FORMATS:
        raise UsageError(f"reading {fmt!r} exports is not supported; use jsonl, csv or tsv")
    return format_module(fmt).read(Path(path))


__all__ = [
    "EXPORT_FORMATS",
    "FORMATS",
    "ExportFormat",
    "ExportRow",
    "WriteOptions",
    "WriteReport",
    "check_format",
    "check_output",
    "choose_format",
    "default_include_unaligned",
    "format_from_path",
    "format_module",
    "read_rows",
    "rows_from_alignment",
    "write_rows",
]
