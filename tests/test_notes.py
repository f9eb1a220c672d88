"""Translator's notes are taken out of the alignment and come back as their own null beads."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from align.model import Bead
from align.aligner.notes import NOTE_CONFIDENCE, insert_null_beads, is_translator_note, note_ids


def test_notes_as_mofa_writes_them() -> None:
    for text in ("(Translation)", "(Provisional Translation)", "（仮訳）", "[Tentative translation]", " (translation) "):
        assert is_translator_note(text), text
    for text in ("(End)", "（了）", "Translation", "(Translation of the speech follows)", "The translation was late."):
        assert not is_translator_note(text), text


def test_note_ids_on_the_bundled_english() -> None:
    from pathlib import Path

    lines = (Path(__file__).resolve().parents[1] / "corpora" / "cmac-2024" / "en.sent").read_text("utf-8").splitlines()
    assert note_ids(lines) == [lines.index("(Translation)")]


@st.composite
def beads_with_notes(draw: st.DrawFn) -> tuple[list[Bead], list[int], list[int], int, int]:
    """A valid bead sequence over kept sentences, plus note ids interleaved among them."""
    n_src, n_tgt = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    src_notes = sorted(draw(st.sets(st.integers(0, n_src - 1), max_size=n_src - 1)))
    tgt_notes = sorted(draw(st.sets(st.integers(0, n_tgt - 1), max_size=n_tgt - 1)))
    src_keep = [i for i in range(n_src) if i not in src_notes]
    tgt_keep = [j for j in range(n_tgt) if j not in tgt_notes]
    beads, i, j = [], 0, 0
    while i < len(src_keep) or j < len(tgt_keep):
        a = draw(st.integers(0 if j < len(tgt_keep) else 1, min(2, len(src_keep) - i)))
        b = draw(st.integers(0 if a else 1, min(2, len(tgt_keep) - j)))
        if a == 0 and b == 0:
            continue
        beads.append(Bead(tuple(src_keep[i : i + a]), tuple(tgt_keep[j : j + b]), 0.5))
        i, j = i + a, j + b
    return beads, src_notes, tgt_notes, n_src, n_tgt


@given(beads_with_notes())
def test_every_sentence_in_exactly_one_bead_in_order(case: tuple) -> None:
    beads, src_notes, tgt_notes, n_src, n_tgt = case
    out = insert_null_beads(beads, src_notes=src_notes, tgt_notes=tgt_notes)
    assert [i for b in out for i in b.src] == list(range(n_src))
    assert [j for b in out for j in b.tgt] == list(range(n_tgt))
    notes = [b for b in out if b.confidence == NOTE_CONFIDENCE]
    assert all(b.type in ("1-0", "0-1") for b in notes)
    inside = [b for b in beads if any(min(b.src or [0]) < i < max(b.src or [0]) for i in src_notes)
              or any(min(b.tgt or [0]) < j < max(b.tgt or [0]) for j in tgt_notes)]
    if not inside:
        assert len(notes) == len(src_notes) + len(tgt_notes)
