"""TMX 1.4b: write export rows as translation units, and read any tool's TMX back.

The writer streams (one `<tu>` per row, nothing kept), escapes text itself and drops the
characters XML 1.0 cannot hold (NUL and other C0 controls but tab/LF/CR, U+FFFE/FFFF, lone
surrogates), counting them. CR is written as `&#13;` so parsers do not turn it into LF.
Each unit carries `x-doc-id`, `x-bead-index`, `x-bead-type`, `x-confidence` and `x-status`
props, and `x-start`/`x-end` (seconds) where the bead has times (subtitles). The reader streams with lxml's iterparse and accepts TMX 1.1-1.4 (`lang` or
`xml:lang`, any number of variants, inline markup reduced to its text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from align.errors import FormatError, InputError
from align.formats.rows import ExportRow, WriteOptions, WriteResult, atomic_output

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ILLEGAL_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
)
# Elements whose content is native markup (e.g. "<b>"), not text of the segment.
_CODE_TAGS = frozenset({"bpt", "ept", "it", "ph", "ut"})


class XmlEscaper:
    """Escapes text for XML and counts the illegal characters it drops."""

    def __init__(self) -> None:
        self.dropped = 0

    def clean(self, text: str) -> str:
        text, n = _ILLEGAL_XML.subn("", text)
        self.dropped += n
        return text

    def text(self, text: str) -> str:
        return self.clean(text).translate(_TEXT_ESCAPES)

    def attr(self, text: str) -> str:
        return self.clean(text).translate(_ATTR_ESCAPES)


def _creationdate() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def write(rows: Iterable[ExportRow], out: Path | None, options: WriteOptions) -> WriteResult:
    """Write rows as a TMX 1.4 file (valid against the DTD) in options' languages, with its
    signature in the header; returns (units, {"dropped_chars": n})."""
    import align

    src_lang, tgt_lang, signature = options.src_lang, options.tgt_lang, options.signature
    esc = XmlEscaper()
    a = esc.attr
    header = (
        f'<header creationtool="align" creationtoolversion="{a(align.__version__)}" '
        f'segtype="sentence" o-tmf="align" adminlang="en" srclang="{a(src_lang)}" '
        f'datatype="plaintext" creationdate="{_creationdate()}"'
    )
    header += f'>\n<prop type="x-signature">{esc.text(signature)}</prop>\n</header>\n' if signature else "/>\n"
    src_open = f'<tuv xml:lang="{a(src_lang)}"><seg>'
    tgt_open = f'<tuv xml:lang="{a(tgt_lang)}"><seg>'
    n = 0
    with atomic_output(out, binary=False, newline="\n", protect=options.protect) as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n')
        f.write('<tmx version="1.4">\n' + header + "<body>\n")
        for row in rows:
            doc = esc.text(row.doc_id)
            times = (
                f'<prop type="x-start">{float(row.start)!r}</prop><prop type="x-end">{float(row.end)!r}</prop>'
                if row.start is not None and row.end is not None
                else ""
            )
            f.write(
                f'<tu tuid="{a(row.doc_id)}:{row.bead_index}">'
                f'<prop type="x-doc-id">{doc}</prop>'
                f'<prop type="x-bead-index">{row.bead_index}</prop>'
                f'<prop type="x-bead-type">{esc.text(row.type)}</prop>'
                f'<prop type="x-confidence">{float(row.confidence)!r}</prop>'
                f'<prop type="x-status">{esc.text(row.status)}</prop>{times}\n'
                f"{src_open}{esc.text(row.src)}</seg></tuv>\n"
                f"{tgt_open}{esc.text(row.tgt)}</seg></tuv>\n</tu>\n"
            )
            n += 1
        f.write("</body>\n</tmx>\n")
    return n, {"dropped_chars": esc.dropped}


@dataclass(frozen=True)
class TmxUnit:
    """One `<tu>`: its id, its variants as (language, text) in file order, and its props."""

    tuid: str | None
    variants: tuple[tuple[str, str], ...]
    props: tuple[tuple[str, str], ...] = ()

    def text(self, lang: str) -> str | None:
        """The text in `lang`: an exact (case-insensitive) code match first, else same
        primary language (`ja` matches `ja-JP`); None if the unit has no such variant."""
        want = lang.lower()
        for code, text in self.variants:
            if code.lower() == want:
                return text
        primary = want.split("-")[0]
        for code, text in self.variants:
            if code.lower().split("-")[0] == primary:
                return text
        return None

    def prop(self, type_: str) -> str | None:
        """The first prop of this type, or None."""
        return next((v for t, v in self.props if t == type_), None)


def _seg_text(seg) -> str:  # noqa: ANN001
    """The text of a seg: its own text and `hi`/`sub` text, without native-code content."""
    parts = [seg.text or ""]
    for child in seg:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag not in _CODE_TAGS and tag:
            parts.append(_seg_text(child))
        elif tag in _CODE_TAGS:
            for sub in child.iter("sub"):
                parts.append(_seg_text(sub))
        parts.append(child.tail or "")
    return "".join(parts)


def _lang(el) -> str:  # noqa: ANN001
    return el.get(XML_LANG) or el.get("lang") or ""


@dataclass(frozen=True)
class TmxHeader:
    """What the reader learnt from `<header>`: the source language and header props."""

    srclang: str | None
    props: tuple[tuple[str, str], ...] = ()


def read_tmx_header(path: Path) -> TmxHeader:
    """The header of a TMX file (reads only up to `<body>`)."""
    for item in _iter_tmx(path, header_only=True):
        if isinstance(item, TmxHeader):
            return item
    raise FormatError(f"{path}: TMX without a <header>; is this a TMX file?")


def read_tmx(path: Path) -> Iterator[TmxUnit]:
    """Stream the translation units of a TMX file; FormatError (naming the file) if it is not
    well-formed TMX."""
    for item in _iter_tmx(path, header_only=False):
        if isinstance(item, TmxUnit):
            yield item


def _iter_tmx(path: Path, *, header_only: bool) -> Iterator[TmxUnit | TmxHeader]:
    from lxml import etree

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    ctx = etree.iterparse(
        str(path), events=("start", "end"), resolve_entities=False, no_network=True,
        load_dtd=False, huge_tree=True, remove_comments=True, remove_pis=True,
    )  # fmt: skip
    seen_root = False
    try:
        for event, el in ctx:
            tag = el.tag if isinstance(el.tag, str) else ""
            if not seen_root:
                seen_root = True
                if tag != "tmx":
                    raise FormatError(f"{path}: not a TMX file (root element is <{tag}>, expected <tmx>)")
                continue
            if event == "start":
                if tag == "body" and header_only:
                    return
                continue
            if tag == "header":
                props = tuple((p.get("type", ""), p.text or "") for p in el.iterfind("prop"))
                yield TmxHeader(srclang=el.get("srclang"), props=props)
            elif tag == "tu":
                variants = tuple(
                    (_lang(tuv), _seg_text(tuv.find("seg")) if tuv.find("seg") is not None else "")
                    for tuv in el.iterfind("tuv")
                )
                props = tuple((p.get("type", ""), p.text or "") for p in el.iterfind("prop"))
                yield TmxUnit(tuid=el.get("tuid"), variants=variants, props=props)
                el.clear(keep_tail=False)
                while el.getprevious() is not None:
                    del el.getparent()[0]
    except etree.XMLSyntaxError as e:
        raise FormatError(f"{path}: not well-formed XML ({e.msg}); is this a TMX file?") from None
    if not seen_root:
        raise FormatError(f"{path}: empty file, expected TMX")
