"""Vecalign's bead notation, `[i, j]:[k]`: one source of truth for reading and writing it.

Also the `beads` export format: one document's beads, one `[i, j]:[k]` line each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from align.errors import FormatError, InputError, UsageError
from align.formats.rows import ExportRow, WriteOptions, WriteResult, atomic_output

_BEAD_RE = re.compile(r"^\s*\[([0-9,\s]*)\]\s*:\s*\[([0-9,\s]*)\]\s*$")


def format_bead(src: Iterable[int], tgt: Iterable[int]) -> str:
    """`[1, 2]:[3]` for a bead; nulls as `[]`."""
    return f"[{', '.join(map(str, src))}]:[{', '.join(map(str, tgt))}]"


def _ids(part: str) -> tuple[int, ...]:
    part = part.strip()
    return tuple(int(x) for x in part.split(",")) if part else ()


def parse_bead(line: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Parse one `[i, j]:[k]` line; raises FormatError on anything else."""
    m = _BEAD_RE.match(line)
    if not m:
        raise FormatError(f"not a bead: {line.strip()[:60]!r} (expected e.g. '[0, 1]:[2]')")
    try:
        return _ids(m.group(1)), _ids(m.group(2))
    except ValueError:
        raise FormatError(f"not a bead: {line.strip()[:60]!r}") from None


def read_beads(path: str | Path) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Read a beads file (blank lines ignored); errors name the file and line."""
    from align.read.decode import read_bytes

    p = Path(path)
    try:
        lines = read_bytes(p).decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"{p}: not a UTF-8 text file; a beads file has lines like [0, 1]:[2]") from None
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            out.append(parse_bead(line))
        except FormatError as e:
            raise FormatError(f"{p}:{n}: {e}") from None
    return out


def write(rows: Iterable[ExportRow], out: Path | None, options: WriteOptions) -> WriteResult:  # noqa: ARG001
    """Write one document's rows as a beads file; a second document is a UsageError."""
    n = 0
    doc: str | None = None
    with atomic_output(out, binary=False, newline="\n", protect=options.protect) as f:
        for row in rows:
            if doc is not None and row.doc_id != doc:
                raise UsageError(
                    f"the beads format holds one document, but the export has {doc!r} and "
                    f"{row.doc_id!r}; choose one with --doc ID or use jsonl"
                )
            doc = row.doc_id
            f.write(format_bead(row.src_ids, row.tgt_ids) + "\n")
            n += 1
    return n, {}
