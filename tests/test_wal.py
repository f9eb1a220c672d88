"""The WAL switch both stores use waits out other processes instead of failing at once."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from align.store.wal import switch_to_wal


class Flaky:
    """A connection whose first `fails` statements raise `error` (another process's lock)."""

    def __init__(self, path: Path, fails: int, error: str) -> None:
        self.con = sqlite3.connect(path, isolation_level=None)
        self.fails = fails
        self.error = error
        self.calls = 0

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self.calls += 1
        if self.calls <= self.fails:
            raise sqlite3.OperationalError(self.error)
        return self.con.execute(sql, *args)


def test_a_locked_switch_is_retried_until_it_succeeds(tmp_path: Path) -> None:
    con = Flaky(tmp_path / "x.sqlite3", fails=3, error="database is locked")
    assert switch_to_wal(con, patience=5.0) == "wal"  # type: ignore[arg-type]
    assert sqlite3.connect(tmp_path / "x.sqlite3").execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.calls == 5  # three refusals, then read the mode and switch


def test_a_file_already_in_wal_is_left_as_it_is(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "x.sqlite3").execute("PRAGMA journal_mode = WAL")
    con = Flaky(tmp_path / "x.sqlite3", fails=0, error="")
    assert switch_to_wal(con, patience=5.0) == "wal"  # type: ignore[arg-type]
    assert con.calls == 1  # only read: no exclusive lock needed


def test_other_errors_and_a_lock_that_outlasts_patience_raise(tmp_path: Path) -> None:
    with pytest.raises(sqlite3.OperationalError, match="not a database"):
        switch_to_wal(Flaky(tmp_path / "a", fails=1, error="file is not a database"), patience=5.0)  # type: ignore[arg-type]
    stuck = Flaky(tmp_path / "b", fails=10**6, error="database is locked")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        switch_to_wal(stuck, patience=0.3)  # type: ignore[arg-type]
    assert 3 <= stuck.calls < 20
