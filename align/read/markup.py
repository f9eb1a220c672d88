"""Markup to raw blocks: what each input format says about a document's structure.

Each parser turns cleaned text (see `align.read`) into RawBlocks: the block's kind, its visible
lines (markup removed) and how strongly it is separated from the block before it. The
separation tells the reader whether a break may be a line broken in mid-sentence:

- "hard": never joined (a heading, title line, table cell, list item start);
- "weak": a paragraph break that may still be mid-sentence (blank lines, page breaks, <br>,
  </p><p>), joined when the text gives evidence;
- "line": one paragraph a line (plain text without blank lines), joined only on strong evidence.

The lines inside one RawBlock are soft breaks (markdown's single newlines, hard-wrapped plain
text) and are always joined.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import lxml.html
from lxml import etree

from align.errors import InputError
from align.model import BlockKind

Break = Literal["hard", "weak", "line"]


@dataclass(frozen=True, slots=True)
class RawBlock:
    """A block before joining: kind, its visible lines (soft breaks between them), its separation."""

    kind: BlockKind
    lines: tuple[str, ...]
    brk: Break


def stronger(a: Break, b: Break) -> Break:
    """The stronger of two separations (hard > weak > line): several breaks in a row."""
    order = ("line", "weak", "hard")
    return a if order.index(a) >= order.index(b) else b


# ---------------------------------------------------------------- titles

_TITLE_MAX = 150
_TITLE_RUN_MAX = 6
_ENDS_SENTENCE = re.compile(r"[.!?。！？][\"'”’」』）)\]]*\s*$")


def _title_like(block: RawBlock) -> bool:
    """Short, and not a sentence (a very short line may end in a period: 'Tokyo, 2024.')."""
    text = " ".join(block.lines).strip()
    return (
        block.kind == "paragraph"
        and 0 < len(text) <= _TITLE_MAX
        and (len(text) <= 40 or not _ENDS_SENTENCE.search(text))
    )


def mark_title(blocks: list[RawBlock], *, run: bool) -> list[RawBlock]:
    """Mark the document's title lines as kind 'title'.

    With `run` (markdown) a document that starts with a few title-like blocks and then a
    heading has them all as its title (at most six: a speech has speaker, office, place, date,
    '(Translation)'), and one that starts with a heading has that heading. Otherwise only a
    first single-line title-like block is the title, as in a Kyoto article's first line.
    A title is only marked when something follows it.
    """
    if len(blocks) < 2:
        return blocks
    out = list(blocks)
    n = 0
    if run:
        first_heading = next((i for i, b in enumerate(out) if b.kind == "heading"), None)
        if first_heading == 0:
            n = 1
        elif (
            first_heading is not None
            and first_heading <= _TITLE_RUN_MAX
            and all(_title_like(b) for b in out[:first_heading])
        ):
            n = first_heading
    if n == 0 and len(out[0].lines) == 1 and _title_like(out[0]):
        n = 1
    for i in range(n):
        out[i] = RawBlock("title", out[i].lines, "hard")
    if n < len(out):
        out[n] = RawBlock(out[n].kind, out[n].lines, "hard")
    return out


# ---------------------------------------------------------------- plain text

TXT_BULLET = re.compile(r"^(?:[-*•●○■□◆◇▪‣]\s|[・•●○■□◆◇▪‣])")


def _width(line: str) -> int:
    """Display width in columns: East Asian wide and full-width characters count two."""
    ascii_len = len(line.encode("ascii", "ignore"))
    return ascii_len + sum(
        2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line if ord(c) > 127
    )


def _wrap_width(widths: list[int]) -> float | None:
    """The width from which a line counts as full, if the lines are hard-wrapped; else None.

    Wrapped text (an e-mail, a PDF's text) has most lines nearly as wide as the widest (the
    90th percentile, so one long line does not decide), 50 to 200 columns; the last line
    of each paragraph is shorter. A chunk of one paragraph a line (Kyoto articles) has lines
    of very different widths, and a list of short items is narrower: neither is wrapped.
    """
    if len(widths) < 2:
        return None
    top = sorted(widths)[max(0, math.ceil(0.9 * len(widths)) - 1)]
    if not 50 <= top <= 200:  # nobody wraps wider than 200 columns: those lines are paragraphs
        return None
    full = 0.7 * top
    inner = widths[:-1]
    return full if sum(w >= full for w in inner) >= 0.5 * len(inner) else None


def _chunk_blocks(chunk: str) -> list[RawBlock]:
    """The blocks of one blank-line-separated chunk of plain text.

    In wrapped text a full line continues on the next unless that one is indented (more than
    the chunk's least indentation, or by an ideographic space) or a list item; a short line
    ends a paragraph, which the reader may still join on evidence ("weak"). Otherwise each
    line is a paragraph, joined only on strong evidence ("line").
    """
    raw = [line for line in chunk.split("\n") if line.strip()]
    if not raw:
        return []
    lines = [line.strip() for line in raw]
    indents = [len(line) - len(line.lstrip()) for line in raw]
    least = min(indents)
    widths = [_width(line[:201]) for line in lines]  # past 200 columns only "too wide" matters
    full = _wrap_width(widths)
    groups: list[list[str]] = [[lines[0]]]
    for i in range(1, len(lines)):
        starts_new = (
            full is None
            or widths[i - 1] < full
            or indents[i] > least
            or raw[i].lstrip(" \t").startswith("\u3000")
            or bool(TXT_BULLET.match(lines[i]))
        )
        if starts_new:
            groups.append([lines[i]])
        else:
            groups[-1].append(lines[i])
    inner: Break = "line" if full is None else "weak"
    return [
        RawBlock("bullet" if TXT_BULLET.match(group[0]) else "paragraph", tuple(group), "weak" if k == 0 else inner)
        for k, group in enumerate(groups)
    ]


PAGE_NUMBER = re.compile(
    r"[-‐－–—]?\s*(?:[0-9]{1,4}|[０-９]{1,4}|[0-9]{1,4}\s*/\s*[0-9]{1,4}|(?:page|p\.)\s*[0-9]{1,4})\s*[-‐－–—]?",
    re.IGNORECASE,
)


# A line that can only be a page number wherever it stands: '- 3 -', '－３－', '— 12 —',
# 'Page 4', 'p. 4 of 9' (a bare '12' is one only next to a page break, see _drop_page_numbers)
_PAGE_MARK = re.compile(
    r"[-‐－–—]\s*(?:[0-9]{1,4}|[０-９]{1,4})\s*[-‐－–—]|(?:page|p\.)\s*[0-9]{1,4}(?:\s*(?:of|/)\s*[0-9]{1,4})?",
    re.IGNORECASE,
)


def _drop_page_numbers(text: str) -> str:
    """Text with page breaks as blank lines, and page numbers removed: a number alone on the
    first or last line of a page (as PDF extraction leaves them: '- 3 -', '12', 'Page 4'), and
    anywhere a line that can only be a page number ('- 3 -', 'Page 4'), which copy-pasted PDF
    text leaves between blank lines, often in the middle of a sentence."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _PAGE_MARK.fullmatch(line.strip(" \t\f")):
            lines[i] = "\f" if "\f" in line else ""
    text = "\n".join(lines)
    if "\f" not in text:
        return text
    pages = []
    for page in text.split("\f"):
        lines = page.split("\n")
        nonblank = [i for i, line in enumerate(lines) if line.strip()]
        for i in {nonblank[0], nonblank[-1]} if nonblank else ():
            if PAGE_NUMBER.fullmatch(lines[i].strip()):
                lines[i] = ""
        pages.append("\n".join(lines))
    return "\n\n".join(pages)


def parse_txt(text: str) -> list[RawBlock]:
    """Plain text: blank lines (and page breaks) separate chunks; hard-wrapped lines are
    unwrapped, otherwise a chunk has one paragraph a line. The first line may be the title;
    page numbers at page breaks are dropped."""
    blocks: list[RawBlock] = []
    for chunk in re.split(r"\n[^\S\n]*\n", _drop_page_numbers(text)):
        blocks += _chunk_blocks(chunk)
    return mark_title(blocks, run=False)


# ---------------------------------------------------------------- markdown

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HR = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_LIST = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_QUOTE = re.compile(r"^(?: {0,3}>[ \t]?)+")
_TABLE_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]+\S+")
_BOLD_LINE = re.compile(r"^[ \t]*(\*\*|__)(?=\S)(.+?)(?<=\S)\1[ \t]*$")
_HARD_BREAK = re.compile(r"(?: {2,}|\\)$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n((?:[\w-]+:.*\n|[ \t-].*\n|\n)*?)---[ \t]*\n")

_BACKTICKS = re.compile(r"`+")
# A link's destination and optional title. No pattern may scan past the next bracket, so that
# unclosed brackets cost linear time, not quadratic.
_DEST = r"""(?:\(\s*(?:[^()\s]|\([^()\s]*\))*(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?\s*\)|\[[^\[\]]*\])"""
_IMAGE = re.compile(r"!\[[^\[\]]*\]" + _DEST + "?")
_LINK = re.compile(r"\[([^\[\]]*)\]" + _DEST)
_FOOTNOTE_REF = re.compile(r"\[\^[^\]]+\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")
_BR_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<!--(?:(?!-->|<!--).)*-->|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>", re.DOTALL)
_STRONG = re.compile(r"(\*\*|__)(?=[^\s*_])((?:[^*_]|\*(?!\*)|_(?!_))+?)(?<=[^\s*_])\1")
_EM_STAR = re.compile(r"(?<!\*)\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*(?!\*)")
_EM_UNDER = re.compile(r"(?<![A-Za-z0-9_])_(?=[^\s_])([^_]+?)(?<=[^\s_])_(?![A-Za-z0-9_])")
_STRIKE = re.compile(r"~~(?=[^\s~])([^~]+?)(?<=[^\s~])~~")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# Escaped characters and code spans are parked in private-use characters while emphasis is
# removed, so `*` in code or a `\*` stays literal.
_PARK = "\ue000"
_PARKED = re.compile(_PARK + r"(\d+)" + _PARK)


def md_inline(line: str) -> str:
    """The visible text of one markdown line: emphasis, links, code, images and HTML tags removed."""
    if not any(c in line for c in "*_`[!<&\\~"):
        return line
    parked: list[str] = []

    def park(s: str) -> str:
        parked.append(s)
        return f"{_PARK}{len(parked) - 1}{_PARK}"

    line = _code_spans(line, park)
    line = _ESCAPE.sub(lambda m: park(m.group(1)), line)
    line = _IMAGE.sub("", line)
    line = _LINK.sub(r"\1", line)
    line = _FOOTNOTE_REF.sub("", line)
    line = _AUTOLINK.sub(r"\1", line)
    line = _TAG.sub("", line)
    for _ in range(3):  # nested emphasis: ***x***, **a *b* c**
        new = _EM_UNDER.sub(r"\1", _EM_STAR.sub(r"\1", _STRONG.sub(r"\2", line)))
        if new == line:
            break
        line = new
    line = _STRIKE.sub(r"\1", line)
    line = html.unescape(line)
    return _PARKED.sub(lambda m: parked[int(m.group(1))], line)


def _code_spans(line: str, park: Callable[[str], str]) -> str:
    """Code spans (a run of backticks up to the next run of the same length) passed to `park`.

    Pairs the runs in one pass, so a line full of unmatched backticks stays linear.
    """
    runs = [m.span() for m in _BACKTICKS.finditer(line)]
    if len(runs) < 2:
        return line
    next_same: list[int | None] = [None] * len(runs)
    last: dict[int, int] = {}
    for k in range(len(runs) - 1, -1, -1):
        size = runs[k][1] - runs[k][0]
        next_same[k] = last.get(size)
        last[size] = k
    out: list[str] = []
    pos = i = 0
    while i < len(runs):
        j = next_same[i]
        if j is None:
            i += 1
            continue
        code = line[runs[i][1] : runs[j][0]]
        out += [line[pos : runs[i][0]], park(code.strip() or code)]
        pos = runs[j][1]
        i = j + 1
    out.append(line[pos:])
    return "".join(out)


class _MarkdownBlocks:
    """Collects markdown blocks line by line (a small subset of CommonMark that real documents use)."""

    def __init__(self) -> None:
        self.blocks: list[RawBlock] = []
        self.kind: BlockKind = "paragraph"
        self.lines: list[str] = []
        self.brk: Break = "hard"

    def flush(self, next_brk: Break = "weak") -> None:
        """End the current block; the next one is separated by `next_brk`."""
        if self.lines:
            # Markdown hard breaks (two trailing spaces, backslash, <br>) split a block into
            # lines that the reader may still join on evidence.
            part: list[str] = []
            for raw in self.lines:
                pieces = _BR_TAG.split(raw)
                for j, piece in enumerate(pieces):
                    part.append(piece)
                    if j < len(pieces) - 1 or _HARD_BREAK.search(piece):
                        self._emit(part)
                        part = []
            self._emit(part)
            self.brk = next_brk
        else:
            self.brk = stronger(self.brk, next_brk)
        self.lines = []
        self.kind = "paragraph"

    def _emit(self, raw_lines: list[str]) -> None:
        lines = tuple(t for t in (md_inline(_HARD_BREAK.sub("", x)).strip() for x in raw_lines) if t)
        if lines:
            self.blocks.append(RawBlock(self.kind, lines, self.brk))
            self.brk = "weak"

    def add(self, kind: BlockKind, line: str, brk: Break) -> None:
        """Start a block of `kind` with its first line."""
        self.flush(brk)
        self.kind = kind
        self.lines = [line]

    def single(self, kind: BlockKind, line: str) -> None:
        """A block of one line with hard breaks on both sides (heading, table cell)."""
        self.add(kind, line, "hard")
        self.flush("hard")


def parse_markdown(text: str) -> list[RawBlock]:
    """Markdown: headings (#, setext, whole-line bold), list items, paragraphs, tables, code;
    page numbers left by PDF extraction dropped as in plain text."""
    text = _FRONT_MATTER.sub("", text, count=1)
    md = _MarkdownBlocks()
    lines = _drop_page_numbers(text).split("\n")
    i = 0
    while i < len(lines):
        line = _QUOTE.sub("", lines[i])
        i += 1
        if not line.strip():
            md.flush("weak")
            continue
        if fence := _FENCE.match(line):
            md.flush("hard")
            while i < len(lines) and not lines[i].lstrip().startswith(fence.group(1)):
                if lines[i].strip():
                    md.blocks.append(RawBlock("paragraph", (lines[i].strip(),), "hard"))
                i += 1
            i += 1
            md.flush("hard")
            continue
        if atx := _ATX.match(line):
            md.single("heading", atx.group(2) or "")
            continue
        if md.lines and md.kind == "paragraph" and len(md.lines) == 1 and _SETEXT.match(line):
            md.single("heading", md.lines.pop())
            continue
        if _HR.match(line):
            md.flush("weak")
            continue
        if _REF_DEF.match(line):
            continue
        if _TABLE_ROW.match(line):
            md.flush("hard")
            if not _TABLE_RULE.match(line):
                for cell in re.split(r"(?<!\\)\|", line.strip().strip("|")):
                    if cell.strip():
                        md.single("paragraph", cell)
            continue
        if item := _LIST.match(line):
            md.add("bullet", line[item.end() :], "hard")
            continue
        if (bold := _BOLD_LINE.match(line)) and not md.lines:
            md.single("heading", bold.group(2))
            continue
        if not md.lines:
            md.add("paragraph", line, "weak")
        else:
            md.lines.append(line)
    md.flush()
    return mark_title(md.blocks, run=True)


# ---------------------------------------------------------------- HTML

_DROP = frozenset(
    "script style noscript head template svg math canvas iframe object embed audio video "
    "nav aside footer button select option textarea".split()
)  # not <form>: ASP.NET pages wrap the whole page in one
_BLOCK = frozenset(
    "address article aside blockquote body center dd details dialog dir div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main menu "
    "nav ol p pre section summary table tbody thead tfoot tr td th caption ul".split()
)
_HARD_TAGS = frozenset("h1 h2 h3 h4 h5 h6 tr td th caption dt dd table pre".split())
_XML_DECL = re.compile(r"\A\s*<\?xml[^>]*\?>")


class _HtmlBlocks:
    """Collects the visible text of an HTML tree into blocks, one element event at a time."""

    def __init__(self) -> None:
        self.blocks: list[RawBlock] = []
        self.buf: list[str] = []
        self.kinds: list[BlockKind] = []
        self.brk: Break = "hard"
        self.pre = 0
        self.title_seen = False

    def text(self, s: str | None) -> None:
        if s:
            self.buf.append(s)

    def boundary(self, brk: Break) -> None:
        """End the current block (if it has text); the next is separated at least as hard as `brk`."""
        raw = "".join(self.buf)
        self.buf = []
        # Inside <pre> every line is its own block; elsewhere newlines are soft.
        groups = [[x] for x in raw.split("\n")] if self.pre else [raw.split("\n")]
        emitted = False
        for group in groups:
            kept = tuple(x.strip() for x in group if x.strip())
            if kept:
                self.blocks.append(RawBlock(self.kind, kept, "hard" if self.pre and emitted else self.brk))
                self.brk = "weak"
                emitted = True
        self.brk = brk if emitted else stronger(self.brk, brk)
        if emitted and self.kind == "title":
            self.title_seen = True

    @property
    def kind(self) -> BlockKind:
        return self.kinds[-1] if self.kinds else "paragraph"


def _tag(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


MAX_HTML_DEPTH = 2048
"""How deep HTML elements may nest (libxml2's limit with huge_tree; 256 without it)."""


def parse_html(text: str) -> list[RawBlock]:
    """HTML: visible text of <main> (or <body>), block elements as boundaries; first h1 or <title>
    as the title. Robust to broken HTML (lxml's parser repairs it)."""
    text = _XML_DECL.sub("", text, count=1).replace("\f", "\n")  # lxml refuses form feeds
    # libxml2 stops at 256 levels of nesting and drops the rest of the page without an error;
    # huge_tree raises that to MAX_HTML_DEPTH, and a page nested deeper still is refused.
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except etree.ParserError:  # nothing but comments or white space: no visible text
        return []
    if any(e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for e in parser.error_log):
        raise InputError(
            f"the HTML is nested more than {MAX_HTML_DEPTH} elements deep, where the HTML parser stops "
            "(the rest of the page would be lost); flatten the markup or save the page as text"
        )
    title_el = root.find(".//title")
    page_title = " ".join(title_el.text_content().split()) if title_el is not None else ""
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        _drop(el)
    for el in [e for e in root.iter() if _tag(e) in _DROP or _hidden(e)]:
        _drop(el)
    mains = [e for e in root.iter() if _tag(e) == "main" or e.get("role") == "main"]
    top = mains[0] if len(mains) == 1 else root
    h = _HtmlBlocks()
    first_h1 = next((e for e in top.iter() if _tag(e) == "h1"), None)
    for event, el in etree.iterwalk(top, events=("start", "end")):
        tag = _tag(el)
        if event == "start":
            if tag == "br":
                h.boundary("weak")
            elif tag in _BLOCK:
                h.boundary("hard" if tag in _HARD_TAGS else "weak")
                h.kinds.append(_kind_of(tag, el is first_h1, h.kind))
                if tag == "pre":
                    h.pre += 1
            h.text(el.text)
        else:
            if tag in _BLOCK:
                h.boundary("hard" if tag in _HARD_TAGS else "weak")
                h.kinds.pop()
                if tag == "pre":
                    h.pre -= 1
            if el is not top:
                h.text(el.tail)
    h.boundary("hard")
    blocks = h.blocks
    if not h.title_seen and page_title and blocks:
        blocks = [RawBlock("title", (page_title,), "hard"), *blocks]
    return blocks


def _kind_of(tag: str, is_title: bool, outer: BlockKind) -> BlockKind:
    if is_title:
        return "title"
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return "heading"
    if tag == "li":
        return "bullet"
    if tag in ("td", "th", "tr", "table", "ul", "ol"):
        return "paragraph"
    return outer


def _hidden(el: etree._Element) -> bool:
    """Elements a browser does not show: hidden, aria-hidden, display:none."""
    if not isinstance(el.tag, str):
        return False
    style = (el.get("style") or "").replace(" ", "").lower()
    return el.get("hidden") is not None or el.get("aria-hidden") == "true" or "display:none" in style


def _drop(el: etree._Element) -> None:
    """Remove an element and its content but keep the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    parent.remove(el)
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
