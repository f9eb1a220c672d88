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
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from align.errors import FormatError
from align.model import BEAD_STATUSES, join_sentences
from align.store.merge import Merged
from align.store.summary import refresh_summary

if TYPE_CHECKING:
    from align.formats.tmx import TmxUnit
    from align.store.corpus import AddResult, Corpus

_TYPE = re.compile(r"^(\d+)-(\d+)$")
DEFAULT_STATUS = "confirmed"


@dataclass
class _Doc:
    """The units of one document as they are read."""

    units: list[tuple[int | None, int, TmxUnit]] = field(default_factory=list)


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


def _languages(path: Path, src_lang: str | None, tgt_lang: str | None) -> tuple[str, str, dict[str, _Doc]]:
    """Read the file once: the languages (from the arguments, else the header's srclang and
    the first other language) and the units grouped by document, in file order."""
    from align.formats.tmx import read_tmx, read_tmx_header

    header = read_tmx_header(path)
    src_lang = src_lang or (header.srclang if header.srclang not in (None, "", "*all*") else None)
    docs: dict[str, _Doc] = {}
    for n, unit in enumerate(read_tmx(path)):
        if src_lang is None and unit.variants:
            src_lang = unit.variants[0][0]
        if tgt_lang is None and src_lang is not None:
            primary = src_lang.lower().split("-")[0]
            tgt_lang = next((c for c, _ in unit.variants if c.lower().split("-")[0] != primary), None)
        doc = unit.prop("x-doc-id") or ""
        docs.setdefault(doc, _Doc()).units.append((_int(unit.prop("x-bead-index")), n, unit))
    if not docs or src_lang is None or tgt_lang is None:
        raise FormatError(f"{path}: no translation units in two languages to import")
    return src_lang, tgt_lang, docs


def _beads(units: list[tuple[int | None, int, TmxUnit]], src_lang: str, tgt_lang: str) -> Iterator[tuple[list[str], list[str], float, str, str | None]]:
    """Each unit's source sentences, target sentences, confidence, status and recorded type
    (None when its sentences count it), in bead order (x-bead-index where every unit has
    one, else file order)."""
    from align.store.corpus import _confidence

    if all(k is not None for k, _, _ in units):
        units = sorted(units, key=lambda u: (u[0], u[1]))
    for _, _, unit in units:
        s, t = unit.text(src_lang) or "", unit.text(tgt_lang) or ""
        if not s and not t:
            continue
        m = _TYPE.match(unit.prop("x-bead-type") or "")
        n_s, n_t = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        status = unit.prop("x-status")
        ss = _sentences(s, n_s, src_lang) if s else []
        ts = _sentences(t, n_t, tgt_lang) if t else []
        type_ = f"{n_s}-{n_t}" if m and (len(ss), len(ts)) != (n_s, n_t) and (bool(ss), bool(ts)) == (n_s > 0, n_t > 0) else None
        yield ss, ts, _confidence(unit.prop("x-confidence")), status if status in BEAD_STATUSES else DEFAULT_STATUS, type_


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
    from align.store.corpus import AddResult, _check_doc_id, _now, _path_text, _sha256

    path = Path(path)
    src_lang, tgt_lang, groups = _languages(path, src_lang, tgt_lang)
    if doc_id is not None:
        merged = _Doc([u for g in groups.values() for u in g.units])
        groups = {doc_id: merged}
    else:
        groups = {(d or path.stem): g for d, g in groups.items()}
    for d in groups:
        _check_doc_id(d)
    sha = _sha256(path, "")
    results: list[AddResult] = []
    with corpus._write():
        for d, group in groups.items():
            old = corpus._doc_row(d)
            if old is not None and old["origin"] == "tmx" and old["src_sha256"] == sha:
                n = corpus._con.execute("SELECT count(*) FROM beads WHERE doc = ?", (old["id"],)).fetchone()[0]
                results.append(AddResult("unchanged", d, n))
                continue
            src: list[str] = []
            tgt: list[str] = []
            beads: list[Merged] = []
            for ss, ts, conf, status, type_ in _beads(group.units, src_lang, tgt_lang):
                s_ids = tuple(range(len(src), len(src) + len(ss)))
                t_ids = tuple(range(len(tgt), len(tgt) + len(ts)))
                src += ss
                tgt += ts
                beads.append(Merged(s_ids, t_ids, conf, status, type=type_))
            if not beads:
                raise FormatError(f"{path}: every translation unit of {d!r} is empty; nothing to import")
            meta = (_path_text(path), _path_text(path), src_lang, tgt_lang, sha, sha, None, None, None, "tmx", _now())
            if old is None:
                doc = corpus._insert_document(d, meta)
            else:
                doc = old["id"]
                corpus._replace_document(doc, meta)
            corpus._insert_content(doc, src, tgt, beads)
            refresh_summary(corpus._con, doc)
            action = "imported" if old is None else "replaced"
            corpus._log(d, None, action, old["signature"] if old else None, _path_text(path))
            results.append(AddResult(action, d, len(beads)))  # type: ignore[arg-type]
    return results
