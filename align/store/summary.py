"""The per-document summary row behind `align list`, refreshed inside every writing transaction."""

from __future__ import annotations

import json
import sqlite3

STATUS_COLUMNS = {"auto": "n_auto", "confirmed": "n_confirmed", "edited": "n_edited", "rejected": "n_rejected"}


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
