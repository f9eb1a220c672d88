"""Real PDF, DOCX and subtitle files built from the bundled speech, for the read-stage tests.

The PDFs are laid out the way published speeches are: a running header and a page number on
every page, long words hyphenated at line ends (English), and pages small enough that
sentences break across pages. Japanese is written with reportlab's built-in CID font
HeiseiMin-W3 (no font file needed), so the PDF holds real Japanese text, as a ministry's does.
"""

from __future__ import annotations

from pathlib import Path

from align.read.markup import RawBlock, parse_markdown
from align.read.reader import clean_text, soft_join

CORPUS = Path(__file__).resolve().parent.parent / "corpora" / "cmac-2024"


def speech_blocks(lang: str) -> list[tuple[str, str]]:
    """The bundled speech's blocks as (kind, one-line text), straight from its Markdown."""
    raw: list[RawBlock] = parse_markdown(clean_text((CORPUS / f"{lang}.md").read_text("utf-8")))
    return [(b.kind, soft_join(b.lines, lang)) for b in raw if soft_join(b.lines, lang)]


def _wrap(text: str, width: float, measure, lang: str) -> list[str]:
    """Lines no wider than `width`: Japanese by characters, English by words, hyphenating a
    long word that does not fit (as a typesetter does)."""
    lines: list[str] = []
    if lang == "ja":
        line = ""
        for ch in text:
            if measure(line + ch) > width and line:
                lines.append(line)
                line = ""
            line += ch
        return [*lines, line] if line else lines
    line = ""
    for word in text.split(" "):
        cand = f"{line} {word}" if line else word
        if measure(cand) <= width:
            line = cand
            continue
        if len(word) >= 8 and word.isalpha():
            for cut in range(len(word) - 3, 3, -1):
                head = f"{line} {word[:cut]}-" if line else f"{word[:cut]}-"
                if measure(head) <= width:
                    lines.append(head)
                    line = word[cut:]
                    break
            else:
                lines.append(line)
                line = word
            continue
        lines.append(line)
        line = word
    return [*lines, line] if line else lines


def build_pdf(
    path: Path,
    lang: str,
    *,
    blocks: list[tuple[str, str]] | None = None,
    page: tuple[float, float] = (420.0, 380.0),
    encrypt: str | None = None,
) -> Path:
    """Write the speech (or `blocks`) as a PDF with a running header and page numbers."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if lang == "ja":
        pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
        pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
        body, bold, header = "HeiseiMin-W3", "HeiseiKakuGo-W5", "カンボジア地雷対策センター訪問 外務大臣スピーチ"
    else:
        body, bold, header = "Helvetica", "Helvetica-Bold", "Remarks by the Minister for Foreign Affairs at CMAC"
    blocks = speech_blocks(lang) if blocks is None else blocks
    w, h = page
    margin, size, lead = 40.0, 10.0, 14.0
    c = canvas.Canvas(str(path), pagesize=page, encrypt=encrypt)
    number = 1

    def furniture() -> None:
        c.setFont(body, 8)
        c.drawString(margin, h - 25, header)
        c.drawCentredString(w / 2, 18, f"- {number} -")

    furniture()
    y = h - margin - 15
    for kind, text in blocks:
        font = bold if kind in ("heading", "title") else body
        indent = 12.0 if kind == "bullet" else 0.0
        fsize = 12.0 if kind == "heading" else size

        def measure(s: str, font: str = font, fsize: float = fsize) -> float:
            return pdfmetrics.stringWidth(s, font, fsize)

        lines = _wrap(text, w - 2 * margin - indent, measure, lang)
        for k, line in enumerate(lines):
            if y < margin:
                c.showPage()
                number += 1
                furniture()
                y = h - margin - 15
            c.setFont(font, fsize)
            if kind == "bullet" and k == 0:
                c.drawString(margin, y, "•" if lang != "ja" else "・")
            c.drawString(margin + indent, y, line)
            y -= lead
        y -= lead * 0.6  # paragraph spacing
    c.save()
    return path


def build_scanned_pdf(path: Path) -> Path:
    """A PDF whose pages hold only a picture of text (drawn shapes, no text layer), as a scan."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(300, 300))
    for page in range(2):
        for row in range(12):
            c.rect(30, 260 - row * 18, 200 + (row * 7) % 40, 8, fill=1)
        c.showPage()
    c.save()
    return path


def build_docx(path: Path, lang: str, *, blocks: list[tuple[str, str]] | None = None) -> Path:
    """Write the speech (or `blocks`) as a Word file with python-docx: Title, Heading 2 and
    List Bullet styles as Word gives them, a page break inside a paragraph's sentence."""
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    blocks = speech_blocks(lang) if blocks is None else blocks
    style = {"title": "Title", "heading": "Heading 2", "bullet": "List Bullet", "paragraph": None}
    for n, (kind, text) in enumerate(blocks):
        paragraph = document.add_paragraph(style=style[kind])
        if n % 7 == 6 and len(text) > 40:  # a page break in mid-sentence, between words
            half = len(text) // 2 if lang == "ja" else text.rfind(" ", 0, len(text) // 2) + 1
            paragraph.add_run(text[:half]).add_break(WD_BREAK.PAGE)
            paragraph.add_run(text[half:])
        else:
            paragraph.add_run(text)
    document.save(str(path))
    return path


def speech_pairs() -> list[tuple[str, str]]:
    """The speech's gold sentence pairs that are whole sentences on both sides (subtitles
    have no headings)."""
    import json
    import re

    final = re.compile(r"[.!?。！？][\"'”’」』）)]*$")
    pairs = [json.loads(line) for line in (CORPUS / "gold.pairs.jsonl").read_text("utf-8").splitlines()]
    return [(p["src"], p["tgt"]) for p in pairs if final.search(p["src"]) and final.search(p["tgt"])]


def _chunks(text: str, limit: int, lang: str) -> list[str]:
    if lang == "ja":
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    out: list[str] = []
    for word in text.split(" "):
        if out and len(out[-1]) + 1 + len(word) <= limit:
            out[-1] += " " + word
        else:
            out.append(word)
    return out


def _stamp(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


def build_subtitles(path: Path, side: int, *, slot: float = 6.0, vtt: bool = False) -> list[tuple[float, float]]:
    """Subtitles of one side of the gold pairs: pair k is spoken from k*slot to k*slot+5 s,
    cut into cues of at most 42 (English) or 16 (Japanese) characters, time shared by length,
    and a short cue merged with the next pair's first (a cue holding two sentences' pieces).
    Returns each pair's time slot."""
    lang = "ja" if side == 0 else "en"
    cues: list[tuple[float, float, str]] = []
    slots: list[tuple[float, float]] = []
    for k, pair in enumerate(speech_pairs()):
        t0, t1 = k * slot, k * slot + slot - 1
        slots.append((t0, t1))
        pieces = _chunks(pair[side], 42 if lang == "en" else 16, lang)
        total = sum(len(p) for p in pieces)
        t = t0
        for n, piece in enumerate(pieces):
            dt = (t1 - t0) * len(piece) / total
            if n == 0 and cues and len(cues[-1][2]) + len(piece) < 30 and abs(cues[-1][1] - (t0 - 1)) < 1e-6:
                a, _, text = cues.pop()
                cues.append((a, t + dt, f"{text}{' ' if lang == 'en' else ''}{piece}"))
            else:
                cues.append((t, t + dt, piece))
            t += dt
    sep = "." if vtt else ","
    lines = ["WEBVTT", ""] if vtt else []
    for n, (a, b, text) in enumerate(cues, 1):
        lines += [str(n), f"{_stamp(a, sep)} --> {_stamp(b, sep)}", text, ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return slots


def build_flowing_pdf(path: Path, lang: str) -> Path:
    """The speech typeset by reportlab's platypus instead: justified text (wide, uneven word
    gaps), first-line indents, headings in a larger font wrapping over two lines, and a bare
    page number in the footer: a second producer, so the reader is not fitted to one."""
    from xml.sax.saxutils import escape

    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    if lang == "ja":
        pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
        pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
        body = ParagraphStyle("b", parent=styles["BodyText"], fontName="HeiseiMin-W3", wordWrap="CJK",
                              alignment=TA_JUSTIFY, firstLineIndent=10)  # fmt: skip
        head = ParagraphStyle("h", parent=styles["Heading2"], fontName="HeiseiKakuGo-W5")
    else:
        body = ParagraphStyle("b", parent=styles["BodyText"], alignment=TA_JUSTIFY, firstLineIndent=12)
        head = styles["Heading2"]
    story = [Paragraph(escape(t), head if k in ("heading", "title") else body) for k, t in speech_blocks(lang)]

    def furniture(c, doc) -> None:  # noqa: ANN001
        c.saveState()
        c.setFont(body.fontName, 8)
        c.drawString(40, A5[1] - 25, "Speech" if lang == "en" else "外務大臣スピーチ")
        c.drawCentredString(A5[0] / 2, 20, str(doc.page))
        c.restoreState()

    SimpleDocTemplate(str(path), pagesize=A5).build(story, onFirstPage=furniture, onLaterPages=furniture)
    return path


def build_two_column_pdf(path: Path, left: list[str], right: list[str]) -> Path:
    """One page, two columns of paragraphs whose lines share baselines."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(500, 400))
    for x, paragraphs in ((40, left), (270, right)):
        y = 360.0
        for text in paragraphs:
            for line in _wrap(text, 190, lambda s: pdfmetrics.stringWidth(s, "Helvetica", 10), "en"):
                c.setFont("Helvetica", 10)
                c.drawString(x, y, line)
                y -= 14
            y -= 8
    c.save()
    return path
