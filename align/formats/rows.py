"""Export rows: one flat record per bead, the common currency of every export format.

An alignment (from `align pair`) and a corpus (from `align export`) both become a stream of
ExportRow; each writer consumes that stream once, so memory stays bounded at any size. This is
the base every format module imports (the row, its fields, the options a writer gets, the
atomic output); it imports no format, so there is no cycle.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import IO, get_type_hints

from align.errors import FormatError, InputError, UsageError
from align.model import REVIEWED_STATUSES, Alignment


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One bead as exported: its texts, sentence ids, confidence, shape and review status;
    `start`/`end` in seconds where known (beads of subtitle files), else None."""

    doc_id: str
    bead_index: int
    src: str
    tgt: str
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    confidence: float
    type: str
    status: str
    start: float | None = None
    end: float | None = None

    @property
    def unaligned(self) -> bool:
        """True for a 1-0 or 0-1 bead (one side has no sentence)."""
        return not self.src_ids or not self.tgt_ids


TIME_FIELDS: tuple[str, ...] = ("start", "end")
"""The time fields: columns only in exports of timed alignments (see `columns`)."""
FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ExportRow) if f.name not in TIME_FIELDS)
"""The row's fields in order: the columns of every tabular format, the keys of a JSONL line."""
FIELD_TYPES: dict[str, type] = {f.name: get_type_hints(ExportRow)[f.name] for f in fields(ExportRow)}
"""Each field's type (str, int, float, tuple[int, ...] or float | None): formats map these to
their own types."""
IDS = tuple[int, ...]
"""The type of a sentence-id list field (src_ids, tgt_ids)."""
TIME = FIELD_TYPES["start"]
"""The type of a time field (float | None)."""


@dataclass(frozen=True)
class WriteOptions:
    """What a writer may need besides the rows; each format reads only its own options.

    `src_lang`/`tgt_lang` are the TMX language codes and `signature` (the aligner's settings)
    goes into the TMX header; `excel` adds a UTF-8 BOM to CSV/TSV; `metadata` (key, value)
    pairs go into a Parquet file's footer.
    """

    src_lang: str = "ja"
    tgt_lang: str = "en"
    excel: bool = False
    signature: str | None = None
    timed: bool = False
    metadata: tuple[tuple[str, str], ...] = ()


def columns(options: WriteOptions) -> tuple[str, ...]:
    """The columns (or keys) a tabular format writes: FIELDS, and start/end when the rows
    come from subtitles (`options.timed`), so that other exports keep their columns."""
    return FIELDS + TIME_FIELDS if options.timed else FIELDS


WriteResult = tuple[int, dict[str, int]]
"""What a format's `write` returns: rows written, and extra counts for the WriteReport."""


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
    """The beads of an in-memory alignment as rows (status `auto`, as nobody reviewed them),
    with their times where the alignment has any (subtitles)."""
    if statuses is not None and "auto" not in statuses:
        return
    timed = alignment.timed
    for i, bead in enumerate(alignment.beads):
        start, end = (alignment.bead_times(bead) if timed else None) or (None, None)
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
            start=start,
            end=end,
        )


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


@contextlib.contextmanager
def reading(path: Path, fmt: str, *, newline: str | None = None) -> Iterator[IO[str]]:
    """An export file opened to read back (a UTF-8 BOM skipped): a missing file is an
    InputError, and a malformed one a FormatError naming the file and the format."""
    path = Path(path)
    try:
        f = open(path, encoding="utf-8-sig", newline=newline)  # noqa: SIM115
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    with f:
        try:
            yield f
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
            raise FormatError(f"{path}: not an align {fmt} export ({e})") from None
