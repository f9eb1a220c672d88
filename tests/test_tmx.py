"""TMX 1.4: every file we write validates against the DTD and reads back (ours and translate-toolkit)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import align
from align.errors import FormatError, InputError
from align.formats import ExportRow, rows_from_alignment, write_rows
from align.formats.tmx import read_tmx, read_tmx_header
from corpus_helpers import gold_alignment, gold_folders
from data_paths import CLT

DTD = etree.DTD(str(Path(__file__).parent / "fixtures" / "tmx14.dtd"))
ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def assert_valid(path: Path) -> etree._ElementTree:
    tree = etree.parse(str(path))
    assert DTD.validate(tree), DTD.error_log.filter_from_errors()
    return tree


def ttk_units(path: Path, src: str = "ja", tgt: str = "en") -> list[tuple[str, str]]:
    """(source, target) of every unit as translate-toolkit reads them."""
    from translate.storage import tmx

    store = tmx.tmxfile.parsefile(str(path))
    store.setsourcelanguage(src)
    store.settargetlanguage(tgt)
    return [(u.source, u.target) for u in store.units]


def test_gold_exports_validate_and_read_back_in_translate_toolkit(tmp_path: Path) -> None:
    for folder in gold_folders():
        a = gold_alignment(folder)
        out = tmp_path / f"{folder.name}.tmx"
        report = write_rows(rows_from_alignment(a, doc_id=folder.name), out, fmt="tmx")
        expected = [(a.src_text(b), a.tgt_text(b)) for b in a.beads if b.src and b.tgt]
        assert report.rows == len(expected) and report.skipped_unaligned == len(a.beads) - len(expected)
        assert_valid(out)
        assert ttk_units(out) == expected
        assert [(u.text("ja"), u.text("en")) for u in read_tmx(out)] == expected


def test_header_units_and_props(tmp_path: Path) -> None:
    a = gold_alignment(CLT)
    out = tmp_path / "x.tmx"
    write_rows(rows_from_alignment(a, doc_id="CLT01161"), out, fmt="tmx", src_lang="ja-JP",
               tgt_lang="en-US", include_unaligned=True, signature="align:0|model:use-m3")  # fmt: skip
    tree = assert_valid(out)
    h = tree.find("header")
    assert h.get("creationtool") == "align" and h.get("creationtoolversion") == align.__version__
    assert (h.get("segtype"), h.get("o-tmf"), h.get("adminlang"), h.get("srclang"), h.get("datatype")) == (
        "sentence", "align", "en", "ja-JP", "plaintext",
    )  # fmt: skip
    assert re.fullmatch(r"\d{8}T\d{6}Z", h.get("creationdate"))
    assert read_tmx_header(out).props == (("x-signature", "align:0|model:use-m3"),)
    tus = tree.findall("body/tu")
    assert len(tus) == len(a.beads)
    props = {p.get("type"): p.text for p in tus[1].findall("prop")}
    assert props == {"x-doc-id": "CLT01161", "x-bead-index": "1", "x-bead-type": a.beads[1].type,
                     "x-confidence": repr(a.beads[1].confidence), "x-status": "auto"}  # fmt: skip
    langs = [tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in tus[0].findall("tuv")]
    assert langs == ["ja-JP", "en-US"] and tus[0].get("tuid") == "CLT01161:0"


HOSTILE = [
    "<script>alert(1)</script> & &amp; \"q\" 'a'", "=HYPERLINK(\"http://x\")", "tab\there\nnew line",
    "cr\r\nlf", "emoji 😀 ｶﾀｶﾅ", "ctrl\x00\x01\x08\x0b\x0c\x1f\ufffe\uffffend", "]]> <![CDATA[",
]  # fmt: skip


def _rows(src: list[str], tgt: list[str]) -> list[ExportRow]:
    return [ExportRow("doc<&>\"", k, s, t, (k,), (k,), 0.5, "1-1", "auto") for k, (s, t) in enumerate(zip(src, tgt))]


def test_hostile_text_is_escaped_and_illegal_characters_dropped(tmp_path: Path) -> None:
    out = tmp_path / "h.tmx"
    report = write_rows(_rows(HOSTILE, HOSTILE[::-1]), out, fmt="tmx")
    assert report.dropped_chars == 2 * 8  # NUL, 01, 08, 0B, 0C, 1F, FFFE, FFFF on each side
    assert_valid(out)
    clean = [ILLEGAL.sub("", t) for t in HOSTILE]
    assert [(u.text("ja"), u.text("en")) for u in read_tmx(out)] == list(zip(clean, clean[::-1]))
    assert ttk_units(out) == list(zip(clean, clean[::-1]))
    assert {u.prop("x-doc-id") for u in read_tmx(out)} == {"doc<&>\""}


xml_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(xml_text, xml_text), min_size=1, max_size=5))
def test_any_text_survives_tmx(tmp_path: Path, pairs: list[tuple[str, str]]) -> None:
    out = tmp_path / "p.tmx"
    write_rows(_rows([s for s, _ in pairs], [t for _, t in pairs]), out, fmt="tmx")
    assert_valid(out)
    assert [(u.text("ja"), u.text("en")) for u in read_tmx(out)] == [
        (ILLEGAL.sub("", s), ILLEGAL.sub("", t)) for s, t in pairs
    ]


def test_reader_accepts_other_tools_tmx(tmp_path: Path) -> None:
    other = tmp_path / "other.tmx"
    other.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx11.dtd">\n'
        '<tmx version="1.1"><header srclang="EN-US" creationtool="x" creationtoolversion="1" '
        'segtype="sentence" o-tmf="x" adminlang="en" datatype="html"/><body>'
        '<tu><tuv lang="EN-US"><seg>Press <bpt i="1">&lt;b&gt;</bpt>OK<ept i="1">&lt;/b&gt;</ept>'
        '<ph>&lt;br/&gt;</ph> now <hi type="x">please</hi>.</seg></tuv>'
        '<tuv lang="DE-DE"><seg>Drücken</seg></tuv><tuv lang="JA-JP"><seg>押して</seg></tuv></tu>'
        "<!-- comment --><tu><tuv xml:lang=\"en-US\"><seg/></tuv></tu></body></tmx>",
        encoding="utf-8",
    )
    units = list(read_tmx(other))
    assert units[0].text("en") == "Press OK now please."
    assert units[0].text("ja") == "押して" and units[0].text("de-de") == "Drücken"
    assert units[1].variants == (("en-US", ""),) and units[1].text("ja") is None
    assert read_tmx_header(other).srclang == "EN-US"


def test_reader_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tmx"
    bad.write_text("doc_id,src\n1,2\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"bad\.tmx: not well-formed"):
        list(read_tmx(bad))
    html = tmp_path / "page.tmx"
    html.write_text("<html><body/></html>", encoding="utf-8")
    with pytest.raises(FormatError, match=r"page\.tmx: not a TMX file \(root element is <html>"):
        list(read_tmx(html))
    broken = tmp_path / "cut.tmx"
    broken.write_text('<tmx version="1.4"><header/><body><tu><tuv xml:lang="ja"><seg>x', encoding="utf-8")
    with pytest.raises(FormatError, match=r"cut\.tmx"):
        list(read_tmx(broken))
    with pytest.raises(InputError, match="no such file"):
        list(read_tmx(tmp_path / "missing.tmx"))


def test_reader_does_not_expand_entities(tmp_path: Path) -> None:
    evil = tmp_path / "evil.tmx"
    evil.write_text(
        '<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<tmx version="1.4"><header/><body><tu><tuv xml:lang="ja"><seg>a&x;b</seg></tuv></tu></body></tmx>',
        encoding="utf-8",
    )
    units = list(read_tmx(evil))
    assert "root:" not in (units[0].text("ja") or "")
