"""Switching an SQLite file to WAL mode when other processes may be doing the same.

Both on-disk stores (the embedding cache and the corpus) are WAL files that several align
processes may open at once. SQLite does not run its busy wait for a journal-mode switch: two
processes that switch a new file together get "database is locked" at once. WAL is stored in
the file, so the switch is needed once; it is retried with backoff while others hold the lock.
"""

from __future__ import annotations

import sqlite3
import time


def switch_to_wal(con: sqlite3.Connection, *, patience: float) -> str:
    """Put the file in WAL mode, retrying for up to `patience` seconds; returns the mode."""
    deadline = time.monotonic() + patience
    pause = 0.02
    while True:
        try:
            mode = str(con.execute("PRAGMA journal_mode").fetchone()[0])
            if mode.lower() == "wal":
                return mode
            return str(con.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as e:
            busy = "locked" in str(e) or "busy" in str(e)
            if not busy or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.5)
