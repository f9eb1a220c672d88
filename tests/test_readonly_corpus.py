"""A corpus on read-only storage: `list`, `show` and `export` read it without writing a byte
(no WAL switch, no migration); a command that writes says it cannot; a corpus of an older
schema that cannot be upgraded there says so (issue 12, finding 6).

Root ignores file permissions, so as root the commands run under `setpriv` without
CAP_DAC_OVERRIDE (root then obeys them, as any user does); the corpus's folder and file are
made read-only, as on a read-only mount.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from align.errors import CorpusError
from align.store import Corpus, schema
from cli_helpers import ALIGN
from corpus_helpers import gold_alignment
from data_paths import CLT, ROOT

ROOT_USER = os.geteuid() == 0
SETPRIV = shutil.which("setpriv")
DROP = ["--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search"]
pytestmark = pytest.mark.skipif(ROOT_USER and not SETPRIV, reason="as root, needs setpriv to obey file permissions")


@pytest.fixture
def shelf(tmp_path: Path) -> Iterator[Path]:
    """A folder that is made read-only by `read_only` and writable again afterwards."""
    folder = tmp_path / "shelf"
    folder.mkdir()
    yield folder
    folder.chmod(0o755)
    for p in folder.iterdir():
        p.chmod(0o644)


def read_only(folder: Path) -> None:
    for p in folder.iterdir():
        p.chmod(0o444)
    folder.chmod(0o555)


def align_cmd(*args: object) -> subprocess.CompletedProcess:
    """`align ARGS` as a process that file permissions apply to (root without its override)."""
    prefix = [SETPRIV, *DROP] if ROOT_USER else []
    return subprocess.run(
        [*prefix, *ALIGN, *map(str, args)], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )


def make_corpus(path: Path) -> None:
    with Corpus(path, create=True) as c:
        c.add_alignment(gold_alignment(CLT), doc_id="clt")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_list_show_export_read_a_corpus_on_read_only_storage(shelf: Path, tmp_path: Path) -> None:
    corpus = shelf / "c.db"
    make_corpus(corpus)
    read_only(shelf)
    before = snapshot(shelf)
    assert list(before) == ["c.db"]  # a clean close left no -wal or -shm
    r = align_cmd("list", corpus)
    assert r.returncode == 0, r.stderr
    assert "clt" in r.stdout
    r = align_cmd("show", corpus, "clt")
    assert r.returncode == 0, r.stderr
    assert "Fuku no kami" in r.stdout
    out = tmp_path / "out.jsonl"
    r = align_cmd("export", corpus, "-o", out)
    assert r.returncode == 0, r.stderr
    assert len(out.read_text().splitlines()) == 10
    r = align_cmd("stats", corpus)
    assert r.returncode == 0, r.stderr
    assert "1 documents" in r.stdout
    assert snapshot(shelf) == before


def test_a_write_on_read_only_storage_is_one_line(shelf: Path) -> None:
    corpus = shelf / "c.db"
    make_corpus(corpus)
    read_only(shelf)
    r = align_cmd("confirm", corpus, "clt", "0")
    assert r.returncode == 4
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: ") and "cannot open the corpus for writing" in r.stderr


def _old_corpus(path: Path) -> None:
    """A corpus of schema version 1 (as test_store builds it)."""
    con = schema.connect(path)
    schema.migrate(con, path, target=1)
    con.execute("INSERT INTO documents VALUES (1, 'd', 'a', 'b', 'ja', 'en', 'x', 'y', NULL, NULL, NULL, 'align', 'now')")
    con.executemany("INSERT INTO sentences VALUES (1, ?, ?, ?)", [("src", 0, "一"), ("src", 1, "二"), ("tgt", 0, "One two")])
    con.execute("INSERT INTO beads VALUES (1, 0, '0 1', '0', 0.5, '2-1', 'confirmed', NULL, NULL)")
    con.close()


def test_an_old_corpus_on_read_only_storage_says_it_needs_upgrading(shelf: Path) -> None:
    corpus = shelf / "old.db"
    _old_corpus(corpus)
    read_only(shelf)
    before = snapshot(shelf)
    r = align_cmd("list", corpus)
    assert r.returncode == 4
    assert r.stderr.count("\n") == 1 and "must be upgraded to schema version" in r.stderr and "write access" in r.stderr
    assert snapshot(shelf) == before


def test_an_old_corpus_where_it_can_be_written_is_upgraded_and_read(shelf: Path) -> None:
    corpus = shelf / "old.db"
    _old_corpus(corpus)
    with Corpus(corpus, readonly=True) as c:
        assert [s.doc_id for s in c.summaries()] == ["d"]
    con = sqlite3.connect(corpus)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(schema.SCHEMA_VERSION)
    con.close()


def test_a_read_only_open_writes_nothing_even_where_it_could(shelf: Path) -> None:
    corpus = shelf / "c.db"
    make_corpus(corpus)
    con = sqlite3.connect(corpus)
    con.execute("PRAGMA journal_mode = DELETE")  # as a corpus copied without its WAL mode would be
    con.close()
    before = snapshot(shelf)
    with Corpus(corpus, readonly=True) as c:
        assert len(c.beads("clt")) == 10
        with pytest.raises(CorpusError, match="writing"):
            c.set_status("clt", 0, "confirmed")
    assert snapshot(shelf) == before  # still in rollback-journal mode: no switch to WAL


def test_reading_where_it_could_write_leaves_no_wal_files_behind(shelf: Path, tmp_path: Path) -> None:
    from cli_helpers import run

    corpus = shelf / "c.db"
    make_corpus(corpus)
    for args in (("list", corpus), ("show", corpus, "clt"), ("export", corpus, "-o", tmp_path / "out.jsonl"),
                 ("stats", corpus)):
        assert run(*args).exit_code == 0
    assert sorted(p.name for p in shelf.iterdir()) == ["c.db"]
