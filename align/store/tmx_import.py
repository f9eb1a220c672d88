"""Importing a TMX file into the corpus, keeping what align's own export wrote into it.

Each unit's `x-doc-id` puts it in its document (a file of three documents gives three), its
`x-bead-index` orders it there, its `x-status` keeps its review status (so a rejected unit
stays rejected) and `x-confidence` its confidence. A unit's text is cut back into the
sentences its `x-bead-type` counts when the segmenter finds exactly that many and they join
back into the same text; otherwise it is one sentence a side that keeps the recorded type. So
`align export` → `align import` → `align export` gives the same documents, beads, types and
statuses.

A unit from another tool (no x- props) becomes a `confirmed` bead of one sentence a side, in
a document named after the file: a translation memory is a human's work.

The file is read twice, streaming: once to guess what the user did not say (the languages,
from the header and the first units) and to group the units by document, once more inside
the corpus's transaction only for documents that changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from align.errors import FormatError
from align.formats.tmx import TmxUnit, read_tmx, read_tmx_header
from align.model import BEAD_STATUSES, join_sentences
from align.store.corpus import AddResult, Corpus, check_doc_id
from align.store.merge import Merged

_TYPE = re.compile(r"^(\d+)-(\d+)$")
DEFAULT_STATUS = "confirmed"


def _primary(code: str) -> str:
    return code.lower().split("-")[0]


def guess_languages(
    path: Path, src_lang: str | None, tgt_lang: str | None
) -> tuple[str | None, str | None, list[str | None]]:
    """(source language, target language, the units' x-doc-ids in the order they first
    appear, None standing for units without one): the source defaults to the header's
    srclang, else the first unit's first variant; the target to the first variant whose
    primary language differs from the source's. None where no unit tells."""
    header = read_tmx_header(path)
    src_lang = src_lang or (header.srclang if header.srclang not in (None, "", "*all*") else None)
    doc_ids: dict[str | None, None] = {}
    n_units = 0
    for unit in read_tmx(path):
        n_units += 1
        if src_lang is None and unit.variants:
            src_lang = unit.variants[0][0]
        if tgt_lang is None and src_lang is not None:
            tgt_lang = next((c for c, _ in unit.variants if _primary(c) != _primary(src_lang)), None)
        doc_ids.setdefault(unit.prop("x-doc-id"))
    if n_units == 0:
        return None, None, list(doc_ids)
    return src_lang, tgt_lang, list(doc_ids)


def _confidence(text: str | None) -> float:
    """A unit's x-confidence; 1.0 when it is missing, not a number or outside 0..1."""
    try:
        value = float(text) if text is not None else 1.0
    except ValueError:
        return 1.0
    return value if 0.0 <= value <= 1.0 else 1.0


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _sentences(text: str, n: int, lang: str) -> list[str]:
    """`text` as the n sentences it was joined from, when the segmenter finds exactly n that
    join back into it; else the text as one sentence."""
    if n > 1:
        from align.segment import split_sentences

        parts = [text[a:b] for a, b in split_sentences(text, lang)]
        if len(parts) == n and join_sentences(parts, lang) == text:
            return parts
    return [text]


def _bead(unit: TmxUnit, src_lang: str, tgt_lang: str) -> tuple[list[str], list[str], float, str, str | None] | None:
    """A unit's source sentences, target sentences, confidence, status and recorded type
    (None when its sentences count it); None for a unit empty on both sides."""
    s, t = unit.text(src_lang) or "", unit.text(tgt_lang) or ""
    if not s and not t:
        return None
    m = _TYPE.match(unit.prop("x-bead-type") or "")
    n_s, n_t = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
    ss = _sentences(s, n_s, src_lang) if s else []
    ts = _sentences(t, n_t, tgt_lang) if t else []
    shaped = (bool(ss), bool(ts)) == (n_s > 0, n_t > 0)
    recorded = f"{n_s}-{n_t}" if m and shaped and (len(ss), len(ts)) != (n_s, n_t) else None
    status = unit.prop("x-status")
    return ss, ts, _confidence(unit.prop("x-confidence")), status if status in BEAD_STATUSES else DEFAULT_STATUS, recorded


def _content(
    path: Path, src_lang: str, tgt_lang: str, which: Callable[[TmxUnit], bool]
) -> tuple[list[str], list[str], list[Merged]]:
    """The sentences and beads of the units `which` picks, in bead order: by x-bead-index
    when every one of them has one, else in file order."""
    units = [(n, u) for n, u in enumerate(read_tmx(path)) if which(u)]
    indices = [_int(u.prop("x-bead-index")) for _, u in units]
    if all(k is not None for k in indices):
        units = [u for _, u in sorted(zip(indices, units, strict=True), key=lambda x: (x[0], x[1][0]))]
    src: list[str] = []
    tgt: list[str] = []
    beads: list[Merged] = []
    for _, unit in units:
        bead = _bead(unit, src_lang, tgt_lang)
        if bead is None:
            continue
        ss, ts, conf, status, recorded = bead
        s_ids = tuple(range(len(src), len(src) + len(ss)))
        t_ids = tuple(range(len(tgt), len(tgt) + len(ts)))
        src += ss
        tgt += ts
        beads.append(Merged(s_ids, t_ids, conf, status, type=recorded))
    if not beads:
        raise FormatError(f"{path}: every translation unit is empty; nothing to import")
    return src, tgt, beads


def import_tmx(
    corpus: Corpus,
    path: Path,
    *,
    doc_id: str | None = None,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
) -> list[AddResult]:
    """Import a TMX file, one document per x-doc-id (all into `doc_id` when given; units
    without one go to a document named after the file), in ONE transaction. An existing
    document of the same id is replaced (the log keeps a record); one already imported from
    this very file is left alone ("unchanged")."""
    path = Path(path)
    src_lang, tgt_lang, doc_ids = guess_languages(path, src_lang, tgt_lang)
    if src_lang is None or tgt_lang is None:
        raise FormatError(f"{path}: no translation units in two languages to import")
    langs = (src_lang, tgt_lang)

    def content(pick: Callable[[TmxUnit], bool]) -> Callable[[], tuple[list[str], list[str], list[Merged]]]:
        return lambda: _content(path, *langs, pick)

    if doc_id is not None:
        documents = [(doc_id, content(lambda u: True))]
    else:  # units without an x-doc-id: a document named after the file
        documents = [(d or path.stem, content(lambda u, d=d: u.prop("x-doc-id") == d)) for d in doc_ids]  # type: ignore[misc]
    for d, _ in documents:
        check_doc_id(d)
    return corpus.store_imported(path, documents, src_lang=src_lang, tgt_lang=tgt_lang)

