"""Export rows: one flat record per bead, the common currency of every export format.

An alignment (from `align pair`) and a corpus (from `align export`) both become a stream of
ExportRow; each writer consumes that stream once, so memory stays bounded at any size. This is
the base every format module imports (the row, its fields, the options a writer gets, the
atomic output); it imports no format, so there is no cycle.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import IO, Literal, get_type_hints

from align.errors import FormatError, InputError, OutputError, UsageError, visible
from align.model import REVIEWED_STATUSES, Alignment

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locks, so stale temp files stay
    fcntl = None  # type: ignore[assignment]


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
    pairs go into a Parquet file's footer; `protect` names the inputs that no output may
    overwrite.
    """

    src_lang: str = "ja"
    tgt_lang: str = "en"
    excel: bool = False
    signature: str | None = None
    timed: bool = False
    metadata: tuple[tuple[str, str], ...] = ()
    protect: tuple[Path | str, ...] = ()
    """The command's input files: an output that is one of them is refused (`output_target`)."""


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


LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
"""Every character that ends a line for some reader (Python's str.splitlines breaks at each):
a format whose rows are lines escapes or replaces them all inside a text."""
STDOUT = "-"
"""The output name that means standard output (`-o -`), as for most Unix tools."""
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS})
"""Errors of a write that the user can fix (disk full, quota, file too big, I/O, read-only):
one line naming the output, never an internal error."""
STALE_PART_AGE = 10.0
"""Seconds after which an unlocked temporary file of ours is a killed writer's leftover."""


def is_stdout(out: Path | str | None) -> bool:
    """True when `out` means standard output: None (no -o) or `-`."""
    return out is None or str(out) == STDOUT


@dataclass(frozen=True)
class Target:
    """Where an output goes: `stdout`; a `stream` written in place (a terminal, a pipe,
    /dev/null, /dev/full: nothing there can be replaced); or a regular `file`, written to a
    temporary file beside `path` and renamed over it. `path` is the file a symbolic link
    points to, so that the rename replaces the file and keeps the link."""

    kind: Literal["stdout", "stream", "file"]
    path: Path | None = None


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def output_target(out: Path | str | None, *, binary: bool = False, protect: Iterable[Path | str] = ()) -> Target:
    """Check that `out` can be written safely and say how: the one check every writer makes.

    `-` or None is stdout, and so is a path that is stdout's own file (/dev/stdout, even
    when stdout goes to a file). A symbolic link is followed: the file it points to is
    replaced and the link stays. A character device or a FIFO is written in place. A folder,
    a block device (a disk) or a socket is refused, and so is a file that is one of the
    `protect`ed inputs (same inode: the same path, a hard link or a link to it), as writing
    it would destroy the input. `binary` formats never go to stdout.
    """
    if is_stdout(out):
        if binary:
            raise UsageError("this format is binary and cannot go to stdout; give -o FILE")
        return Target("stdout")
    out = Path(out)  # type: ignore[arg-type]
    name = visible(str(out))
    try:
        st = os.stat(out)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    except OSError as e:
        raise UsageError(f"{name}: cannot write there ({e.strerror}); choose another output path") from None
    real = Path(os.path.realpath(out))
    if st is None:
        return Target("file", _checked_folder(out, real))
    with contextlib.suppress(OSError):
        if _same_file(st, os.fstat(1)) and not stat.S_ISCHR(st.st_mode):
            if binary:
                raise UsageError(f"{name}: is standard output, and this format is binary; give -o FILE")
            return Target("stdout")
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{name}: is a folder; give a file name to write")
    if stat.S_ISBLK(st.st_mode):
        raise OutputError(f"{name}: is a disk device; refusing to write onto it; give a file name")
    if stat.S_ISSOCK(st.st_mode):
        raise OutputError(f"{name}: is a socket; give a file name to write")
    if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        return Target("stream", out)
    for p in protect:
        with contextlib.suppress(OSError):
            if _same_file(st, os.stat(p)):
                raise OutputError(
                    f"{name}: is also an input ({visible(str(p))}); writing it would destroy it; "
                    "choose another output file"
                )
    return Target("file", _checked_folder(out, real))


def _checked_folder(out: Path, real: Path) -> Path:
    """`real` (where `out` resolves to) once its folder is known to exist."""
    folder = real.parent
    if not folder.exists():
        raise UsageError(f"{visible(str(out))}: the folder {visible(str(out.parent))} does not exist; create it first")
    if not folder.is_dir():
        raise UsageError(f"{visible(str(out))}: {visible(str(out.parent))} is not a folder; choose another output path")
    return real


@contextlib.contextmanager
def _write_errors(where: str, kept: str) -> Iterator[None]:
    """A write error the user can fix (WRITE_ERRNOS: disk full...) as one OutputError line
    saying what became of the output; any other error passes unchanged."""
    try:
        yield
    except BrokenPipeError:
        raise  # stdout closed early (| head): the command line's business
    except OSError as e:
        if e.errno not in WRITE_ERRNOS:
            raise
        raise OutputError(f"{where}: {e.strerror or type(e).__name__} while writing; {kept}") from None


@contextlib.contextmanager
def atomic_output(
    out: Path | str | None, *, binary: bool, newline: str | None = "", protect: Iterable[Path | str] = ()
) -> Iterator[IO]:
    """A file to write `out` through, checked by `output_target` first.

    A regular file is written to a temporary file beside it and renamed over it only on
    success: a crash or an error never leaves a half-written file and never destroys an
    existing one (a disk that fills up is an OutputError, and the old file stays). `-` or
    None writes to stdout (text only); a terminal, pipe or device is written in place.
    """
    target = output_target(out, binary=binary, protect=protect)
    if target.kind == "stdout":
        with _write_errors("stdout", "the output is incomplete"):
            yield sys.stdout
            sys.stdout.flush()
        return
    path = target.path
    name = visible(str(out))
    assert path is not None  # noqa: S101 - a stream and a file always have a path
    if target.kind == "stream":
        with _write_errors(name, "the output is incomplete"):
            with open(path, "wb") if binary else open(path, "w", encoding="utf-8", newline=newline) as f:  # noqa: SIM115
                yield f
        return
    remove_stale_parts(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=PART_SUFFIX)
    except OSError as e:
        raise UsageError(f"{name}: cannot write in {visible(str(path.parent))} ({e.strerror}); choose another folder") from None
    try:
        _hold(fd)
        opened = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline=newline)
        with _write_errors(name, "nothing was written and the file is as it was"), opened as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


PART_SUFFIX = ".part"


def _hold(fd: int) -> None:
    """Lock our temporary file for as long as it is open, so that another run can tell it
    from a killed writer's leftover (a lock dies with its process, even after kill -9)."""
    if fcntl is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def remove_stale_parts(path: Path) -> list[Path]:
    """Delete the temporary files (`.NAME.xxxxxxxx.part`) that writers of `path` killed
    mid-write (kill -9, power loss) left beside it: those that no live writer holds locked
    and that are older than STALE_PART_AGE seconds. Returns what was deleted."""
    if fcntl is None:
        return []
    pattern = re.compile(rf"\A\.{re.escape(path.name)}\.[a-z0-9_]{{8}}{re.escape(PART_SUFFIX)}\Z")
    removed: list[Path] = []
    try:
        names = [n for n in os.listdir(path.parent) if pattern.match(n)]
    except OSError:
        return []
    now = time.time()
    for n in names:
        part = path.parent / n
        try:
            fd = os.open(part, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or now - st.st_mtime < STALE_PART_AGE:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a live writer holds it
            with contextlib.suppress(OSError):
                os.unlink(part)
                removed.append(part)
        finally:
            os.close(fd)
    return removed


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
