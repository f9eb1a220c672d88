"""One document as the scorer sees it: sentence vectors, lengths, evidence tokens and structure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from align.aligner.evidence import evidence_tokens


@dataclass(frozen=True)
class Side:
    """What scoring needs of one document: vectors, lengths, tokens and structure."""

    vecs: np.ndarray  # (n, d) L2-normalised
    lengths: np.ndarray  # (n,) characters
    tokens: tuple[frozenset[str], ...]
    blocks: np.ndarray  # (n,) block id
    heading: np.ndarray  # (n,) bool: sentence is a heading/title
    # span size a -> (n + 1, d): row i is the encoding of the joined sentences i-a..i-1,
    # NaN where that span was not encoded (its vector is then the weighted sum)
    joint: dict[int, np.ndarray] = field(default_factory=dict)
    # (n,) 1.0 where a sentence ends open (':', ';', ','), so its text goes on in the next line
    # (segmenters that split there cut what the other side keeps as one sentence); None: no cue
    open_end: np.ndarray | None = None
    # (n,) 1.0 where a sentence starts with a lower-case letter: it continues the line before
    open_start: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.lengths)


def make_side(
    texts: Sequence[str], vecs: np.ndarray, blocks: Sequence[int] | None, kinds: Sequence[str] | None
) -> Side:
    """Bundle one document's per-sentence features."""
    n = len(texts)
    lengths = np.array([max(1, len("".join(t.split()))) for t in texts], dtype=np.float64)
    b = np.zeros(n, dtype=np.int64) if blocks is None else np.asarray(blocks, dtype=np.int64)
    if kinds is None:
        head = np.zeros(n, dtype=bool)
    else:
        head = np.array([k in ("title", "heading") for k in kinds], dtype=bool)
    toks = tuple(frozenset(evidence_tokens(t)) for t in texts)
    open_end = np.array([t.rstrip()[-1:] in (":", ";", ",") for t in texts], dtype=np.float64)
    open_start = np.array([t.lstrip()[:1].islower() for t in texts], dtype=np.float64)
    return Side(vecs=np.asarray(vecs, dtype=np.float32), lengths=lengths, tokens=toks, blocks=b, heading=head,
                open_end=open_end, open_start=open_start)


def window(side: Side, s0: int, s1: int) -> Side:
    """Sentences s0..s1-1 of a side as a side of their own (node i here = node s0 + i there)."""
    if s0 == 0 and s1 == len(side):
        return side
    return replace(
        side, vecs=side.vecs[s0:s1], lengths=side.lengths[s0:s1], tokens=side.tokens[s0:s1],
        blocks=side.blocks[s0:s1], heading=side.heading[s0:s1],
        open_end=None if side.open_end is None else side.open_end[s0:s1],
        open_start=None if side.open_start is None else side.open_start[s0:s1],
        joint={a: v[s0 : s1 + 1] for a, v in side.joint.items()},
    )
