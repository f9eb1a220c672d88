"""Import a TMX file into a corpus as one document whose beads are all `confirmed`.

The file is read twice, streaming: once to guess what the user did not say (the languages,
from the header and the first units; the document id, from the units' `x-doc-id`), once to
collect the units' texts. The corpus then stores them in one transaction.
"""

from __future__ import annotations

from pathlib import Path

from align.errors import FormatError
from align.formats.tmx import read_tmx, read_tmx_header
from align.store.corpus import AddResult, Corpus, check_doc_id
from align.store.merge import Merged


def _primary(code: str) -> str:
    return code.lower().split("-")[0]


def guess_languages(
    path: Path, src_lang: str | None, tgt_lang: str | None
) -> tuple[str | None, str | None, set[str]]:
    """(source language, target language, the units' x-doc-ids): the source defaults to the
    header's srclang, else the first unit's first variant; the target to the first variant
    whose primary language differs from the source's. None where no unit tells."""
    header = read_tmx_header(path)
    src_lang = src_lang or (header.srclang if header.srclang not in (None, "", "*all*") else None)
    doc_ids: set[str] = set()
    n_units = 0
    for unit in read_tmx(path):
        n_units += 1
        if src_lang is None and unit.variants:
            src_lang = unit.variants[0][0]
        if tgt_lang is None and src_lang is not None:
            tgt_lang = next((c for c, _ in unit.variants if _primary(c) != _primary(src_lang)), None)
        if (d := unit.prop("x-doc-id")) is not None:
            doc_ids.add(d)
    if n_units == 0:
        return None, None, doc_ids
    return src_lang, tgt_lang, doc_ids


def _confidence(text: str | None) -> float:
    """A unit's x-confidence; 1.0 when it is missing, not a number or outside 0..1."""
    try:
        value = float(text) if text is not None else 1.0
    except ValueError:
        return 1.0
    return value if 0.0 <= value <= 1.0 else 1.0


def _content(path: Path, src_lang: str, tgt_lang: str) -> tuple[list[str], list[str], list[Merged]]:
    """Each unit as one sentence per side and one confirmed bead (a side without text gives a
    1-0 or 0-1 bead; a unit empty on both sides is left out)."""
    src: list[str] = []
    tgt: list[str] = []
    beads: list[Merged] = []
    for unit in read_tmx(path):
        s, t = unit.text(src_lang) or "", unit.text(tgt_lang) or ""
        if not s and not t:
            continue
        s_ids = (len(src),) if s else ()
        t_ids = (len(tgt),) if t else ()
        if s:
            src.append(s)
        if t:
            tgt.append(t)
        beads.append(Merged(s_ids, t_ids, _confidence(unit.prop("x-confidence")), "confirmed"))
    return src, tgt, beads


def import_tmx(
    corpus: Corpus,
    path: Path,
    *,
    doc_id: str | None = None,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
) -> AddResult:
    """Import a TMX file as one document whose beads are all `confirmed` (one transaction).

    Each unit becomes one sentence per side (a side without text gives a 1-0 or 0-1
    bead). Languages default to the header's srclang and the first other language.
    doc_id defaults to the units' x-doc-id when they all share one, else the file stem.
    An existing document of that id is replaced (the log keeps a record).
    """
    path = Path(path)
    src_lang, tgt_lang, doc_ids = guess_languages(path, src_lang, tgt_lang)
    if src_lang is None or tgt_lang is None:
        raise FormatError(f"{path}: no translation units in two languages to import")
    if doc_id is None:
        doc_id = doc_ids.pop() if len(doc_ids) == 1 else path.stem
    check_doc_id(doc_id)
    langs = (src_lang, tgt_lang)

    def content() -> tuple[list[str], list[str], list[Merged]]:
        src, tgt, beads = _content(path, *langs)
        if not beads:
            raise FormatError(f"{path}: every translation unit is empty; nothing to import")
        return src, tgt, beads

    return corpus.store_imported(path, doc_id=doc_id, src_lang=src_lang, tgt_lang=tgt_lang, content=content)
