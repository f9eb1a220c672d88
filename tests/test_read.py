"""The reader on real documents: the MOFA seed and its Japanese sample, the Kyoto articles,
HTML built from the seed, every supported encoding, and every input error."""

from __future__ import annotations

import os
import re
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.read.decode import decode_bytes
from align.errors import InputError, UsageError
from align.model import Document
from align.read import clean_text, parse_document, read_document
from data_paths import CMAC, CORPORA, data_glob, needs_data

SEED = CMAC / "en.md"  # the MOFA speech as published (broken lines, markup)
BUNDLED_KYOTO = sorted(CORPORA.glob("kyoto-*/[je]n.txt"))
KYOTO = [p for p in data_glob("kyoto-dev-*/*/*.txt") if p.name in ("ja.txt", "en.txt")]


def texts(doc: Document) -> list[str]:
    return [doc.block_text(i) for i in range(len(doc.blocks))]


def kinds(doc: Document) -> list[str]:
    return [b.kind for b in doc.blocks]


def check_layout(doc: Document) -> None:
    """Blocks are one line each, trimmed, non-empty, and the text is exactly them joined by newlines."""
    assert doc.text == "\n".join(texts(doc))
    for t in texts(doc):
        assert t and t == t.strip() and "\n" not in t


# ---------------------------------------------------------------- the MOFA seed


@pytest.fixture(scope="module")
def seed() -> Document:
    return read_document(SEED)


def block_with(doc: Document, fragment: str) -> str:
    found = [t for t in texts(doc) if fragment in t]
    assert len(found) == 1, (fragment, found)
    return found[0]


@pytest.mark.parametrize(
    "sentence",
    [
        "The core of humanitarian mine action is, above all, the development of human resources.",
        "Next week, we will provide Ukraine with large demining machine, and next month, here in "
        "Cambodia, we will train Ukrainian personnel on how to operate the machine.",
        'While presenting this "Japan\'s Comprehensive Package of Assistance for Humanitarian Mine '
        'Action " to the affected countries, like-minded countries, and international '
        "organizations, we will work together with these partners to provide more effective support.",
        "Japan, as a major technology power, will utilize ODA to promote the development of the "
        "latest science and technology, and its application to “monozukuri”, craftsmanship rooted "
        "in on-the-ground experience.",
        "Second, Cambodia has accumulated mine action knowledge and has a well-developed "
        "professional human resource.",
    ],
)
def test_seed_sentences_broken_across_blank_lines_are_joined(seed: Document, sentence: str) -> None:
    block = block_with(seed, sentence[:40])
    assert sentence in block


def test_seed_title_lines_stay_separate_title_blocks(seed: Document) -> None:
    assert texts(seed)[:6] == [
        "Remarks by Ms. KAMIKAWA Yoko",
        "Minister for Foreign Affairs of Japan",
        "at Cambodia Mine Action Centre (CMAC)",
        "July 6th 2024",
        "(Translation)",
        "1 Japan's Past Assistance for Humanitarian Mine Action",
    ]
    assert kinds(seed)[:6] == ["title"] * 5 + ["heading"]
    assert "title" not in kinds(seed)[5:]


def test_seed_headings_bullets_and_end(seed: Document) -> None:
    headings = [t for t, k in zip(texts(seed), kinds(seed)) if k == "heading"]
    assert headings == [
        "1 Japan's Past Assistance for Humanitarian Mine Action",
        "2 A New Vision for Japan's Assistance for Humanitarian Mine Action",
        "3 Launch of Japan-Cambodia Landmine Initiative",
        "4 Conclusion",
    ]
    raw = SEED.read_text(encoding="utf-8")
    bullet_lines = [re.sub(r"<[^>]+>|\*", "", line)[2:40] for line in raw.splitlines() if line.startswith("- ")]
    bullets = [t for t, k in zip(texts(seed), kinds(seed)) if k == "bullet"]
    # One bullet per "- " line: no item swallowed another or was split.
    assert len(bullets) == len(bullet_lines) == 31
    assert all(b.startswith(line) for b, line in zip(bullets, bullet_lines))
    assert texts(seed)[-2:] == ["SOUM • OKUN (joined hands)", "(End)"]
    assert kinds(seed)[-1] == "paragraph"


def test_seed_markup_is_gone(seed: Document) -> None:
    check_layout(seed)
    for markup in ("**", "<sup>", "</sup>", "*monozukuri*", "## ", "- "):
        assert markup not in seed.text
    assert "During the 5th Review Conference" in seed.text
    assert "“monozukuri”, craftsmanship" in seed.text
    assert '"monozukuri" (craftmanship)' in seed.text
    assert seed.lang == "en"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_cmac_gold_sentences_each_lie_inside_one_block(lang: str) -> None:
    """Every gold sentence of the CMAC pair is whole inside a block: nothing split or glued across."""
    doc = read_document(CMAC / f"{lang}.md")
    check_layout(doc)
    assert doc.lang == lang
    gold = [s for s in (CMAC / f"{lang}.sent").read_text(encoding="utf-8").split("\n") if s]
    assert len(gold) > 40
    blocks = texts(doc)
    for sentence in gold:
        assert sum(sentence in b for b in blocks) == 1, sentence


def test_cmac_japanese_breaks_are_joined_without_spaces() -> None:
    doc = read_document(CMAC / "ja.md")
    assert "日本は、技術大国として、ODAを活用し、最新の科学技術の開発と" in doc.text
    assert "来週には、大型の地雷除去機をウクライナに供与します。" in doc.text
    assert "人道的地雷対策の核心は、何よりも人材育成です。" in doc.text
    assert kinds(doc)[:3] == ["title", "title", "heading"]
    assert texts(doc)[2] == "1\u3000人道的地雷対策におけるこれまでの日本の支援"  # full-width space kept
    assert texts(doc)[-1] == "（了）"


# ---------------------------------------------------------------- Kyoto raw texts


@pytest.mark.parametrize("path", BUNDLED_KYOTO + KYOTO, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}/{p.name}")
def test_kyoto_blocks_are_the_lines(path: Path) -> None:
    doc = read_document(path)
    lines = [line.strip() for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    assert texts(doc) == lines  # no accidental joins, text unchanged
    assert kinds(doc)[0] == "title"
    assert "title" not in kinds(doc)[1:]
    assert doc.lang == path.stem


@needs_data
def test_all_kyoto_files_were_checked() -> None:
    assert len(KYOTO) == 80


# ---------------------------------------------------------------- encodings


def ja_sample() -> str:
    return (CMAC / "ja.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp932", "euc_jp"])
def test_japanese_encodings_round_trip(tmp_path: Path, codec: str) -> None:
    text = ja_sample()
    data = text.encode(codec)
    if codec in ("utf-16-le", "utf-16-be"):
        data = "\ufeff".encode(codec) + data  # with a BOM, as Windows writes it
    path = tmp_path / "ja.md"
    path.write_bytes(data)
    got, expected = read_document(path), read_document(CMAC / "ja.md")
    assert (got.text, got.blocks, got.lang) == (expected.text, expected.blocks, expected.lang)
    assert decode_bytes(data, name="ja.md") == text


@needs_data
@pytest.mark.parametrize("codec", ["cp932", "euc_jp", "utf-16", "utf-8-sig"])
def test_kyoto_japanese_round_trip(tmp_path: Path, codec: str) -> None:
    checked = 0
    for src in data_glob("kyoto-dev-clean/*/ja.txt"):
        text = src.read_text(encoding="utf-8")
        try:
            data = text.encode(codec)
        except UnicodeEncodeError:
            continue  # a character outside the legacy set (e.g. 芿 in BDS00519)
        path = tmp_path / f"{src.parent.name}.txt"
        path.write_bytes(data)
        assert texts(read_document(path)) == texts(read_document(src))
        checked += 1
    assert checked >= 15


@needs_data
@pytest.mark.parametrize("codec", ["cp932", "euc_jp"])
def test_every_short_kyoto_line_decodes_right(codec: str) -> None:
    """CP932 and EUC-JP overlap; even one short line (kanji only) must come back as written."""
    checked = 0
    for src in data_glob("kyoto-dev-clean/*/ja.txt"):
        for line in src.read_text(encoding="utf-8").split("\n"):
            try:
                data = line.encode(codec)
            except UnicodeEncodeError:
                continue
            if line.strip():
                assert decode_bytes(data, name="x") == line
                checked += 1
    assert checked > 450


def test_seed_round_trips_in_unicode_encodings(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    expected = texts(read_document(SEED))
    for codec in ("utf-8-sig", "utf-16", "utf-32"):
        path = tmp_path / f"seed-{codec}.md"
        path.write_bytes(text.encode(codec))
        assert texts(read_document(path)) == expected


def test_declared_html_charset_is_used(tmp_path: Path) -> None:
    body = "<p>人道的地雷対策の核心は、何よりも人材育成です。</p>"
    page = f'<html><head><meta charset="Shift_JIS"><title>t</title></head><body>{body}</body></html>'
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("cp932"))
    assert "人道的地雷対策の核心は、何よりも人材育成です。" in read_document(path).text


def test_latin1_and_chinese_bytes_are_refused_not_guessed(tmp_path: Path) -> None:
    cases = {
        "latin1.txt": "Café crème brûlée, à la française. Élève naïve, déjà vu.".encode("latin-1"),
        "gbk.txt": (
            "我们的国家是一个伟大的国家，人民勤劳勇敢。中华人民共和国外交部发言人今天表示，"
            "中方愿同各方一道努力，推动构建人类命运共同体。柬埔寨地雷行动中心成立三十多年来，"
            "在人道主义扫雷领域取得了显著成就，为世界各国提供了宝贵经验。日本长期以来一直支持"
            "柬埔寨的扫雷工作，双方在人员培训、技术开发和设备援助等方面开展了广泛合作。今后，"
            "两国将继续加强合作，共同努力实现世界地雷受害者为零的目标，并向第三国提供援助。"
            "中国政府高度重视这一问题，愿意与国际社会一道，为建设一个没有地雷的世界作出贡献。"
        ).encode("gbk"),
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(InputError) as e:
            read_document(path)
        assert str(e.value) == (
            f"{path}: cannot decode as UTF-8, UTF-16, Shift_JIS/CP932 or EUC-JP; convert it to UTF-8"
        )


# ---------------------------------------------------------------- errors


def error_of(path: Path) -> str:
    with pytest.raises(InputError) as e:
        read_document(path)
    message = str(e.value)
    assert str(path) in message and "\n" not in message
    return message


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.txt", b"", "is empty"),
        ("blank.md", b" \n\n\t \r\n", "is empty"),
        ("ideographic.txt", "\u3000\n\u3000 \f".encode(), "is empty"),
        ("nul.txt", b"abc\x00\x01\x02def" * 50, "looks like a binary file"),
        ("controls.txt", bytes(range(1, 9)) * 100, "looks like a binary file"),
        ("scan.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "looks like a binary file (a PDF)"),
        ("doc.md", b"PK\x03\x04\x14\x00\x06\x00", "looks like a binary file (a ZIP"),
        ("bad.txt", b"Caf\xe9 \xff\xfe\xfd \x80\x81", "cannot decode as UTF-8, UTF-16, Shift_JIS/CP932 or EUC-JP"),
        ("markup.html", b"<html><script>var x = 1;</script><!-- nothing --></html>", "has no visible text"),
        ("markup.md", b"![logo](logo.png)\n\n<br>\n", "has no visible text"),
    ],
)
def test_bad_files_give_one_line_input_errors(tmp_path: Path, name: str, data: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert expected in error_of(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "no such file" in error_of(tmp_path / "nothing.md")
    assert "is a directory" in error_of(tmp_path)


def test_file_name_with_newline_keeps_message_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "two\nlines.txt"
    path.write_bytes(b"")
    with pytest.raises(InputError) as e:
        read_document(path)
    assert "\n" not in str(e.value) and "two\u240alines.txt" in str(e.value)  # ␊, as align.errors.visible shows it


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("text")
    path.chmod(0)
    assert "permission denied" in error_of(path)


@pytest.mark.parametrize(
    ("error", "expected"),
    [(PermissionError(13, "Permission denied"), "permission denied"), (OSError(5, "Input/output error"), "cannot read the file: Input/output error")],
)
def test_read_failures_become_input_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, expected: str) -> None:
    """As root the permission case cannot be made with chmod; the OS error is raised instead."""
    path = tmp_path / "secret.txt"
    path.write_text("text")

    def fail(*args: object, **kwargs: object) -> bytes:
        raise error

    import align.read.decode

    monkeypatch.setattr(align.read.decode, "open", fail, raising=False)  # read_bytes opens the file itself
    assert expected in error_of(path)


def test_bad_options() -> None:
    with pytest.raises(UsageError):
        parse_document("text", fmt="pdf")  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        parse_document("text", fmt="txt", lang="Japanese!")
    assert parse_document("日本語の文です。", fmt="txt", lang="JA_jp").lang == "ja-jp"


# ---------------------------------------------------------------- HTML


def seed_as_html(seed: Document) -> str:
    """An HTML page of the seed's text, the way a ministry site serves it."""
    title = "<br>\n".join(texts(seed)[:3])
    parts = [f"<header><h1>{title}</h1></header>"]
    for t, k in list(zip(texts(seed), kinds(seed)))[3:]:
        t = t.replace("&", "&amp;").replace("July 6th", "July&nbsp;6<sup>th</sup>")
        t = t.replace("5th Review", "5<sup>th</sup> Review")
        parts.append({"title": f"<p>{t}</p>", "heading": f"<h2>{t}</h2>", "bullet": f"<ul><li>{t}</li></ul>"}.get(k, f"<div>{t}</div>"))
    return (
        "<!DOCTYPE html><html><head><title>Remarks | Ministry of Foreign Affairs</title>"
        "<style>p { color: red }</style><script>var broken = '<p>not text</p>';</script></head>"
        "<body><nav><ul><li>Home</li><li>Press</li></ul></nav><main>"
        + "\n".join(parts)
        + "<noscript>Enable JavaScript</noscript><!-- comment --></main>"
        "<footer>Copyright &copy; MOFA</footer></body></html>"
    )


def test_html_from_the_seed(seed: Document) -> None:
    doc = parse_document(seed_as_html(seed), fmt="html")
    check_layout(doc)
    assert texts(doc) == texts(seed)
    assert kinds(doc)[:3] == ["title"] * 3  # the h1 lines, not the page's <title>
    assert [k for k in kinds(doc) if k in ("heading", "bullet")] == [k for k in kinds(seed) if k in ("heading", "bullet")]
    no_h1 = parse_document(seed_as_html(seed).replace("h1>", "div>"), fmt="html")
    assert texts(no_h1)[0] == "Remarks | Ministry of Foreign Affairs" and kinds(no_h1)[0] == "title"
    for hidden in ("not text", "Enable JavaScript", "Home", "Copyright", "color: red"):
        assert hidden not in doc.text


def test_html_entities_breaks_and_broken_markup() -> None:
    page = (
        "<h1>Remarks &amp; Notes</h1><p>Japan &#12354; &#x3044; caf&eacute;<br>Second line"
        "<p>Unclosed paragraph with <b>bold <i>and italic</b> text\n   spread over\nlines"
        "<ul><li>The core is, above all,</ul><p>the development of human resources."
        "<table><tr><td>cell one,<td>cell two</table><pre>code  line 1\ncode line 2</pre>"
        '<div hidden>secret</div><span style="display: none">gone</span><p>日本は人材の\n育成である。'
    )
    doc = parse_document(page, fmt="html")
    assert texts(doc) == [
        "Remarks & Notes",
        "Japan あ い café",
        "Second line",
        "Unclosed paragraph with bold and italic text spread over lines",
        "The core is, above all, the development of human resources.",
        "cell one,",
        "cell two",
        "code line 1",
        "code line 2",
        "日本は人材の育成である。",
    ]
    assert kinds(doc)[:5] == ["title", "paragraph", "paragraph", "paragraph", "bullet"]


def test_html_extension_sniffing(tmp_path: Path) -> None:
    path = tmp_path / "page.xyz"
    path.write_text("<!DOCTYPE html><html><body><p>Hello <b>there</b>.</p></body></html>")
    assert read_document(path).text == "Hello there."
    plain = tmp_path / "notes.xyz"
    plain.write_text("Hello <b>there</b>.")
    assert read_document(plain).text == "Hello <b>there</b>."  # unknown extension: plain text


# ---------------------------------------------------------------- markdown details


def test_markdown_inline_markup() -> None:
    md = (
        "# Title with `code` and [a link](https://example.com \"t\")\n\n"
        "Text with ![an image](img.png) *emphasis*, _under_, __strong__, ***both***, "
        "~~struck~~, snake_case_name, 2 * 3 * 4, \\*literal stars\\*, `*not emphasis*`, "
        "<https://example.org>, a [ref link][1], footnote[^1] and H<sub>2</sub>O &amp; co.\n\n"
        "[1]: https://example.com\n"
    )
    doc = parse_document(md, fmt="md")
    assert texts(doc) == [
        "Title with code and a link",
        "Text with emphasis, under, strong, both, struck, snake_case_name, 2 * 3 * 4, "
        "*literal stars*, *not emphasis*, https://example.org, a ref link, footnote and H2O & co.",
    ]
    assert kinds(doc) == ["title", "paragraph"]


def test_markdown_structure() -> None:
    md = (
        "---\ntitle: front matter\nlang: en\n---\n"
        "Setext Heading\n==============\n\n"
        "A paragraph that is\nwrapped over\nthree lines.\n\n"
        "**Bold heading line**\n\n"
        "1. first item\n2) second item\n   continued\n* third item\n\n"
        "> A quoted paragraph.\n\n"
        "| a | b |\n|---|---|\n| one | two |\n\n"
        "```python\nx = 1  # code\n```\n\n---\n\n"
        "Subtitle\n---\n"
        "Last line with hard break  \nafter it.\n"
    )
    doc = parse_document(md, fmt="md")
    assert list(zip(kinds(doc), texts(doc))) == [
        ("title", "Setext Heading"),
        ("paragraph", "A paragraph that is wrapped over three lines."),
        ("heading", "Bold heading line"),
        ("bullet", "first item"),
        ("bullet", "second item continued"),
        ("bullet", "third item"),
        ("paragraph", "A quoted paragraph."),
        ("paragraph", "a"),
        ("paragraph", "b"),
        ("paragraph", "one"),
        ("paragraph", "two"),
        ("paragraph", "x = 1 # code"),
        ("heading", "Subtitle"),
        ("paragraph", "Last line with hard break after it."),
    ]


def test_markdown_title_run_only_right_before_a_heading() -> None:
    long = "This opening paragraph is a sentence of ordinary length, not a title line at all."
    doc = parse_document(f"Greetings\n\nThanks for coming.\n\n{long}\n\n## Section\n\nText.\n", fmt="md")
    assert kinds(doc) == ["title", "paragraph", "paragraph", "heading", "paragraph"]
    doc = parse_document("Speech\n\nTokyo, 1 April 2024\n\n## Section\n\nText.\n", fmt="md")
    assert kinds(doc) == ["title", "title", "heading", "paragraph"]


def test_headings_and_bullets_are_never_joined() -> None:
    md = "## Section about the\n\nrest of the text\n\n- item ending in the\n- next item\n\nand after the list, a paragraph.\n"
    doc = parse_document(md, fmt="md")
    assert texts(doc) == [
        "Section about the",
        "rest of the text",
        "item ending in the",
        "next item and after the list, a paragraph.",
    ]


# ---------------------------------------------------------------- plain text


def test_wrapped_plain_text_is_unwrapped(seed: Document) -> None:
    paragraphs = [t for t, k in zip(texts(seed), kinds(seed)) if k == "bullet" and len(t) > 150]
    wrapped = "\n\n".join(textwrap.fill(p, 70) for p in paragraphs)
    doc = parse_document("Title line\n\n" + wrapped, fmt="txt")
    assert texts(doc) == ["Title line", *paragraphs]
    ja = [t for t in texts(read_document(CMAC / "ja.md")) if len(t) > 60]
    wrapped_ja = "\n\n".join("\n".join(p[i : i + 30] for i in range(0, len(p), 30)) for p in ja)
    assert texts(parse_document(wrapped_ja, fmt="txt")) == ja


def test_wrapped_text_without_blank_lines_like_a_pdf(seed: Document) -> None:
    """PDF text: fixed-width lines, no blank lines; a paragraph starts indented or after a short line."""
    ja = [t for t in texts(read_document(CMAC / "ja.md")) if len(t) > 45]
    pdf_ja = "\n".join("\u3000" + "\n".join(p[i : i + 35] for i in range(0, len(p), 35)) for p in ja)
    assert texts(parse_document("地雷対策\n" + pdf_ja, fmt="txt")) == ["地雷対策", *ja]
    en = [t for t, k in zip(texts(seed), kinds(seed)) if k == "bullet" and len(t) > 100]
    pdf_en = "\n".join(textwrap.fill(p, 80) for p in en)
    blocks = texts(parse_document("Remarks\n" + pdf_en, fmt="txt"))
    # Without indentation a paragraph whose last line is nearly full runs into the next one;
    # that only merges whole sentences. No paragraph may be cut.
    for p in en:
        assert sum(p in b for b in blocks) == 1, p
    assert len(blocks) > len(en) * 0.6


def test_plain_text_page_breaks_and_blank_lines() -> None:
    text = (
        "Annual Report\n\nThe core of the work is, above all,\n\f\nthe development of people.\n\n"
        "Japan, as a major technology power, will utilize\n\n\n\nODA to promote science.\n\n"
        "1 Next Steps\n\nWe will continue.\n\n人道的地雷対策の核心は、何よりも人材の\n\f\n育成である。\n"
    )
    assert texts(parse_document(text, fmt="txt")) == [
        "Annual Report",
        "The core of the work is, above all, the development of people.",
        "Japan, as a major technology power, will utilize ODA to promote science.",
        "1 Next Steps",
        "We will continue.",
        "人道的地雷対策の核心は、何よりも人材の育成である。",
    ]


def test_pdf_page_numbers_at_page_breaks_are_dropped() -> None:
    text = (
        "Report\n\nNext week, we will provide Ukraine with large\n\n- 2 -\f3\n"
        "demining machine, and train 12\npeople.\n\nPage 4\f日本は、技術大国として、ODAを\n５\f活用します。\n"
    )
    assert texts(parse_document(text, fmt="txt")) == [
        "Report",
        "Next week, we will provide Ukraine with large demining machine, and train 12 people.",
        "日本は、技術大国として、ODAを活用します。",
    ]


def _sentences(text: str, fmt: str, lang: str) -> tuple[str, ...]:
    """The sentences the aligner would see in `text` read as `fmt`."""
    from align.segment import segment_document

    return segment_document(parse_document(text, fmt=fmt, lang=lang)).sentence_texts


def _paginate(text: str, every: int, marks: list[str]) -> str:
    """text with a page-number line after about every `every` characters, mid-sentence."""
    out, k, page, line = [], 0, 0, ""
    for prev, ch in zip(" " + text, text):
        out.append(ch)
        k += 1
        line = "" if ch == "\n" else line + ch
        # inside a sentence, after a lower-case word (a break after "When" is ambiguous even
        # to a person), not in a heading
        word = line.split()[-1] if line.split() else ""
        if k >= every and ch in " 、" and (word.islower() or not prev.isascii()) and not line.startswith(("#", "*")):
            out.append(marks[page % len(marks)].format(page + 2))
            k, page = 0, page + 1
    return "".join(out)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_numbers_pasted_from_a_pdf_into_markdown_or_text_leave_the_sentences_unchanged(lang: str) -> None:
    # copy-pasted PDF text: page marks between blank lines, with or without a form feed,
    # in the middle of sentences and bullets
    marks = ["\n\n- {} -\n\f\n", "\n\n－{}－\n\n", "\n\nPage {}\n\n", "\n\f{}\n", "\n\n— {} —\n\n"]
    original = (CMAC / f"{lang}.md").read_text(encoding="utf-8")
    paged = _paginate(original, 300 if lang == "ja" else 700, marks)
    assert paged.count("\n\n") > original.count("\n\n") + 5
    for fmt in ("md", "txt"):
        want = _sentences(original, fmt, lang)
        assert len(want) > 40 and _sentences(paged, fmt, lang) == want, fmt


@pytest.mark.parametrize(("lang", "width"), [("ja", 35), ("en", 80)])
def test_hard_wrapped_markdown_reads_as_the_original(lang: str, width: int) -> None:
    # PDF-to-text output: every long line cut at a fixed width, mid-word in Japanese
    original = (CMAC / f"{lang}.md").read_text(encoding="utf-8")
    wrapped = []
    for line in original.split("\n"):
        if len(line) <= width or line.startswith("#"):
            wrapped.append(line)
        elif lang == "en":
            wrapped += textwrap.wrap(line, width)
        else:
            wrapped += [line[i : i + width] for i in range(0, len(line), width)]
    assert len(wrapped) > len(original.split("\n")) + 10
    assert _sentences("\n".join(wrapped), "md", lang) == _sentences(original, "md", lang)


def test_short_list_items_in_a_chunk_are_not_unwrapped() -> None:
    text = "Temple offices\n\nDepartment of general affairs\nDepartment of religious services\nDepartment of finance\n"
    assert texts(parse_document(text, fmt="txt")) == [
        "Temple offices",
        "Department of general affairs",
        "Department of religious services",
        "Department of finance",
    ]


def test_one_paragraph_a_line_joins_only_on_strong_evidence() -> None:
    text = "Title\nFirst paragraph ends without a stop\nSecond starts upper-case\nthird starts lower-case.\n下級事務職員として、\n史生\n"
    assert texts(parse_document(text, fmt="txt")) == [
        "Title",
        "First paragraph ends without a stop",
        "Second starts upper-case third starts lower-case.",
        "下級事務職員として、",
        "史生",
    ]


def test_characters_are_cleaned_but_full_width_kept() -> None:
    text = "Ｔｏｋｙｏ　２０２４\r\nカ\u3099ン\u200bバ\u00ad\x07ル 神\ufa11\r\n"
    doc = parse_document(text, fmt="txt")
    assert texts(doc) == ["Ｔｏｋｙｏ\u3000２０２４", "ガンバル 神\ufa11"]  # NFC, no NFKC; 﨑 stays


# ---------------------------------------------------------------- properties and speed


TOKENS = [*"ab A.,!?:;\n\n\f\r\t*_#-+`[]()<>&|\\/=~\"'あ、。「」漢カ\u3000\u00a0\u200b\x00\x07", "<p>", "</p>", "<br>",
          "<li>", "<h1>", "</h1>", "&amp;", "&#12354;", "**", "```", "- ", "1. ", "# ", "  \n", "<script>",
          "</script>", "<!--", "-->", "<?xml version='1.0'?>", "<pre>", "<td>", "---\n", "> "]


@settings(max_examples=200, deadline=None)
@given(text=st.lists(st.sampled_from(TOKENS), max_size=60).map("".join), fmt=st.sampled_from(["txt", "md", "html"]))
def test_any_text_gives_a_well_formed_document_or_an_input_error(text: str, fmt: str) -> None:
    try:
        doc = parse_document(text, fmt=fmt)  # type: ignore[arg-type]
    except InputError as e:
        assert "\n" not in str(e)
        return
    check_layout(doc)
    if fmt == "txt":
        # Plain text loses only white space: every visible character is kept, in order.
        assert re.sub(r"\s", "", doc.text) == re.sub(r"\s", "", clean_text(text))


def test_ten_megabytes_read_in_linear_time() -> None:
    unit = SEED.read_text(encoding="utf-8") + "\n\n" + ja_sample() + "\n\n"
    timings = {}
    for size in (1_000_000, 10_000_000):
        text = unit * (size // len(unit.encode()) + 1)
        start = time.perf_counter()
        doc = parse_document(text, fmt="md")
        timings[size] = time.perf_counter() - start
        assert len(doc.blocks) > size // 200
    assert timings[10_000_000] < 20
    assert timings[10_000_000] < 25 * max(timings[1_000_000], 0.05)


@pytest.mark.parametrize("unit", ["[a](", "![x", "~~a ", "``a `", "<!-- ", "**a *b ", "(a ", "\"a ", "the\n\n"])
def test_unclosed_markup_stays_linear(unit: str) -> None:
    text = unit * (300_000 // len(unit))
    start = time.perf_counter()
    for fmt in ("txt", "md", "html"):
        try:
            parse_document(text, fmt=fmt)  # type: ignore[arg-type]
        except InputError:
            pass
    assert time.perf_counter() - start < 10
