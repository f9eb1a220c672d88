"""The per-document summary row behind `align list`, refreshed inside every writing transaction."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

STATUS_COLUMNS = {"auto": "n_auto", "confirmed": "n_confirmed", "edited": "n_edited", "rejected": "n_rejected"}


@dataclass(frozen=True)
class DocSummary:
    """One document's summary: sentences per side, beads (total, by type, by status), mean
    confidence and the beads below the threshold it was read with."""

    doc_id: str
    src_sents: int
    tgt_sents: int
    beads: int
    types: dict[str, int]
    mean_confidence: float | None
    below: int
    statuses: dict[str, int]


def refresh_summary(con: sqlite3.Connection, doc: int) -> None:
    """Recompute one document's summary from its sentences and beads (call inside the
    transaction that changed them)."""
    n_src, n_tgt = con.execute(
        "SELECT coalesce(sum(side = 'src'), 0), coalesce(sum(side = 'tgt'), 0) "
        "FROM sentences WHERE doc = ?",
        (doc,),
    ).fetchone()
    n, mean, n_auto, n_conf, n_edit, n_rej = con.execute(
        "SELECT count(*), avg(confidence), coalesce(sum(status = 'auto'), 0), "
        "coalesce(sum(status = 'confirmed'), 0), coalesce(sum(status = 'edited'), 0), "
        "coalesce(sum(status = 'rejected'), 0) FROM beads WHERE doc = ?",
        (doc,),
    ).fetchone()
    types = dict(con.execute("SELECT type, count(*) FROM beads WHERE doc = ? GROUP BY type", (doc,)))
    con.execute(
        "INSERT OR REPLACE INTO doc_summary VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (doc, n_src, n_tgt, n, mean, json.dumps(types, sort_keys=True), n_auto, n_conf, n_edit, n_rej),
    )


def refresh_all_summaries(con: sqlite3.Connection) -> None:
    """Recompute every document's summary (used by the migration that adds the table)."""
    for (doc,) in con.execute("SELECT id FROM documents").fetchall():
        refresh_summary(con, doc)


def move_status(con: sqlite3.Connection, doc: int, old: str, new: str, n: int = 1) -> None:
    """Count `n` beads of `doc` under status `new` instead of `old`."""
    if old == new or n == 0:
        return
    a, b = STATUS_COLUMNS[old], STATUS_COLUMNS[new]
    con.execute(f"UPDATE doc_summary SET {a} = {a} - ?, {b} = {b} + ? WHERE doc = ?", (n, n, doc))


def read_summaries(con: sqlite3.Connection, threshold: float) -> list[DocSummary]:
    """Every document's summary, in the order they were first added; `below` counts the beads
    with confidence < `threshold`."""
    below = dict(con.execute(
        "SELECT doc, count(*) FROM beads WHERE confidence < ? GROUP BY doc", (threshold,)
    ).fetchall())  # fmt: skip
    rows = con.execute(
        "SELECT d.id, d.doc_id, s.n_src, s.n_tgt, s.n_beads, s.types, s.mean_confidence, "
        f"{', '.join(f's.{c}' for c in STATUS_COLUMNS.values())} "
        "FROM documents d JOIN doc_summary s ON s.doc = d.id ORDER BY d.id"
    ).fetchall()
    return [
        DocSummary(
            doc_id=r[1], src_sents=r[2], tgt_sents=r[3], beads=r[4], types=json.loads(r[5]),
            mean_confidence=r[6], below=below.get(r[0], 0), statuses=dict(zip(STATUS_COLUMNS, r[7:], strict=True)),
        )  # fmt: skip
        for r in rows
    ]
