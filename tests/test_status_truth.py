"""Review status is the truth of the corpus: exports keep rejected beads out and reviewed beads
in, TMX import keeps documents, order, types and statuses, and `align add` refuses to
overwrite another pair's document or to store a pair that is not a translation."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from align.cli import app
from align.store import Corpus, edits, export_rows
from corpus_helpers import gold_alignment, gold_folders
from data_paths import CLT, CMAC, EPR


def run(*args: object):  # noqa: ANN201
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Three documents; in the first, bead 0 confirmed at confidence 0.21, bead 1 rejected at
    0.97, bead 2 edited, bead 3 merged with 4 (so its type is new)."""
    path = tmp_path / "c.db"
    conf = {0: 0.21, 1: 0.97}
    with Corpus(path, create=True) as c:
        for folder in gold_folders()[:3]:
            c.add_alignment(gold_alignment(folder, conf=lambda k: conf.get(k, 0.5 + k % 5 / 10)), doc_id=folder.name)
        first = c.doc_ids()[0]
        edits.set_statuses(c, first, [0], "confirmed")
        edits.set_statuses(c, first, [1], "rejected")
        edits.edit_text(c, first, 2, tgt="An edited & <escaped> target.")
        edits.merge(c, first, 3)
    return path


def units(tmx: Path) -> list[tuple[str, ...]]:
    """(doc, index, type, status, confidence, src, tgt) of every unit."""
    text = tmx.read_text(encoding="utf-8")
    return re.findall(
        r'<prop type="x-doc-id">(.*?)</prop><prop type="x-bead-index">(\d+)</prop><prop type="x-bead-type">(.*?)</prop>'
        r'<prop type="x-confidence">(.*?)</prop><prop type="x-status">(.*?)</prop>\n<tuv xml:lang="[^"]+"><seg>(.*?)</seg>'
        r'</tuv>\n<tuv xml:lang="[^"]+"><seg>(.*?)</seg>',
        text,
    )


def test_export_leaves_rejected_out_unless_asked(corpus: Path, tmp_path: Path) -> None:
    with Corpus(corpus) as c:
        first = c.doc_ids()[0]
        n_all = sum(1 for _ in export_rows(c, statuses=["auto", "confirmed", "edited", "rejected"]))
    out = tmp_path / "out.jsonl"
    r = run("export", corpus, "-o", out)
    assert r.exit_code == 0
    assert "left out 1 rejected (--status rejected includes them)" in r.stderr
    rows = out.read_text(encoding="utf-8").splitlines()
    assert len(rows) == n_all - 1 and not any('"status": "rejected"' in x for x in rows)
    r = run("export", corpus, "-o", out, "--status", "rejected")
    assert r.exit_code == 0 and f'"doc_id": "{first}", "bead_index": 1' in out.read_text(encoding="utf-8")
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1


def test_min_confidence_filters_only_auto_beads(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.tmx"
    r = run("export", corpus, "-o", out, "--min-confidence", "0.9")
    assert r.exit_code == 0, r.output
    got = units(out)
    with Corpus(corpus) as c:
        first = c.doc_ids()[0]
        every = list(export_rows(c, statuses=["auto", "confirmed", "edited", "rejected"]))
    want = [(b.doc_id, b.bead_index) for b in every if b.src_ids and b.tgt_ids and b.status != "rejected"
            and (b.confidence >= 0.9 or b.status in ("confirmed", "edited"))]  # fmt: skip
    assert [(u[0], int(u[1])) for u in got] == want
    assert (first, "0", "0.21", "confirmed") in [(u[0], u[1], u[3], u[4]) for u in got]  # confirmed at 0.21: kept
    assert (first, 1) not in [(u[0], int(u[1])) for u in got]  # rejected at 0.97: out
    assert "auto below 0.9" in r.stderr


def test_export_import_export_keeps_documents_types_and_statuses(corpus: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "1.tmx", tmp_path / "2.tmx"
    everything = ["--status", "auto", "--status", "confirmed", "--status", "edited", "--status", "rejected",
                  "--include-unaligned"]  # fmt: skip
    assert run("export", corpus, "-o", first, *everything).exit_code == 0
    r = run("import", first, "--corpus", tmp_path / "c2.db")
    assert r.exit_code == 0, r.output
    with Corpus(corpus) as c:
        docs = c.doc_ids()
    assert r.stdout.splitlines() == [f"imported {d}: {len(units_of(first, d))} beads" for d in docs]
    assert run("export", tmp_path / "c2.db", "-o", second, *everything).exit_code == 0
    assert units(first) == units(second)  # same documents, bead numbers, types, statuses, texts
    assert {u[4] for u in units(second)} == {"auto", "confirmed", "edited", "rejected"}
    assert any(u[2] == "2-2" or u[2].startswith(("2-", "3-")) for u in units(second))  # a merged bead kept its shape
    with Corpus(tmp_path / "c2.db") as c:
        assert c.doc_ids() == docs
    assert run("import", first, "--corpus", tmp_path / "c2.db").stdout.startswith("unchanged ")
    # TMX's default leaves the 1-0 / 0-1 beads out: the rest comes back the same, numbered without the gaps
    assert run("export", corpus, "-o", first).exit_code == 0
    assert run("import", first, "--corpus", tmp_path / "c3.db").exit_code == 0
    assert run("export", tmp_path / "c3.db", "-o", second).exit_code == 0
    assert [u[:1] + u[2:] for u in units(first)] == [u[:1] + u[2:] for u in units(second)]


def units_of(tmx: Path, doc: str) -> list[tuple[str, ...]]:
    return [u for u in units(tmx) if u[0] == doc]


def test_a_foreign_tmx_comes_in_confirmed_as_one_document(tmp_path: Path) -> None:
    tmx = tmp_path / "memory.tmx"
    tmx.write_text(
        '<?xml version="1.0"?><tmx version="1.4"><header srclang="ja" segtype="sentence" o-tmf="x" adminlang="en" '
        'datatype="plaintext" creationtool="x" creationtoolversion="1"/><body>'
        '<tu><tuv xml:lang="ja"><seg>一。</seg></tuv><tuv xml:lang="en"><seg>One.</seg></tuv></tu>'
        '<tu><tuv xml:lang="ja"><seg>二。</seg></tuv><tuv xml:lang="en"><seg>Two.</seg></tuv></tu></body></tmx>',
        encoding="utf-8",
    )
    r = run("import", tmx, "--corpus", tmp_path / "c.db")
    assert r.exit_code == 0 and r.stdout == "imported memory: 2 beads\n"
    with Corpus(tmp_path / "c.db") as c:
        assert [(b.src, b.tgt, b.status) for b in c.beads("memory")] == [("一。", "One.", "confirmed"), ("二。", "Two.", "confirmed")]


def test_add_refuses_an_id_that_holds_another_pair(tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "x", tmp_path / "b" / "x"
    for folder in (a, b):
        shutil.copytree(CLT, folder)
    path = tmp_path / "c.db"
    assert run("add", a / "ja.sent", a / "en.sent", "--corpus", path, "--presegmented").exit_code == 0
    with Corpus(path) as c:
        c.set_status("x", 1, "confirmed")
        before = (c.beads("x"), c.log("x"), c.document("x"))
    r = run("add", b / "ja.sent", b / "en.sent", "--corpus", path, "--presegmented")
    assert r.exit_code == 4 and len(r.stderr.strip().splitlines()) == 1
    assert f"document 'x' already holds {a / 'ja.sent'} + {a / 'en.sent'}" in r.stderr
    assert "--doc-id NAME" in r.stderr and "--replace" in r.stderr
    with Corpus(path) as c:
        assert (c.beads("x"), c.log("x"), c.document("x")) == before
    r = run("add", b / "ja.sent", b / "en.sent", "--corpus", path, "--presegmented", "--doc-id", "x2")
    assert r.exit_code == 0 and r.stdout.startswith("added x2")
    r = run("add", a / "ja.sent", a / "en.sent", "--corpus", path, "--presegmented")  # the same pair: fine
    assert r.exit_code == 0 and r.stdout.startswith("unchanged x")
    r = run("add", b / "ja.sent", b / "en.sent", "--corpus", path, "--presegmented", "--replace")
    assert r.exit_code == 0 and r.stdout.startswith("realigned x")


@pytest.mark.parametrize(
    ("src", "tgt", "needle"),
    [
        (CLT / "en.sent", CLT / "ja.sent", "languages look swapped"),
        (CLT / "en.sent", EPR / "en.sent", "both files read as en"),
        (CMAC / "ja.sent", EPR / "en.sent", "files look unrelated"),
    ],
)
def test_add_refuses_a_pair_that_is_not_a_translation(tmp_path: Path, src: Path, tgt: Path, needle: str) -> None:
    path = tmp_path / "c.db"
    r = run("add", src, tgt, "--corpus", path, "--presegmented", "--doc-id", "d")
    assert r.exit_code == 2 and needle in r.stderr and "--force" in r.stderr, r.output
    assert len(r.stderr.strip().splitlines()) == 1
    assert not path.exists() or Corpus(path).doc_ids() == []
    r = run("add", src, tgt, "--corpus", path, "--presegmented", "--doc-id", "d", "--force")
    assert r.exit_code == 0 and r.stdout.startswith("added d")
