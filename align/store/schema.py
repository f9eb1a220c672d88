"""The corpus file's SQLite schema and its migrations, applied in order, each in a transaction.

Version 1: meta, documents, sentences, beads and the append-only log.
Version 2: a per-document summary (kept up to date in the same transaction as every change)
and an index on confidence, so `align list` answers at once on a million beads.
Version 3: a revision number per document, raised by every realign or replace, so a review
that started before a realign can refuse (inside its write transaction) to write to beads
that now mean something else.
Version 4: the start and end time (seconds) of each sentence of a subtitle file, so beads
keep their times through the store (NULL for every other input).
Version 5: each reviewer operation's log entry carries what undoes it (`undo`: the beads
before and after, as JSON), and the log is indexed by document, so undo/redo read only the
document's own entries. From here on beads.idx is a position that orders a document's beads,
not necessarily its bead number (the rank); see align.store.edits. Files of versions 1-4 hold
numbers, which are positions too.
Version 6: the seconds an alignment took (read, segment, encode, align) per document, for
`align stats`' slowest documents (NULL for imported documents and those added before).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from align.errors import CorpusError
from align.store.wal import switch_to_wal

BUSY_TIMEOUT_MS = 10_000

_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,
    src_path TEXT, tgt_path TEXT,
    src_lang TEXT NOT NULL, tgt_lang TEXT NOT NULL,
    src_sha256 TEXT, tgt_sha256 TEXT,
    model TEXT, signature TEXT, settings TEXT,
    origin TEXT NOT NULL CHECK (origin IN ('align', 'tmx')),
    aligned_at TEXT NOT NULL
);
CREATE TABLE sentences (
    doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    side TEXT NOT NULL CHECK (side IN ('src', 'tgt')),
    idx INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (doc, side, idx)
) WITHOUT ROWID;
CREATE TABLE beads (
    doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    src_ids TEXT NOT NULL,
    tgt_ids TEXT NOT NULL,
    confidence REAL NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('auto', 'confirmed', 'edited', 'rejected')),
    src_edit TEXT,
    tgt_edit TEXT,
    PRIMARY KEY (doc, idx)
) WITHOUT ROWID;
CREATE TABLE log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    bead INTEGER,
    action TEXT NOT NULL,
    from_value TEXT,
    to_value TEXT
);
CREATE TRIGGER log_no_update BEFORE UPDATE ON log
BEGIN SELECT RAISE(ABORT, 'the corpus log is append-only'); END;
CREATE TRIGGER log_no_delete BEFORE DELETE ON log
BEGIN SELECT RAISE(ABORT, 'the corpus log is append-only'); END;
"""

_V2 = """
CREATE TABLE doc_summary (
    doc INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    n_src INTEGER NOT NULL, n_tgt INTEGER NOT NULL, n_beads INTEGER NOT NULL,
    mean_confidence REAL,
    types TEXT NOT NULL,
    n_auto INTEGER NOT NULL, n_confirmed INTEGER NOT NULL,
    n_edited INTEGER NOT NULL, n_rejected INTEGER NOT NULL
);
CREATE INDEX beads_confidence ON beads (confidence, doc);
INSERT INTO doc_summary SELECT id, 0, 0, 0, NULL, '{}', 0, 0, 0, 0 FROM documents;
"""

_V3 = """
ALTER TABLE documents ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
"""

_V4 = """
ALTER TABLE sentences ADD COLUMN t_start REAL;
ALTER TABLE sentences ADD COLUMN t_end REAL;
"""

_V5 = """
ALTER TABLE log ADD COLUMN undo TEXT;
CREATE INDEX log_doc ON log (doc_id, id);
"""

_V6 = """
ALTER TABLE documents ADD COLUMN align_seconds REAL;
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4, _V5, _V6)
"""MIGRATIONS[k] takes a corpus from version k to k+1."""
SCHEMA_VERSION = len(MIGRATIONS)


def connect(path: Path) -> sqlite3.Connection:
    """Open the SQLite file in WAL mode with foreign keys on and a busy timeout.

    The connection is in autocommit mode: callers open their own `BEGIN IMMEDIATE`
    transactions so every change is all-or-nothing.
    """
    try:
        con = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        con.execute("PRAGMA foreign_keys = ON")
        mode = switch_to_wal(con, patience=BUSY_TIMEOUT_MS / 1000)
        if mode.lower() != "wal":
            raise CorpusError(f"{path}: cannot switch the corpus to WAL mode (got {mode})")
        con.execute("PRAGMA synchronous = FULL")
    except sqlite3.DatabaseError as e:
        raise translate_error(e, path) from None
    return con


def connect_readonly(path: Path) -> sqlite3.Connection:
    """Open the SQLite file only to read it: no journal-mode switch, no migration, no write,
    so the commands that only read (list, show, export) work on read-only storage.

    Where the file can be written it is opened as usual but with query_only on, so that the
    last reader to close still cleans up the WAL's -wal and -shm files; on read-only storage
    it is opened read-only, and immutable when the WAL's -shm file cannot be created there
    (nobody can be writing a file on storage that cannot be written).
    """
    from urllib.parse import quote

    uri = "file:" + quote(os.fsencode(Path(path).absolute()))
    for params in ("mode=rw", "mode=ro", "mode=ro&immutable=1"):
        con = sqlite3.connect(f"{uri}?{params}", uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                              check_same_thread=False)  # fmt: skip
        try:
            con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            con.execute("PRAGMA query_only = ON")
            schema_version(con)  # the first read: where a missing -shm shows
            return con
        except sqlite3.DatabaseError as e:
            con.close()
            readonly_wal = "readonly" in str(e) or "unable to open" in str(e)
            if not readonly_wal or "immutable" in params:
                raise translate_error(e, path, reading=True) from None
    raise AssertionError("unreachable")  # pragma: no cover


def translate_error(e: sqlite3.Error, path: Path, *, reading: bool = False) -> CorpusError:
    """A user-facing CorpusError for an SQLite error."""
    msg = str(e)
    if "locked" in msg or "busy" in msg:
        return CorpusError(f"{path}: corpus is busy (another align process is writing); try again")
    if "not a database" in msg or "malformed" in msg:
        return CorpusError(f"{path}: not an align corpus (not an SQLite database, or damaged)")
    if "readonly" in msg or "unable to open" in msg:
        return CorpusError(f"{path}: cannot open the corpus for {'reading' if reading else 'writing'} ({msg})")
    return CorpusError(f"{path}: corpus error: {msg}")


def schema_version(con: sqlite3.Connection) -> int:
    """The schema version stored in the file (0 for a new, empty file)."""
    has_meta = con.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    ).fetchone()
    if not has_meta:
        return 0
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def check_version(con: sqlite3.Connection, path: Path) -> int:
    """The file's schema version, refusing one from a newer align and an SQLite file that is
    not a corpus (CorpusError); an older version is returned, for `migrate` to bring up."""
    version = schema_version(con)
    if version > SCHEMA_VERSION:
        raise CorpusError(
            f"{path}: corpus has schema version {version}, but this align knows up to "
            f"{SCHEMA_VERSION}; upgrade align to open it"
        )
    if version == 0:
        n_tables = con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if n_tables:
            raise CorpusError(f"{path}: an SQLite database, but not an align corpus")
    return version


def migrate(con: sqlite3.Connection, path: Path, *, target: int = SCHEMA_VERSION) -> int:
    """Bring the file up to `target`, one migration per transaction; returns the version.

    A file from a newer align is refused rather than guessed at; a file that is some
    other SQLite database (tables but no align meta) is refused too.
    """
    version = check_version(con, path)
    while version < target:
        con.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(con) != version:  # another process migrated meanwhile
                con.execute("ROLLBACK")
                version = schema_version(con)
                continue
            for statement in _statements(MIGRATIONS[version]):
                con.execute(statement)
            version += 1
            con.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(version),),
            )
            if version == 2:
                from align.store.summary import refresh_all_summaries

                refresh_all_summaries(con)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return version


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (triggers keep their inner semicolons)."""
    out: list[str] = []
    buf = ""
    for line in script.strip().splitlines():
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
