"""Alignments built from the shared data's gold (pre-segmented sentences + gold beads)."""

from __future__ import annotations

from pathlib import Path

from align.formats.beads import read_beads
from align.model import Alignment, Bead, Block, Document, Sentence, Signature

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
KYOTO = DATA / "kyoto-dev-hard"


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


def gold_alignment(folder: Path, **kw) -> Alignment:
    """The gold alignment of one shared-data folder (ja.sent, en.sent, gold.beads)."""
    src = (folder / "ja.sent").read_text(encoding="utf-8").splitlines()
    tgt = (folder / "en.sent").read_text(encoding="utf-8").splitlines()
    return alignment_from_lines(src, tgt, read_beads(folder / "gold.beads"), **kw)


def gold_folders(kind: str = "kyoto-dev-hard") -> list[Path]:
    return sorted(p for p in (DATA / kind).iterdir() if (p / "gold.beads").exists())
