"""`align segment` and `align pair` through the CLI on the bundled corpora."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from align.formats.beads import parse_bead, read_beads
from align.cli import app
from align.aligner.evaluate import score

from data_paths import CMAC, EPR, ROOT


def run(*args: str) -> "object":
    return CliRunner().invoke(app, [str(a) for a in args])


def assert_one_line_error(result, *needles: str) -> None:  # noqa: ANN001
    assert result.exit_code != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_segment_sample_reproduces_hand_checked_sentences(lang: str) -> None:
    result = run("segment", CMAC / f"{lang}.md")
    assert result.exit_code == 0, result.stderr
    expected = (CMAC / f"{lang}.sent").read_text(encoding="utf-8").splitlines()
    assert result.stdout.splitlines() == expected


def test_segment_jsonl_offsets_point_into_the_cleaned_text() -> None:
    from align.pipeline import load_document

    doc = load_document(CMAC / "en.md")
    result = run("segment", CMAC / "en.md", "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == len(doc.sentences)
    for r in records:
        assert doc.text[r["start"] : r["end"]] == r["text"]
        assert r["kind"] in {"title", "heading", "paragraph", "bullet"}
    kinds = {r["text"]: r["kind"] for r in records}
    assert kinds["4 Conclusion"] == "heading"
    assert kinds["Let's work hand in hand and promote our cooperation aiming to achieve zero mine victims in the world."] == "bullet"


@pytest.mark.parametrize(
    "content",
    [b"", b"   \n\n \t \n", bytes(range(256)) * 4, b"\x81\x00\xff\xfe\x80" * 50 + b"\xa0\xa1"],
    ids=["empty", "whitespace", "binary", "undecodable"],
)
def test_segment_bad_files_give_one_line_errors(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    assert_one_line_error(run("segment", f), "bad.txt")


def test_segment_missing_file_and_directory(tmp_path: Path) -> None:
    assert_one_line_error(run("segment", tmp_path / "nope.md"), "nope.md")
    assert_one_line_error(run("segment", tmp_path), str(tmp_path.name))


def test_segment_unknown_format_option() -> None:
    assert_one_line_error(run("segment", CMAC / "en.md", "--format", "xml"), "xml")


@pytest.fixture(scope="module")
def cmac_beads(tmp_path_factory: pytest.TempPathFactory) -> list:
    out = tmp_path_factory.mktemp("pair") / "cmac.beads"
    result = CliRunner().invoke(app, ["pair", str(CMAC / "ja.md"), str(CMAC / "en.md"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "beads" in result.stderr and "below" in result.stderr
    return read_beads(out)


def test_pair_sample_matches_its_gold(cmac_beads: list) -> None:
    gold = read_beads(CMAC / "gold.beads")
    assert cmac_beads == gold, score([gold], [cmac_beads]).format()


def test_pair_jsonl_csv_tsv_carry_the_same_beads(tmp_path: Path) -> None:
    src, tgt = EPR / "ja.sent", EPR / "en.sent"
    common = ["pair", src, tgt, "--presegmented", "-q"]
    as_jsonl = run(*common)
    assert as_jsonl.exit_code == 0, as_jsonl.stderr
    records = [json.loads(line) for line in as_jsonl.stdout.splitlines()]
    for r in records:
        assert {"src", "tgt", "src_ids", "tgt_ids", "confidence", "type"} <= set(r)
        assert 0.0 <= r["confidence"] <= 1.0
        assert r["type"] == f"{len(r['src_ids'])}-{len(r['tgt_ids'])}"
    ja = src.read_text(encoding="utf-8").splitlines()
    ids = [i for r in records for i in r["src_ids"]]
    assert ids == list(range(len(ja)))
    first = next(r for r in records if r["src_ids"])
    assert first["src"] == "".join(ja[i] for i in first["src_ids"])

    for fmt, delim in (("csv", ","), ("tsv", "\t")):
        out = tmp_path / f"out.{fmt}"
        result = run(*common, "-o", out)
        assert result.exit_code == 0, result.stderr
        text = out.read_text(encoding="utf-8")
        if fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(text)))
        else:
            lines = text.splitlines()
            header = lines[0].split("\t")
            rows = [dict(zip(header, line.split("\t"))) for line in lines[1:]]
        assert len(rows) == len(records)
        assert [r["type"] for r in rows] == [r["type"] for r in records]

    beads = run(*common, "--format", "beads")
    parsed = [parse_bead(line) for line in beads.stdout.splitlines()]
    assert parsed == [(tuple(r["src_ids"]), tuple(r["tgt_ids"])) for r in records]
    gold = read_beads(EPR / "gold.beads")
    assert score([gold], [parsed]).f1_strict >= 0.85  # accuracy proper: tests/test_aligner.py, bench/


def test_pair_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("")
    assert_one_line_error(run("pair", CMAC / "ja.md", tmp_path / "missing.md"), "missing.md")
    assert_one_line_error(run("pair", CMAC / "ja.md", empty), "empty.md")
    assert_one_line_error(run("pair", CMAC / "ja.md", CMAC / "en.md", "-o", tmp_path / "out.xyz"), "xyz")
    assert_one_line_error(run("pair", CMAC / "ja.md", CMAC / "en.md", "--format", "docx"), "docx")
    blank = tmp_path / "blank.sent"
    blank.write_text("one\n\nthree\n")
    assert_one_line_error(run("pair", blank, EPR / "en.sent", "--presegmented"), "line 2")
    assert not (tmp_path / "out.xyz").exists()


def test_pair_does_not_overwrite_output_when_it_fails(tmp_path: Path) -> None:
    out = tmp_path / "keep.jsonl"
    out.write_text("precious\n")
    result = run("pair", CMAC / "ja.md", tmp_path / "missing.md", "-o", out)
    assert result.exit_code != 0
    assert out.read_text() == "precious\n"


def test_pair_writes_valid_tmx_without_unaligned_beads(tmp_path: Path) -> None:
    from lxml import etree

    out = tmp_path / "cmac.tmx"
    result = run("pair", CMAC / "ja.md", CMAC / "en.md", "-o", out, "-q")
    assert result.exit_code == 0, result.stderr
    dtd = etree.DTD(str(ROOT / "tests" / "fixtures" / "tmx14.dtd"))
    tree = etree.parse(str(out))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    types = [p.text for p in tree.iter("prop") if p.get("type") == "x-bead-type"]
    assert types and not {"1-0", "0-1"} & set(types)
    docs = {p.text for p in tree.iter("prop") if p.get("type") == "x-doc-id"}
    assert docs == {"cmac-2024"}
    kept = run("pair", CMAC / "ja.md", CMAC / "en.md", "--format", "tmx", "--include-unaligned", "-q")
    assert kept.stdout.count("<tu ") > len(types)


def test_pair_warns_on_unrelated_files_and_swapped_languages(tmp_path: Path) -> None:
    unrelated = run("pair", CMAC / "ja.md", EPR / "en.txt", "-o", tmp_path / "u.jsonl")
    assert unrelated.exit_code == 0, unrelated.stderr
    assert "warning: files look unrelated" in unrelated.stderr
    swapped = run("pair", CMAC / "en.md", CMAC / "ja.md", "-o", tmp_path / "s.jsonl")
    assert swapped.exit_code == 0, swapped.stderr
    assert "warning: languages look swapped" in swapped.stderr
    normal = run("pair", CMAC / "ja.md", CMAC / "en.md", "-o", tmp_path / "n.jsonl")
    assert "warning" not in normal.stderr
