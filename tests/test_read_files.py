"""PDF, DOCX and subtitle input, on real files built in the tests from the bundled speech
(tests/doc_builders.py): the sentences read back must be the text version's."""

from __future__ import annotations

import difflib
import io
import zipfile
from pathlib import Path

import pytest

from align.errors import InputError
from align.pipeline import load_document
from doc_builders import (
    CORPUS,
    build_docx,
    build_flowing_pdf,
    build_pdf,
    build_scanned_pdf,
    build_subtitles,
    build_two_column_pdf,
    speech_pairs,
)

pytest.importorskip("reportlab", reason="reportlab (a test dependency) writes the test PDFs")


def sentences(path: Path, lang: str) -> tuple[str, ...]:
    return load_document(path, lang=lang).sentence_texts


def differences(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """Sentences in one list and not at the same place in the other (each changed run counts
    its longer side)."""
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


def one_line_error(path: Path, *needles: str) -> str:
    with pytest.raises(InputError) as e:
        load_document(path)
    message = str(e.value)
    assert "\n" not in message and str(path) in message
    for needle in needles:
        assert needle in message
    return message


# ---------------------------------------------------------------- PDF


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("pdf")
    return {lang: build_pdf(d / f"speech-{lang}.pdf", lang) for lang in ("ja", "en")}


def test_japanese_pdf_reads_back_the_markdown_sentences(pdfs: dict[str, Path]) -> None:
    got = sentences(pdfs["ja"], "ja")
    assert got == sentences(CORPUS / "ja.md", "ja")
    text = load_document(pdfs["ja"], lang="ja").text
    assert "外務大臣スピーチ\n" not in text.split("令和")[1]  # the running header, on 6 pages, is gone
    assert "- 2 -" not in text and "- 1 -" not in text
    assert "日本は、「人間の安全保障」の理念に基づき" in text  # no spaces between characters


def test_english_pdf_reads_back_the_markdown_sentences(pdfs: dict[str, Path]) -> None:
    got = sentences(pdfs["en"], "en")
    want = sentences(CORPUS / "en.md", "en")
    # the only difference: a '•' inside a sentence is a glyph without Unicode in the PDF font
    assert differences(got, want) <= 1, list(difflib.unified_diff(want, got, lineterm="", n=0))
    text = load_document(pdfs["en"], lang="en").text
    assert "Remarks by the Minister for Foreign Affairs at CMAC" not in text
    assert "humanitarian mine action" in text and "humani-" not in text and "humanita-" not in text
    assert "anti-personnel" in text  # a real hyphen stays


def test_the_pdf_breaks_sentences_across_pages_and_lines(pdfs: dict[str, Path]) -> None:
    """The fixture is honest: pages break inside sentences and words are hyphenated."""
    from pdfminer.high_level import extract_text

    raw = extract_text(str(pdfs["en"]))
    pages = [p.strip() for p in raw.split("\f") if p.strip()]
    assert len(pages) >= 5
    body_ends = [p.splitlines()[-3].rstrip() for p in pages[:-1]]
    assert any(not e.endswith((".", "?", "!")) for e in body_ends)
    assert any(line.rstrip().endswith("-") and line.rstrip()[-2].islower() for line in raw.splitlines())


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_justified_pdf_from_another_producer_gives_the_same_sentence_boundaries(tmp_path: Path, lang: str) -> None:
    """platypus: justified lines (pdfminer splits them at wide gaps), indents, two-line headings."""
    got = sentences(build_flowing_pdf(tmp_path / f"flow-{lang}.pdf", lang), lang)
    want = sentences(CORPUS / f"{lang}.md", lang)
    assert len(got) == len(want)
    # same sentences but for spacing platypus itself changes (it splits words on U+3000) and
    # the bullet glyph without Unicode
    same = sum(g.replace(" ", "").replace("\u3000", "") == w.replace(" ", "").replace("\u3000", "")
               for g, w in zip(got, want, strict=True))  # fmt: skip
    assert same >= len(want) - 1


def test_two_columns_are_read_column_by_column(tmp_path: Path) -> None:
    left = ["The left column starts here and runs on for a few lines of text.", "It has a second paragraph."]
    right = ["The right column is read after the left one, not line by line across.", "Its last sentence."]
    path = build_two_column_pdf(tmp_path / "columns.pdf", left, right)
    assert sentences(path, "en") == (*left, *right)


def test_scanned_pdf_without_text_layer_is_refused(tmp_path: Path) -> None:
    one_line_error(build_scanned_pdf(tmp_path / "scan.pdf"), "no text layer", "OCR")


def test_pdf_whose_glyphs_have_no_unicode_is_refused(tmp_path: Path) -> None:
    """Text drawn in glyphs the font maps to no character (as pdfminer reads reportlab's
    Helvetica bullet): nothing to align, so say so instead of aligning bullets."""
    path = build_pdf(tmp_path / "glyphs.pdf", "en", blocks=[("paragraph", "••••• •••• ••••••• ••• •••••")] * 12)
    one_line_error(path, "do not say which characters", "OCR")


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    path = build_pdf(tmp_path / "locked.pdf", "en", blocks=[("paragraph", "A secret sentence.")], encrypt="s3cret")
    one_line_error(path, "encrypted")


def test_truncated_pdf_is_refused(tmp_path: Path, pdfs: dict[str, Path]) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes(pdfs["en"].read_bytes()[:900])
    message = one_line_error(path)
    assert "PDF" in message


# ---------------------------------------------------------------- DOCX


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_docx_reads_back_the_markdown_sentences_and_blocks(tmp_path: Path, lang: str) -> None:
    path = build_docx(tmp_path / f"speech-{lang}.docx", lang)
    doc = load_document(path, lang=lang)
    md = load_document(CORPUS / f"{lang}.md", lang=lang)
    assert doc.sentence_texts == md.sentence_texts
    assert [b.kind for b in doc.blocks] == [b.kind for b in md.blocks]


def test_docx_tables_row_by_row_and_footnotes_only_when_asked(tmp_path: Path) -> None:
    import docx

    from align.read import read_document

    document = docx.Document()
    document.add_paragraph("The table below lists the projects.")
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate([["Row one, left.", "Row one, right."], ["Row two, left.", "Row two, right."]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph("After the table.")
    buf = io.BytesIO()
    document.save(buf)
    path = tmp_path / "table.docx"
    path.write_bytes(_with_footnote(buf.getvalue(), "A note at the foot of the page."))
    assert load_document(path, lang="en").sentence_texts == (
        "The table below lists the projects.",
        "Row one, left.",
        "Row one, right.",
        "Row two, left.",
        "Row two, right.",
        "After the table.",
    )
    with_notes = read_document(path, lang="en", footnotes=True)
    assert with_notes.text.endswith("After the table.\nA note at the foot of the page.")


def _with_footnote(data: bytes, note: str) -> bytes:
    """A DOCX with one footnote part (python-docx cannot write footnotes), referenced from the
    first paragraph, as Word writes it."""
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    notes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {w}>'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        f'<w:footnote w:id="1"><w:p><w:r><w:t>{note}</w:t></w:r></w:p></w:footnote></w:footnotes>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                body = body.replace(
                    b"</Types>",
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
                )
            elif item.filename == "word/_rels/document.xml.rels":
                body = body.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdFn" Type="http://schemas.openxmlformats.org/officeDocument/'
                    b'2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>',
                )
            elif item.filename == "word/document.xml":
                body = body.replace(
                    b"projects.</w:t></w:r>",
                    b'projects.</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>',
                    1,
                )
            dst.writestr(item, body)
        dst.writestr("word/footnotes.xml", notes)
    return out.getvalue()


def test_docx_tracked_changes_read_as_accepted(tmp_path: Path) -> None:
    """Inserted runs (w:ins) are text, deleted ones (w:delText) are not; python-docx's
    Paragraph.text would drop the insertion."""
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    good = build_docx(tmp_path / "t.docx", "en", blocks=[("paragraph", "MARK")]).read_bytes()
    body = (
        '<w:r><w:t xml:space="preserve">Japan </w:t></w:r>'
        '<w:ins w:id="1" w:author="a" w:date="2024-07-06T00:00:00Z"><w:r><w:t xml:space="preserve">firmly </w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="a" w:date="2024-07-06T00:00:00Z"><w:r><w:delText>never </w:delText></w:r></w:del>'
        '<w:r><w:t>supports</w:t><w:tab/><w:t>mine action.</w:t></w:r>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                assert w.encode() in data
                data = data.replace(b"<w:r><w:t>MARK</w:t></w:r>", body.encode())
            dst.writestr(item, data)
    path = tmp_path / "tracked.docx"
    path.write_bytes(out.getvalue())
    assert sentences(path, "en") == ("Japan firmly supports mine action.",)


def test_corrupt_docx_is_refused(tmp_path: Path) -> None:
    good = build_docx(tmp_path / "good.docx", "en", blocks=[("paragraph", "One sentence.")]).read_bytes()
    cut = tmp_path / "cut.docx"
    cut.write_bytes(good[: len(good) // 2])
    one_line_error(cut, "not a readable Word file")
    zipped = tmp_path / "other.docx"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("hello.txt", "not a word file")
    one_line_error(zipped, "not a readable Word file")


# ---------------------------------------------------------------- subtitles


@pytest.mark.parametrize("vtt", [False, True])
def test_subtitle_cues_join_into_sentences_with_their_times(tmp_path: Path, vtt: bool) -> None:
    path = tmp_path / ("en.vtt" if vtt else "en.srt")
    slots = build_subtitles(path, 1, vtt=vtt)
    doc = load_document(path, lang="en")
    gold = [tgt for _, tgt in speech_pairs()]
    # every gold pair's English is whole sentences: each read sentence lies inside one pair
    # and takes its times from the cues of that pair only
    joined = " ".join(doc.sentence_texts)
    assert joined == " ".join(gold)
    k = 0
    for text, times in zip(doc.sentence_texts, doc.sentence_times):
        while text not in gold[k]:
            k += 1
        assert times is not None
        t0, t1 = slots[k]
        assert t0 - 1e-6 <= times[0] < times[1] <= t1 + 1e-6, (text, times, slots[k])
    assert len(doc.cues) > len(doc.sentences)  # cues hold pieces of sentences


def test_japanese_subtitles_join_without_spaces(tmp_path: Path) -> None:
    path = tmp_path / "ja.srt"
    build_subtitles(path, 0)
    doc = load_document(path, lang="ja")
    assert "".join(doc.sentence_texts) == "".join(src for src, _ in speech_pairs())


BROKEN = {
    "bad-stamp": ("1\n00:00:01,000 --> 00:00:0x,500\nHello.\n", "line 2 is not a valid cue timing"),
    "backwards": ("1\n00:00:05,000 --> 00:00:04,000\nHello.\n", "cue 1 ends"),
    "out-of-order": (
        "1\n00:00:05,000 --> 00:00:06,000\nHello.\n\n2\n00:00:01,000 --> 00:00:02,000\nBye.\n",
        "out of order",
    ),
    "garbage": ("garbage first\n\n1\n00:00:01,000 --> 00:00:02,000\nHello.\n", "not a valid SRT file"),
    "no-cues": ("\n\n", "empty"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_subtitles_are_refused_in_one_line(tmp_path: Path, case: str) -> None:
    text, needle = BROKEN[case]
    path = tmp_path / f"{case}.srt"
    path.write_text(text, encoding="utf-8")
    one_line_error(path, needle)


def test_broken_webvtt_timing_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.vtt"
    path.write_text("WEBVTT\n\n00:01.000 --> 00:0x.500\nHello.\n", encoding="utf-8")
    one_line_error(path, "line 3 is not a valid cue timing")
    path.write_text("not a vtt\n\n00:01.000 --> 00:02.500\nHello.\n", encoding="utf-8")
    one_line_error(path, "WebVTT")


# ---------------------------------------------------------------- align pair on each format


def _pair_beads(tmp: Path, src: Path, tgt: Path) -> list[tuple[tuple[int, ...], tuple[int, ...], str, str]]:
    import json

    from typer.testing import CliRunner

    from align.cli import app

    result = CliRunner().invoke(app, ["pair", str(src), str(tgt), "--format", "jsonl"])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    return [(tuple(r["src_ids"]), tuple(r["tgt_ids"]), r["src"], r["tgt"]) for r in rows]


@pytest.fixture(scope="module")
def md_beads(tmp_path_factory: pytest.TempPathFactory) -> list:
    return _pair_beads(tmp_path_factory.mktemp("md"), CORPUS / "ja.md", CORPUS / "en.md")


def test_pdf_pair_aligns_as_the_markdown_pair(pdfs: dict[str, Path], md_beads: list, tmp_path: Path) -> None:
    got = _pair_beads(tmp_path, pdfs["ja"], pdfs["en"])
    ids = [(s, t) for s, t, _, _ in got]
    want = [(s, t) for s, t, _, _ in md_beads]
    assert differences(tuple(ids), tuple(want)) <= 2
    assert differences(tuple(got), tuple(md_beads)) <= 2  # texts too: the '•' glyph aside


def test_docx_pair_aligns_as_the_markdown_pair(md_beads: list, tmp_path: Path) -> None:
    ja, en = build_docx(tmp_path / "ja.docx", "ja"), build_docx(tmp_path / "en.docx", "en")
    assert _pair_beads(tmp_path, ja, en) == md_beads


def test_srt_pair_aligns_to_the_gold_pairs(tmp_path: Path) -> None:
    build_subtitles(tmp_path / "ja.srt", 0)
    build_subtitles(tmp_path / "en.srt", 1)
    got = {(s, t) for _, _, s, t in _pair_beads(tmp_path, tmp_path / "ja.srt", tmp_path / "en.srt")}
    gold = speech_pairs()
    assert sum(p in got for p in gold) >= 0.9 * len(gold)


def test_time_features_measure_the_overlap_of_two_intervals() -> None:
    import numpy as np

    from align.aligner.timing import time_features, timed_inputs, with_times

    f = time_features([(0.0, 2.0), (1.0, 3.0), (0.0, 4.0), (10.0, 12.0), (3600.0, 3602.0)])
    sim = f @ f.T
    # |A n B| / sqrt(|A| |B|): 0.5, 0.71, 0 and 0, within the estimate's noise
    assert abs(sim[0, 1] - 0.5) < 0.2 and abs(sim[0, 2] - 0.71) < 0.2
    assert abs(sim[0, 3]) < 0.25 and abs(sim[0, 4]) < 0.25
    v = np.eye(3, dtype=np.float32)[[0, 0]]
    out = with_times(v, [(0.0, 2.0), None], 0.2)
    assert np.allclose(np.linalg.norm(out[0]), 1.0, atol=1e-5)
    assert np.isclose(out[0] @ out[1], 0.8, atol=1e-5)  # no time: no evidence either way

    def encode(texts: list[str]) -> np.ndarray:
        return np.ones((len(texts), 3), np.float32) / np.sqrt(3)

    enc, sv, tv = timed_inputs(
        encode,
        (["A.", "B."], [(0.0, 2.0), (2.0, 4.0)], " ".join),
        (["X."], [(0.0, 4.0)], " ".join),
        max_len=2,
    )
    joined = enc(["A. B."])  # the span of two sentences takes their whole time
    assert joined[0] @ tv[0] > 0.95 > sv[0] @ tv[0]


def test_cli_segment_gives_subtitle_times_and_reads_footnotes_when_asked(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from align.cli import app

    build_subtitles(tmp_path / "en.srt", 1)
    result = CliRunner().invoke(app, ["segment", str(tmp_path / "en.srt"), "--format", "jsonl"])
    assert result.exit_code == 0, result.stderr
    first = json.loads(result.stdout.splitlines()[0])
    assert first["text"] == "Your Excellency." and first["time_start"] == 0.0 and 0 < first["time_end"] < 5
    result = CliRunner().invoke(app, ["segment", str(CORPUS / "en.md"), "--format", "jsonl"])
    assert "time_start" not in result.stdout
    docx_path = tmp_path / "notes.docx"
    plain = build_docx(tmp_path / "plain.docx", "en", blocks=[("paragraph", "The table below lists the projects.")])
    docx_path.write_bytes(_with_footnote(plain.read_bytes(), "A note at the foot."))
    without = CliRunner().invoke(app, ["segment", str(docx_path)])
    with_notes = CliRunner().invoke(app, ["segment", str(docx_path), "--footnotes"])
    assert without.stdout.splitlines() == ["The table below lists the projects."]
    assert with_notes.stdout.splitlines() == ["The table below lists the projects.", "A note at the foot."]


def test_bad_files_are_one_line_errors_through_align_pair(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from align.cli import app

    good = tmp_path / "good.srt"
    build_subtitles(good, 1)
    scan = build_scanned_pdf(tmp_path / "scan.pdf")
    locked = build_pdf(tmp_path / "locked.pdf", "en", blocks=[("paragraph", "A secret.")], encrypt="pw")
    (tmp_path / "bad.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "bad.srt").write_text("1\n00:00:05,000 --> 00:00:04,000\nHello.\n", encoding="utf-8")
    for bad, needle in ((scan, "no text layer"), (locked, "encrypted"), (tmp_path / "bad.docx", "Word file"),
                        (tmp_path / "bad.srt", "ends")):  # fmt: skip
        result = CliRunner().invoke(app, ["pair", str(bad), str(good), "-o", str(tmp_path / "out.jsonl")])
        assert result.exit_code == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], result.stderr
        assert not (tmp_path / "out.jsonl").exists()


def test_cue_markup_is_not_text(tmp_path: Path) -> None:
    """Tags, SSA overrides, voice spans, ruby readings, dialogue dashes, entities, a BOM and
    CRLF; an SRT without cue numbers; a WebVTT header, STYLE and NOTE blocks and cue settings."""
    srt = tmp_path / "q.srt"
    srt.write_bytes(
        "\ufeff1\r\n00:00:01,000 --> 00:00:02,000\r\n<i>Hello</i> {\\an8}there,\r\n\r\n"
        "2\r\n00:00:02,500 --> 00:00:04,000\r\n- friend.\r\n- Yes?\r\n".encode("utf-8")
    )
    doc = load_document(srt, lang="en")
    assert doc.sentence_texts == ("Hello there, friend.", "Yes?")
    assert doc.sentence_times == ((1.0, 4.0), (2.5, 4.0))
    bare = tmp_path / "bare.srt"
    bare.write_text("00:00:01,000 --> 00:00:02,000\nNo number.\n\n00:00:02,500 --> 00:00:04,000\nSecond.\n", "utf-8")
    assert load_document(bare, lang="en").sentence_texts == ("No number.", "Second.")
    vtt = tmp_path / "q.vtt"
    vtt.write_text(
        "WEBVTT - a title\n\nSTYLE\n::cue { color: red }\n\nNOTE a note\n\n"
        "1\n00:00:01.000 --> 00:00:02.000 line:0 position:20%\n<v.loud Mary>日本は &lt;支援&gt; し</v>\n\n"
        "00:02.500 --> 00:04.000\n<ruby>漢<rt>かん</rt></ruby>字です。\n",
        "utf-8",
    )
    doc = load_document(vtt, lang="ja")
    assert doc.sentence_texts == ("日本は <支援> し漢字です。",)
    assert doc.sentence_times == ((1.0, 4.0),)
