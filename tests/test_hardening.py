"""Bad input as a careful tester feeds it (issue 12): pipes and FIFOs, deep HTML, escape
sequences, odd file names and options. Each is one clear line or the right result."""

from __future__ import annotations

import hashlib
import json
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
    manifest = tmp_path / "pairs.jsonl"  # a pair whose source is missing fails, named by its id
    manifest.write_text(json.dumps({"src": "missing.sent", "tgt": "en.sent", "doc_id": ESC_DOC}) + "\n", encoding="utf-8")
    results = [run("add", ja, en, "--corpus", corpus, "--presegmented", "--doc-id", ESC_DOC, "--force")]
    results += [
        run("list", corpus),
        run("show", corpus, ESC_DOC),
        run("review", corpus, ESC_DOC, "--below", "1", input="s\nq\n"),
        run("confirm", corpus, ESC_DOC, "0"),
        run("stats", corpus),
        run("batch", manifest, "--corpus", tmp_path / "b.db", "--presegmented", "-q"),
        run("show", corpus, "\x1b[1mnot there"),
    ]
    for r in results[:-2]:
        assert r.exit_code == 0, r.output
    assert results[-2].exit_code == 1  # the batch's one pair failed
    shown = "".join(r.stdout + r.stderr for r in results)
    assert "\x1b" not in shown and "\x07" not in shown
    assert "␛[2J␛[31mevil" in results[0].stdout  # added ␛[2J␛[31mevil␛]0;pwned␇: 3 beads
    assert "␛[2J␛[31mevil␛]0;pwned␇" in results[1].stdout  # list
    for shown_bead in (results[2], results[3]):  # show, review
        assert "␛[2J画面を消す文。␛[0m" in shown_bead.stdout and "␛[2Jthe screen.␛[0m" in shown_bead.stdout
    assert "␛[2J␛[31mevil" in results[5].stdout  # stats
    assert "failed: ␛[2J␛[31mevil" in results[6].stderr  # batch's failure line
    one_line_error(results[-1], "not there")



def _copy(folder: Path, *names: tuple[str | bytes, Path]) -> list[Path]:
    """Copy files into `folder` under the given names (bytes: a name that is not UTF-8)."""
    out = []
    for name, source in names:
        target = Path(os.fsdecode(os.path.join(os.fsencode(folder), os.fsencode(name))))
        target.write_bytes(source.read_bytes())
        out.append(target)
    return out


def test_file_names_that_are_not_utf8_align_and_store(tmp_path: Path) -> None:
    """Was "internal error: UnicodeEncodeError": the doc id from the name could not be written."""
    src, tgt = _copy(tmp_path, (b"\xff\xfespeech.ja.sent", CLT / "ja.sent"), (b"\xff\xfespeech.en.sent", CLT / "en.sent"))
    for fmt in ("jsonl", "csv", "tsv", "parquet", "xlsx", "tmx"):
        r = run("pair", src, tgt, "--presegmented", "-q", "-o", tmp_path / f"out.{fmt}")
        assert r.exit_code == 0, r.output
    first = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert first["doc_id"] == "\\xff\\xfespeech"
    r = run("add", src, tgt, "--presegmented", "--corpus", tmp_path / "c.db")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("added \\xff\\xfespeech: ")


def test_an_empty_doc_id_is_refused_not_ignored(tmp_path: Path) -> None:
    for doc_id in ("", "  "):
        one_line_error(run("add", CLT / "ja.sent", CLT / "en.sent", "--corpus", tmp_path / "c.db", "--doc-id", doc_id),
                       "document id is empty")  # fmt: skip
    assert not (tmp_path / "c.db").exists()
    tmx = tmp_path / "x.tmx"
    tmx.write_text('<tmx version="1.4"><header srclang="ja" segtype="sentence" datatype="plaintext" adminlang="en" '
                   'creationtool="t" creationtoolversion="1" o-tmf="t"/><body><tu><tuv xml:lang="ja"><seg>一</seg></tuv>'
                   '<tuv xml:lang="en"><seg>One</seg></tuv></tu></body></tmx>', encoding="utf-8")  # fmt: skip
    one_line_error(run("import", tmx, "--corpus", tmp_path / "c.db", "--doc-id", ""), "document id is empty")
    assert not (tmp_path / "c.db").exists()


def test_the_same_file_on_both_sides_is_warned_and_not_added(tmp_path: Path) -> None:
    r = run("pair", CLT / "en.sent", CLT / "en.sent", "--presegmented", "--src-lang", "en")
    assert r.exit_code == 0
    warned = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert warned == [f"warning: {CLT / 'en.sent'} and {CLT / 'en.sent'} are the same file (the same content on both sides): is one of them the wrong file?"]
    (copy,) = _copy(tmp_path, ("copy.sent", CLT / "ja.sent"))
    one_line_error(run("add", CLT / "ja.sent", copy, "--presegmented", "--corpus", tmp_path / "c.db", "--tgt-lang", "ja"),
                   "the same file", "--force")  # fmt: skip


def test_a_target_not_in_the_tgt_lang_is_warned(tmp_path: Path) -> None:
    """Only a full swap was noticed; an English target declared German went by."""
    r = run("pair", CLT / "ja.sent", CLT / "en.sent", "--presegmented", "--tgt-lang", "de")
    assert r.exit_code == 0, r.output
    assert f"warning: {CLT / 'en.sent'} reads as en, not de (--tgt-lang): is it the wrong file, or the wrong --tgt-lang?" in r.stderr
    r = run("pair", CLT / "ja.sent", CLT / "en.sent", "--presegmented", "--src-lang", "zh")
    assert f"warning: {CLT / 'ja.sent'} reads as ja, not zh (--src-lang)" in r.stderr
    r = run("pair", CLT / "ja.sent", CLT / "en.sent", "--presegmented")
    assert "warning" not in r.stderr
    one_line_error(run("add", CLT / "ja.sent", CLT / "en.sent", "--presegmented", "--tgt-lang", "fr", "--corpus", tmp_path / "c.db"),
                   "reads as en, not fr", "--force")  # fmt: skip


def test_tmx_language_codes_are_checked(tmp_path: Path) -> None:
    corpus = tmp_path / "c.db"
    assert run("add", CLT / "ja.sent", CLT / "en.sent", "--presegmented", "--corpus", corpus).exit_code == 0
    for bad in ("", "ja_JP", "日本語", "en US", "e", "ja-JP-toolongsubtag", '"><x'):
        one_line_error(run("export", corpus, "-o", tmp_path / "x.tmx", "--src-code", bad), "--src-code", "not a language code")
        one_line_error(run("export", corpus, "-o", tmp_path / "x.tmx", "--tgt-code", bad), "--tgt-code", "not a language code")
    assert not (tmp_path / "x.tmx").exists()
    for good in ("ja-JP", "zh-Hant-TW", "es-419", "EN"):
        assert run("export", corpus, "-o", tmp_path / "x.tmx", "--src-code", good).exit_code == 0
    one_line_error(run("pair", CLT / "ja.sent", CLT / "en.sent", "--presegmented", "--src-lang", "ja jp"), "not a language code")


def test_tsv_and_moses_rows_stay_one_line_for_splitlines(tmp_path: Path) -> None:
    """\\x0b, \\x1c, U+2028/2029 were written raw: a reader using splitlines saw extra rows."""
    from align.formats import read_rows, rows_from_alignment, write_rows
    from corpus_helpers import alignment_from_lines

    breaks = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\r\n\t\\"
    src = [f"文{k}{c}続き" for k, c in enumerate(breaks)]
    tgt = [f"line {k}{c}more \\x1c literal" for k, c in enumerate(breaks)]
    alignment = alignment_from_lines(src, tgt, [([k], [k]) for k in range(len(breaks))])
    out = tmp_path / "x.tsv"
    write_rows(rows_from_alignment(alignment), out, fmt="tsv")
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1 + len(breaks)
    back = list(read_rows(out, fmt="tsv"))
    assert [(r.src, r.tgt) for r in back] == list(zip(src, tgt))
    write_rows(rows_from_alignment(alignment), tmp_path / "x", fmt="moses")  # x.ja, x.en: a bead a line
    for side in ("ja", "en"):
        assert len((tmp_path / f"x.{side}").read_text(encoding="utf-8").splitlines()) == len(breaks)
