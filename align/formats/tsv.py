"""TSV, one row a bead on one line, with a header line.

TSV cannot quote, so inside a cell a backslash is written as `\\\\`, a tab as `\\t`, a newline
as `\\n` and a CR as `\\r` (the PostgreSQL COPY convention), a vertical tab and a form feed as
`\\v` and `\\f`, and the other characters some readers break lines at (`\\x1c`-`\\x1e`, `\\x85`,
`\\u2028`, `\\u2029`) as such escapes: a row is always one line, even for str.splitlines.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from align.formats.delimited import cells, row_from_cells, sheet
from align.formats.rows import LINE_BREAKS, ExportRow, WriteOptions, WriteResult, columns, reading

_NAMED = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x0b": "\\v", "\x0c": "\\f"}
_TSV_ESCAPES = str.maketrans(
    {**{c: f"\\x{ord(c):02x}" if ord(c) <= 0xFF else f"\\u{ord(c):04x}" for c in LINE_BREAKS}, **_NAMED}
)
_TSV_UNESCAPES = {v[1]: k for k, v in _NAMED.items()}
_HEX = {"x": 2, "u": 4}


def tsv_escape(cell: str) -> str:
    """Backslash-escape the cell so it stays one line for any reader: backslash, tab, and every
    line break (LINE_BREAKS: \\n \\r \\v \\f, and \\x1c-\\x1e, \\x85, \\u2028, \\u2029 that
    str.splitlines also breaks at)."""
    return cell.translate(_TSV_ESCAPES)


def tsv_unescape(cell: str) -> str:
    """Undo `tsv_escape`; an unknown escape is kept as written."""
    if "\\" not in cell:
        return cell
    out: list[str] = []
    i, n = 0, len(cell)
    while i < n:
        c = cell[i]
        nxt = cell[i + 1] if c == "\\" and i + 1 < n else ""
        if nxt in _TSV_UNESCAPES and nxt:
            out.append(_TSV_UNESCAPES[nxt])
            i += 2
        elif nxt in _HEX and _is_hex(cell[i + 2 : i + 2 + _HEX[nxt]], _HEX[nxt]):
            out.append(chr(int(cell[i + 2 : i + 2 + _HEX[nxt]], 16)))
            i += 2 + _HEX[nxt]
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _is_hex(text: str, digits: int) -> bool:
    return len(text) == digits and all(ch in "0123456789abcdefABCDEF" for ch in text)


def write(rows: Iterable[ExportRow], out: Path | None, options: WriteOptions) -> WriteResult:
    """Write rows as TSV; returns (rows written, {"neutralised_cells": n})."""
    n = 0
    with sheet(out, options, newline="\n") as (f, counts):
        names = columns(options)
        f.write("\t".join(names) + "\n")
        for row in rows:
            f.write("\t".join(tsv_escape(c) for c in cells(row, counts, names)) + "\n")
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
