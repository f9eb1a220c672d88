"""The data model every step shares: documents, blocks, sentences, beads and alignments.

A Document owns its cleaned text once; blocks and sentences are views into it by character
offsets (as spaCy's spans are), so no sentence text is ever copied or allowed to drift.
All classes are frozen: a step computes new values, it never edits shared ones.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from align.read.lang import join_sentences

BlockKind = Literal["title", "heading", "paragraph", "bullet", "line"]
"""What a block is. `line` is one line of a pre-segmented file."""

BLOCK_KINDS: tuple[str, ...] = ("title", "heading", "paragraph", "bullet", "line")


@dataclass(frozen=True, slots=True)
class Block:
    """A structural unit of the cleaned text: text[start:end] of its document."""

    kind: BlockKind
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: text[start:end] of its document, inside block number `block`."""

    start: int
    end: int
    block: int


@dataclass(frozen=True, slots=True)
class Cue:
    """A timed stretch of a subtitle document: text[start:end] is on screen from `t_start` to
    `t_end` (seconds). Sentences take their times from the cues they overlap."""

    start: int
    end: int
    t_start: float
    t_end: float


@dataclass(frozen=True)
class Document:
    """A cleaned document in one language with its blocks and sentences.

    `text` is what users see (markup removed, broken lines joined); blocks are separated in it
    by a newline. `source` names where it came from (a path, or None for in-memory text).
    `cues` are the timings of a subtitle file, in text order (empty for every other format).
    `sha256` is the hash of the bytes the document was read from (None for in-memory text):
    the corpus tells a changed file from an unchanged one by it, without reading the file
    again (a pipe or a FIFO cannot be read twice).
    """

    text: str
    lang: str
    blocks: tuple[Block, ...]
    sentences: tuple[Sentence, ...] = ()
    source: str | None = None
    cues: tuple[Cue, ...] = ()
    sha256: str | None = None

    def __post_init__(self) -> None:
        n = len(self.text)
        for b in self.blocks:
            if not (0 <= b.start <= b.end <= n):
                raise ValueError(f"block {b} lies outside the text ({n} characters)")
        for s in self.sentences:
            if not (0 <= s.start < s.end <= n) or not (0 <= s.block < len(self.blocks)):
                raise ValueError(f"sentence {s} lies outside the text or its blocks")
        for c in self.cues:
            if not (0 <= c.start <= c.end <= n) or not (0 <= c.t_start <= c.t_end):
                raise ValueError(f"cue {c} lies outside the text or ends before it starts")

    def sentence_text(self, i: int) -> str:
        """The text of sentence i."""
        s = self.sentences[i]
        return self.text[s.start : s.end]

    def block_text(self, i: int) -> str:
        """The text of block i."""
        b = self.blocks[i]
        return self.text[b.start : b.end]

    @cached_property
    def sentence_texts(self) -> tuple[str, ...]:
        """The text of every sentence, in order."""
        t = self.text
        return tuple(t[s.start : s.end] for s in self.sentences)

    @cached_property
    def sentence_times(self) -> tuple[tuple[float, float] | None, ...]:
        """Per sentence, (start, end) in seconds of the cues it overlaps; None without cues."""
        if not self.cues:
            return (None,) * len(self.sentences)
        ends = [c.end for c in self.cues]
        out: list[tuple[float, float] | None] = []
        for s in self.sentences:
            i = bisect_right(ends, s.start)  # first cue ending after the sentence starts
            hit = []
            while i < len(self.cues) and self.cues[i].start < s.end:
                hit.append(self.cues[i])
                i += 1
            out.append((min(c.t_start for c in hit), max(c.t_end for c in hit)) if hit else None)
        return tuple(out)

    def __len__(self) -> int:
        return len(self.sentences)


REVIEW_THRESHOLD = 0.9
"""Beads with a confidence below this go to review (the default of every --below/threshold)."""

BeadStatus = Literal["auto", "confirmed", "edited", "rejected"]
BEAD_STATUSES: tuple[str, ...] = ("auto", "confirmed", "edited", "rejected")
REVIEWED_STATUSES: tuple[str, ...] = ("confirmed", "edited")
"""Beads a reviewer vouched for: exported whatever --min-confidence says (the threshold
filters `auto` beads), and the fixed points a re-align works around."""
EXPORTED_STATUSES: tuple[str, ...] = ("auto", "confirmed", "edited")
"""What an export holds unless --status says otherwise: rejected beads stay out."""


@dataclass(frozen=True, slots=True)
class Bead:
    """A translation unit: source sentence ids and target sentence ids (either may be empty).

    `confidence` is the calibrated probability that this bead is exactly right.
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    confidence: float = 1.0

    @property
    def type(self) -> str:
        """The bead's shape as 'n-m', e.g. '2-1' or '1-0'."""
        return f"{len(self.src)}-{len(self.tgt)}"


@dataclass(frozen=True)
class Signature:
    """Every setting that produced an alignment, so a result can be reproduced and compared."""

    version: str
    model: str
    segmenter: str
    settings: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        parts = [f"align:{self.version}", f"model:{self.model}", f"seg:{self.segmenter}"]
        parts += [f"{k}:{v}" for k, v in self.settings]
        return "|".join(parts)


@dataclass(frozen=True)
class Alignment:
    """Two documents and the beads that pair their sentences, in document order."""

    src: Document
    tgt: Document
    beads: tuple[Bead, ...]
    signature: Signature | None = None
    stats: dict[str, Any] = field(default_factory=dict, compare=False)  # timings, counts, warnings

    def src_text(self, bead: Bead) -> str:
        """The source side of a bead as one string (joined the way its language writes)."""
        return join_sentences([self.src.sentence_text(i) for i in bead.src], self.src.lang)

    def tgt_text(self, bead: Bead) -> str:
        """The target side of a bead as one string."""
        return join_sentences([self.tgt.sentence_text(i) for i in bead.tgt], self.tgt.lang)

    @property
    def timed(self) -> bool:
        """Whether either side came from a subtitle file (its beads have times)."""
        return bool(self.src.cues or self.tgt.cues)

    def bead_times(self, bead: Bead) -> tuple[float, float] | None:
        """The bead's (start, end) in seconds: the span of the cues of its sentences on both
        sides (a subtitle side's times where only one side has them); None where unknown."""
        return time_span(
            [self.src.sentence_times[i] for i in bead.src] + [self.tgt.sentence_times[j] for j in bead.tgt]
        )


def time_span(times: Iterable[tuple[float, float] | None]) -> tuple[float, float] | None:
    """The (start, end) that covers every known time of `times`; None if none is known."""
    known = [t for t in times if t is not None]
    if not known:
        return None
    return min(t[0] for t in known), max(t[1] for t in known)



ProgressStage = Literal["encode", "documents"]
"""What a progress report counts: sentences encoded for one pair, or document pairs of a batch."""


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a long piece of work is: `done` of `total` units of `stage`.

    The library reports it through an optional `progress` callback and never prints; the
    command line renders it (align.cli.progress). A batch also counts the sentences of the
    pairs it finished (for a rate), the pairs that failed, and those skipped as already done.
    """

    stage: ProgressStage
    done: int
    total: int
    sentences: int = 0
    failed: int = 0
    skipped: int = 0
    item: str | None = None
    """What was just finished (a document id), where there is one."""


ProgressCallback = Callable[[Progress], None]
