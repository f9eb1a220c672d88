"""XLIFF 1.2, the exchange format of CAT tools (Trados, memoQ, OmegaT, Phrase): one
`<file>` a document, one `<trans-unit>` a bead.

Valid against the OASIS strict schema (tests/fixtures/xliff). A bead's review status becomes
the target's state: confirmed and edited beads are `final` and approved, unreviewed ones
`translated`, or `needs-review-translation` below the review threshold, so a translator's
tool can filter them; rejected beads `needs-translation`. Confidence, bead type, sentence ids,
status and, for subtitles, start/end seconds go in a context group (`x-` context types, the
schema's extension point), not in attributes of another namespace, which the strict schema
refuses. Written streaming; characters illegal in XML are dropped and counted, as in TMX.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from align.formats.rows import ExportRow, WriteOptions, WriteResult, atomic_output, columns
from align.formats.tmx import XmlEscaper
from align.model import REVIEW_THRESHOLD

NAMESPACE = "urn:oasis:names:tc:xliff:document:1.2"
_STATES = {"confirmed": "final", "edited": "final", "rejected": "needs-translation"}


def state(row: ExportRow) -> str:
    """The XLIFF target state of a bead (see the module doc)."""
    if row.status in _STATES:
        return _STATES[row.status]
    return "translated" if row.confidence >= REVIEW_THRESHOLD else "needs-review-translation"


def write(rows: Iterable[ExportRow], out: Path | None, options: WriteOptions) -> WriteResult:
    """Write rows as XLIFF 1.2; returns (units, {"dropped_chars": n})."""
    import align

    esc = XmlEscaper()
    a, t = esc.attr, esc.text
    timed = "start" in columns(options)
    file_open = (
        f'<file original="{{doc}}" source-language="{a(options.src_lang)}" '
        f'target-language="{a(options.tgt_lang)}" datatype="plaintext" tool-id="align">\n'
        f'<header><tool tool-id="align" tool-name="align" tool-version="{a(align.__version__)}"/>'
        + (f'<note from="align">{t(options.signature)}</note>' if options.signature else "")
        + "</header>\n<body>\n"
    )
    n = 0
    doc: str | None = None
    with atomic_output(out, binary=False, newline="\n", protect=options.protect) as f:
        f.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" xmlns="{NAMESPACE}">\n')
        for row in rows:
            if row.doc_id != doc:
                if doc is not None:
                    f.write("</body>\n</file>\n")
                doc = row.doc_id
                f.write(file_open.replace("{doc}", a(doc or "doc"), 1))
            approved = ' approved="yes"' if row.status in ("confirmed", "edited") else ""
            context = [
                ("x-confidence", repr(float(row.confidence))), ("x-bead-type", row.type),
                ("x-src-ids", " ".join(map(str, row.src_ids))), ("x-tgt-ids", " ".join(map(str, row.tgt_ids))),
                ("x-status", row.status),
            ]  # fmt: skip
            if timed and row.start is not None and row.end is not None:
                context += [("x-start", repr(float(row.start))), ("x-end", repr(float(row.end)))]
            f.write(
                f'<trans-unit id="{row.bead_index}"{approved}>\n'
                f'<source xml:lang="{a(options.src_lang)}">{t(row.src)}</source>\n'
                f'<target xml:lang="{a(options.tgt_lang)}" state="{state(row)}">{t(row.tgt)}</target>\n'
                '<context-group purpose="information">'
                + "".join(f'<context context-type="{k}">{t(v)}</context>' for k, v in context)
                + "</context-group>\n</trans-unit>\n"
            )
            n += 1
        if doc is None:  # no rows: a schema-valid empty document still needs one <file>
            f.write(file_open.replace("{doc}", "doc", 1))
        f.write("</body>\n</file>\n</xliff>\n")
    return n, {"dropped_chars": esc.dropped}
