"""Alignments built from gold (pre-segmented sentences + gold beads) of the bundled corpora/."""

from __future__ import annotations

from pathlib import Path

from align.formats.beads import read_beads
from align.model import Alignment, Bead, Block, Document, Sentence, Signature

from data_paths import CORPORA


def document(lines: list[str], lang: str, source: str | None = None) -> Document:
    """A pre-segmented document: one block of kind 'line' and one sentence per line."""
    text = "\n".join(lines)
    sents, pos = [], 0
    for k, line in enumerate(lines):
        sents.append(Sentence(pos, pos + len(line), k))
        pos += len(line) + 1
    blocks = tuple(Block("line", s.start, s.end) for s in sents)
    return Document(text, lang, blocks, tuple(sents), source)


def alignment_from_lines(src: list[str], tgt: list[str], beads, *, conf=None, model="gold") -> Alignment:
    """An Alignment of two line lists; conf(k) gives bead k's confidence (default varied)."""
    conf = conf or (lambda k: round(0.5 + (k * 37 % 50) / 100, 2))
    return Alignment(
        document(src, "ja"), document(tgt, "en"),
        tuple(Bead(tuple(s), tuple(t), conf(k)) for k, (s, t) in enumerate(beads)),
        Signature("test", model, "lines"),
    )


def read_gold(folder: Path) -> tuple[list[str], list[str], list]:
    """(ja sentences, en sentences, gold beads) of a folder with ja.sent, en.sent, gold.beads."""
    src = (folder / "ja.sent").read_text(encoding="utf-8").splitlines()
    tgt = (folder / "en.sent").read_text(encoding="utf-8").splitlines()
    return src, tgt, read_beads(folder / "gold.beads")


def gold_alignment(folder: Path, **kw) -> Alignment:
    """The gold alignment of one folder (ja.sent, en.sent, gold.beads)."""
    return alignment_from_lines(*read_gold(folder), **kw)


def gold_folders() -> list[Path]:
    """The bundled folders with gold: cmac-2024 (every bead type but 2-2), kyoto-CLT01161, kyoto-EPR00071."""
    return sorted(p for p in CORPORA.iterdir() if (p / "gold.beads").exists())


def many_lines(n: int) -> tuple[list[str], list[str]]:
    """n distinct (ja, en) sentence pairs: the bundled gold sentences, numbered, over and over.

    For tests that need a big document (crash safety, cost per edit), not its meaning.
    """
    ja = [s for f in gold_folders() for s in (f / "ja.sent").read_text(encoding="utf-8").splitlines()]
    en = [s for f in gold_folders() for s in (f / "en.sent").read_text(encoding="utf-8").splitlines()]
    return [f"{ja[k % len(ja)]}（{k}）" for k in range(n)], [f"{en[k % len(en)]} ({k})" for k in range(n)]
