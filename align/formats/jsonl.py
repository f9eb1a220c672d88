"""JSON Lines: one object a bead, keyed by the ExportRow fields, id lists as arrays."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from align.formats.rows import FIELDS, ExportRow, WriteOptions, WriteResult, atomic_output, columns, reading


def json_line(row: ExportRow, names: tuple[str, ...] = FIELDS) -> str:
    """One row as a line of JSON with the keys `names` (non-ASCII kept; U+2028/2029 escaped)."""
    text = json.dumps({name: getattr(row, name) for name in names}, ensure_ascii=False)
    # U+2028/2029 are legal JSON but split lines in JavaScript and str.splitlines.
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"


def write(rows: Iterable[ExportRow], out: Path | None, options: WriteOptions) -> WriteResult:
    """Write rows as JSONL; returns (rows written, no extra counts)."""
    names = columns(options)
    n = 0
    with atomic_output(out, binary=False, newline="\n", protect=options.protect) as f:
        for row in rows:
            f.write(json_line(row, names))
            n += 1
    return n, {}


def read(path: Path) -> Iterator[ExportRow]:
    """Read back a JSONL export."""
    with reading(path, "jsonl") as f:
        for line in f:
            if line.strip():
                obj = json.loads(line)
                obj["src_ids"] = tuple(obj["src_ids"])
                obj["tgt_ids"] = tuple(obj["tgt_ids"])
                yield ExportRow(**obj)
