"""Reading a corpus a page at a time, for the review editor: the queue, a document's window, the
overview's counts and histograms, and text search.

Each read touches only the beads it shows (and their sentences), through the indexes on
(doc, idx) and (confidence, doc). A bead's number is its rank in the document (idx is a
position, see align.store.edits).
The queue pages by key (after this confidence, document, bead), not by offset, so page 5,000
costs what page 1 costs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from align.model import BEAD_STATUSES
from align.store import edits

if TYPE_CHECKING:
    from align.store.corpus import Corpus

BINS = 10
"""Histogram bins of confidence: [0, 0.1), …, [0.9, 1.0]."""
_COLUMNS = "doc, idx, src_ids, tgt_ids, confidence, type, status, src_edit, tgt_edit"


@dataclass(frozen=True)
class BeadView:
    """A bead as the editor shows it: each side as its sentences (so a 2-1 bead shows two
    lines), or as the reviewer's text where it was edited."""

    doc_id: str
    index: int
    src: tuple[str, ...]
    tgt: tuple[str, ...]
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    confidence: float
    type: str
    status: str
    src_edited: bool = False
    tgt_edited: bool = False
    revision: int = 0


@dataclass(frozen=True)
class QueueItem:
    """A bead of the queue with its neighbours in the document (None at either end)."""

    bead: BeadView
    before: BeadView | None
    after: BeadView | None


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue; `next_key` continues it (None on the last page)."""

    items: list[QueueItem]
    total: int
    next_key: str | None


@dataclass(frozen=True)
class DocOverview:
    """A document's counts for the overview."""

    doc_id: str
    revision: int
    n_src: int
    n_tgt: int
    n_beads: int
    mean_confidence: float | None
    types: dict[str, int]
    statuses: dict[str, int]
    histogram: list[int] = field(default_factory=lambda: [0] * BINS)

    @property
    def reviewed(self) -> float:
        """Share of beads a reviewer has answered (confirmed, edited or rejected)."""
        return 1 - self.statuses.get("auto", 0) / self.n_beads if self.n_beads else 0.0


def _ids(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split())


class _Docs:
    """Document keys, ids, languages and revisions, read once per request."""

    def __init__(self, con: sqlite3.Connection) -> None:
        rows = con.execute("SELECT id, doc_id, src_lang, tgt_lang, revision FROM documents").fetchall()
        self.by_key = {r[0]: r for r in rows}
        self.by_id = {r[1]: r for r in rows}


def _views(con: sqlite3.Connection, docs: _Docs, rows: Sequence[tuple]) -> list[BeadView]:
    """Bead rows (in _COLUMNS order, with the bead's number in place of its stored position)
    as views, reading only their sentences."""
    want: dict[tuple[int, str], set[int]] = {}
    for doc, _, s, t, *_ in rows:
        want.setdefault((doc, "src"), set()).update(_ids(s))
        want.setdefault((doc, "tgt"), set()).update(_ids(t))
    texts: dict[tuple[int, str], dict[int, str]] = {}
    for (doc, side), ids in want.items():
        if not ids:
            texts[doc, side] = {}
            continue
        # by id, not by range: queue items of one document may lie thousands of sentences apart
        got: dict[int, str] = {}
        order = sorted(ids)
        for i in range(0, len(order), 500):
            chunk = order[i : i + 500]
            got.update(con.execute(
                f"SELECT idx, text FROM sentences WHERE doc = ? AND side = ? AND idx IN ({', '.join('?' * len(chunk))})",
                (doc, side, *chunk),
            ))  # fmt: skip
        texts[doc, side] = got
    out = []
    for doc, idx, s, t, conf, type_, status, s_edit, t_edit in rows:
        s_ids, t_ids = _ids(s), _ids(t)
        src = (s_edit,) if s_edit is not None else tuple(texts[doc, "src"][i] for i in s_ids)
        tgt = (t_edit,) if t_edit is not None else tuple(texts[doc, "tgt"][j] for j in t_ids)
        out.append(BeadView(
            docs.by_key[doc][1], idx, src, tgt, s_ids, t_ids, conf, type_, status,
            s_edit is not None, t_edit is not None, docs.by_key[doc][4],
        ))  # fmt: skip
    return out


def window(corpus: Corpus, doc_id: str, start: int, count: int) -> tuple[list[BeadView], int]:
    """Beads start .. start+count-1 of a document, and how many beads it has."""
    con = corpus._con
    doc = corpus._doc_key(doc_id)
    docs = _Docs(con)
    n = con.execute("SELECT n_beads FROM doc_summary WHERE doc = ?", (doc,)).fetchone()
    total = n[0] if n else con.execute("SELECT count(*) FROM beads WHERE doc = ?", (doc,)).fetchone()[0]
    start = max(start, 0)
    first = edits.position(con, doc, start)
    rows = [] if first is None else con.execute(
        f"SELECT {_COLUMNS} FROM beads WHERE doc = ? AND idx >= ? ORDER BY idx LIMIT ?", (doc, first, count)
    ).fetchall()  # fmt: skip
    return _views(con, docs, [(r[0], start + i, *r[2:]) for i, r in enumerate(rows)]), total


def _filters(
    docs: _Docs, doc_ids: Sequence[str], types: Sequence[str], statuses: Sequence[str]
) -> tuple[str, list]:
    where, args = [], []
    for column, values in (("status", statuses), ("type", types)):
        if values:
            where.append(f"{column} IN ({', '.join('?' * len(values))})")
            args += list(values)
    if doc_ids:
        keys = [docs.by_id[d][0] for d in doc_ids if d in docs.by_id] or [-1]
        where.append(f"doc IN ({', '.join('?' * len(keys))})")
        args += keys
    return " AND ".join(where) or "1", args


def queue(
    corpus: Corpus,
    *,
    doc_ids: Sequence[str] = (),
    types: Sequence[str] = (),
    statuses: Sequence[str] = ("auto",),
    after: str | None = None,
    limit: int = 50,
) -> QueuePage:
    """Beads across the corpus, lowest confidence first (then document, bead), filtered by
    document, type and status; each with its neighbours. `after` is a page's `next_key`."""
    con = corpus._con
    docs = _Docs(con)
    where, args = _filters(docs, doc_ids, types, [s for s in statuses if s in BEAD_STATUSES])
    if after:
        conf, doc, idx = after.split(":")
        where += " AND (confidence, doc, idx) > (?, ?, ?)"
        args += [float(conf), int(doc), int(idx)]
    # across documents the confidence index gives the order; within chosen documents their
    # own beads, sorted, are fewer to read (one document of 5,000: 210 ms through the index)
    index = "" if doc_ids else "INDEXED BY beads_confidence"
    rows = con.execute(
        f"SELECT {_COLUMNS} FROM beads {index} WHERE {where} ORDER BY confidence, doc, idx LIMIT ?",
        [*args, limit + 1],
    ).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    key = f"{rows[-1][4]!r}:{rows[-1][0]}:{rows[-1][1]}" if more and rows else None
    numbered, around = [], []
    for doc, pos, *rest in rows:
        k = edits.number(con, doc, pos)
        numbered.append((doc, k, *rest))
        for op, order, j in (("<", "DESC", k - 1), (">", "ASC", k + 1)):
            near = con.execute(
                f"SELECT {_COLUMNS} FROM beads WHERE doc = ? AND idx {op} ? ORDER BY idx {order} LIMIT 1", (doc, pos)
            ).fetchone()
            if near is not None:
                around.append((doc, j, *near[2:]))
    rows = numbered
    views = _views(con, docs, rows + around)
    main, ctx = views[: len(rows)], {(v.doc_id, v.index): v for v in views[len(rows) :]}
    items = [QueueItem(v, ctx.get((v.doc_id, v.index - 1)), ctx.get((v.doc_id, v.index + 1))) for v in main]
    return QueuePage(items, queue_size(corpus, docs, doc_ids, types, statuses), key)


def queue_size(
    corpus: Corpus, docs: _Docs, doc_ids: Sequence[str], types: Sequence[str], statuses: Sequence[str]
) -> int:
    """How many beads the queue holds: from the per-document summary unless a type is chosen
    (a count over a million beads costs 100 ms; the summary, nothing)."""
    con = corpus._con
    statuses = [s for s in statuses if s in BEAD_STATUSES]
    if types:
        where, args = _filters(docs, doc_ids, types, statuses)
        return con.execute(f"SELECT count(*) FROM beads WHERE {where}", args).fetchone()[0]
    cols = " + ".join(f"n_{s}" for s in (statuses or BEAD_STATUSES)) or "0"
    keys = [docs.by_id[d][0] for d in doc_ids if d in docs.by_id]
    sql = f"SELECT coalesce(sum({cols}), 0) FROM doc_summary"
    if doc_ids:
        return con.execute(sql + f" WHERE doc IN ({', '.join('?' * len(keys)) or 'NULL'})", keys).fetchone()[0]
    return con.execute(sql).fetchone()[0]


_HISTOGRAMS: dict[tuple[str, int, int], list[int]] = {}
"""Histograms by (corpus file, document, revision): a bead's confidence changes only with the
beads themselves, which raises the revision, so a histogram of one revision stays true (the
overview of 1,000,000 beads: 1.6 s to count, then a few ms)."""


def _histogram(con: sqlite3.Connection, path: str, doc: int, revision: int) -> list[int]:
    key = (path, doc, revision)
    if key not in _HISTOGRAMS:
        counts = [0] * BINS
        for b, n in con.execute(
            f"SELECT min(max(CAST(confidence * {BINS} AS INTEGER), 0), {BINS - 1}) AS b, count(*) "
            "FROM beads WHERE doc = ? GROUP BY b",
            (doc,),
        ):
            counts[b] += n
        _HISTOGRAMS[key] = counts
    return _HISTOGRAMS[key]


def overview(corpus: Corpus) -> list[DocOverview]:
    """Every document's counts by status and type, and its confidence histogram."""
    import json

    con = corpus._con
    hist: dict[int, list[int]] = {}
    for doc, revision in con.execute("SELECT id, revision FROM documents"):
        hist[doc] = _histogram(con, str(corpus.path), doc, revision)
    out = []
    for doc, doc_id, rev, n_src, n_tgt, n, mean, types, *counts in con.execute(
        "SELECT d.id, d.doc_id, d.revision, s.n_src, s.n_tgt, s.n_beads, s.mean_confidence, s.types, "
        "s.n_auto, s.n_confirmed, s.n_edited, s.n_rejected FROM documents d JOIN doc_summary s ON s.doc = d.id "
        "ORDER BY d.id"
    ):
        out.append(DocOverview(
            doc_id, rev, n_src, n_tgt, n, mean, json.loads(types), dict(zip(BEAD_STATUSES, counts, strict=True)),
            hist.get(doc, [0] * BINS),
        ))  # fmt: skip
    return out


def search(corpus: Corpus, text: str, *, doc_id: str | None = None, limit: int = 50) -> list[BeadView]:
    """Beads whose sentences (or edited text) contain `text` (case-insensitive for ASCII), in
    document order, at most `limit`."""
    con = corpus._con
    docs = _Docs(con)
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    where, args = "", []
    if doc_id is not None:
        where, args = "AND doc = ?", [corpus._doc_key(doc_id)]
    hits = con.execute(
        f"SELECT DISTINCT doc, side, idx FROM sentences WHERE text LIKE ? ESCAPE '\\' {where} "
        "ORDER BY doc, idx LIMIT ?",
        [pattern, *args, limit],
    ).fetchall()
    found: dict[tuple[int, int], tuple] = {}
    for doc, side, i in hits:
        for row in con.execute(
            f"SELECT {_COLUMNS} FROM beads WHERE doc = ? AND ' ' || {side}_ids || ' ' LIKE ?", (doc, f"% {i} %")
        ):
            found[doc, row[1]] = row
    for row in con.execute(
        f"SELECT {_COLUMNS} FROM beads WHERE (src_edit LIKE ? ESCAPE '\\' OR tgt_edit LIKE ? ESCAPE '\\') {where} LIMIT ?",
        [pattern, pattern, *args, limit],
    ):
        found[row[0], row[1]] = row
    rows = [found[k] for k in sorted(found)][:limit]
    return _views(con, docs, [(r[0], edits.number(con, r[0], r[1]), *r[2:]) for r in rows])
