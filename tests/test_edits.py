"""The reviewer's operations on a stored document (align.store.edits): each one transaction
with one log entry, undone and redone from the log, refused on a stale revision."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from align.errors import CorpusError, StaleError, UsageError
from align.store import Corpus, edits
from align.store.summary import refresh_summary
from corpus_helpers import alignment_from_lines

JA = [f"文{i}。" for i in range(12)]
EN = [f"Sentence {i}." for i in range(12)]
# 0:1-1 1:2-1 2:1-1 3:1-0 4:1-1 5:0-1 6:1-2 7:1-1 8:1-1 9:2-2
BEADS = [((0,), (0,)), ((1, 2), (1,)), ((3,), (2,)), ((4,), ()), ((5,), (3,)), ((), (4,)),
         ((6,), (5, 6)), ((7,), (7,)), ((8,), (8,)), ((9, 10, 11), (9, 10, 11))]  # fmt: skip


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    with Corpus(tmp_path / "c.db", create=True) as c:
        c.add_alignment(alignment_from_lines(JA, EN, BEADS), doc_id="d")
        yield c


def shape(c: Corpus) -> list[tuple[tuple[int, ...], tuple[int, ...], str]]:
    return [(b.src_ids, b.tgt_ids, b.status) for b in c.beads("d")]


def vars_(summary) -> dict:  # noqa: ANN001
    return {f: getattr(summary, f) for f in summary.__dataclass_fields__}


def check_invariants(c: Corpus) -> None:
    """Every sentence in exactly one bead, in order; bead numbers 0..n-1; the summary as a
    full recount gives it."""
    beads = c.beads("d")
    assert [b.bead_index for b in beads] == list(range(len(beads)))
    assert [i for b in beads for i in b.src_ids] == list(range(len(JA)))
    assert [j for b in beads for j in b.tgt_ids] == list(range(len(EN)))
    assert all(b.src_ids or b.tgt_ids for b in beads)
    assert all(b.type == f"{len(b.src_ids)}-{len(b.tgt_ids)}" for b in beads)
    kept = [vars_(d) for d in c.summaries()]
    con = c._con
    con.execute("BEGIN")
    refresh_summary(con, c._doc_key("d"))
    fresh = [vars_(d) for d in c.summaries()]
    con.execute("ROLLBACK")
    assert kept[0].pop("mean_confidence") == pytest.approx(fresh[0].pop("mean_confidence"))
    assert kept == fresh


def test_merge_next_and_prev(corpus: Corpus) -> None:
    r = edits.merge(corpus, "d", 1, with_="next", expected_revision=1)
    assert (r.bead, r.beads, r.revision) == (1, 1, 2)
    assert shape(corpus)[1] == ((1, 2, 3), (1, 2), "edited")
    assert len(shape(corpus)) == len(BEADS) - 1
    edits.merge(corpus, "d", 1, with_="prev", expected_revision=2)
    assert shape(corpus)[0] == ((0, 1, 2, 3), (0, 1, 2), "edited")
    check_invariants(corpus)
    with pytest.raises(UsageError, match="bead 0 is the first of 'd'; it has no previous bead"):
        edits.merge(corpus, "d", 0, with_="prev")
    last = len(shape(corpus)) - 1
    with pytest.raises(UsageError, match=f"bead {last} is the last of 'd'; it has no next bead"):
        edits.merge(corpus, "d", last, with_="next")
    with pytest.raises(CorpusError, match="has no bead 99"):
        edits.merge(corpus, "d", 99)


def test_split_at_a_chosen_point(corpus: Corpus) -> None:
    edits.split(corpus, "d", 9, src_at=1, tgt_at=2)
    assert shape(corpus)[9:] == [((9,), (9, 10), "edited"), ((10, 11), (11,), "edited")]
    edits.split(corpus, "d", 1, src_at=1, tgt_at=0)  # 2-1 → 1-0 + 1-1
    assert shape(corpus)[1:3] == [((1,), (), "edited"), ((2,), (1,), "edited")]
    check_invariants(corpus)
    for src_at, tgt_at in ((0, 0), (1, 1), (3, 0)):  # an empty part, or a cut past the end
        with pytest.raises(UsageError, match="bead 2"):
            edits.split(corpus, "d", 2, src_at=src_at, tgt_at=tgt_at)


def test_shift_a_boundary_sentence_both_ways(corpus: Corpus) -> None:
    edits.shift(corpus, "d", 1, side="src", to="next")  # 2-1 gives sentence 2 to bead 2
    assert shape(corpus)[1:3] == [((1,), (1,), "edited"), ((2, 3), (2,), "edited")]
    edits.shift(corpus, "d", 6, side="tgt", to="prev")  # 1-2 gives target 5 to bead 5 (a 0-1)
    assert shape(corpus)[5:7] == [((), (4, 5), "edited"), ((6,), (6,), "edited")]
    edits.shift(corpus, "d", 4, side="src", to="prev")  # bead 4's only source sentence → bead 3
    assert shape(corpus)[3:5] == [((4, 5), (), "edited"), ((), (3,), "edited")]
    check_invariants(corpus)
    with pytest.raises(UsageError, match="bead 3 has no target sentence to move"):
        edits.shift(corpus, "d", 3, side="tgt", to="next")


def test_shift_of_the_last_sentence_removes_the_emptied_bead(corpus: Corpus) -> None:
    n = len(BEADS)
    edits.shift(corpus, "d", 3, side="src", to="next")  # the 1-0 gives its sentence away
    assert len(shape(corpus)) == n - 1
    assert shape(corpus)[3] == ((4, 5), (3,), "edited")
    check_invariants(corpus)


def test_attach_and_detach_nulls(corpus: Corpus) -> None:
    edits.attach(corpus, "d", 3, to="prev")  # 1-0 onto bead 2
    assert shape(corpus)[2] == ((3, 4), (2,), "edited")
    with pytest.raises(UsageError, match="is not a null bead; merge it instead"):
        edits.attach(corpus, "d", 2, to="next")
    edits.attach(corpus, "d", 4, to="next")  # the 0-1 (now bead 4) onto the 1-2 after it
    assert shape(corpus)[4] == ((6,), (4, 5, 6), "edited")
    edits.detach(corpus, "d", 4, side="tgt", end="first")
    assert shape(corpus)[4:6] == [((), (4,), "edited"), ((6,), (5, 6), "edited")]
    edits.detach(corpus, "d", 2, side="src", end="last")
    assert shape(corpus)[2:4] == [((3,), (2,), "edited"), ((4,), (), "edited")]
    with pytest.raises(UsageError, match="already a null bead"):
        edits.detach(corpus, "d", 3, side="src", end="first")
    check_invariants(corpus)


def test_every_operation_is_one_log_entry_undone_and_redone(corpus: Corpus) -> None:
    start = (shape(corpus), [b.src for b in corpus.beads("d")])
    ops = [
        lambda: edits.set_statuses(corpus, "d", [0], "confirmed"),
        lambda: edits.set_statuses(corpus, "d", [2], "rejected"),
        lambda: edits.edit_text(corpus, "d", 4, tgt="Fixed <b>text</b>."),
        lambda: edits.merge(corpus, "d", 7),
        lambda: edits.split(corpus, "d", 8, src_at=2, tgt_at=1),
        lambda: edits.shift(corpus, "d", 1, side="src", to="next"),
        lambda: edits.attach(corpus, "d", 5, to="prev"),
        lambda: edits.detach(corpus, "d", 5, side="tgt", end="last"),
    ]
    states = [start]
    for op in ops:
        n_log = len(corpus.log("d"))
        op()
        assert len(corpus.log("d")) == n_log + 1
        check_invariants(corpus)
        states.append((shape(corpus), [b.src for b in corpus.beads("d")]))
    assert len(edits.history(corpus, "d").undo) == len(ops)
    for want in reversed(states[:-1]):
        assert edits.undo(corpus, "d") is not None
        assert (shape(corpus), [b.src for b in corpus.beads("d")]) == want
        check_invariants(corpus)
    assert edits.undo(corpus, "d") is None  # nothing left: the add is not undoable
    for want in states[1:]:
        assert edits.redo(corpus, "d") is not None
        assert (shape(corpus), [b.src for b in corpus.beads("d")]) == want
    assert edits.redo(corpus, "d") is None
    assert [e[3] for e in corpus.log("d")][-2 * len(ops):] == ["undo"] * len(ops) + ["redo"] * len(ops)


def test_a_new_operation_after_undo_ends_redo(corpus: Corpus) -> None:
    edits.merge(corpus, "d", 0)
    edits.undo(corpus, "d")
    assert edits.history(corpus, "d").redo
    edits.set_statuses(corpus, "d", [4], "confirmed")
    assert edits.history(corpus, "d").redo == ()
    assert edits.redo(corpus, "d") is None


def test_stale_revision_is_refused_and_changes_nothing(corpus: Corpus) -> None:
    r = edits.merge(corpus, "d", 0, expected_revision=1)
    before = (shape(corpus), corpus.log("d"))
    for op in (
        lambda: edits.set_statuses(corpus, "d", [0], "confirmed", expected_revision=1),
        lambda: edits.split(corpus, "d", 0, src_at=1, tgt_at=1, expected_revision=1),
        lambda: edits.undo(corpus, "d", expected_revision=1),
    ):
        with pytest.raises(StaleError, match="revision 2, not 1"):
            op()
    assert (shape(corpus), corpus.log("d")) == before
    edits.split(corpus, "d", 0, src_at=1, tgt_at=1, expected_revision=r.revision)


def test_undo_refuses_to_overwrite_a_later_change_from_elsewhere(corpus: Corpus, tmp_path: Path) -> None:
    edits.set_statuses(corpus, "d", [0], "confirmed")
    with Corpus(tmp_path / "c.db") as other:  # e.g. a CLI edit of the same bead
        con = other._con
        con.execute("UPDATE beads SET status = 'rejected' WHERE idx = 0")
    before = (shape(corpus), corpus.log("d"))
    with pytest.raises(StaleError, match="cannot undo the status at bead 0"):
        edits.undo(corpus, "d")
    assert (shape(corpus), corpus.log("d")) == before


def test_edited_text_is_not_cut_but_merge_keeps_it(corpus: Corpus) -> None:
    edits.edit_text(corpus, "d", 1, src="直した。")
    with pytest.raises(UsageError, match="bead 1 has edited source text"):
        edits.split(corpus, "d", 1, src_at=1, tgt_at=1)
    with pytest.raises(UsageError, match="bead 1 has edited source text"):
        edits.shift(corpus, "d", 1, side="src", to="next")
    edits.merge(corpus, "d", 1)
    b = corpus.beads("d")[1]
    assert (b.src, b.tgt) == ("直した。文3。", "Sentence 1. Sentence 2.")


def test_the_log_entry_carries_what_undoes_it(corpus: Corpus, tmp_path: Path) -> None:
    edits.merge(corpus, "d", 1)
    con = sqlite3.connect(tmp_path / "c.db")
    action, old, new, payload = con.execute(
        "SELECT action, from_value, to_value, undo FROM log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert (action, old, new) == ("merge", "1 2|1 + 3|2", "1 2 3|1 2")
    p = json.loads(payload)
    assert p["at"] == 1 and [r[:2] for r in p["before"]] == [[[1, 2], [1]], [[3], [2]]]
    con.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.tuples(st.sampled_from("mMsSxXaAtTyu"), st.integers(0, 11), st.integers(0, 3)), max_size=12))
def test_any_sequence_keeps_the_document_whole_and_undoes_to_the_start(tmp_path_factory, ops) -> None:  # noqa: ANN001
    path = tmp_path_factory.mktemp("h") / "c.db"
    with Corpus(path, create=True) as c:
        c.add_alignment(alignment_from_lines(JA, EN, BEADS), doc_id="d")
        start = shape(c)
        done = 0
        for op, k, a in ops:
            try:
                {
                    "m": lambda: edits.merge(c, "d", k, with_="next"),
                    "M": lambda: edits.merge(c, "d", k, with_="prev"),
                    "s": lambda: edits.split(c, "d", k, src_at=a % 3, tgt_at=a // 2),
                    "S": lambda: edits.shift(c, "d", k, side="src", to="next" if a % 2 else "prev"),
                    "t": lambda: edits.shift(c, "d", k, side="tgt", to="next" if a % 2 else "prev"),
                    "x": lambda: edits.detach(c, "d", k, side="src", end="first" if a % 2 else "last"),
                    "X": lambda: edits.detach(c, "d", k, side="tgt", end="first" if a % 2 else "last"),
                    "a": lambda: edits.attach(c, "d", k, to="prev"),
                    "A": lambda: edits.attach(c, "d", k, to="next"),
                    "T": lambda: edits.edit_text(c, "d", k, tgt=f"text {a}"),
                    "y": lambda: edits.set_statuses(c, "d", [k], "confirmed"),
                    "u": lambda: edits.set_statuses(c, "d", [k], "auto"),
                }[op]()
            except (UsageError, CorpusError):
                continue
            done += 1
            check_invariants(c)
        while edits.undo(c, "d") is not None:
            done -= 1
        assert done >= 0  # never more undone than done (a no-op status change has nothing to undo)
        assert shape(c) == start
        check_invariants(c)
