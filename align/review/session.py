"""Reviewing a document's beads: the queue of beads that need a look, and the answers to them.

No terminal I/O here: `align review` (align.cli.review) shows the beads and reads the answers;
this module decides which beads are in the queue, commits each answer to the corpus at once
(one transaction, logged by the store), and keeps the tally. Because every answer is committed
when it is given, quitting or crashing loses nothing, and a new session's queue holds only
what is still unreviewed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from align.errors import CorpusError, UsageError
from align.model import BEAD_STATUSES, REVIEW_THRESHOLD

if TYPE_CHECKING:
    from align.store import Corpus, StoredBead

Answer = Literal["confirm", "reject", "edit", "skip", "undo"]
DEFAULT_BELOW = REVIEW_THRESHOLD
DEFAULT_STATUSES: tuple[str, ...] = ("auto",)


@dataclass(frozen=True)
class Tally:
    """What a review session did, by the last answer given to each bead of its queue.

    `left` counts the queue's beads not confirmed, rejected or edited in this session (the
    skipped and undone ones and those not reached): with the default `--status auto`, exactly
    what the next session will show.
    """

    confirmed: int = 0
    rejected: int = 0
    edited: int = 0
    skipped: int = 0
    left: int = 0
    undone: int = 0

    def format(self) -> str:
        """One line: `confirmed 3, rejected 1, edited 1, skipped 2, left 30` (with
        `undone N` before `left` when a bead was put back to auto)."""
        undone = f"undone {self.undone}, " if self.undone else ""
        return (
            f"confirmed {self.confirmed}, rejected {self.rejected}, edited {self.edited}, "
            f"skipped {self.skipped}, {undone}left {self.left}"
        )


def check_statuses(statuses: Iterable[str]) -> tuple[str, ...]:
    """The statuses, validated (a typo must not silently give an empty queue)."""
    out = tuple(dict.fromkeys(statuses))
    if not out:
        raise UsageError("no status given; use one or more of " + ", ".join(BEAD_STATUSES))
    for s in out:
        if s not in BEAD_STATUSES:
            raise UsageError(f"unknown status {s!r}; use one of {', '.join(BEAD_STATUSES)}")
    return out


def check_below(below: float) -> float:
    """The confidence threshold, validated: confidences lie in [0, 1]."""
    if not 0.0 <= below <= 1.0:
        raise UsageError(f"--below {below:g} is outside 0..1; confidences lie between 0 and 1")
    return below


def needs_review(bead: StoredBead, *, below: float, statuses: Sequence[str]) -> bool:
    """A bead the reviewer should see: confidence below the threshold and one of the statuses."""
    return bead.confidence < below and bead.status in statuses


class ReviewSession:
    """A review of one document: its queue in document order and a cursor into it.

    `corpus` must stay open for the session. Each answer is committed at once. If the
    document is realigned or replaced by another process during the session, the next answer
    raises CorpusError instead of writing to a bead that now means something else: every
    write carries the document revision read before the beads, checked inside the write's
    own transaction.
    """

    def __init__(
        self,
        corpus: Corpus,
        doc_id: str,
        *,
        below: float = DEFAULT_BELOW,
        statuses: Sequence[str] = DEFAULT_STATUSES,
    ) -> None:
        self.corpus, self.doc_id = corpus, doc_id
        self.below = check_below(below)
        self.statuses = check_statuses(statuses)
        self.revision = corpus.document(doc_id).revision  # read before the beads: never newer
        self._rows: dict[int, StoredBead] = {b.bead_index: b for b in corpus.beads(doc_id)}
        self.queue: tuple[int, ...] = tuple(
            k for k, b in self._rows.items() if needs_review(b, below=self.below, statuses=self.statuses)
        )
        self.pos = 0
        self._answers: dict[int, Answer] = {}

    # -- where we are --------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        """True once the cursor is past the last bead of the queue."""
        return self.pos >= len(self.queue)

    @property
    def current(self) -> StoredBead:
        """The bead under the cursor, as it is now (after any answer given to it)."""
        if self.done:
            raise UsageError("the review is finished; there is no current bead")
        return self._rows[self.queue[self.pos]]

    def context(self) -> tuple[StoredBead | None, StoredBead, StoredBead | None]:
        """The current bead with its neighbours in the document (None at either end)."""
        bead = self.current
        return self._rows.get(bead.bead_index - 1), bead, self._rows.get(bead.bead_index + 1)

    def progress(self) -> tuple[int, int]:
        """(1-based position of the current bead, length of the queue), e.g. (12, 37)."""
        return min(self.pos + 1, len(self.queue)), len(self.queue)

    # -- answers ---------------------------------------------------------------------------------

    def confirm(self) -> None:
        """Mark the current bead confirmed and move on."""
        self._set_status("confirmed", "confirm")

    def reject(self) -> None:
        """Mark the current bead rejected and move on."""
        self._set_status("rejected", "reject")

    def edit(self, *, src: str | None = None, tgt: str | None = None) -> None:
        """Replace the current bead's source and/or target text (None or unchanged text keeps
        that side); the bead becomes `edited`. Raises UsageError when nothing would change."""
        bead = self.current
        src = None if src is None or src == bead.src else src
        tgt = None if tgt is None or tgt == bead.tgt else tgt
        if src is None and tgt is None:
            raise UsageError(f"bead {bead.bead_index}: the new text is the same as the old; nothing to edit")
        self.corpus.edit_bead(self.doc_id, bead.bead_index, src=src, tgt=tgt, expected_revision=self.revision)
        self._rows[bead.bead_index] = replace(
            bead, src=bead.src if src is None else src, tgt=bead.tgt if tgt is None else tgt, status="edited"
        )
        self._answered("edit")

    def skip(self) -> None:
        """Leave the current bead as it is and move on (a bead answered earlier keeps its answer)."""
        self._answers.setdefault(self.current.bead_index, "skip")
        self.pos += 1

    def undo(self) -> bool:
        """Put the current bead back to `auto`, the aligner's proposal (an edit is dropped;
        the store logs both). The cursor stays, so the bead can be answered again. False when
        it already is auto and unedited."""
        bead = self.current
        if not self.corpus.set_status(self.doc_id, bead.bead_index, "auto", expected_revision=self.revision):
            return False
        self._rows[bead.bead_index] = self.corpus.bead(self.doc_id, bead.bead_index)
        self._answers[bead.bead_index] = "undo"
        return True

    def back(self) -> bool:
        """Move to the previous bead of the queue so it can be answered again; False at the start."""
        if self.pos == 0:
            return False
        self.pos -= 1
        return True

    def tally(self) -> Tally:
        """The counts of this session so far."""
        counts = {a: 0 for a in ("confirm", "reject", "edit", "skip", "undo")}
        for a in self._answers.values():
            counts[a] += 1
        reviewed = counts["confirm"] + counts["reject"] + counts["edit"]
        return Tally(
            counts["confirm"], counts["reject"], counts["edit"], counts["skip"], len(self.queue) - reviewed,
            counts["undo"],
        )  # fmt: skip

    # -- internals -------------------------------------------------------------------------------

    def _set_status(self, status: str, answer: Answer) -> None:
        bead = self.current
        self.corpus.set_status(self.doc_id, bead.bead_index, status, expected_revision=self.revision)
        self._rows[bead.bead_index] = replace(bead, status=status)
        self._answered(answer)

    def _answered(self, answer: Answer) -> None:
        self._answers[self.queue[self.pos]] = answer
        self.pos += 1


@dataclass(frozen=True)
class StatusChange:
    """What `align confirm`/`align reject` will do: the chosen beads and those not already
    in the target status."""

    doc_id: str
    status: str
    chosen: tuple[int, ...]
    to_change: tuple[int, ...]
    revision: int
    """The document revision the plan was made on; applying it to another one fails."""
    was: tuple[str, ...] = ()
    """The status of each bead of `to_change` when planned; a bead changed since then fails
    the change (a reviewer's answer given meanwhile is not overwritten)."""


def plan_status_change(
    corpus: Corpus,
    doc_id: str,
    status: str,
    *,
    indices: Iterable[int] = (),
    at_or_above: float | None = None,
) -> StatusChange:
    """Choose beads by index and/or (with `at_or_above`) every `auto` bead with confidence ≥
    that value; reviewed beads are left as the reviewer set them unless named by index.

    Reads the document once and checks every index before anything changes, so a bad one
    raises CorpusError (naming it) with the corpus untouched.
    """
    if status not in BEAD_STATUSES:
        raise UsageError(f"unknown status {status!r}; use one of {', '.join(BEAD_STATUSES)}")
    revision = corpus.document(doc_id).revision  # read before the beads: never newer
    rows = {b.bead_index: b for b in corpus.beads(doc_id)}
    chosen = set(indices)
    for k in sorted(chosen):
        if k not in rows:
            have = f"0..{len(rows) - 1}" if rows else "none"
            raise CorpusError(f"{corpus.path}: document {doc_id!r} has no bead {k} (its beads: {have})")
    if at_or_above is not None:
        check_below(at_or_above)
        chosen |= {k for k, b in rows.items() if b.confidence >= at_or_above and b.status == "auto"}
    order = tuple(sorted(chosen))
    to_change = tuple(k for k in order if rows[k].status != status)
    return StatusChange(doc_id, status, order, to_change, revision, tuple(rows[k].status for k in to_change))


def apply_status_change(corpus: Corpus, change: StatusChange) -> int:
    """Carry out a planned change in one transaction (with its log entries): an interruption
    changes all of the beads or none. Returns how many changed. Raises CorpusError, changing
    nothing, when the document was realigned or replaced, or one of the beads changed, since
    the plan was made."""
    return corpus.set_statuses(
        change.doc_id, change.to_change, change.status,
        expected_revision=change.revision, expected_statuses=dict(zip(change.to_change, change.was, strict=True)),
    )  # fmt: skip
