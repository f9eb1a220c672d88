"""Excel (.xlsx), one row a bead: the CSV columns, for translators who review in a spreadsheet.

Written with XlsxWriter in constant-memory mode (rows are streamed, not held), with a frozen
header row and a filter on it, wrapped text in wide source/target columns, confidence as a
number (beads below the review threshold shaded), and the review status. Safe against
formulas: every text cell is written as a string (XlsxWriter's formula and URL guessing is
off), so a sentence starting with `=`, `+`, `-` or `@` stays text and is never run; unlike
CSV no quote needs to be added. A text longer than Excel's cell limit (32,767 characters) is
an error rather than a silent cut.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from align.errors import UsageError
from align.formats.rows import (
    IDS,
    TIME,
    ExportRow,
    WriteOptions,
    WriteResult,
    FIELD_TYPES,
    atomic_output,
    columns,
)
from align.model import REVIEW_THRESHOLD

BINARY = True
"""A binary format: never written to stdout."""

CELL_LIMIT = 32_767
_WIDTHS = {"src": 60, "tgt": 60, "doc_id": 16, "src_ids": 10, "tgt_ids": 10, "status": 11}


def write(rows: Iterable[ExportRow], out: Path | None, options: WriteOptions) -> WriteResult:
    """Write rows as an .xlsx workbook with one sheet, "beads"; returns (rows written, {})."""
    import xlsxwriter

    names = columns(options)
    n = 0
    with atomic_output(out, binary=BINARY, protect=options.protect) as f:
        book = xlsxwriter.Workbook(
            f, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        )
        sheet = book.add_worksheet("beads")
        bold = book.add_format({"bold": True, "bottom": 1, "valign": "top"})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        top = book.add_format({"valign": "top"})
        number = book.add_format({"num_format": "0.000", "valign": "top"})
        for c, name in enumerate(names):
            sheet.set_column(c, c, _WIDTHS.get(name, 9), wrap if name in ("src", "tgt") else None)
        sheet.freeze_panes(1, 0)
        for c, name in enumerate(names):
            sheet.write_string(0, c, name, bold)
        for row in rows:
            n += 1
            for c, name in enumerate(names):
                value = getattr(row, name)
                kind = FIELD_TYPES[name]
                if value is None:
                    sheet.write_blank(n, c, None, top)
                elif kind in (float, TIME):  # confidence, start, end
                    sheet.write_number(n, c, float(value), number)
                elif kind is int:
                    sheet.write_number(n, c, int(value), top)
                else:
                    text = " ".join(map(str, value)) if kind == IDS else str(value)
                    if len(text) > CELL_LIMIT:
                        raise UsageError(
                            f"bead {row.bead_index} of {row.doc_id!r}: {name} has {len(text):,} characters, "
                            f"over Excel's cell limit of {CELL_LIMIT:,}; export as CSV or JSONL"
                        )
                    sheet.write_string(n, c, text, wrap if name in ("src", "tgt") else top)
        last = max(n, 1)
        sheet.autofilter(0, 0, last, len(names) - 1)
        conf = names.index("confidence")
        sheet.conditional_format(
            1, conf, last, conf,
            {"type": "cell", "criteria": "<", "value": REVIEW_THRESHOLD,
             "format": book.add_format({"bg_color": "#F8D7DA"})},
        )  # fmt: skip
        book.close()
    return n, {}
