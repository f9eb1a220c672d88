"""TSV, one row a bead on one line, with a header line.

TSV cannot quote, so inside a cell a backslash is written as `\\\\`, a tab as `\\t`, a newline
as `\\n` and a CR as `\\r` (the PostgreSQL COPY convention); a row is always one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from align.formats.delimited import cells, row_from_cells, sheet
from align.formats.rows import FIELDS, ExportRow, WriteOptions, WriteResult, reading

_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_TSV_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def tsv_escape(cell: str) -> str:
    """Backslash-escape tab, newline, CR and backslash so the cell stays on one line."""
    return cell.translate(_TSV_ESCAPES)


def tsv_unescape(cell: str) -> str:
    """Undo `tsv_escape`; an unknown escape is kept as written."""
    if "\\" not in cell:
        return cell
    out: list[str] = []
    i, n = 0, len(cell)
    while i < n:
        c = cell[i]
        if c == "\\" and i + 1 < n and cell[i + 1] in _TSV_UNESCAPES:
            out.append(_TSV_UNESCAPES[cell[i + 1]])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def write(rows: Iterable[ExportRow], out: Path | None, options: WriteOptions) -> WriteResult:
    """Write rows as TSV; returns (rows written, {"neutralised_cells": n})."""
    n = 0
    with sheet(out, options, newline="\n") as (f, counts):
        f.write("\t".join(FIELDS) + "\n")
        for row in rows:
            f.write("\t".join(tsv_escape(c) for c in cells(row, counts)) + "\n")
            n += 1
    return n, counts


def read(path: Path) -> Iterator[ExportRow]:
    """Read back a TSV export (escapes and formula neutralising undone)."""
    with reading(path, "tsv") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            values = [tsv_unescape(c) for c in line.rstrip("\n").split("\t")]
            if len(values) != len(header):
                raise ValueError(f"{len(values)} cells, header has {len(header)}")
            yield row_from_cells(dict(zip(header, values, strict=True)))
