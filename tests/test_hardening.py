"""Bad input as a careful tester feeds it (issue 12): pipes and FIFOs, deep HTML, escape
sequences, odd file names and options. Each is one clear line or the right result."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from pathlib import Path

from align.store import Corpus
from cli_helpers import ALIGN, one_line_error, run
from data_paths import CLT, ROOT


def _feed(fifo: Path, data: bytes) -> threading.Thread:
    """Write `data` into a FIFO once (as `<(cat file)` does), in the background."""

    def write() -> None:
        with open(fifo, "wb") as f:
            f.write(data)

    t = threading.Thread(target=write, daemon=True)
    t.start()
    return t


def test_add_from_fifos_hashes_the_bytes_it_aligned(tmp_path: Path) -> None:
    """`align add <(cat ja) <(cat en) --doc-id x`: each stream is read once, and a changed
    document piped in is re-aligned, not reported unchanged (the store used to hash the
    path again, an empty stream, or hang on a FIFO)."""
    ja, en = (CLT / "ja.sent").read_bytes(), (CLT / "en.sent").read_bytes()
    changed = en.replace(b"God", b"Deity", 1)
    assert changed != en
    corpus = tmp_path / "c.db"
    said = []
    for src, tgt in ((ja, en), (ja, changed), (ja, changed)):
        fifos = [tmp_path / "ja.fifo", tmp_path / "en.fifo"]
        for f in fifos:
            f.unlink(missing_ok=True)
            os.mkfifo(f)
        writers = [_feed(fifos[0], src), _feed(fifos[1], tgt)]
        r = subprocess.run(
            [*ALIGN, "add", *map(str, fifos), "--corpus", str(corpus), "--doc-id", "x", "--presegmented"],
            capture_output=True, text=True, timeout=120, cwd=ROOT, check=False,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        said.append(r.stdout.split(":")[0])
        for w in writers:
            w.join(10)
    assert said == ["added x", "realigned x", "unchanged x"]
    with Corpus(corpus) as c:
        row = c._con.execute("SELECT src_sha256, tgt_sha256 FROM documents").fetchone()
        assert "Deity" in c.beads("x")[0].tgt
    assert row == (hashlib.sha256(ja).hexdigest(), hashlib.sha256(changed).hexdigest())



def _nested(depth: int) -> str:
    return (
        "<html><body><h1>Deep page</h1><p>Before the nest.</p>" + "<div>" * depth + "<p>Deep inside.</p>"
        + "</div>" * depth + "<p>After the nest.</p></body></html>"
    )  # fmt: skip


def test_html_nested_hundreds_deep_keeps_the_rest_of_the_page(tmp_path: Path) -> None:
    """libxml2 stops at 256 levels and silently dropped everything after the nest."""
    for depth in (254, 300, 2000):
        page = tmp_path / f"deep{depth}.html"
        page.write_text(_nested(depth), encoding="utf-8")
        r = run("segment", page)
        assert r.exit_code == 0, r.output
        assert r.stdout.splitlines() == ["Deep page", "Before the nest.", "Deep inside.", "After the nest."]


def test_html_nested_past_the_parsers_limit_is_one_line(tmp_path: Path) -> None:
    page = tmp_path / "deeper.html"
    page.write_text(_nested(3000), encoding="utf-8")
    one_line_error(run("segment", page), "deeper.html: the HTML is nested more than 2048 elements deep")


ESC_DOC = "\x1b[2J\x1b[31mevil\x1b]0;pwned\x07"
ESC_LINES_JA = ["最初の文。", "\x1b[2J画面を消す文。\x1b[0m", "三つ目の文。"]
ESC_LINES_EN = ["The first sentence.", "A sentence that clears \x1b[2Jthe screen.\x1b[0m", "The third sentence."]


def test_escape_sequences_in_the_corpus_are_shown_not_run(tmp_path: Path) -> None:
    """ESC sequences from a --presegmented file or a --doc-id reach the screen as ␛."""
    ja, en = tmp_path / "ja.sent", tmp_path / "en.sent"
    ja.write_text("\n".join(ESC_LINES_JA) + "\n", encoding="utf-8")
    en.write_text("\n".join(ESC_LINES_EN) + "\n", encoding="utf-8")
    corpus = tmp_path / "c.db"
    results = [run("add", ja, en, "--corpus", corpus, "--presegmented", "--doc-id", ESC_DOC, "--force")]
    results += [
        run("list", corpus),
        run("show", corpus, ESC_DOC),
        run("review", corpus, ESC_DOC, "--below", "1", input="s\nq\n"),
        run("confirm", corpus, ESC_DOC, "0"),
        run("show", corpus, "\x1b[1mnot there"),
    ]
    for r in results[:-1]:
        assert r.exit_code == 0, r.output
    shown = "".join(r.stdout + r.stderr for r in results)
    assert "\x1b" not in shown and "\x07" not in shown
    assert "␛[2J␛[31mevil" in results[0].stdout  # added ␛[2J␛[31mevil␛]0;pwned␇: 3 beads
    assert "␛[2J␛[31mevil␛]0;pwned␇" in results[1].stdout  # list
    for shown_bead in (results[2], results[3]):  # show, review
        assert "␛[2J画面を消す文。␛[0m" in shown_bead.stdout and "␛[2Jthe screen.␛[0m" in shown_bead.stdout
    one_line_error(results[-1], "not there")

