"""Moses, XLSX and XLIFF exports, and start/end times through every format and the store.

The XLIFF is validated against the OASIS XLIFF 1.2 strict schema (tests/fixtures/xliff), the
XLSX is read back with openpyxl, and times come from a real SRT pair built from the speech.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from align.cli import app
from align.errors import UsageError
from align.formats import write_rows
from align.formats.rows import ExportRow
from doc_builders import build_subtitles, speech_pairs

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "xliff"
XLF = "{urn:oasis:names:tc:xliff:document:1.2}"

ROWS = [
    ExportRow("speech", 0, "日本は支援します。", "Japan supports it.", (0,), (0,), 0.97, "1-1", "confirmed"),
    ExportRow("speech", 1, "=SUM(A1:A9)と書く。", "+1 555 0100 @home -x", (1,), (1, 2), 0.42, "1-2", "auto"),
    ExportRow("speech", 2, "注のみ。", "", (2,), (), 0.9, "1-0", "auto"),
    ExportRow("talk", 0, "改行\nあり\tタブ。", "Line\nbreak\ttab & <tag>\x01.", (0,), (0,), 0.95, "1-1", "edited"),
]


def run(*args: object):  # noqa: ANN201
    return CliRunner().invoke(app, [str(a) for a in args])


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(FIXTURES / "xliff-core-1.2-strict.xsd")))


# ---------------------------------------------------------------- moses


def test_moses_writes_two_line_aligned_files(tmp_path: Path) -> None:
    r = write_rows(ROWS, tmp_path / "corpus", fmt="moses")
    ja = (tmp_path / "corpus.ja").read_text("utf-8").split("\n")
    en = (tmp_path / "corpus.en").read_text("utf-8").split("\n")
    assert r.rows == 3 and len(ja) == len(en) == 4  # the 1-0 bead left out; a final newline each
    assert ja[0] == "日本は支援します。" and en[1] == "+1 555 0100 @home -x"
    assert ja[2] == "改行 あり タブ。" and en[2] == "Line break tab & <tag>\x01."  # one line a bead
    kept = write_rows(ROWS, tmp_path / "all", fmt="moses", include_unaligned=True)
    assert kept.rows == 4 and (tmp_path / "all.en").read_text("utf-8").split("\n")[2] == ""


def test_moses_needs_an_output_prefix_and_two_languages(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="-o PREFIX"):
        write_rows(ROWS, None, fmt="moses")
    with pytest.raises(UsageError, match="both are 'en'"):
        write_rows(ROWS, tmp_path / "x", fmt="moses", src_lang="en", tgt_lang="en")
    assert not list(tmp_path.iterdir())


def test_moses_failure_leaves_neither_file(tmp_path: Path) -> None:
    def rows():  # noqa: ANN202
        yield ROWS[0]
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_rows(rows(), tmp_path / "x", fmt="moses")
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------- xlsx


def test_xlsx_has_the_csv_columns_frozen_header_wrapped_text_and_no_formulas(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl", reason="openpyxl (a test dependency) reads the workbook back")
    out = tmp_path / "beads.xlsx"
    r = write_rows(ROWS, out, fmt="xlsx")
    assert r.rows == 4
    book = openpyxl.load_workbook(out)
    sheet = book["beads"]
    header = [c.value for c in sheet[1]]
    csv_header = next(csv.reader(io.StringIO(_csv(ROWS))))
    assert header == csv_header
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None
    src = header.index("src") + 1
    assert sheet.cell(2, src).alignment.wrap_text
    formula = sheet.cell(3, src)
    assert formula.value == "=SUM(A1:A9)と書く。" and formula.data_type == "s"  # text, never run
    assert sheet.cell(3, header.index("tgt") + 1).data_type == "s"
    assert sheet.cell(2, header.index("confidence") + 1).value == pytest.approx(0.97)
    assert sheet.cell(2, header.index("status") + 1).value == "confirmed"
    assert sheet.cell(5, header.index("tgt_ids") + 1).value == "0"
    assert sheet.conditional_formatting  # low confidence shaded


def _csv(rows: list[ExportRow]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    from align.formats.delimited import cells
    from align.formats.rows import FIELDS

    w.writerow(FIELDS)
    for row in rows:
        w.writerow(cells(row, {"neutralised_cells": 0}))
    return buf.getvalue()


def test_xlsx_is_binary_and_refuses_a_cell_over_excels_limit(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="stdout"):
        write_rows(ROWS, None, fmt="xlsx")
    big = ExportRow("d", 0, "あ" * 40_000, "x", (0,), (0,), 0.5, "1-1", "auto")
    with pytest.raises(UsageError, match="32,767"):
        write_rows([big], tmp_path / "big.xlsx", fmt="xlsx")
    assert not (tmp_path / "big.xlsx").exists()


# ---------------------------------------------------------------- xliff


def test_xliff_validates_against_the_oasis_schema_and_keeps_review_state(tmp_path: Path) -> None:
    out = tmp_path / "beads.xlf"
    r = write_rows(ROWS, out, fmt="xliff", signature="align:test")
    assert r.rows == 3 and r.skipped_unaligned == 1 and r.dropped_chars == 1  # the \x01
    doc = etree.parse(str(out))
    xsd = schema()
    assert xsd.validate(doc), xsd.error_log
    files = doc.findall(f"{XLF}file")
    assert [f.get("original") for f in files] == ["speech", "talk"]
    units = doc.findall(f".//{XLF}trans-unit")
    states = [u.find(f"{XLF}target").get("state") for u in units]
    assert states == ["final", "needs-review-translation", "final"]
    assert [u.get("approved") for u in units] == ["yes", None, "yes"]
    assert units[2].find(f"{XLF}target").text == "Line\nbreak\ttab & <tag>."
    ctx = {c.get("context-type"): c.text for c in units[1].iter(f"{XLF}context")}
    assert ctx == {"x-confidence": "0.42", "x-bead-type": "1-2", "x-src-ids": "1", "x-tgt-ids": "1 2", "x-status": "auto"}


def test_the_schema_check_is_real() -> None:
    """The fixture schema rejects what XLIFF 1.2 forbids (a unit without source, a duplicate id)."""
    bad = etree.fromstring(
        b'<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file original="a" '
        b'source-language="ja" datatype="plaintext"><body><trans-unit id="1"><target>y</target>'
        b'</trans-unit><trans-unit id="1"><source>z</source></trans-unit></body></file></xliff>'
    )
    assert not schema().validate(bad)


def test_an_empty_xliff_is_still_valid(tmp_path: Path) -> None:
    write_rows([], tmp_path / "empty.xlf", fmt="xliff")
    assert schema().validate(etree.parse(str(tmp_path / "empty.xlf")))


# ---------------------------------------------------------------- times through every export


@pytest.fixture(scope="module")
def srt_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("srt")
    build_subtitles(d / "ja.srt", 0)
    build_subtitles(d / "en.srt", 1)
    return d / "ja.srt", d / "en.srt"


def _times_ok(rows: list[tuple[float, float]]) -> None:
    assert rows and all(0 <= a < b for a, b in rows)
    starts = [a for a, _ in rows]
    assert starts == sorted(starts)  # beads in order, so their first cues are too
    assert rows[-1][1] == pytest.approx((len(speech_pairs()) - 1) * 6.0 + 5.0)


def test_subtitle_pair_keeps_times_through_every_export(srt_pair: tuple[Path, Path], tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl", reason="openpyxl (a test dependency) reads the workbook back")
    import pyarrow.parquet as pq

    ja, en = srt_pair
    for ext in ("jsonl", "csv", "tsv", "parquet", "tmx", "xlsx", "xlf"):
        r = run("pair", ja, en, "-o", tmp_path / f"out.{ext}", "-q")
        assert r.exit_code == 0, r.stderr
    jsonl = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    times = [(r["start"], r["end"]) for r in jsonl]
    _times_ok(times)
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as f:
        assert [(float(r["start"]), float(r["end"])) for r in csv.DictReader(f)] == times
    tsv = (tmp_path / "out.tsv").read_text("utf-8").splitlines()
    head = tsv[0].split("\t")
    assert [(float(c[head.index("start")]), float(c[head.index("end")])) for c in (x.split("\t") for x in tsv[1:])] == times
    table = pq.read_table(tmp_path / "out.parquet").to_pydict()
    assert list(zip(table["start"], table["end"], strict=True)) == times
    tmx = etree.parse(str(tmp_path / "out.tmx"))
    props = [(float(tu.find("prop[@type='x-start']").text), float(tu.find("prop[@type='x-end']").text))
             for tu in tmx.iter("tu")]  # fmt: skip
    assert props == [t for t, r in zip(times, jsonl, strict=True) if r["src_ids"] and r["tgt_ids"]]
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["beads"]
    header = [c.value for c in sheet[1]]
    s, e = header.index("start") + 1, header.index("end") + 1
    assert [(sheet.cell(i, s).value, sheet.cell(i, e).value) for i in range(2, sheet.max_row + 1)] == times
    xlf = etree.parse(str(tmp_path / "out.xlf"))
    assert schema().validate(xlf)
    starts = [float(c.text) for c in xlf.iter(f"{XLF}context") if c.get("context-type") == "x-start"]
    assert starts == [a for (a, _), r in zip(times, jsonl, strict=True) if r["src_ids"] and r["tgt_ids"]]
    r = run("pair", ja, en, "--format", "moses", "-o", tmp_path / "mt", "-q")
    assert r.exit_code == 0 and (tmp_path / "mt.ja").exists() and (tmp_path / "mt.en").exists()


def test_times_survive_the_store_and_other_documents_get_no_time_columns(
    srt_pair: tuple[Path, Path], tmp_path: Path
) -> None:
    ja, en = srt_pair
    corpus = tmp_path / "c.db"
    direct = run("pair", ja, en, "--format", "jsonl", "-q")
    assert run("add", ja, en, "--corpus", corpus).exit_code == 0
    root = Path(__file__).resolve().parents[1] / "corpora" / "cmac-2024"
    assert run("add", root / "ja.md", root / "en.md", "--corpus", corpus).exit_code == 0
    from align.store import default_doc_id

    exported = run("export", corpus, "--doc", default_doc_id(ja, "ja"), "--format", "jsonl")
    assert exported.exit_code == 0, exported.stderr
    want = [(r["start"], r["end"]) for r in map(json.loads, direct.stdout.splitlines())]
    got = [(r["start"], r["end"]) for r in map(json.loads, exported.stdout.splitlines())]
    assert got == want
    plain = run("export", corpus, "--doc", "cmac-2024", "--format", "csv")
    assert plain.stdout.splitlines()[0].endswith(",type,status")  # no time columns
    mixed = run("export", corpus, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(mixed.stdout)))
    assert {r["doc_id"] for r in rows if r["start"] == ""} == {"cmac-2024"}
