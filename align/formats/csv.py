"""CSV (RFC 4180: CRLF line ends, quotes doubled), one row a bead, with a header line."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

from align.formats.delimited import cells, row_from_cells, sheet
from align.formats.rows import FIELDS, ExportRow, WriteOptions, WriteResult, reading


def write(rows: Iterable[ExportRow], out: Path | None, options: WriteOptions) -> WriteResult:
    """Write rows as CSV; returns (rows written, {"neutralised_cells": n})."""
    n = 0
    with sheet(out, options, newline="") as (f, counts):
        w = csv.writer(f)
        w.writerow(FIELDS)
        for row in rows:
            w.writerow(cells(row, counts))
            n += 1
    return n, counts


def read(path: Path) -> Iterator[ExportRow]:
    """Read back a CSV export (formula neutralising undone)."""
    with reading(path, "csv", newline="") as f:
        for row in csv.DictReader(f):
            yield row_from_cells(row)
