"""Translator's notes: lines such as "(Provisional Translation)" that translate nothing.

MOFA's English texts carry "(Translation)" or "(Provisional Translation)" under the title; a
Japanese text translated from English may carry 「（仮訳）」. They never have a counterpart, so
the pipeline takes them out before aligning and gives each its own 1-0 / 0-1 bead.
"""

from __future__ import annotations

import re
from dataclasses import replace
from collections.abc import Sequence

from align.model import Bead

NOTE_CONFIDENCE = 0.99
"""A rule, not a guess; but not a free 1.0 either."""

_WORDS = r"(?:(?:provisional|tentative|unofficial|informal)\s+)?(?:english\s+)?translation|仮訳|暫定訳|参考訳"
_NOTE = re.compile(rf"^\s*[(\[（【［]\s*(?:{_WORDS})\s*[)\]）】］]\s*$", re.IGNORECASE)


def is_translator_note(text: str) -> bool:
    """True for a sentence that is only a translator's note like "(Provisional Translation)"."""
    return bool(_NOTE.match(text))


def note_ids(texts: Sequence[str]) -> list[int]:
    """Indices of the translator's notes among `texts`."""
    return [i for i, t in enumerate(texts) if is_translator_note(t)]


def split_notes(texts: Sequence[str]) -> tuple[list[int], list[int]]:
    """(ids of the sentences to align, ids of the notes); a text of notes only is aligned whole."""
    notes = note_ids(texts)
    taken = set(notes)
    keep = [i for i in range(len(texts)) if i not in taken]
    return (keep, notes) if keep else (list(range(len(texts))), [])


def insert_null_beads(beads: Sequence[Bead], *, src_notes: Sequence[int], tgt_notes: Sequence[int]) -> list[Bead]:
    """Put a null bead for each note where it belongs in document order.

    `beads` already use the documents' own sentence ids (notes left out). A note that falls
    inside a bead the aligner merged across it joins that bead, so order is never broken.
    """
    out = list(beads)
    for idx, side in sorted([(i, "src") for i in src_notes] + [(k, "tgt") for k in tgt_notes]):
        _place(out, idx, side)
    return out


def _place(out: list[Bead], idx: int, side: str) -> None:
    """Insert note `idx` of `side` into `out` in place: inside a bead spanning it, else before the next."""
    for n, b in enumerate(out):
        ids = b.src if side == "src" else b.tgt
        if not ids:
            continue
        if min(ids) < idx < max(ids):
            merged = tuple(sorted((*ids, idx)))
            out[n] = replace(b, src=merged) if side == "src" else replace(b, tgt=merged)
            return
        if min(ids) > idx:
            out.insert(n, _note(idx, side))
            return
    out.append(_note(idx, side))


def _note(idx: int, side: str) -> Bead:
    return Bead((idx,), (), NOTE_CONFIDENCE) if side == "src" else Bead((), (idx,), NOTE_CONFIDENCE)
