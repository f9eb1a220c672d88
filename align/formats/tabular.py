"""The data formats: JSONL, CSV, TSV, Parquet and Vecalign beads, written as a stream.

Columns (all formats but beads): doc_id, bead_index, src, tgt, src_ids, tgt_ids, confidence,
type, status. In CSV/TSV the id lists are written as space-separated numbers ("3 4").

Text that a spreadsheet would run as a formula (a cell beginning with `=`, `+`, `-`, `@`, tab
or CR) is prefixed with a single quote `'`, as OWASP advises against CSV injection; a cell
that already begins with quotes followed by such a character gets one more quote, so
`read_rows` can undo it exactly. TSV cannot quote, so inside a cell a backslash is written as
`\\\\`, a tab as `\\t`, a newline as `\\n` and a CR as `\\r` (the PostgreSQL COPY convention);
a row is always one line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from align.formats.beads import format_bead
from align.errors import FormatError, InputError, UsageError
from align.formats.rows import ExportRow, atomic_output

COLUMNS: tuple[str, ...] = (
    "doc_id", "bead_index", "src", "tgt", "src_ids", "tgt_ids", "confidence", "type", "status",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_TSV_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
PARQUET_BATCH = 50_000


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


def _ids_text(ids: tuple[int, ...]) -> str:
    return " ".join(map(str, ids))


def _text_cells(row: ExportRow) -> list[str]:
    return [
        row.doc_id, str(row.bead_index), row.src, row.tgt, _ids_text(row.src_ids),
        _ids_text(row.tgt_ids), repr(float(row.confidence)), row.type, row.status,
    ]  # fmt: skip


def _json_line(row: ExportRow) -> str:
    obj = {
        "doc_id": row.doc_id, "bead_index": row.bead_index, "src": row.src, "tgt": row.tgt,
        "src_ids": list(row.src_ids), "tgt_ids": list(row.tgt_ids),
        "confidence": row.confidence, "type": row.type, "status": row.status,
    }  # fmt: skip
    # U+2028/2029 are legal JSON but split lines in JavaScript and str.splitlines.
    text = json.dumps(obj, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"


def _write_jsonl(rows: Iterable[ExportRow], f: IO[str]) -> int:
    n = 0
    for row in rows:
        f.write(_json_line(row))
        n += 1
    return n


def _write_delimited(
    rows: Iterable[ExportRow], f: IO[str], *, tsv: bool, counts: dict[str, int]
) -> int:
    def cells(row: ExportRow) -> list[str]:
        out = _text_cells(row)
        for k in (0, 2, 3):  # doc_id, src, tgt: the only free-text cells
            safe = neutralise(out[k])
            if safe is not out[k]:
                counts["neutralised_cells"] += 1
            out[k] = safe
        return out

    n = 0
    if tsv:
        f.write("\t".join(COLUMNS) + "\n")
        for row in rows:
            f.write("\t".join(tsv_escape(c) for c in cells(row)) + "\n")
            n += 1
    else:
        w = csv.writer(f)  # RFC 4180: CRLF line ends, quotes doubled
        w.writerow(COLUMNS)
        for row in rows:
            w.writerow(cells(row))
            n += 1
    return n


def _write_beads(rows: Iterable[ExportRow], f: IO[str]) -> int:
    n = 0
    doc: str | None = None
    for row in rows:
        if doc is not None and row.doc_id != doc:
            raise UsageError(
                f"the beads format holds one document, but the export has {doc!r} and "
                f"{row.doc_id!r}; choose one with --doc ID or use jsonl"
            )
        doc = row.doc_id
        f.write(format_bead(row.src_ids, row.tgt_ids) + "\n")
        n += 1
    return n


def _parquet_schema():  # noqa: ANN202
    import pyarrow as pa

    return pa.schema([
        ("doc_id", pa.string()), ("bead_index", pa.int64()), ("src", pa.string()),
        ("tgt", pa.string()), ("src_ids", pa.list_(pa.int64())), ("tgt_ids", pa.list_(pa.int64())),
        ("confidence", pa.float64()), ("type", pa.string()), ("status", pa.string()),
    ])  # fmt: skip


def _write_parquet(rows: Iterable[ExportRow], f: IO[bytes]) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("parquet export needs pyarrow: pip install pyarrow") from None
    schema = _parquet_schema()
    n = 0
    with pq.ParquetWriter(f, schema, compression="zstd") as writer:
        batch: list[ExportRow] = []

        def flush() -> None:
            cols = {name: [getattr(r, name) for r in batch] for name in COLUMNS}
            writer.write_table(pa.table(cols, schema=schema))
            batch.clear()

        for row in rows:
            batch.append(row)
            n += 1
            if len(batch) >= PARQUET_BATCH:
                flush()
        if batch or n == 0:
            flush()
    return n


def write_tabular(
    rows: Iterable[ExportRow], out: Path | None, *, fmt: str, excel: bool = False
) -> tuple[int, dict[str, int]]:
    """Write rows as jsonl/csv/tsv/parquet/beads; returns (rows written, extra counts)."""
    counts = {"neutralised_cells": 0}
    if fmt == "parquet":
        with atomic_output(out, binary=True) as f:
            return _write_parquet(rows, f), counts
    with atomic_output(out, binary=False, newline="" if fmt == "csv" else "\n") as f:
        if excel and fmt in ("csv", "tsv"):
            f.write("\ufeff")
        if fmt == "jsonl":
            n = _write_jsonl(rows, f)
        elif fmt in ("csv", "tsv"):
            n = _write_delimited(rows, f, tsv=fmt == "tsv", counts=counts)
        elif fmt == "beads":
            n = _write_beads(rows, f)
        else:
            raise UsageError(f"{fmt!r} is not a tabular format")
    return n, counts


def _ids(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split())


def _row_from_cells(cells: dict[str, str]) -> ExportRow:
    return ExportRow(
        doc_id=unneutralise(cells["doc_id"]),
        bead_index=int(cells["bead_index"]),
        src=unneutralise(cells["src"]),
        tgt=unneutralise(cells["tgt"]),
        src_ids=_ids(cells["src_ids"]),
        tgt_ids=_ids(cells["tgt_ids"]),
        confidence=float(cells["confidence"]),
        type=cells["type"],
        status=cells["status"],
    )


def read_rows(path: Path, *, fmt: str) -> Iterator[ExportRow]:
    """Read back a jsonl/csv/tsv export (undoing TSV escapes and formula neutralising)."""
    path = Path(path)
    if fmt not in ("jsonl", "csv", "tsv"):
        raise UsageError(f"reading {fmt!r} exports is not supported; use jsonl, csv or tsv")
    try:
        f = open(path, encoding="utf-8-sig", newline="" if fmt == "csv" else None)  # noqa: SIM115
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    with f:
        try:
            if fmt == "jsonl":
                for n, line in enumerate(f, 1):
                    if line.strip():
                        obj = json.loads(line)
                        obj["src_ids"] = tuple(obj["src_ids"])
                        obj["tgt_ids"] = tuple(obj["tgt_ids"])
                        yield ExportRow(**obj)
            elif fmt == "csv":
                reader = csv.DictReader(f)
                for cells in reader:
                    yield _row_from_cells(cells)
            else:
                header = f.readline().rstrip("\n").split("\t")
                for line in f:
                    values = [tsv_unescape(c) for c in line.rstrip("\n").split("\t")]
                    if len(values) != len(header):
                        raise ValueError(f"{len(values)} cells, header has {len(header)}")
                    yield _row_from_cells(dict(zip(header, values, strict=True)))
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
            raise FormatError(f"{path}: not an align {fmt} export ({e})") from None
