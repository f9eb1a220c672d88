"""`align batch` killed with SIGKILL at random moments, then run again: every pair ends up in
the corpus (or the Parquet dataset) exactly once, as an uninterrupted run stores it, the file
stays sound, and no pair stored before a kill is aligned again."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from align.batch import run_batch
from align.pipeline import PairOptions
from batch_helpers import collection, corpus_content


def batch(root: Path, target: list[str]) -> subprocess.Popen:
    """`align batch` in its own process group (its worker processes too), stderr to a pipe."""
    args = [sys.executable, "-c", "from align.cli import main; main()", "batch", str(root), *target,
            "--presegmented", "--workers", "2"]  # fmt: skip
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)


def stored(path: Path) -> int:
    """Documents stored so far in a corpus file or a dataset folder."""
    if path.is_dir():
        return len(list(path.glob("*.parquet")))
    if not path.exists():
        return 0
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        con.close()


def alive_in_group(pgid: int) -> list[int]:
    """Processes of a process group that are running (not zombies)."""
    alive = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                fields = (p / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(int(p.name))
    return alive


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200]
    except OSError:
        return f"{pid} (ended)"


def kill_at_random_points(root: Path, target: list[str], path: Path, rng: random.Random) -> list[int]:
    """Three runs killed: the first while it starts (loading the model, spawning workers) or
    aligns its first pairs, the next ones once a chosen number of pairs is stored, a moment
    later (perhaps mid-write). Documents stored after each kill."""
    after = []
    for goal in (None, rng.randint(2, 4), rng.randint(5, 8)):
        proc = batch(root, target)
        if goal is None:
            time.sleep(rng.uniform(0.3, 1.5))
        else:
            deadline = time.monotonic() + 120
            while stored(path) < goal and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.05))
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its workers, as a crash would
        proc.communicate(timeout=30)
        after.append(stored(path))
    print("stored after each kill:", after)
    assert after == sorted(after)  # a kill never loses a stored pair
    return after


def finish(root: Path, target: list[str], done: int) -> None:
    """The rerun after the kills stores exactly the pairs not stored yet; one more stores none."""
    proc = batch(root, target)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    summary = err.strip().splitlines()[-1]
    if done == 0:
        assert summary.startswith("9 pairs: 9 added;"), summary
    elif done < 9:
        assert summary.startswith(f"9 pairs: {9 - done} added, {done} stored already;"), summary
    else:
        assert summary.startswith("9 pairs: nothing new stored, 9 stored already"), summary
    proc = batch(root, target)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0 and "9 pairs: nothing new stored, 9 stored already" in err, err


@pytest.mark.parametrize("kind", ["corpus", "dataset"])
def test_kill_9_then_rerun_stores_every_pair_exactly_once(tmp_path: Path, kind: str) -> None:
    root = collection(tmp_path / "in")
    path = tmp_path / ("c.db" if kind == "corpus" else "ds")
    target = ["--corpus", str(path)] if kind == "corpus" else ["--out", str(path)]
    reference = tmp_path / ("ref.db" if kind == "corpus" else "ref")
    report = run_batch(root, options=PairOptions(presegmented=True), **{"corpus" if kind == "corpus" else "out": reference})
    assert report.actions == {"added": 9}
    after = kill_at_random_points(root, target, path, random.Random(10 if kind == "corpus" else 12))
    finish(root, target, after[-1])
    if kind == "dataset":
        assert not list(path.glob(".*.part"))  # no half-written file left behind
        assert sorted(p.name for p in path.glob("*.parquet")) == sorted(p.name for p in reference.glob("*.parquet"))
        got, want = (pl.read_parquet(p / "*.parquet").sort("doc_id", "bead_index") for p in (path, reference))
        assert got.equals(want)
        return
    assert corpus_content(path) == corpus_content(reference)  # every pair once, in order, as one run stores it
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    log = con.execute("SELECT doc_id, action FROM log").fetchall()
    assert sorted(log) == sorted((d[0], "added") for d in corpus_content(reference))  # each stored once, never again
    con.close()


def test_ctrl_c_stops_the_workers_at_once_and_keeps_what_is_stored(tmp_path: Path) -> None:
    root = collection(tmp_path / "in")
    path = tmp_path / "c.db"
    proc = batch(root, ["--corpus", str(path)])
    deadline = time.monotonic() + 120
    while stored(path) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)  # to the driver only; its workers ignore Ctrl-C
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err.strip().splitlines()[-1] == "error: interrupted", err
    deadline = time.monotonic() + 10  # multiprocessing's resource tracker ends when it sees the driver gone
    while alive_in_group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [command_of(pid) for pid in alive_in_group(proc.pid)] == []  # no worker outlives the driver
    kept = stored(path)
    assert kept >= 2 and (tmp_path / "c.db.failures.tsv").exists()
    finish(root, ["--corpus", str(path)], kept)
