"""The `read` step: a .txt, .md or .html file into a Document of blocks (no sentences yet).

Reading decodes the bytes (see `align.read.decode`), cleans characters, finds the blocks that the
format marks (see `align.read.markup`), and joins back lines that were broken in mid-sentence by
page breaks, blank lines or one-paragraph-a-line layout, judged from the text itself: a block
that does not end a sentence is continued by the next paragraph when that paragraph starts in
lower case, when a quote or bracket is still open, when the block ends in a comma, a particle
or a sentence-internal word. Headings, titles and list items are never glued together.

Files with an unknown extension are read as plain text, unless they start like an HTML page.
PDF, DOCX and subtitle files (.srt, .vtt) are read by their own modules (`align.read.pdf`,
`align.read.docx`, `align.read.subtitles`), which hand their blocks to the same joining.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Literal

from align.read.decode import MAX_INPUT_BYTES, decode_bytes, describe_path, read_bytes
from align.errors import InputError, UsageError
from align.read.lang import detect_language, normalise_language
from align.read.markup import RawBlock, parse_html, parse_markdown, parse_txt
from align.model import Block, BlockKind, Document
from align.read.text import NO_SPACE_CHAR, clean_text, collapse, separator

Format = Literal["txt", "md", "html", "pdf", "docx", "srt", "vtt"]
FORMATS: tuple[str, ...] = ("txt", "md", "html", "pdf", "docx", "srt", "vtt")
_TEXT_FORMATS = frozenset({"txt", "md", "html"})
_CONTAINERS = frozenset({"pdf", "docx"})
MAX_CONTAINER_BYTES = 256 * 1024 * 1024
"""The largest PDF or DOCX file align reads: their images may weigh far more than their text,
so the limit of MAX_INPUT_BYTES applies to the text they hold (in characters), and the file
itself may be this big."""
_EXTENSIONS: dict[str, Format] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".mdown": "md",
    ".mkd": "md",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".srt": "srt",
    ".vtt": "vtt",
}
READ_EXTENSIONS: tuple[str, ...] = tuple(_EXTENSIONS)
"""The extensions read by their format (any other file is read as plain text or HTML)."""
PRESEGMENTED_EXTENSION = ".sent"
"""A pre-segmented file: one sentence a line (`--presegmented`)."""
DOCUMENT_EXTENSIONS: frozenset[str] = frozenset((*READ_EXTENSIONS, PRESEGMENTED_EXTENSION))
"""Every extension a document file may have: the reader's formats and pre-segmented files."""
_PARSERS: dict[str, Callable[[str], list[RawBlock]]] = {
    "txt": parse_txt,
    "md": parse_markdown,
    "html": parse_html,
}
_HTML_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?<(?:!doctype\s+html|html)\b", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)


def format_of(path: str | Path, data: bytes = b"") -> Format:
    """The format a file is read as: by extension; unknown extensions are plain text unless the
    content starts like an HTML page."""
    ext = Path(path).suffix.lower()
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    return "html" if _HTML_START.match(data[:1024]) else "txt"


def read_document(
    path: str | Path,
    *,
    lang: str | None = None,
    fmt: Format | None = None,
    footnotes: bool = False,
) -> Document:
    """Read a .txt/.md/.html/.pdf/.docx/.srt/.vtt file into a Document with blocks (no sentences yet).

    `lang` None detects the language from the script; `fmt` None chooses by extension;
    `footnotes` reads a DOCX file's footnotes too (after the body). Raises InputError (one
    line, naming the file) for missing, unreadable, empty, binary or undecodable files, and
    for PDFs without a text layer or with a password, corrupt DOCX and broken subtitle timings.
    The file is read once (a pipe or FIFO works); the Document carries the sha256 of its bytes.
    """
    fmt = fmt or _EXTENSIONS.get(Path(path).suffix.lower())
    container = fmt in _CONTAINERS  # PDF and DOCX hold images too: their text is what is limited
    data = read_bytes(path, limit=MAX_CONTAINER_BYTES if container else None)
    doc = _read(data, path, lang=lang, fmt=fmt or format_of(path, data), footnotes=footnotes)
    if container and len(doc.text) > MAX_INPUT_BYTES:
        raise InputError(
            f"{describe_path(path)}: {len(doc.text):,} characters of text, over align's limit of "
            f"{MAX_INPUT_BYTES:,} a file (memory); split it into parts (by chapter or section) and align "
            "each part with the same part of the translation"
        )
    return replace(doc, sha256=hashlib.sha256(data).hexdigest())


def _read(data: bytes, path: str | Path, *, lang: str | None, fmt: Format, footnotes: bool) -> Document:
    """The Document in a file's bytes, by its format."""
    name = describe_path(path)
    if fmt == "pdf":
        from align.read.pdf import pdf_blocks

        return document_from_blocks(pdf_blocks(data, name=name), lang=lang, source=str(path))
    if fmt == "docx":
        from align.read.docx import docx_blocks

        raw = docx_blocks(data, name=name, footnotes=footnotes)
        return document_from_blocks(raw, lang=lang, source=str(path))
    declared = None
    if fmt == "html" and (m := _META_CHARSET.search(data[:4096])):
        declared = m.group(1).decode("ascii")
    text = decode_bytes(data, name=str(path), declared=declared)
    if fmt in ("srt", "vtt"):
        from align.read.subtitles import parse_subtitles

        return parse_subtitles(clean_text(text), fmt=fmt, lang=_checked_lang(lang), source=str(path))
    return parse_document(text, fmt=fmt, lang=lang, source=str(path))


def parse_document(
    text: str, *, fmt: Format, lang: str | None = None, source: str | None = None
) -> Document:
    """Parse in-memory text of the given format into a Document with blocks (no sentences yet)."""
    name = describe_path(source) if source is not None else "<text>"
    if fmt not in _TEXT_FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of txt, md, html")
    lang = _checked_lang(lang)
    text = clean_text(text)
    if not text.strip():
        raise InputError(f"{name}: the file is empty; give a file with text in it")
    try:
        raw = _PARSERS[fmt](text)
    except InputError as e:  # the parser's reason, said of this file
        raise InputError(f"{name}: {e}") from None
    if not raw:
        raise InputError(f"{name}: has no visible text, only markup; check the file and its format")
    return document_from_blocks(raw, lang=lang, source=source)


def _checked_lang(lang: str | None) -> str | None:
    """A language code normalised ('ja_JP' -> 'ja-jp'); UsageError if it is not one."""
    return normalise_language(lang)


def document_from_blocks(raw: list[RawBlock], *, lang: str | None, source: str | None) -> Document:
    """A Document from raw blocks of any format: language detected if not given, lines broken
    in mid-sentence joined back (see `join_blocks`)."""
    lang = _checked_lang(lang)
    if lang is None:
        lang = detect_language(_sample(raw))
    pieces = join_blocks(raw, lang)
    parts: list[str] = []
    blocks: list[Block] = []
    pos = 0
    for kind, content in pieces:
        if parts:
            parts.append("\n")
            pos += 1
        parts.append(content)
        blocks.append(Block(kind, pos, pos + len(content)))
        pos += len(content)
    return Document(text="".join(parts), lang=lang, blocks=tuple(blocks), source=source)


def _sample(raw: list[RawBlock], limit: int = 200_000) -> str:
    out: list[str] = []
    size = 0
    for b in raw:
        for line in b.lines:
            out.append(line)
            size += len(line)
            if size > limit:
                return "\n".join(out)
    return "\n".join(out)


# ---------------------------------------------------------------- joining

_ENDS_FINAL = re.compile(r"[.!?:;。！？：；…‥][\"'”’」』）)\]】〉》»]*$")
_STARTS_CONTINUATION = re.compile(r"^(?:[a-zß-öø-ÿ]|[,.;:!?)\]}、。，．）」』】〕〉》])")
_ENDS_OPEN = re.compile(r"(?:[,、，(（「『\[{“‘【〔〈《]|[A-Za-z]-)$")
_ENDS_DASH = re.compile(r"[–—―]$")
_ENDS_LOWER_WORD = re.compile(r"(?<![A-Za-z])([a-z][a-z'’]*)$")
_FUNCTION_WORDS = frozenset(
    "a an the of to in on at by for from with as and or but nor that which who whose whom "
    "is are was were be been being will would shall should can could may might must has have "
    "had do does did its their our your his her this these those such than into onto upon "
    "about between among through during without within under over".split()
)
_ENDS_PARTICLE = re.compile(r"(?:[のをにはがでとへもやてば]|から|より|まで|ため|など|ながら|けれど|ども)$")
_STARTS_PARTICLE = re.compile(r"^(?:[をがはのへ]|に(?!も))")
_PAIRS = (("(", ")"), ("（", "）"), ("「", "」"), ("『", "』"), ("[", "]"), ("【", "】"), ("“", "”"))
_FRAGMENT_LEN = 60
_JA_FRAGMENT_LEN = 8


def soft_join(lines: tuple[str, ...], lang: str) -> str:
    """The lines of one block joined as one line."""
    out = ""
    parts: list[str] = []
    for line in lines:
        line = collapse(line)
        if not line:
            continue
        if parts:
            parts.append(separator(out, line, lang))
        parts.append(line)
        out = line
    return "".join(parts)


def _unbalanced(text: str) -> bool:
    """A bracket or quote opened and not closed (an odd number of straight double quotes too)."""
    if text.count('"') % 2:
        return True
    return any(text.count(o) > text.count(c) for o, c in _PAIRS)


def continues(prev: str, nxt: str, *, strong_only: bool) -> bool:
    """Whether paragraph `nxt` continues the sentence that block `prev` leaves unfinished.

    Never after sentence-final punctuation. Strong evidence (enough for one paragraph a line):
    `nxt` starts in lower case or with punctuation that cannot start a sentence. Weaker
    evidence (for blank lines, page breaks, </p><p>): `prev` ends in a comma, an opening
    bracket, a hyphen or a dash, or leaves a quote or bracket open; `prev` ends in an English
    function word, or in another lower-case word when it is long enough not to be a heading
    (or shorter with a comma) and the joined text then ends a sentence; `prev` ends in a
    Japanese particle; `nxt` starts with one. (Kyoto's one-line units may end in '、', so a
    comma is not strong evidence.)
    """
    if _ENDS_FINAL.search(prev):
        return False
    if _STARTS_CONTINUATION.match(nxt):
        return True
    if strong_only:
        return False
    if _ENDS_OPEN.search(prev) or _unbalanced(prev) or _ENDS_DASH.search(prev):
        return True
    if m := _ENDS_LOWER_WORD.search(prev):
        if m.group(1) in _FUNCTION_WORDS:
            return True
        # A long line ending in a word may also be a list item or a caption (Kyoto articles
        # have many): join only if the joined text then ends a sentence.
        long_enough = len(prev) >= _FRAGMENT_LEN or (len(prev) >= _FRAGMENT_LEN // 2 and "," in prev)
        return long_enough and bool(_ENDS_FINAL.search(nxt))
    if _ENDS_PARTICLE.search(prev) and len(prev) >= _JA_FRAGMENT_LEN:
        return True
    return bool(_STARTS_PARTICLE.match(nxt)) and bool(NO_SPACE_CHAR.match(prev[-1]))


class _Pending:
    """A block being assembled from pieces (joined once, so long chains stay linear)."""

    __slots__ = ("kind", "parts", "last")

    def __init__(self, kind: BlockKind, text: str) -> None:
        self.kind = kind
        self.parts = [text]
        self.last = text

    def text(self) -> str:
        return "".join(self.parts)


def join_blocks(raw: list[RawBlock], lang: str) -> list[tuple[BlockKind, str]]:
    """Blocks as (kind, one-line text), lines broken in mid-sentence joined back."""
    out: list[_Pending] = []
    for b in raw:
        text = soft_join(b.lines, lang)
        if not text:
            continue
        prev = out[-1] if out else None
        if (
            prev is not None
            and b.kind == "paragraph"
            and b.brk != "hard"
            and prev.kind in ("paragraph", "bullet")
            and continues(_tail(prev), text, strong_only=b.brk == "line")
        ):
            prev.parts.append(separator(prev.last, text, lang))
            prev.parts.append(text)
            prev.last = text
        else:
            out.append(_Pending(b.kind, text))
    return [(p.kind, p.text()) for p in out]


def _tail(p: _Pending) -> str:
    """The block's text for judging its end: whole unless a long chain (bounded cost)."""
    return p.parts[0] if len(p.parts) == 1 else "".join(p.parts[-9:])
