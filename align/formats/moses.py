"""Moses: two line-aligned plain-text files, OUT.<src-lang> and OUT.<tgt-lang>, one bead a line.

What MT training pipelines (Moses, fairseq, Marian, OpenNMT) read. Line n of one file is the
translation of line n of the other, so a line may not hold a newline: line breaks and tabs
inside a text become spaces. 1-0 and 0-1 beads are left out by default (see
`default_include_unaligned`); kept, they give an empty line on one side. Both files are
written atomically: an error leaves neither behind.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from pathlib import Path

from align.errors import UsageError
from align.formats.rows import LINE_BREAKS, ExportRow, WriteOptions, WriteResult, atomic_output, is_stdout

_BREAKS = re.compile(f"[{re.escape(LINE_BREAKS)}\t]+")


def paths(out: Path, options: WriteOptions) -> tuple[Path, Path]:
    """The two files for `out`: OUT.<src_lang> and OUT.<tgt_lang>."""
    return Path(f"{out}.{options.src_lang}"), Path(f"{out}.{options.tgt_lang}")


def targets(out: Path | None, options: WriteOptions) -> tuple[Path, Path]:
    """The files this format writes for `-o out` (see `align.formats.check_output`)."""
    if is_stdout(out):
        raise UsageError("--format moses writes two files; give -o PREFIX (writes PREFIX.ja and PREFIX.en)")
    if options.src_lang == options.tgt_lang:
        raise UsageError(f"--format moses names its files by language; both are {options.src_lang!r}")
    return paths(out, options)  # type: ignore[arg-type]


def line(text: str) -> str:
    """A text as one line: breaks and tabs as single spaces."""
    return _BREAKS.sub(" ", text).strip() + "\n"


def write(rows: Iterable[ExportRow], out: Path | None, options: WriteOptions) -> WriteResult:
    """Write rows as OUT.<src_lang> and OUT.<tgt_lang>; returns (lines written, {})."""
    src_path, tgt_path = targets(out, options)
    n = 0
    with contextlib.ExitStack() as stack:
        src = stack.enter_context(atomic_output(src_path, binary=False, newline="\n", protect=options.protect))
        tgt = stack.enter_context(atomic_output(tgt_path, binary=False, newline="\n", protect=options.protect))
        for row in rows:
            src.write(line(row.src))
            tgt.write(line(row.tgt))
            n += 1
    return n, {}
