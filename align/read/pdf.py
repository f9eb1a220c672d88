"""PDF to raw blocks: the text layer in reading order, without the page furniture.

pdfminer.six does the layout analysis (text lines with their boxes, fonts and sizes, in
reading order); this module turns lines into the blocks the reader joins:

- running headers and footers (a line at the top or bottom of the page that repeats on at
  least half the pages, digits aside) and page numbers ('- 3 -', '12', 'Page 4') are dropped;
- a new paragraph starts after a wider gap than the line spacing, after a short line that
  ends a sentence, at a list marker (•, ・, -, an unknown glyph) or where the font grows or
  turns bold (a heading); other lines are soft breaks;
- a paragraph that runs to the right margin at the bottom of a page continues on the next
  page (a sentence broken across pages), and a word hyphenated at a line end is joined;
- spaces are only those the PDF draws: pdfminer's inferred spaces (from gaps between glyphs)
  are kept between Latin letters only, so Japanese set with letter spacing has no spaces;
- a justified line that pdfminer split at its wide word gaps is joined back, and a page with
  two columns is read column by column (pdfminer interleaves their paragraphs).

Checked on two producers (tests/doc_builders.py): reportlab's canvas (ragged lines, hyphenation,
breaks in mid-sentence) and its platypus (justified text, indents, two-line headings); both
give the Markdown's sentence boundaries exactly, Japanese and English.

Why pdfminer.six and not pypdf (measured on PDFs of the bundled speech written by reportlab,
see tests/doc_builders.py): both extract the Japanese text exactly, and pypdf is faster
(0.15 s against 0.35 s for 6 pages); but pypdf gives text in drawing order without positions
(the footer '- 1 -' comes out between the header and the body, a bullet glyph on a line of its
own) and breaks glyph-by-glyph Japanese into one character a line, where pdfminer keeps
the line and tells inferred spaces apart from drawn ones.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from align.errors import InputError
from align.read.markup import PAGE_NUMBER, TXT_BULLET, Break, RawBlock, mark_title
from align.read.text import clean_text, separator

# An inferred space is kept only between two of these (Latin letters, digits, punctuation).
_SPACED = re.compile(r"[\x21-\x7e\u00c0-\u024f\u2018-\u201d]")
_UNKNOWN_GLYPH = re.compile(r"\(cid:\d+\)")
_ENDS_SENTENCE = re.compile(r"[.!?。！？][\"'”’」』）)\]]*$")
_HYPHENATED = re.compile(r"([A-Za-z]*[a-z])-$")
_FURNITURE_BAND = 0.12  # top and bottom share of the page where headers and footers stand


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    y0: float
    y1: float
    size: float
    bold: bool
    page: int


def pdf_blocks(data: bytes, *, name: str) -> list[RawBlock]:
    """The raw blocks of a PDF's text layer; InputError for an encrypted, scanned or broken PDF."""
    glyphs = {"all": 0, "unknown": 0}
    pages, heights = _pages(data, name, glyphs)
    if glyphs["unknown"] > 0.5 * glyphs["all"]:
        raise InputError(
            f"{name}: the PDF's fonts do not say which characters their glyphs are "
            f"({glyphs['unknown']} of {glyphs['all']} unknown); run OCR on it or give a text version"
        )
    if not any(pages):
        raise InputError(
            f"{name}: the PDF has no text layer (a scan?); run OCR on it first or give a text version"
        )
    _drop_furniture(pages, heights)
    lines = [line for page in pages for line in page]
    if not lines:
        raise InputError(f"{name}: the PDF has only page headers and numbers, no body text")
    body_size = statistics.median(line.size for line in lines)
    blocks = _group(pages, body_size)
    return mark_title(_dehyphenate(blocks), run=True)


def _pages(data: bytes, name: str, glyphs: dict[str, int]) -> tuple[list[list[_Line]], list[float]]:
    """Every page's text lines in reading order, and each page's height; `glyphs` counts the
    glyphs read and those without a Unicode mapping."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextBox, LTTextLine
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.psparser import PSException

    pages: list[list[_Line]] = []
    heights: list[float] = []
    try:
        for number, page in enumerate(extract_pages(io.BytesIO(data), laparams=LAParams())):
            lines: list[_Line] = []
            for item in page:
                inner = item if isinstance(item, LTTextBox) else [item] if isinstance(item, LTTextLine) else []
                for obj in inner:
                    if isinstance(obj, LTTextLine) and (line := _line(obj, number, glyphs)) is not None:
                        lines.append(line)
            pages.append(_by_columns(_merge_same_baseline(lines)))
            heights.append(page.height)
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise InputError(f"{name}: the PDF is encrypted with a password; save an unprotected copy") from None
    except (PSException, ValueError, KeyError, TypeError, AssertionError, IndexError) as e:
        raise InputError(f"{name}: not a readable PDF ({type(e).__name__}); check the file") from None
    except Exception as e:  # pdfminer raises many kinds on damaged files
        if "encrypt" in str(e).lower() or "password" in str(e).lower():
            raise InputError(f"{name}: the PDF is encrypted with a password; save an unprotected copy") from None
        raise InputError(f"{name}: not a readable PDF ({type(e).__name__}); check the file") from None
    return pages, heights


def _line(obj: object, page: int, glyphs: dict[str, int]) -> _Line | None:
    """One text line: drawn characters, inferred spaces only between Latin characters, an
    unknown glyph at the start (a bullet in a font without a Unicode map) as '•'."""
    from pdfminer.layout import LTAnno, LTChar

    parts: list[str] = []
    sizes: list[float] = []
    bold = 0
    pending_space = False
    for ch in obj:  # type: ignore[attr-defined]
        if isinstance(ch, LTAnno):
            pending_space = pending_space or ch.get_text() == " "
            continue
        if not isinstance(ch, LTChar):
            continue
        text = ch.get_text()
        glyphs["all"] += 1
        if _UNKNOWN_GLYPH.fullmatch(text):
            glyphs["unknown"] += 1
            text = "•" if not parts else ""
        if not text:
            continue
        if pending_space and parts and _SPACED.match(parts[-1][-1]) and _SPACED.match(text[0]):
            parts.append(" ")
        pending_space = False
        parts.append(text)
        sizes.append(ch.size)
        bold += "bold" in ch.fontname.lower() or "kakugo" in ch.fontname.lower()
    text = clean_text("".join(parts)).strip()
    if not text:
        return None
    x0, y0, x1, y1 = obj.bbox  # type: ignore[attr-defined]
    return _Line(text, x0, x1, y0, y1, statistics.median(sizes), bold > len(sizes) / 2, page)


def _merge_same_baseline(lines: list[_Line]) -> list[_Line]:
    """Lines pdfminer left apart on one baseline as one: a bullet glyph beside its text, and
    the pieces of a justified line whose wide word gaps pdfminer took for a column gutter.
    Pieces stay apart where the right one starts where at least three lines of the page
    start (a column), so two-column pages stay two columns. Each merged line keeps the
    reading-order place of its first piece."""
    starts = Counter(round(line.x0) for line in lines)
    columns = [x for x, n in starts.items() if n >= 3]
    rows: list[list[tuple[int, _Line]]] = []
    for k, line in enumerate(lines):
        row = next((r for r in rows if abs(r[0][1].y0 - line.y0) < 2), None)
        if row is None:
            rows.append([(k, line)])
        else:
            row.append((k, line))
    out: list[tuple[int, _Line]] = []
    for row in rows:
        row.sort(key=lambda kl: kl[1].x0)
        runs = [[row[0]]]
        for k, piece in row[1:]:
            last = runs[-1][-1][1]
            near = piece.x0 - last.x1 < 3 * piece.size
            if near or not any(abs(piece.x0 - c) <= 2 for c in columns):
                runs[-1].append((k, piece))
            else:
                runs.append([(k, piece)])
        for run in runs:
            first = min(k for k, _ in run)
            merged = run[0][1]
            for _, piece in run[1:]:
                merged.text = f"{merged.text}{separator(merged.text, piece.text, 'und') or ' '}{piece.text}"
                merged.x1 = max(merged.x1, piece.x1)
                merged.y1 = max(merged.y1, piece.y1)
            out.append((first, merged))
    return [line for _, line in sorted(out, key=lambda kl: kl[0])]


def _by_columns(lines: list[_Line]) -> list[_Line]:
    """The page's lines column by column where a gutter (a vertical strip no line crosses,
    with at least three lines on each side) splits it; else in pdfminer's order. pdfminer
    orders boxes by a mix of height and position, which on a two-column page interleaves the
    columns paragraph by paragraph."""
    spans = sorted((line.x0, line.x1) for line in lines)
    reach = spans[0][1] if spans else 0.0
    for x0, x1 in spans[1:]:
        if x0 > reach + 6:  # a gutter between reach and x0
            left = [line for line in lines if line.x1 <= reach]
            right = [line for line in lines if line.x0 >= x0]
            if len(left) >= 3 and len(right) >= 3:
                return left + _by_columns(right)
        reach = max(reach, x1)
    return lines


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", text).replace(" ", "")


def _drop_furniture(pages: list[list[_Line]], heights: list[float]) -> None:
    """Remove running headers/footers and page numbers from every page, in place."""
    def band(line: _Line, height: float) -> bool:
        return line.y0 > height * (1 - _FURNITURE_BAND) or line.y1 < height * _FURNITURE_BAND

    counts: dict[str, int] = {}
    for page, height in zip(pages, heights):
        for key in {_key(line.text) for line in page if band(line, height)}:
            counts[key] = counts.get(key, 0) + 1
    repeated = {k for k, n in counts.items() if len(pages) >= 2 and n >= max(2, len(pages) / 2)}
    for i, (page, height) in enumerate(zip(pages, heights)):
        if not page:
            continue
        top = max(line.y1 for line in page)
        bottom = min(line.y0 for line in page)
        pages[i] = [
            line
            for line in page
            if not (
                band(line, height)
                and (
                    _key(line.text) in repeated
                    or (line.y1 == top or line.y0 == bottom) and bool(PAGE_NUMBER.fullmatch(line.text))
                )
            )
        ]


def _group(pages: list[list[_Line]], body: float) -> list[RawBlock]:
    """Lines into blocks: paragraphs by gaps, short last lines and indents; headings by font;
    list items by their marker; paragraphs broken by a page break joined when the page's last
    line runs to the margin."""
    blocks: list[tuple[str, list[str], Break]] = []
    prev: _Line | None = None
    right = max(line.x1 for page in pages for line in page)
    leads = [
        a.y0 - b.y0 for page in pages for a, b in zip(page, page[1:]) if 0 < a.y0 - b.y0 < 3 * body
    ]
    lead = statistics.median(leads) if leads else 1.2 * body
    for page in pages:
        for k, line in enumerate(page):
            text = line.text
            heading = line.size > 1.1 * body or (line.bold and not _ENDS_SENTENCE.search(text) and len(text) < 120)
            bullet = bool(TXT_BULLET.match(text))
            if bullet:
                text = TXT_BULLET.sub("", text, count=1).strip()
            kind = "heading" if heading else "bullet" if bullet else "paragraph"
            if prev is None or not blocks:
                blocks.append((kind, [text], "hard"))
            elif k == 0:  # first line of a page: continues the last paragraph if that ran full
                full = prev.x1 > right - 2.5 * body and not _ENDS_SENTENCE.search(blocks[-1][1][-1])
                if full and kind == "paragraph" and blocks[-1][0] in ("paragraph", "bullet"):
                    blocks[-1][1].append(text)
                else:
                    blocks.append((kind, [text], "hard" if kind != "paragraph" else "weak"))
            else:
                gap = prev.y0 - line.y0
                # a heading's lines are as far apart as its own size sets (1.2 x size, more than the body's)
                same_heading = heading and blocks[-1][0] == "heading" and 0 < gap < 1.45 * max(line.size, prev.size)
                if same_heading:
                    blocks[-1][1].append(text)
                elif kind != "paragraph" or blocks[-1][0] == "heading":
                    blocks.append((kind, [text], "hard"))
                elif (
                    gap > 1.3 * lead
                    or gap < 0
                    or (prev.x1 < right - 4 * body and _ENDS_SENTENCE.search(prev.text))
                    or line.x0 > prev.x0 + body and blocks[-1][0] == "paragraph"
                ):
                    blocks.append((kind, [text], "weak"))
                else:
                    blocks[-1][1].append(text)
            prev = line
    return [RawBlock(kind, tuple(lines), brk) for kind, lines, brk in blocks]  # type: ignore[arg-type]


def _dehyphenate(blocks: list[RawBlock]) -> list[RawBlock]:
    """Words hyphenated at a line end joined ('humani-' + 'tarian'), unless the document
    writes the hyphenated form elsewhere ('anti-' + 'personnel' where 'anti-personnel' occurs)."""
    text = " ".join(line for b in blocks for line in b.lines)
    out: list[RawBlock] = []
    for b in blocks:
        lines = list(b.lines)
        i = 0
        while i < len(lines) - 1:
            m = _HYPHENATED.search(lines[i])
            nxt = lines[i + 1]
            if m and nxt[:1].islower():
                word = re.match(r"[a-z]+", nxt)
                tail = word.group() if word else ""
                if f"{m.group(1)}-{tail}" not in text.replace(f"{m.group(1)}- {tail}", ""):
                    lines[i] = lines[i][:-1] + nxt
                    del lines[i + 1]
                    continue
            i += 1
        out.append(RawBlock(b.kind, tuple(lines), b.brk))
    return out
