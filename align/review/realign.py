"""Re-aligning a stretch of a stored document around the reviewer's fixed points.

Confirmed and edited beads are anchors: the aligner runs again only on the runs of other
beads (auto or rejected) between them, on exactly the sentences those beads hold, so every
reviewed bead stays as it is and nothing outside the stretch moves. Each run is replaced in
one transaction with its own undoable log entry (align.store.edits.replace_beads).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from align.errors import ModelError, UsageError
from align.store import edits

if TYPE_CHECKING:
    from align.encoders import Encoder
    from align.store import Corpus

FIXED = ("confirmed", "edited")
DEFAULT_MODEL = "use-m3"
_ENCODERS: dict[str, Encoder] = {}
"""Encoders loaded by this process (use-m3 takes seconds to load; a server re-aligns often)."""


@dataclass(frozen=True)
class RealignResult:
    """What a re-align did: the bead range it looked at, the runs it re-aligned, and the
    document's revision after it."""

    doc_id: str
    start: int
    stop: int
    runs: int
    beads_before: int
    beads_after: int
    revision: int
    bead: int

    @property
    def message(self) -> str:
        if not self.runs:
            return f"beads {self.start}-{self.stop} of {self.doc_id}: the aligner proposes what is there already"
        return (
            f"re-aligned beads {self.start}-{self.stop} of {self.doc_id} between reviewed beads: "
            f"{self.beads_before} beads became {self.beads_after} ({self.runs} stretch{'es' if self.runs > 1 else ''})"
        )


def _encoder(model: str) -> Encoder:
    from align.encoders import get_encoder

    if model not in _ENCODERS:
        _ENCODERS[model] = get_encoder(model)
    return _ENCODERS[model]


def stretch(rows: list[edits.Row], start: int, stop: int) -> tuple[int, int]:
    """The beads from the nearest fixed bead before `start` to the nearest after `stop`
    (exclusive of both): the stretch a re-align of start..stop may change."""
    lo, hi = start, stop
    while lo > 0 and rows[lo - 1].status not in FIXED:
        lo -= 1
    while hi < len(rows) - 1 and rows[hi + 1].status not in FIXED:
        hi += 1
    return lo, hi


def realign(
    corpus: Corpus,
    doc_id: str,
    *,
    start: int | None = None,
    stop: int | None = None,
    model: str | None = None,
    expected_revision: int | None = None,
) -> RealignResult:
    """Re-align beads start..stop of a document (default: all of it), widened to the nearest
    reviewed beads; reviewed beads inside are kept as anchors. `model` defaults to the one
    the document was aligned with (use-m3 for an imported TMX)."""
    from align.aligner import align_sentences

    info = corpus.document(doc_id)
    revision = info.revision if expected_revision is None else expected_revision
    if info.revision != revision:
        edits._doc_at(corpus, doc_id, expected_revision)  # raises the stale-revision error
    doc = corpus._doc_key(doc_id)
    rows = edits._rows(corpus._con, doc, 0, 1 << 62)
    n = len(rows)
    if not n:
        raise UsageError(f"document {doc_id!r} has no beads to re-align")
    start = 0 if start is None else start
    stop = n - 1 if stop is None else stop
    if not (0 <= start <= stop < n):
        raise UsageError(f"--from {start} --to {stop} is outside the beads of {doc_id!r} (0..{n - 1})")
    lo, hi = stretch(rows, start, stop)
    runs: list[tuple[int, int]] = []  # [a, b) runs of beads that are not fixed
    k = lo
    while k <= hi:
        if rows[k].status in FIXED:
            k += 1
            continue
        a = k
        while k <= hi and rows[k].status not in FIXED:
            k += 1
        runs.append((a, k))
    name = model or (info.model if info.model and info.origin == "align" else DEFAULT_MODEL)
    try:
        encoder = _encoder(name)
    except ModelError:
        if model is not None:
            raise
        encoder = _encoder(DEFAULT_MODEL)  # e.g. a test or bench corpus named after no real model
    src_all = corpus._texts(doc, "src")
    tgt_all = corpus._texts(doc, "tgt")
    done = before_n = after_n = 0
    for a, b in reversed(runs):  # from the end, so the bead numbers of earlier runs still hold
        old = rows[a:b]
        s_ids = sorted(i for r in old for i in r.src)
        t_ids = sorted(j for r in old for j in r.tgt)
        if not s_ids or not t_ids:
            continue  # only unpaired sentences: nothing to align them with
        result = align_sentences(
            [src_all[i] for i in s_ids], [tgt_all[j] for j in t_ids], encoder.encode,
            src_lang=info.src_lang, tgt_lang=info.tgt_lang,
        )  # fmt: skip
        new = [
            edits.Row(tuple(s_ids[i] for i in bead.src), tuple(t_ids[j] for j in bead.tgt), float(bead.confidence), "auto")
            for bead in result.beads
        ]
        if [(r.src, r.tgt) for r in new] == [(r.src, r.tgt) for r in old] and all(r.status == "auto" for r in old):
            continue
        r = edits.replace_beads(corpus, doc_id, a, old, new, expected_revision=revision)
        revision = r.revision
        done += 1
        before_n += len(old)
        after_n += len(new)
    return RealignResult(doc_id, lo, hi, done, before_n, after_n, revision, lo)
