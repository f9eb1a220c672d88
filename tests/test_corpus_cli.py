"""The corpus commands through the CLI: exit codes, stdout/stderr, bad input, round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

import align.pipeline
from align.formats.beads import read_beads
from align.cli import app
from align.store import Corpus
from corpus_helpers import KYOTO, gold_alignment, gold_folders

DTD = etree.DTD(str(Path(__file__).parent / "fixtures" / "tmx14.dtd"))


def run(*args: str):  # noqa: ANN201
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def fake_align(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """align_files replaced by the gold alignment of the pair's folder (the aligner is tested
    elsewhere); records the calls so the options can be checked."""
    calls: list[dict] = []

    def align_files(src: Path, tgt: Path, **kw):  # noqa: ANN202
        calls.append({"src": src, "tgt": tgt, **kw})
        return gold_alignment(Path(src).parent)

    monkeypatch.setattr(align.pipeline, "align_files", align_files)
    return calls


@pytest.fixture
def corpus(tmp_path: Path, fake_align: list[dict]) -> Path:
    path = tmp_path / "c.db"
    for folder in gold_folders()[:3]:
        r = run("add", folder / "ja.sent", folder / "en.sent", "--corpus", path, "--presegmented")
        assert r.exit_code == 0, r.output
    return path


def test_add_prints_one_line_and_passes_options(tmp_path: Path, fake_align: list[dict]) -> None:
    folder = KYOTO / "CLT01161"
    path = tmp_path / "c.db"
    r = run("add", folder / "ja.sent", folder / "en.sent", "--corpus", path, "--presegmented",
            "--model", "e5-small", "--threads", "2", "--no-cache")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.stdout == "added CLT01161: 9 beads\n"
    assert fake_align[0]["presegmented"] is True and fake_align[0]["model"] == "e5-small"
    assert fake_align[0]["threads"] == 2 and fake_align[0]["cache"] is False
    r = run("add", folder / "ja.sent", folder / "en.sent", "--corpus", path, "--presegmented",
            "--model", "e5-small", "--doc-id", "CLT01161")  # fmt: skip
    assert r.stdout == "unchanged CLT01161: 9 beads\n"
    r = run("add", folder / "ja.sent", tmp_path / "missing.sent", "--corpus", path)
    assert r.exit_code == 2 and "missing.sent" in r.stderr


def test_readd_after_confirming_keeps_confirmed(tmp_path: Path, fake_align: list[dict]) -> None:
    folder = KYOTO / "EPR00071"
    path = tmp_path / "c.db"
    run("add", folder / "ja.sent", folder / "en.sent", "--corpus", path)
    with Corpus(path) as c:
        for k in (1, 4, 7):
            c.set_status("EPR00071", k, "confirmed")
    copy = tmp_path / "EPR00071"
    copy.mkdir()
    for name in ("ja.sent", "en.sent", "gold.beads"):
        (copy / name).write_bytes((folder / name).read_bytes())
    ja = (copy / "ja.sent").read_text(encoding="utf-8").splitlines()
    ja[-1] = "最後の文を書き直した。"  # the file changed; the confirmed beads' sentences did not
    (copy / "ja.sent").write_text("\n".join(ja) + "\n", encoding="utf-8")
    r = run("add", copy / "ja.sent", copy / "en.sent", "--corpus", path)
    assert r.exit_code == 0 and r.stdout == "realigned EPR00071: 24 beads, kept 3 reviewed\n"
    with Corpus(path) as c:
        assert [b.bead_index for b in c.beads("EPR00071") if b.status == "confirmed"] == [1, 4, 7]


def test_list_and_its_errors(corpus: Path, tmp_path: Path) -> None:
    r = run("list", corpus)
    assert r.exit_code == 0
    for folder in gold_folders()[:3]:
        assert folder.name in r.stdout
    assert "below_0.9" in r.stdout and "confirmed" in r.stdout
    r = run("list", tmp_path / "typo.db")
    assert r.exit_code == 4 and r.stderr.startswith("error: ") and "no such corpus" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "typo.db").exists()
    (tmp_path / "notes.txt").write_text("not a corpus " * 50)
    r = run("list", tmp_path / "notes.txt")
    assert r.exit_code == 4 and "not an align corpus" in r.stderr


def test_show(corpus: Path) -> None:
    doc = gold_folders()[0].name
    r = run("show", corpus, doc)
    assert r.exit_code == 0
    assert "auto" in r.stdout and f"{len(read_beads(gold_folders()[0] / 'gold.beads'))} beads" in r.stdout
    r = run("show", corpus, doc, "--below", "0.6")
    n_below = sum(1 for b in gold_alignment(gold_folders()[0]).beads if b.confidence < 0.6)
    assert f"{doc}: {n_below} beads" in r.stdout
    r = run("show", corpus, "nope")
    assert r.exit_code == 4 and "no document 'nope'" in r.stderr


def test_export_every_format(corpus: Path, tmp_path: Path) -> None:
    total = sum(len(read_beads(f / "gold.beads")) for f in gold_folders()[:3])
    for fmt in ("jsonl", "csv", "tsv", "parquet", "tmx"):
        out = tmp_path / f"all.{fmt}"
        r = run("export", corpus, "-o", out)
        assert r.exit_code == 0, r.output
        assert out.exists() and f"({fmt})" in r.stderr
    assert len((tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()) == total
    tree = etree.parse(str(tmp_path / "all.tmx"))
    assert DTD.validate(tree)
    assert "left out" in run("export", corpus, "-o", tmp_path / "x.tmx").stderr
    r = run("export", corpus, "--format", "jsonl", "--doc", gold_folders()[1].name, "--min-confidence", "0.8")
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert lines and all(x["confidence"] >= 0.8 and x["doc_id"] == gold_folders()[1].name for x in lines)
    r = run("export", corpus, "-o", tmp_path / "one.beads", "--doc", gold_folders()[2].name)
    assert read_beads(tmp_path / "one.beads") == read_beads(gold_folders()[2] / "gold.beads")
    r = run("export", corpus, "-o", tmp_path / "x.csv", "--excel", "--status", "confirmed")
    assert r.exit_code == 0 and (tmp_path / "x.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "exported 0 units" in r.stderr


def test_export_errors(corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    for out, msg in ((tmp_path / "nope" / "x.tmx", "does not exist"), (tmp_path / "file" / "x.tmx", "not a folder"),
                     (Path("/proc/x.tmx"), "cannot write")):  # fmt: skip
        r = run("export", corpus, "-o", out)
        assert r.exit_code == 2 and msg in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run("export", corpus, "-o", tmp_path / "x.xlsx")
    assert r.exit_code == 2 and ".xlsx" in r.stderr
    r = run("export", corpus, "--format", "parquet")
    assert r.exit_code == 2 and "stdout" in r.stderr
    r = run("export", corpus, "-o", tmp_path / "x.jsonl", "--doc", "nope")
    assert r.exit_code == 4 and "no document" in r.stderr
    r = run("export", corpus, "-o", tmp_path / "x.jsonl", "--status", "great")
    assert r.exit_code == 2 and "unknown status" in r.stderr
    assert not (tmp_path / "x.jsonl").exists()
    r = run("export", tmp_path / "typo.db", "-o", tmp_path / "x.jsonl")
    assert r.exit_code == 4


def test_import_round_trip_and_bad_files(corpus: Path, tmp_path: Path) -> None:
    doc = gold_folders()[0].name
    first = tmp_path / "first.tmx"
    run("export", corpus, "-o", first, "--doc", doc, "--src-code", "ja-JP", "--tgt-code", "en-US")
    assert DTD.validate(etree.parse(str(first)))
    target = tmp_path / "new.db"
    r = run("import", first, "--corpus", target)
    assert r.exit_code == 0 and r.stdout.startswith(f"imported {doc}: ")
    second = tmp_path / "second.tmx"
    assert run("export", target, "-o", second).exit_code == 0
    assert DTD.validate(etree.parse(str(second)))

    def texts(p: Path) -> list[list[tuple[str, str]]]:
        tree = etree.parse(str(p))
        return [[(tuv.get("{http://www.w3.org/XML/1998/namespace}lang"), tuv.findtext("seg")) for tuv in tu.iter("tuv")]
                for tu in tree.iter("tu")]  # fmt: skip

    assert texts(first) == texts(second) and len(texts(first)) > 10
    bad = tmp_path / "bad.tmx"
    bad.write_text("src\ttgt\nA\tB\n")
    r = run("import", bad, "--corpus", tmp_path / "other.db")
    assert r.exit_code == 2 and "bad.tmx" in r.stderr and "not well-formed" in r.stderr
    assert not (tmp_path / "other.db").exists()
    r = run("import", tmp_path / "missing.tmx", "--corpus", target)
    assert r.exit_code == 2


def test_add_with_the_real_aligner_then_unchanged(tmp_path: Path) -> None:
    folder = KYOTO / "CLT01161"
    path = tmp_path / "c.db"
    args = ("add", folder / "ja.sent", folder / "en.sent", "--corpus", path, "--presegmented")
    r = run(*args)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("added CLT01161: ")
    assert run(*args).stdout.startswith("unchanged CLT01161: ")
    with Corpus(path) as c:
        info = c.document("CLT01161")
        assert info.signature and "use-m3" in info.signature
        beads = c.beads("CLT01161")
    ja = (folder / "ja.sent").read_text(encoding="utf-8").splitlines()
    assert [i for b in beads for i in b.src_ids] == list(range(len(ja)))


CORPORA = Path(__file__).resolve().parents[1] / "corpora"


@pytest.mark.parametrize("columns", [60, 200])
def test_list_fits_the_terminal_width(tmp_path: Path, columns: int) -> None:
    """`align list` never draws wider than COLUMNS: the grid when it fits, else one wrapped
    block per document; every document and every count is still there."""
    path = tmp_path / "c.db"
    long_id = "a-document-id-far-longer-than-any-terminal-column-would-hold-" * 2
    with Corpus(path, create=True) as c:
        for folder in sorted(p for p in CORPORA.iterdir() if (p / "gold.beads").exists()):
            c.add_alignment(gold_alignment(folder), doc_id=folder.name)
        c.add_alignment(gold_alignment(CORPORA / "kyoto-CLT01161"), doc_id=long_id)
    r = CliRunner().invoke(app, ["list", str(path)], env={"COLUMNS": str(columns)})
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert max(map(len, lines)) <= columns
    for name in ("cmac-2024", "kyoto-CLT01161", "kyoto-EPR00071", "below_0.9", "confirmed", "1-3", "mean_conf"):
        assert name in r.stdout
    if columns == 200:  # wide enough for the grid: one line per document plus the frame
        assert len(lines) == 4 + 4 and "┆" in r.stdout  # 4 documents, header, 3 rules
        assert long_id not in r.stdout and long_id[:40] + "…" in r.stdout  # cut to 40 characters
    else:
        assert long_id not in r.stdout and long_id[: columns - 1] + "…" in lines
        assert "  beads 44 " in r.stdout  # cmac-2024's count, as a `name value` pair
