"""A reviewer's operations on one document's beads, each one transaction with one undoable log entry.

Every operation is a *splice*: the beads k .. k+m-1 are replaced by new beads (confirm and
reject replace one bead by itself with another status; merge replaces two by one; split one
by two; a re-aligned stretch m by n). The log entry of an operation carries the beads before
and after (column `undo`, JSON), so undo is the splice backwards and redo the splice again,
each checked against what the document holds now: an undo never overwrites a change that
came later from elsewhere (another tab, `align confirm`), it is refused instead.

Operations that change which sentences a bead holds (or how many beads there are) raise the
document's revision. Every operation takes the revision its caller read the beads at
(`expected_revision`) and refuses, with StaleError and nothing changed, when it moved on:
bead numbers of an older revision may mean other beads.

Sentences never change here: a bead holds ids into the document's sentence lists, and the
reviewer's text edits are kept beside them (src_edit / tgt_edit) as before.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from align.errors import CorpusError, StaleError, UsageError
from align.model import BEAD_STATUSES, join_sentences
from align.store.summary import replace_in_summary
from align.store.unicode import require_unicode

if TYPE_CHECKING:
    from align.store.corpus import Corpus

Side = Literal["src", "tgt"]
Direction = Literal["prev", "next"]
SIDE_NAMES = {"src": "source", "tgt": "target"}
RESET_ACTIONS = ("added", "realigned", "imported", "replaced")
"""Log actions that rebuild a document: nothing logged before them can be undone."""


@dataclass(frozen=True)
class Row:
    """A bead as the store holds it: sentence ids per side, the aligner's confidence, the
    review status, and the reviewer's text for a side where it was edited."""

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    confidence: float
    status: str
    src_edit: str | None = None
    tgt_edit: str | None = None
    recorded: str | None = None
    """The type as stored when it is not the sentence counts (an imported TMX unit whose
    sentences could not be cut back); dropped by any change of the bead's sentences."""

    @property
    def type(self) -> str:
        return self.recorded or f"{len(self.src)}-{len(self.tgt)}"

    def holding(self, side: Side, ids: tuple[int, ...]) -> Row:
        """This bead with other sentences on one side, made by the reviewer."""
        return replace(self, **{side: ids}, status="edited", recorded=None)

    def ids(self, side: Side) -> tuple[int, ...]:
        return self.src if side == "src" else self.tgt

    def edit(self, side: Side) -> str | None:
        return self.src_edit if side == "src" else self.tgt_edit

    def to_json(self) -> list:
        return [list(self.src), list(self.tgt), self.confidence, self.status, self.src_edit, self.tgt_edit, self.recorded]

    @classmethod
    def from_json(cls, v: list) -> Row:
        return cls(tuple(v[0]), tuple(v[1]), float(v[2]), v[3], v[4], v[5], v[6] if len(v) > 6 else None)

    def describe(self) -> str:
        """`3 4|5` for a 2-1 bead of source sentences 3, 4 and target 5 (log text)."""
        return f"{' '.join(map(str, self.src))}|{' '.join(map(str, self.tgt))}"


@dataclass(frozen=True)
class EditResult:
    """What an operation did: the first bead it touched, how many beads stand there now, the
    document's revision after it, and its log entry (the id undo refers to)."""

    action: str
    doc_id: str
    bead: int
    beads: int
    revision: int
    entry: int


@dataclass(frozen=True)
class History:
    """The operations undo and redo would reverse or repeat next (log entry ids, last first)."""

    undo: tuple[int, ...]
    redo: tuple[int, ...]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ids_text(ids: Sequence[int]) -> str:
    return " ".join(map(str, ids))


def _ids(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split())


# -- reading and writing rows --------------------------------------------------------------


def _doc_at(corpus: Corpus, doc_id: str, expected_revision: int | None) -> tuple[int, int]:
    """(document key, revision), checked against `expected_revision` (inside the transaction)."""
    doc = corpus._doc_key(doc_id)
    revision = corpus._con.execute("SELECT revision FROM documents WHERE id = ?", (doc,)).fetchone()[0]
    if expected_revision is not None and revision != expected_revision:
        raise StaleError(
            f"{corpus.path}: document {doc_id!r} was re-aligned since the review started; run align review "
            f"again (or reload the page): it is at revision {revision}, not {expected_revision} (re-aligned, "
            "or beads merged or split elsewhere); nothing was changed"
        )
    return doc, revision


GAP = 1 << 16
"""Room left between the positions of neighbouring beads (see positions below)."""


def _compact(con: sqlite3.Connection, doc: int) -> bool:
    """True while a document's positions are its bead numbers 0..n-1, as stored by an add or
    an import (distinct whole numbers from 0 whose largest is n-1 are exactly those): then a
    bead is found by its number through the primary key, on any document size."""
    n = _n_beads(con, doc)
    top = con.execute("SELECT max(idx) FROM beads WHERE doc = ?", (doc,)).fetchone()[0]
    return top is None or top == n - 1


def _placed(con: sqlite3.Connection, doc: int, start: int, stop: int) -> list[tuple[int, Row]]:
    """Beads number start .. stop-1 of a document with their stored positions."""
    cols = "SELECT idx, src_ids, tgt_ids, confidence, status, src_edit, tgt_edit, type FROM beads "
    if start < 0 or stop <= start:
        return []
    if _compact(con, doc):
        rows = con.execute(cols + "WHERE doc = ? AND idx >= ? AND idx < ? ORDER BY idx", (doc, start, stop))
    else:
        rows = con.execute(cols + "WHERE doc = ? ORDER BY idx LIMIT ? OFFSET ?", (doc, stop - start, start))
    out = []
    for pos, s, t, c, st, se, te, type_ in rows:
        row = Row(_ids(s), _ids(t), c, st, se, te)
        out.append((pos, row if row.type == type_ else replace(row, recorded=type_)))
    return out


def _rows(con: sqlite3.Connection, doc: int, start: int, stop: int) -> list[Row]:
    """Beads number start .. stop-1 of a document."""
    return [row for _, row in _placed(con, doc, start, stop)]


def position(con: sqlite3.Connection, doc: int, k: int) -> int | None:
    """The stored position of bead number k (None when there is no such bead)."""
    placed = _placed(con, doc, k, k + 1)
    return placed[0][0] if placed else None


def number(con: sqlite3.Connection, doc: int, pos: int) -> int:
    """The bead number of the bead stored at `pos`: how many beads lie before it."""
    if _compact(con, doc):
        return pos
    return con.execute("SELECT count(*) FROM beads WHERE doc = ? AND idx < ?", (doc, pos)).fetchone()[0]


def _spread(con: sqlite3.Connection, doc: int) -> None:
    """Give the document's beads the positions GAP, 2·GAP, … in their order (one pass over the
    document; needed only when a split finds no free position left between two beads)."""
    positions = [r[0] for r in con.execute("SELECT idx FROM beads WHERE doc = ? ORDER BY idx", (doc,))]
    top = (positions[-1] if positions else 0) + 1
    # above every old position first, so no new position meets an old one
    con.execute("UPDATE beads SET idx = idx + ? WHERE doc = ?", (top - positions[0] + GAP * (len(positions) + 1), doc))
    shifted = top - positions[0] + GAP * (len(positions) + 1)
    con.executemany(
        "UPDATE beads SET idx = ? WHERE doc = ? AND idx = ?",
        [(GAP * (i + 1), doc, p + shifted) for i, p in enumerate(positions)],
    )


def _n_beads(con: sqlite3.Connection, doc: int) -> int:
    row = con.execute("SELECT n_beads FROM doc_summary WHERE doc = ?", (doc,)).fetchone()
    return row[0] if row else con.execute("SELECT count(*) FROM beads WHERE doc = ?", (doc,)).fetchone()[0]


def _no_bead(corpus: Corpus, doc: int, doc_id: str, k: int) -> CorpusError:
    n = _n_beads(corpus._con, doc)
    have = f"0..{n - 1}" if n else "none"
    return CorpusError(f"{corpus.path}: document {doc_id!r} has no bead {k} (its beads: {have})")


def _splice(con: sqlite3.Connection, doc: int, k: int, before: Sequence[Row], after: Sequence[Row]) -> None:
    """Replace beads number k .. k+len(before)-1 (which hold `before`) by `after`, and keep the
    summary in step.

    Beads are stored at positions (the column idx) that keep their order but need not be
    consecutive: a bead's number is how many beads come before it. So a merge, split or shift
    writes only the beads it changes, never the thousands behind them (renumbering 2,500 beads
    of a 5,000-bead document took 100-200 ms; this takes 1-3 ms)."""
    placed = _placed(con, doc, k, k + len(before))
    old = [p for p, _ in placed]
    if len(after) <= len(old):
        new = old[: len(after)]
    else:
        lo = position(con, doc, k - 1) if k > 0 else -1
        hi = position(con, doc, k + len(before))
        if hi is None:
            hi = (old[-1] if old else (lo if lo is not None else 0)) + GAP * (len(after) + 1)
        lo = -1 if lo is None else lo
        if hi - lo - 1 < len(after):  # no room: space the document out, then place again
            _spread(con, doc)
            _splice(con, doc, k, before, after)
            return
        step = (hi - lo) / (len(after) + 1)
        new = [lo + max(1, round(step * (i + 1))) for i in range(len(after))]
        new = [max(p, lo + 1 + i) for i, p in enumerate(new)]
    if old:
        con.execute(f"DELETE FROM beads WHERE doc = ? AND idx IN ({', '.join('?' * len(old))})", (doc, *old))
    con.executemany(
        "INSERT INTO beads (doc, idx, src_ids, tgt_ids, confidence, type, status, src_edit, tgt_edit) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (doc, p, _ids_text(r.src), _ids_text(r.tgt), r.confidence, r.type, r.status, r.src_edit, r.tgt_edit)
            for p, r in zip(new, after, strict=True)
        ],
    )
    replace_in_summary(
        con, doc, [(r.type, r.status, r.confidence) for r in before], [(r.type, r.status, r.confidence) for r in after]
    )


def _structural(before: Sequence[Row], after: Sequence[Row]) -> bool:
    """True when the beads hold other sentences than before (bead numbers change meaning) or
    another confidence (a re-align): what a revision stands for."""
    return [(r.src, r.tgt, r.confidence) for r in before] != [(r.src, r.tgt, r.confidence) for r in after]


def _log(
    con: sqlite3.Connection,
    doc_id: str,
    k: int | None,
    action: str,
    old: str | None,
    new: str | None,
    undo: dict | None = None,
) -> int:
    cur = con.execute(
        "INSERT INTO log (at, doc_id, bead, action, from_value, to_value, undo) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (_now(), doc_id, k, action, old, new, json.dumps(undo, ensure_ascii=False) if undo is not None else None),
    )
    return int(cur.lastrowid or 0)


def _payload(k: int, before: Sequence[Row], after: Sequence[Row]) -> dict:
    return {"at": k, "before": [r.to_json() for r in before], "after": [r.to_json() for r in after]}


def _commit_splice(
    corpus: Corpus,
    doc: int,
    doc_id: str,
    revision: int,
    k: int,
    before: Sequence[Row],
    after: Sequence[Row],
    log: Sequence[tuple[str, str | None, str | None]],
) -> EditResult:
    """Write a splice, its log entries (the first carries the undo payload) and the revision."""
    con = corpus._con
    _splice(con, doc, k, before, after)
    if _structural(before, after):
        con.execute("UPDATE documents SET revision = revision + 1 WHERE id = ?", (doc,))
        revision += 1
    entry = 0
    for i, (action, old, new) in enumerate(log):
        e = _log(con, doc_id, k, action, old, new, _payload(k, before, after) if i == 0 else None)
        entry = entry or e
    return EditResult(log[0][0], doc_id, k, len(after), revision, entry)


def _operate(
    corpus: Corpus,
    doc_id: str,
    start: int,
    stop: int,
    make: Callable[[list[Row]], tuple[list[Row], list[tuple[str, str | None, str | None]]]],
    *,
    expected_revision: int | None,
    need: int,
) -> EditResult:
    """Read beads start..stop-1, let `make` build their replacement and log lines, commit both.

    `need` is the bead the caller named: when it is missing the error names it; when only a
    neighbour the operation needs is missing (merging the last bead with the next), it says so."""
    with corpus._write():
        doc, revision = _doc_at(corpus, doc_id, expected_revision)
        n = _n_beads(corpus._con, doc)
        if not 0 <= need < n:
            raise _no_bead(corpus, doc, doc_id, need)
        if start < 0 or stop > n:
            where = "first" if start < 0 else "last"
            raise UsageError(f"bead {need} is the {where} of {doc_id!r}; it has no {'previous' if start < 0 else 'next'} bead")
        before = _rows(corpus._con, doc, start, stop)
        after, log = make(before)
        return _commit_splice(corpus, doc, doc_id, revision, start, before, after, log)


# -- sentence texts (for merges of beads whose text was edited) ----------------------------------


def _side_text(corpus: Corpus, doc: int, row: Row, side: Side) -> str:
    """What the bead shows on a side: the reviewer's text, else its sentences joined."""
    edited = row.edit(side)
    if edited is not None:
        return edited
    ids = row.ids(side)
    if not ids:
        return ""
    texts = dict(corpus._con.execute(
        f"SELECT idx, text FROM sentences WHERE doc = ? AND side = ? AND idx IN ({', '.join('?' * len(ids))})",
        (doc, side, *ids),
    ))  # fmt: skip
    lang = corpus._con.execute(f"SELECT {side}_lang FROM documents WHERE id = ?", (doc,)).fetchone()[0]
    return join_sentences([texts[i] for i in ids], lang)


# -- status and text ---------------------------------------------------------------------------------


def set_statuses(
    corpus: Corpus,
    doc_id: str,
    indices: Iterable[int],
    status: str,
    *,
    expected_revision: int | None = None,
    expected_statuses: Mapping[int, str] | None = None,
) -> int:
    """Give beads a status in ONE transaction, one undoable log entry per bead changed; returns
    how many changed. `auto` means back to the aligner's proposal: an edit is dropped (logged
    as revert-src / revert-tgt, from the edited to the aligned text). Every index is checked
    first (a missing one raises CorpusError, nothing changes); with `expected_statuses` a bead
    another process changed meanwhile raises StaleError instead of overwriting its review."""
    if status not in BEAD_STATUSES:
        raise UsageError(f"unknown status {status!r}; use one of {', '.join(BEAD_STATUSES)}")
    order = sorted(set(indices))
    with corpus._write():
        doc, revision = _doc_at(corpus, doc_id, expected_revision)
        rows: dict[int, Row] = {}
        for k in order:
            got = _rows(corpus._con, doc, k, k + 1)
            if not got:
                raise _no_bead(corpus, doc, doc_id, k)
            rows[k] = got[0]
            if expected_statuses is not None and k in expected_statuses and got[0].status != expected_statuses[k]:
                raise StaleError(
                    f"{corpus.path}: bead {k} of {doc_id!r} became {got[0].status} (was {expected_statuses[k]}) "
                    "while this change was planned; run the command again"
                )
        changed = 0
        for k, row in rows.items():
            revert = status == "auto" and (row.src_edit is not None or row.tgt_edit is not None)
            if row.status == status and not revert:
                continue
            new = replace(row, status=status, **({"src_edit": None, "tgt_edit": None} if status == "auto" else {}))
            log: list[tuple[str, str | None, str | None]] = []
            for side in ("src", "tgt"):
                if revert and row.edit(side) is not None:  # type: ignore[arg-type]
                    was = _side_text(corpus, doc, replace(row, src_edit=None, tgt_edit=None), side)  # type: ignore[arg-type]
                    if was != row.edit(side):  # type: ignore[arg-type]
                        log.append((f"revert-{side}", row.edit(side), was))  # type: ignore[arg-type]
            if row.status != status:
                log.append(("status", row.status, status))
            if not log:  # an edit that left the text as aligned: only the column is cleared
                log.append(("status", row.status, status))
            _commit_splice(corpus, doc, doc_id, revision, k, [row], [new], log)
            changed += 1
    return changed


def edit_text(
    corpus: Corpus,
    doc_id: str,
    k: int,
    *,
    src: str | None = None,
    tgt: str | None = None,
    expected_revision: int | None = None,
) -> EditResult:
    """Correct the text of a bead's side(s); the bead becomes `edited`. Its sentences stay as
    aligned, so a re-add can still recognise it."""
    if src is None and tgt is None:
        raise UsageError("nothing to edit: give the new source and/or target text")
    for side, text in (("source", src), ("target", tgt)):
        if text is not None:
            require_unicode([text], f"the new {side} text of bead {k}", "type it again")

    def make(before: list[Row]) -> tuple[list[Row], list]:
        row = before[0]
        doc = corpus._doc_key(doc_id)
        new, log = row, []
        for side, text in (("src", src), ("tgt", tgt)):
            if text is not None:
                log.append((f"edit-{side}", _side_text(corpus, doc, row, side), text))  # type: ignore[arg-type]
                new = replace(new, **{f"{side}_edit": text})
        return [replace(new, status="edited")], log

    return _operate(corpus, doc_id, k, k + 1, make, expected_revision=expected_revision, need=k)


# -- structure -----------------------------------------------------------------------------------------


def _check_kept(rows: Sequence[Row], ks: Sequence[int], sides: Iterable[Side], what: str) -> None:
    """Refuse to cut or move sentences on a side whose text the reviewer rewrote: the edit
    cannot be divided between sentences. Undo the edit (back to auto) first."""
    for row, k in zip(rows, ks, strict=True):
        for side in sides:
            if row.edit(side) is not None:
                raise UsageError(
                    f"bead {k} has edited {SIDE_NAMES[side]} text, which cannot be divided between "
                    f"sentences; put it back to auto (dropping the edit) before you {what}"
                )


def _joined(corpus: Corpus, doc_id: str, a: Row, b: Row, confidence: float) -> Row:
    """Beads a and b (neighbours, in order) as one `edited` bead. A side whose text was edited
    in either keeps the reviewer's text, joined with the other's."""
    doc = corpus._doc_key(doc_id)
    edits = {}
    for side in ("src", "tgt"):
        if a.edit(side) is not None or b.edit(side) is not None:  # type: ignore[arg-type]
            lang = corpus._con.execute(f"SELECT {side}_lang FROM documents WHERE id = ?", (doc,)).fetchone()[0]
            parts = [_side_text(corpus, doc, r, side) for r in (a, b)]  # type: ignore[arg-type]
            edits[f"{side}_edit"] = join_sentences([p for p in parts if p], lang)
    return Row(a.src + b.src, a.tgt + b.tgt, confidence, "edited", **edits)


def merge(
    corpus: Corpus, doc_id: str, k: int, *, with_: Direction = "next", expected_revision: int | None = None
) -> EditResult:
    """Merge bead k with the next (or previous) bead into one `edited` bead, of the lower of
    their two confidences."""
    first = k if with_ == "next" else k - 1

    def make(before: list[Row]) -> tuple[list[Row], list]:
        a, b = before
        row = _joined(corpus, doc_id, a, b, min(a.confidence, b.confidence))
        return [row], [("merge", f"{a.describe()} + {b.describe()}", row.describe())]

    return _operate(corpus, doc_id, first, first + 2, make, expected_revision=expected_revision, need=k)


def split(
    corpus: Corpus, doc_id: str, k: int, *, src_at: int, tgt_at: int, expected_revision: int | None = None
) -> EditResult:
    """Split bead k in two: its first `src_at` source and `tgt_at` target sentences, and the
    rest. Each part must keep a sentence; both become `edited`."""

    def make(before: list[Row]) -> tuple[list[Row], list]:
        row = before[0]
        if not (0 <= src_at <= len(row.src) and 0 <= tgt_at <= len(row.tgt)):
            raise UsageError(f"bead {k} ({row.type}) cannot be cut after {src_at} source and {tgt_at} target sentences")
        a = Row(row.src[:src_at], row.tgt[:tgt_at], row.confidence, "edited")
        b = Row(row.src[src_at:], row.tgt[tgt_at:], row.confidence, "edited")
        if not (a.src or a.tgt) or not (b.src or b.tgt):
            raise UsageError(f"bead {k} ({row.type}): that cut leaves one part without any sentence")
        _check_kept([row], [k], ["src", "tgt"], "split it")
        return [a, b], [("split", row.describe(), f"{a.describe()} + {b.describe()}")]

    return _operate(corpus, doc_id, k, k + 1, make, expected_revision=expected_revision, need=k)


def shift(
    corpus: Corpus,
    doc_id: str,
    k: int,
    *,
    side: Side,
    to: Direction,
    expected_revision: int | None = None,
) -> EditResult:
    """Move bead k's boundary sentence on `side` to its neighbour: the last one to the next
    bead, or the first one to the previous bead. A bead left with no sentence disappears.
    Both beads become `edited`."""
    if side not in SIDE_NAMES:
        raise UsageError(f"unknown side {side!r}; use src or tgt")
    start = k if to == "next" else k - 1

    def make(before: list[Row]) -> tuple[list[Row], list]:
        a, b = before  # in document order; the sentence moves out of bead k into the other
        ids = (a if to == "next" else b).ids(side)
        if not ids:
            raise UsageError(f"bead {k} has no {SIDE_NAMES[side]} sentence to move")
        _check_kept(before, [start, start + 1], [side], "move its sentences")
        if to == "next":
            moved, a2, b2 = ids[-1], ids[:-1], (ids[-1], *b.ids(side))
        else:
            moved, a2, b2 = ids[0], (*a.ids(side), ids[0]), ids[1:]
        after = [r for r in (a.holding(side, a2), b.holding(side, b2)) if r.src or r.tgt]
        note = f"{SIDE_NAMES[side]} sentence {moved} to bead {start + 1 if to == 'next' else start}"
        return after, [("shift", f"{a.describe()} + {b.describe()}", note)]

    return _operate(corpus, doc_id, start, start + 2, make, expected_revision=expected_revision, need=k)


def attach(
    corpus: Corpus, doc_id: str, k: int, *, to: Direction, expected_revision: int | None = None
) -> EditResult:
    """Attach the null bead k (a 1-0 or 0-1: a sentence the aligner left unpaired) to the
    previous or next bead, which keeps its confidence."""
    first = k if to == "next" else k - 1

    def make(before: list[Row]) -> tuple[list[Row], list]:
        a, b = before
        null, other = (a, b) if to == "next" else (b, a)
        if null.src and null.tgt:
            raise UsageError(f"bead {k} ({null.type}) is not a null bead; merge it instead")
        row = _joined(corpus, doc_id, a, b, other.confidence)
        return [row], [("attach", f"{a.describe()} + {b.describe()}", row.describe())]

    return _operate(corpus, doc_id, first, first + 2, make, expected_revision=expected_revision, need=k)


def detach(
    corpus: Corpus,
    doc_id: str,
    k: int,
    *,
    side: Side,
    end: Literal["first", "last"],
    expected_revision: int | None = None,
) -> EditResult:
    """Take the first or last sentence on `side` out of bead k as a null bead of its own
    (placed before or after bead k); both become `edited`."""
    if side not in SIDE_NAMES:
        raise UsageError(f"unknown side {side!r}; use src or tgt")

    def make(before: list[Row]) -> tuple[list[Row], list]:
        row = before[0]
        ids = row.ids(side)
        if not ids:
            raise UsageError(f"bead {k} has no {SIDE_NAMES[side]} sentence to detach")
        if len(ids) == 1 and not row.ids("tgt" if side == "src" else "src"):
            raise UsageError(f"bead {k} is already a null bead")
        _check_kept([row], [k], [side], "detach a sentence")
        one = (ids[0],) if end == "first" else (ids[-1],)
        rest = ids[1:] if end == "first" else ids[:-1]
        null = Row(one if side == "src" else (), one if side == "tgt" else (), row.confidence, "edited")
        kept = row.holding(side, rest)
        after = [null, kept] if end == "first" else [kept, null]
        after = [r for r in after if r.src or r.tgt]
        return after, [("detach", row.describe(), " + ".join(r.describe() for r in after))]

    return _operate(corpus, doc_id, k, k + 1, make, expected_revision=expected_revision, need=k)


def replace_beads(
    corpus: Corpus,
    doc_id: str,
    k: int,
    before: Sequence[Row],
    after: Sequence[Row],
    *,
    action: str = "realign",
    expected_revision: int | None = None,
) -> EditResult:
    """Replace beads k .. k+len(before)-1, which must still be `before`, by `after` (the
    re-aligner's result); the sentences they hold must be the same."""
    for side in ("src", "tgt"):
        old = sorted(i for r in before for i in r.ids(side))  # type: ignore[arg-type]
        new = sorted(i for r in after for i in r.ids(side))  # type: ignore[arg-type]
        if old != new:
            raise UsageError(f"the new beads hold other {SIDE_NAMES[side]} sentences than the old ones")

    def make(current: list[Row]) -> tuple[list[Row], list]:
        if current != list(before):
            raise StaleError(f"{corpus.path}: beads {k}..{k + len(before) - 1} of {doc_id!r} changed meanwhile; nothing was changed")
        return list(after), [(action, f"{len(before)} beads from {k}", f"{len(after)} beads")]

    return _operate(corpus, doc_id, k, k + len(before), make, expected_revision=expected_revision, need=k)


# -- undo and redo ---------------------------------------------------------------------------------------


def _stacks(con: sqlite3.Connection, doc_id: str) -> tuple[list[int], list[int]]:
    """Replay the document's undoable log since it was last (re)built: (done, undone) entry ids."""
    last_reset = con.execute(
        f"SELECT coalesce(max(id), 0) FROM log WHERE doc_id = ? AND action IN ({', '.join('?' * len(RESET_ACTIONS))})",
        (doc_id, *RESET_ACTIONS),
    ).fetchone()[0]
    done: list[int] = []
    undone: list[int] = []
    for entry, action, ref in con.execute(
        "SELECT id, action, from_value FROM log WHERE doc_id = ? AND id > ? AND undo IS NOT NULL ORDER BY id",
        (doc_id, last_reset),
    ):
        if action == "undo":
            undone.append(done.pop())
        elif action == "redo":
            done.append(undone.pop())
        else:
            done.append(entry)
            undone.clear()
    return done, undone


def history(corpus: Corpus, doc_id: str) -> History:
    """What undo and redo would act on next (log entry ids, most recent first)."""
    done, undone = _stacks(corpus._con, doc_id)
    return History(tuple(reversed(done)), tuple(reversed(undone)))


def _reverse(corpus: Corpus, doc_id: str, which: Literal["undo", "redo"], expected_revision: int | None) -> EditResult | None:
    con = corpus._con
    with corpus._write():
        doc, revision = _doc_at(corpus, doc_id, expected_revision)
        done, undone = _stacks(con, doc_id)
        stack = done if which == "undo" else undone
        if not stack:
            return None
        entry = stack[-1]
        action, payload = con.execute("SELECT action, undo FROM log WHERE id = ?", (entry,)).fetchone()
        p = json.loads(payload)
        k = p["at"]
        old, new = (p["after"], p["before"]) if which == "undo" else (p["before"], p["after"])
        expect, want = [Row.from_json(r) for r in old], [Row.from_json(r) for r in new]
        if _rows(con, doc, k, k + len(expect)) != expect:
            raise StaleError(
                f"{corpus.path}: cannot {which} the {action} at bead {k} of {doc_id!r}: those beads were "
                "changed since by another operation; nothing was changed"
            )
        _splice(con, doc, k, expect, want)
        if _structural(expect, want):
            con.execute("UPDATE documents SET revision = revision + 1 WHERE id = ?", (doc,))
            revision += 1
        e = _log(con, doc_id, k, which, f"#{entry}", action, _payload(k, expect, want))
        return EditResult(action, doc_id, k, len(want), revision, e)


def undo(corpus: Corpus, doc_id: str, *, expected_revision: int | None = None) -> EditResult | None:
    """Reverse the document's latest operation not yet undone (None when there is none)."""
    return _reverse(corpus, doc_id, "undo", expected_revision)


def redo(corpus: Corpus, doc_id: str, *, expected_revision: int | None = None) -> EditResult | None:
    """Repeat the latest undone operation (None when there is none; a new operation after an
    undo ends what can be redone)."""
    return _reverse(corpus, doc_id, "redo", expected_revision)
