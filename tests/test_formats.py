"""Export rows and the data formats (jsonl, csv, tsv, parquet, beads) on gold data and hostile text."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from align.formats.beads import read_beads
from align.errors import UsageError
from align.formats import ExportRow, format_from_path, rows_from_alignment, write_rows
from align.formats import parquet, read_rows
from align.formats.rows import FIELDS
from corpus_helpers import KYOTO, gold_alignment

HOSTILE = [
    "<script>alert('x')</script> & &amp;",
    "=HYPERLINK(\"http://evil\",\"click\")",
    "+1+2", "-3", "@SUM(A1)", "\tleading tab", "\rleading cr", "'=already quoted",
    "tab\tinside\nnewline\r\nCRLF and back\\slash \\t literal",
    "emoji 😀👍🏽 and ｶﾀｶﾅ half-width, 全角カタカナ", "\u2028line sep\u2029para sep",
    "", "\"quoted\", with comma",
]  # fmt: skip


def _rows(texts: list[str]) -> list[ExportRow]:
    return [
        ExportRow("d=1", k, t, texts[-1 - k], (k,), (k, k + 1) if k % 2 else (), 0.25 + k / 100, "1-1", "auto")
        for k, t in enumerate(texts)
    ]


def test_format_from_path_knows_every_format_and_names_them_on_error() -> None:
    assert [format_from_path(Path(f"a/b.{e}")) for e in ("jsonl", "CSV", "tsv", "parquet", "tmx", "beads")] == [
        "jsonl", "csv", "tsv", "parquet", "tmx", "beads",
    ]  # fmt: skip
    with pytest.raises(UsageError, match=r"\.xlsx.*jsonl.*tmx"):
        format_from_path(Path("out.xlsx"))


def test_rows_from_gold_alignment_carry_the_gold_texts() -> None:
    folder = KYOTO / "BDS00519"
    a = gold_alignment(folder)
    rows = list(rows_from_alignment(a, doc_id="BDS00519"))
    ja = (folder / "ja.sent").read_text(encoding="utf-8").splitlines()
    en = (folder / "en.sent").read_text(encoding="utf-8").splitlines()
    assert len(rows) == len(read_beads(folder / "gold.beads"))
    for row, (s, t) in zip(rows, read_beads(folder / "gold.beads"), strict=True):
        assert row.src == "".join(ja[i] for i in s)  # Japanese joins without spaces
        assert row.tgt == " ".join(en[j] for j in t)
        assert row.type == f"{len(s)}-{len(t)}" and row.status == "auto"
    assert {r.type for r in rows} >= {"1-1", "1-0"}
    assert list(rows_from_alignment(a, statuses=["confirmed"])) == []


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "tsv"])
def test_hostile_text_round_trips_through_text_formats(tmp_path: Path, fmt: str) -> None:
    rows = _rows(HOSTILE)
    out = tmp_path / f"x.{fmt}"
    report = write_rows(rows, out, fmt=fmt)  # type: ignore[arg-type]
    assert report.rows == len(rows)
    assert list(read_rows(out, fmt=fmt)) == rows


def test_csv_neutralises_formulas_and_keeps_rfc4180(tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    report = write_rows(_rows(HOSTILE), out, fmt="csv", excel=True)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    cells = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert cells[0][:4] == ["doc_id", "bead_index", "src", "tgt"]
    body = [c for row in cells[1:] for c in (row[0], row[2], row[3])]
    assert not [c for c in body if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=HYPERLINK(\"http://evil\",\"click\")" in body
    assert "''=already quoted" in body  # one more quote, so reading back is exact
    assert report.neutralised_cells == sum(c.startswith("'") for c in body)


def test_tsv_keeps_one_row_per_line(tmp_path: Path) -> None:
    out = tmp_path / "x.tsv"
    write_rows(_rows(HOSTILE), out, fmt="tsv")
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == len(HOSTILE) + 2
    assert all(line.count("\t") == len(FIELDS) - 1 for line in lines[:-1])


def test_jsonl_is_one_object_per_line_with_raw_unicode(tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    write_rows(_rows(HOSTILE), out, fmt="jsonl")
    text = out.read_text(encoding="utf-8")
    assert "ｶﾀｶﾅ" in text and "😀" in text  # ensure_ascii=False
    assert len(text.splitlines()) == len(HOSTILE)  # U+2028 escaped, so splitlines agrees
    first = json.loads(text.splitlines()[0])
    assert set(first) == set(FIELDS)


text_st = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(text_st, min_size=1, max_size=6))
def test_any_text_round_trips(tmp_path: Path, texts: list[str]) -> None:
    rows = _rows(texts)
    for fmt in ("jsonl", "csv", "tsv"):
        out = tmp_path / f"p.{fmt}"
        write_rows(rows, out, fmt=fmt)  # type: ignore[arg-type]
        assert list(read_rows(out, fmt=fmt)) == rows


def test_parquet_streams_in_row_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    monkeypatch.setattr(parquet, "PARQUET_BATCH", 4)
    rows = _rows(HOSTILE)
    out = tmp_path / "x.parquet"
    assert write_rows(rows, out, fmt="parquet").rows == len(rows)
    f = pq.ParquetFile(out)
    assert f.metadata.num_row_groups == -(-len(rows) // 4)
    table = f.read().to_pylist()
    assert [r["src"] for r in table] == HOSTILE
    assert [tuple(r["tgt_ids"]) for r in table] == [r.tgt_ids for r in rows]
    with pytest.raises(UsageError, match="binary"):
        write_rows(rows, None, fmt="parquet")


def test_beads_format_reproduces_the_gold_file(tmp_path: Path) -> None:
    folder = KYOTO / "GNM00268"
    out = tmp_path / "x.beads"
    write_rows(rows_from_alignment(gold_alignment(folder)), out, fmt="beads")
    assert read_beads(out) == read_beads(folder / "gold.beads")
    two_docs = [*_rows(["a"]), ExportRow("other", 0, "b", "c", (0,), (0,), 1.0, "1-1", "auto")]
    with pytest.raises(UsageError, match="one document"):
        write_rows(two_docs, tmp_path / "y.beads", fmt="beads")
    assert not (tmp_path / "y.beads").exists()


def test_unaligned_and_confidence_filters(tmp_path: Path) -> None:
    a = gold_alignment(KYOTO / "BDS00519")
    n_all = len(a.beads)
    n_unaligned = sum(1 for b in a.beads if not b.src or not b.tgt)
    assert n_unaligned > 0
    r = write_rows(rows_from_alignment(a), tmp_path / "a.jsonl", fmt="jsonl")
    assert r.rows == n_all  # data formats keep 1-0/0-1 by default
    r = write_rows(rows_from_alignment(a), tmp_path / "a.jsonl", fmt="jsonl", include_unaligned=False)
    assert (r.rows, r.skipped_unaligned) == (n_all - n_unaligned, n_unaligned)
    r = write_rows(rows_from_alignment(a), tmp_path / "a.jsonl", fmt="jsonl", min_confidence=0.9)
    assert r.rows == sum(1 for b in a.beads if b.confidence >= 0.9) and r.skipped_low_confidence > 0
    with pytest.raises(UsageError, match="between 0 and 1"):
        write_rows([], tmp_path / "a.jsonl", fmt="jsonl", min_confidence=2.0)


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    out = tmp_path / "keep.jsonl"
    out.write_text("precious\n", encoding="utf-8")

    def broken():
        yield from _rows(["a", "b"])
        raise RuntimeError("crash in the middle")

    with pytest.raises(RuntimeError):
        write_rows(broken(), out, fmt="jsonl")
    assert out.read_text(encoding="utf-8") == "precious\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.jsonl"]


def test_unwritable_destinations_are_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="not a folder"):
        write_rows([], tmp_path / "file" / "out.csv", fmt="csv")
    with pytest.raises(UsageError, match="does not exist"):
        write_rows([], tmp_path / "nope" / "out.csv", fmt="csv")
    with pytest.raises(UsageError, match="is a folder"):
        write_rows([], tmp_path, fmt="csv")


def test_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    write_rows(_rows(["x"]), None, fmt="jsonl")
    assert json.loads(capsys.readouterr().out)["src"] == "x"


def test_formats_have_no_import_cycle() -> None:
    """Each format module imports, in a fresh interpreter, before anything else of align (a
    cycle hidden by a lazy import fails here), and no module under align/formats imports the
    registry package back: the writers depend on the base (formats.rows) only."""
    import ast
    import subprocess
    import sys

    from align.formats import FORMATS

    root = Path(__file__).resolve().parents[1]
    for module in [*FORMATS.values(), "align.formats.rows", "align.formats.delimited"]:
        p = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, cwd=root)
        assert p.returncode == 0, f"{module}: {p.stderr}"
    for path in (root / "align" / "formats").glob("*.py"):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module != "align.formats", f"{path.name} imports the registry package"
                if node.module.startswith("align."):
                    assert not node.module.startswith(("align.store", "align.cli", "align.pipeline")), path.name
            if isinstance(node, ast.Import):
                assert all(a.name != "align.formats" for a in node.names), path.name


def test_every_registered_format_writes_by_name(tmp_path: Path) -> None:
    """The registry dispatches each name to its module; a name not in it is a UsageError."""
    from align.formats import FORMATS, format_module

    rows = _rows(["a", "b"])
    for fmt in FORMATS:
        assert format_module(fmt).__name__ == FORMATS[fmt]
        r = write_rows(rows[:1] if fmt == "beads" else rows, tmp_path / f"x.{fmt}", fmt=fmt)  # type: ignore[arg-type]
        assert r.rows == (1 if fmt == "beads" else 2 if fmt != "tmx" else 1)
    with pytest.raises(UsageError, match="unknown format 'xlsx'"):
        write_rows(rows, tmp_path / "x.xlsx", fmt="xlsx")  # type: ignore[arg-type]
