"""Export rows: one flat record per bead, the common currency of every export format.

An alignment (from `align pair`) and a corpus (from `align export`) both become a stream of
ExportRow; each writer consumes that stream once, so memory stays bounded at any size.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from align.errors import UsageError
from align.model import REVIEWED_STATUSES, Alignment

ExportFormat = Literal["jsonl", "csv", "tsv", "parquet", "tmx", "beads"]
EXPORT_FORMATS: tuple[str, ...] = ("jsonl", "csv", "tsv", "parquet", "tmx", "beads")
BINARY_FORMATS = frozenset({"parquet"})

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
}


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One bead as exported: its texts, sentence ids, confidence, shape and review status."""

    doc_id: str
    bead_index: int
    src: str
    tgt: str
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    confidence: float
    type: str
    status: str

    @property
    def unaligned(self) -> bool:
        """True for a 1-0 or 0-1 bead (one side has no sentence)."""
        return not self.src_ids or not self.tgt_ids


@dataclass(frozen=True)
class WriteReport:
    """What a writer did: rows written and skipped, and what it had to change in the text.

    `dropped_chars` counts characters illegal in XML 1.0 removed from TMX; `neutralised_cells`
    counts CSV/TSV cells prefixed with `'` against spreadsheet formula injection.
    """

    fmt: str
    out: Path | None
    rows: int
    skipped_unaligned: int = 0
    skipped_low_confidence: int = 0
    dropped_chars: int = 0
    neutralised_cells: int = 0


def rows_from_alignment(
    alignment: Alignment, *, doc_id: str = "doc", statuses: Sequence[str] | None = None
) -> Iterator[ExportRow]:
    """The beads of an in-memory alignment as rows (status `auto`, as nobody reviewed them)."""
    if statuses is not None and "auto" not in statuses:
        return
    for i, bead in enumerate(alignment.beads):
        yield ExportRow(
            doc_id=doc_id,
            bead_index=i,
            src=alignment.src_text(bead),
            tgt=alignment.tgt_text(bead),
            src_ids=tuple(bead.src),
            tgt_ids=tuple(bead.tgt),
            confidence=float(bead.confidence),
            type=bead.type,
            status="auto",
        )


def format_from_path(path: Path) -> ExportFormat:
    """The export format named by a file's extension, e.g. `out.tmx` → "tmx"."""
    fmt = _EXTENSIONS.get(Path(path).suffix.lower())
    if fmt is None:
        raise UsageError(
            f"{path}: cannot tell the format from the extension {Path(path).suffix!r}; "
            f"use one of .jsonl .csv .tsv .parquet .tmx .beads or pass --format "
            f"({'|'.join(EXPORT_FORMATS)})"
        )
    return fmt  # type: ignore[return-value]


def check_format(fmt: str) -> ExportFormat:
    """`fmt` if it is a known export format, else a UsageError listing them."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    return fmt  # type: ignore[return-value]


def choose_format(fmt: str | None, output: Path | None) -> ExportFormat:
    """The format to write: `--format` if given, else from the output's extension, else jsonl."""
    if fmt:
        return check_format(fmt)
    return format_from_path(output) if output else "jsonl"


def default_include_unaligned(fmt: str) -> bool:
    """Whether 1-0 and 0-1 beads are exported when the user did not say.

    TMX leaves them out (a translation memory unit needs both languages); the data formats
    (jsonl, csv, tsv, parquet, beads) keep them, as they are the whole alignment.
    """
    return fmt != "tmx"


def filter_rows(
    rows: Iterable[ExportRow],
    *,
    include_unaligned: bool,
    min_confidence: float | None,
    counts: dict[str, int],
) -> Iterator[ExportRow]:
    """Drop unaligned rows and `auto` rows below `min_confidence` (a reviewed bead stays,
    whatever the aligner thought of it), counting what was dropped in `counts`."""
    for row in rows:
        if not include_unaligned and row.unaligned:
            counts["skipped_unaligned"] += 1
            continue
        if min_confidence is not None and row.confidence < min_confidence and row.status not in REVIEWED_STATUSES:
            counts["skipped_low_confidence"] += 1
            continue
        yield row


@contextlib.contextmanager
def atomic_output(out: Path | None, *, binary: bool, newline: str | None = "") -> Iterator[IO]:
    """A file to write `out` through: a temp file beside it, renamed over it only on success.

    A crash or an error never leaves a half-written file and never destroys an existing
    one. out=None writes to stdout (text only).
    """
    if out is None:
        if binary:
            raise UsageError("this format is binary and cannot go to stdout; give -o FILE")
        yield sys.stdout
        sys.stdout.flush()
        return
    out = Path(out)
    folder = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise UsageError(f"{out}: is a folder; give a file name to write")
    if not folder.exists():
        raise UsageError(f"{out}: the folder {folder} does not exist; create it first")
    if not folder.is_dir():
        raise UsageError(f"{out}: {folder} is not a folder; choose another output path")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{out.name}.", suffix=".part")
    except OSError as e:
        raise UsageError(f"{out}: cannot write in {folder} ({e.strerror}); choose another folder") from None
    try:
        opened = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline=newline)
        with opened as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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
) -> WriteReport:
    """Write rows to `out` (None = stdout) in `fmt`, streaming and atomically.

    include_unaligned=None takes the format's default (see default_include_unaligned).
    `excel` adds a UTF-8 BOM to CSV/TSV. `src_lang`/`tgt_lang` are the TMX language codes.
    `signature` (the aligner's settings) goes into the TMX header when given.
    """
    from align.formats import tabular, tmx

    fmt = check_format(fmt)
    if include_unaligned is None:
        include_unaligned = default_include_unaligned(fmt)
    if min_confidence is not None and not 0.0 <= min_confidence <= 1.0:
        raise UsageError(f"min confidence {min_confidence} is not between 0 and 1")
    counts = {"skipped_unaligned": 0, "skipped_low_confidence": 0}
    kept = filter_rows(
        rows, include_unaligned=include_unaligned, min_confidence=min_confidence, counts=counts
    )
    if fmt == "tmx":
        n, extra = tmx.write_tmx(kept, out, src_lang=src_lang, tgt_lang=tgt_lang, signature=signature)
    else:
        n, extra = tabular.write_tabular(kept, out, fmt=fmt, excel=excel)
    return WriteReport(fmt=fmt, out=out, rows=n, **counts, **extra)
