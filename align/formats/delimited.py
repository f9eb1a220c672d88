"""What CSV and TSV share: a row as text cells, guarded against spreadsheet formulas, and back.

Columns: the ExportRow fields in order; the id lists are written as space-separated numbers
("3 4"). Text that a spreadsheet would run as a formula (a cell beginning with `=`, `+`, `-`,
`@`, tab or CR) is prefixed with a single quote `'`, as OWASP advises against CSV injection; a
cell that already begins with quotes followed by such a character gets one more quote, so
reading undoes it exactly. Only the free-text cells (doc_id, src, tgt) are guarded.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from align.formats.rows import FIELD_TYPES, FIELDS, IDS, TIME, TIME_FIELDS, ExportRow, WriteOptions, atomic_output

FREE_TEXT: frozenset[str] = frozenset({"doc_id", "src", "tgt"})
"""The only cells with free text, hence the only ones a spreadsheet could run as a formula."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Prefix `'` to a cell a spreadsheet would read as a formula (reversible, see module doc)."""
    if cell.lstrip("'").startswith(_FORMULA_START):
        return "'" + cell
    return cell


def unneutralise(cell: str) -> str:
    """Undo `neutralise`."""
    if cell.startswith("'") and cell.lstrip("'").startswith(_FORMULA_START):
        return cell[1:]
    return cell


def _ids_text(ids: tuple[int, ...]) -> str:
    return " ".join(map(str, ids))


def _ids(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split())


# Each field type as a cell and back; confidence keeps full precision (repr).
# A time is empty where unknown.
_TO_TEXT: dict[Any, Callable[[Any], str]] = {
    str: str, int: str, float: lambda x: repr(float(x)), IDS: _ids_text,
    TIME: lambda x: "" if x is None else repr(float(x)),
}  # fmt: skip
_FROM_TEXT: dict[Any, Callable[[str], Any]] = {
    str: str, int: int, float: float, IDS: _ids, TIME: lambda s: float(s) if s else None,
}  # fmt: skip


def cells(row: ExportRow, counts: dict[str, int], names: tuple[str, ...] = FIELDS) -> list[str]:
    """The row as text cells in `names` order, free text neutralised (counted in `counts`)."""
    out = []
    for name in names:
        cell = _TO_TEXT[FIELD_TYPES[name]](getattr(row, name))
        if name in FREE_TEXT:
            safe = neutralise(cell)
            if safe is not cell:
                counts["neutralised_cells"] += 1
            cell = safe
        out.append(cell)
    return out


def row_from_cells(cells: Mapping[str, str]) -> ExportRow:
    """The row that `cells` wrote (by column name), neutralising undone; start/end if there."""
    values = {}
    for name in FIELDS + tuple(t for t in TIME_FIELDS if t in cells):
        text = unneutralise(cells[name]) if name in FREE_TEXT else cells[name]
        values[name] = _FROM_TEXT[FIELD_TYPES[name]](text)
    return ExportRow(**values)


@contextlib.contextmanager
def sheet(out: Path | None, options: WriteOptions, *, newline: str) -> Iterator[tuple[IO[str], dict[str, int]]]:
    """The output of a CSV/TSV writer (atomic; a BOM first with options.excel) and its counts."""
    with atomic_output(out, binary=False, newline=newline, protect=options.protect) as f:
        if options.excel:
            f.write("\ufeff")
        yield f, {"neutralised_cells": 0}
