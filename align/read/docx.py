"""DOCX to raw blocks (python-docx): paragraphs, headings, list items and tables, in body order.

A paragraph styled Title is the title, Heading N a heading, a paragraph with list numbering
(or a List style) a list item; every other paragraph is a paragraph that the reader may
join to the one before on evidence (Word files made from PDFs break sentences across
paragraphs). Tables are read row by row, each cell its own block. Footnotes and endnotes are
left out (their reference marks carry no text), unless asked: then they follow the body.
Line breaks inside a paragraph are soft breaks.
"""

from __future__ import annotations

import io
import zipfile

from align.errors import InputError
from align.read.markup import Break, RawBlock, mark_title
from align.read.text import clean_text

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_blocks(data: bytes, *, name: str, footnotes: bool = False) -> list[RawBlock]:
    """The raw blocks of a Word document; InputError for a corrupt or encrypted file."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE: an old .doc, or a password-protected .docx
        raise InputError(f"{name}: an old Word (.doc) or password-protected file; save it as an unprotected .docx")
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = _body(document)
        if footnotes:
            blocks += _notes(document)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise InputError(f"{name}: not a readable Word file ({type(e).__name__}); check the file") from None
    except Exception as e:  # lxml and zip errors on damaged parts
        raise InputError(f"{name}: not a readable Word file ({type(e).__name__}); check the file") from None
    if not blocks:
        raise InputError(f"{name}: the document has no text")
    return mark_title(blocks, run=True)


def _kind(paragraph: object) -> str:
    style = (getattr(getattr(paragraph, "style", None), "name", "") or "").lower()
    ppr = paragraph._p.pPr  # type: ignore[attr-defined]
    if style == "title":
        return "title"
    if style.startswith("heading"):
        return "heading"
    if style.startswith("list") or (ppr is not None and ppr.numPr is not None):
        return "bullet"
    return "paragraph"


def paragraph_text(p: object) -> str:
    """A paragraph's current text: runs anywhere in it (inside hyperlinks, fields and tracked
    insertions too; python-docx's `.text` misses insertions), deleted text left out (Word
    keeps it as w:delText), tabs, line and page breaks as tab and newline, a non-breaking
    hyphen as '-'; text boxes anchored in it are not its text."""
    out: list[str] = []
    for el in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen"):  # type: ignore[attr-defined]
        if any(a.tag == f"{_W}txbxContent" for a in el.iterancestors()):
            continue
        tag = el.tag[len(_W):]
        out.append(el.text or "" if tag == "t" else "\t" if tag == "tab" else "-" if tag == "noBreakHyphen" else "\n")
    return "".join(out)


def _paragraph(paragraph: object, brk: Break) -> RawBlock | None:
    text = paragraph_text(paragraph._p)  # type: ignore[attr-defined]
    lines = tuple(line for line in clean_text(text).split("\n") if line.strip())
    if not lines:
        return None
    kind = _kind(paragraph)
    return RawBlock(kind, lines, brk if kind == "paragraph" else "hard")  # type: ignore[arg-type]


def _body(document: object) -> list[RawBlock]:
    from docx.table import Table

    out: list[RawBlock] = []
    for item in document.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(item, Table):
            out += _table(item)
        elif (block := _paragraph(item, "weak")) is not None:
            out.append(block)
    return out


def _table(table: object) -> list[RawBlock]:
    """Row by row, each cell's paragraphs as blocks; a cell merged across columns once."""
    out: list[RawBlock] = []
    for row in table.rows:  # type: ignore[attr-defined]
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            for k, paragraph in enumerate(cell.paragraphs):
                if (block := _paragraph(paragraph, "hard" if k == 0 else "weak")) is not None:
                    out.append(block)
    return out


def _notes(document: object) -> list[RawBlock]:
    """Footnotes and endnotes (not the separators Word keeps as notes -1 and 0), as paragraphs."""
    from lxml import etree

    out: list[RawBlock] = []
    part = document.part  # type: ignore[attr-defined]
    for rel in part.rels.values():
        if not rel.reltype.endswith(("/footnotes", "/endnotes")):
            continue
        root = etree.fromstring(rel.target_part.blob)
        for note in root:
            if note.get(f"{_W}type") in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            for p in note.iter(f"{_W}p"):
                text = clean_text(paragraph_text(p)).replace("\n", " ").strip()
                if text:
                    out.append(RawBlock("paragraph", (text,), "hard"))
    return out
