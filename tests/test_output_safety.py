"""Where an export goes: never onto an input, a folder or a disk; a FIFO, a terminal or
/dev/stdout written in place; `-o -` is stdout; a full disk is one line and leaves no file;
a killed writer's temporary file is cleaned by the next write (issue 12: 1, 2, 9)."""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from align.formats.rows import atomic_output
from align.store import Corpus
from cli_helpers import ALIGN, one_line_error, run
from corpus_helpers import alignment_from_lines, gold_alignment, many_lines
from data_paths import CLT, ROOT

ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A corpus of one document (kyoto-CLT01161's gold: 10 beads)."""
    path = tmp_path / "c.db"
    with Corpus(path, create=True) as c:
        c.add_alignment(gold_alignment(CLT), doc_id="clt")
    return path


def export(*args: object, **kw) -> subprocess.CompletedProcess:  # noqa: ANN003
    """`align export ...` in a subprocess, so that its stdout is a real file descriptor."""
    kw.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(
        [*ALIGN, "export", *map(str, args)], stderr=subprocess.PIPE, timeout=120, cwd=ROOT, check=False, **kw
    )


def test_a_fifo_is_written_in_place_and_stays_a_fifo(corpus: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    r = export(corpus, "--format", "jsonl", "-o", fifo)
    if r.returncode != 0:  # let the reader go before failing
        with open(fifo, "wb", buffering=0):
            pass
    reader.join(30)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert len(got[0].decode().splitlines()) == 10


def test_a_link_to_stdout_writes_to_stdout_whether_a_pipe_or_a_file(corpus: Path, tmp_path: Path) -> None:
    link = tmp_path / "stdout"  # what /dev/stdout is: a link to /proc/self/fd/1
    link.symlink_to("/proc/self/fd/1")
    r = export(corpus, "-o", link)  # no extension: jsonl, as for stdout
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.decode().splitlines()) == 10
    assert link.is_symlink()
    with open(tmp_path / "redirected.jsonl", "wb") as f:  # align export ... -o /dev/stdout > file
        r = export(corpus, "--format", "jsonl", "-o", link, stdout=f)
    assert r.returncode == 0, r.stderr
    assert len((tmp_path / "redirected.jsonl").read_text().splitlines()) == 10
    assert link.is_symlink()


@pytest.mark.skipif(not ROOT_USER, reason="making a device node needs root")
def test_character_devices_are_written_in_place_and_a_full_one_is_one_line(corpus: Path, tmp_path: Path) -> None:
    null, full = tmp_path / "null", tmp_path / "full"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    r = export(corpus, "--format", "jsonl", "-o", null)
    assert r.returncode == 0, r.stderr
    r = export(corpus, "--format", "jsonl", "-o", full)
    assert r.returncode == 5
    assert r.stderr.decode().strip().splitlines() == [f"error: {full}: No space left on device while writing; the output is incomplete"]
    assert stat.S_ISCHR(os.lstat(null).st_mode) and stat.S_ISCHR(os.lstat(full).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.db", "full", "null"]


def test_a_symlink_keeps_pointing_at_the_file_it_names(corpus: Path, tmp_path: Path) -> None:
    real = tmp_path / "data" / "real.jsonl"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "out.jsonl"
    link.symlink_to(real)
    r = run("export", corpus, "-o", link)
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and link.resolve() == real
    assert len(real.read_text().splitlines()) == 10


def test_dash_is_stdout_not_a_file_named_dash(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = run("export", corpus, "-o", "-")
    assert r.exit_code == 0, r.output
    assert len(r.stdout.splitlines()) == 10 and json.loads(r.stdout.splitlines()[0])["doc_id"] == "clt"
    assert "to stdout" in r.stderr
    assert not (tmp_path / "-").exists()
    one_line_error(run("export", corpus, "-o", "-", "--format", "parquet"), "binary", "stdout")


def test_folders_are_refused(corpus: Path, tmp_path: Path) -> None:
    one_line_error(run("export", corpus, "-o", tmp_path, "--format", "jsonl"), "is a folder")


@pytest.mark.skipif(not ROOT_USER, reason="making a device node needs root")
def test_a_disk_device_is_refused(corpus: Path, tmp_path: Path) -> None:
    disk = tmp_path / "loop0"  # a node of its own: never the machine's /dev (a failing test would replace it)
    os.mknod(disk, stat.S_IFBLK | 0o600, os.makedev(7, 0))
    one_line_error(run("export", corpus, "-o", disk, "--format", "jsonl"), "disk device")
    assert stat.S_ISBLK(os.lstat(disk).st_mode)


def test_an_output_that_is_an_input_is_refused(corpus: Path, tmp_path: Path) -> None:
    before = corpus.read_bytes()
    for out in (corpus, tmp_path / "hard.db", tmp_path / "soft.db"):
        if out.name == "hard.db":
            os.link(corpus, out)
        elif out.name == "soft.db":
            out.symlink_to(corpus)
        r = run("export", corpus, "--format", "jsonl", "-o", out)
        one_line_error(r, "is also an input", "destroy")
        assert r.exit_code == 5
    assert corpus.read_bytes() == before
    assert run("list", corpus).exit_code == 0


def test_pair_refuses_to_write_onto_its_source_before_aligning(tmp_path: Path) -> None:
    src, tgt = tmp_path / "ja.md", tmp_path / "en.md"
    src.write_bytes((CLT / "ja.sent").read_bytes())
    tgt.write_bytes((CLT / "en.sent").read_bytes())
    for out in (src, tgt):
        start = time.perf_counter()
        r = run("pair", src, tgt, "--format", "jsonl", "-o", out)
        one_line_error(r, "is also an input")
        assert time.perf_counter() - start < 5  # refused before the model loads
    assert src.read_bytes() == (CLT / "ja.sent").read_bytes()
    assert tgt.read_bytes() == (CLT / "en.sent").read_bytes()
    # moses writes OUT.ja and OUT.en: an input named like one of them is safe too
    r = run("pair", src, tgt, "--format", "moses", "-o", tmp_path / "ja", "--tgt-lang", "md")
    one_line_error(r, "is also an input")


def test_a_full_disk_is_one_line_and_keeps_the_old_file(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    r = run("export", corpus, "-o", out)
    assert one_line_error(r) == f"error: {out}: No space left on device while writing; nothing was written and the file is as it was"
    assert r.exit_code == 5
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.db", "out.jsonl"]


def test_a_file_size_limit_mid_export_leaves_no_partial_file(corpus: Path, tmp_path: Path) -> None:
    """A real write failing half way (RLIMIT_FSIZE: EFBIG after 64 KB, as a disk filling up)."""
    import resource

    src, tgt = many_lines(600)  # about 150 KB as JSONL
    big = tmp_path / "big.db"
    with Corpus(big, create=True) as c:
        c.add_alignment(alignment_from_lines(src, tgt, [([k], [k]) for k in range(600)]), doc_id="big")
    corpus.unlink()

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 16, 1 << 16))

    out = tmp_path / "out.jsonl"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    r = subprocess.run(
        [*ALIGN, "export", str(big), "-o", str(out)], capture_output=True, timeout=120, cwd=ROOT,
        preexec_fn=limit, env=env, check=False,
    )  # fmt: skip
    assert r.returncode == 5, r.stderr
    assert r.stderr.decode().strip().splitlines() == [
        f"error: {out}: File too large while writing; nothing was written and the file is as it was"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.db"]


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from align.formats.rows import atomic_output
    with atomic_output(Path(sys.argv[1]), binary=False) as f:
        f.write("half a file\\n" * 1000)
        f.flush()
        print("writing", flush=True)
        time.sleep(600)
    """
)


PART_SUFFIX = ".part"


def _parts(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.endswith(PART_SUFFIX))


def _age(path: Path) -> None:
    """Make a file look a minute old (older than a writer takes to lock its new file)."""
    old = time.time() - 60
    os.utime(path, (old, old))


def test_a_writer_killed_mid_write_leaves_a_part_file_the_next_write_removes(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(out)], stdout=subprocess.PIPE, cwd=ROOT) for _ in range(2)
    ]
    try:
        for w in writers:
            assert w.stdout is not None and w.stdout.readline().strip() == b"writing"
        parts = _parts(tmp_path)
        assert len(parts) == 2
        os.kill(writers[0].pid, signal.SIGKILL)
        writers[0].wait(30)
        for p in parts:
            _age(p)  # both look old; only the killed writer's is unlocked
        r = run("export", corpus, "-o", out)
        assert r.exit_code == 0, r.output
        assert len(out.read_text().splitlines()) == 10
        left = _parts(tmp_path)
        assert len(left) == 1  # the live writer's file is kept
    finally:
        for w in writers:
            w.kill()
            w.wait(30)
    from align.formats.rows import remove_stale_parts

    assert remove_stale_parts(out) == left  # now its writer is dead too
    assert _parts(tmp_path) == []


def test_a_fresh_or_foreign_part_file_is_left_alone(tmp_path: Path) -> None:
    from align.formats.rows import PART_SUFFIX as ours, STALE_PART_AGE, remove_stale_parts

    assert ours == PART_SUFFIX and STALE_PART_AGE < 60
    out = tmp_path / "out.jsonl"
    fresh = tmp_path / f".out.jsonl.abcd1234{PART_SUFFIX}"  # unlocked, but just made: perhaps a writer starting
    other = tmp_path / f".other.jsonl.abcd1234{PART_SUFFIX}"
    mine = tmp_path / f".out.jsonl.notours{PART_SUFFIX}"
    for p in (fresh, other, mine):
        p.write_text("x")
    _age(other)
    _age(mine)
    with atomic_output(out, binary=False) as f:
        f.write("new\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, other.name, mine.name, "out.jsonl"])
    _age(fresh)
    assert remove_stale_parts(out) == [fresh]
