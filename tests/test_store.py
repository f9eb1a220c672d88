"""The corpus store: adding, re-aligning without losing review, migrations, locking, crashes."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.formats.beads import read_beads
from align.errors import CorpusError, FormatError, InputError, UsageError
from align.formats import rows_from_alignment, write_rows
from align.store import Corpus, default_doc_id, export_rows, import_tmx, schema
from align.store.tables import documents_table
from align.store.merge import Reviewed, merge_reviewed
from corpus_helpers import alignment_from_lines, gold_alignment, gold_folders, many_lines
from data_paths import CLT, CMAC, EPR

TESTS = Path(__file__).resolve().parent


def _lines(folder: Path, name: str) -> list[str]:
    return (folder / name).read_text(encoding="utf-8").splitlines()


def _add_gold(c: Corpus, folder: Path, **kw):  # noqa: ANN202
    return c.add_alignment(
        gold_alignment(folder, **kw), doc_id=folder.name, src_path=folder / "ja.sent", tgt_path=folder / "en.sent"
    )


def test_missing_bad_and_foreign_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no such corpus.*align add"):
        Corpus(tmp_path / "c.db")
    assert not (tmp_path / "c.db").exists()
    (tmp_path / "text.db").write_text("hello, not a database " * 100)
    with pytest.raises(CorpusError, match="not an align corpus"):
        Corpus(tmp_path / "text.db")
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    with pytest.raises(CorpusError, match="not an align corpus"):
        Corpus(tmp_path / "other.db")
    with pytest.raises(CorpusError, match="does not exist"):
        Corpus(tmp_path / "no" / "c.db", create=True)


def test_add_unchanged_list_and_export(tmp_path: Path) -> None:
    folders = gold_folders()
    with Corpus(tmp_path / "c.db", create=True) as c:
        for f in folders:
            r = _add_gold(c, f)
            assert (r.action, r.beads) == ("added", len(read_beads(f / "gold.beads")))
        assert _add_gold(c, folders[0]).action == "unchanged"
        df = documents_table(c)
        assert df["doc_id"].to_list() == [f.name for f in folders]
        for f, row in zip(folders, df.iter_rows(named=True), strict=True):
            gold = read_beads(f / "gold.beads")
            a = gold_alignment(f)
            assert (row["src_sents"], row["tgt_sents"]) == (len(_lines(f, "ja.sent")), len(_lines(f, "en.sent")))
            assert row["beads"] == row["auto"] == len(gold)
            assert row["1-1"] == sum(1 for s, t in gold if len(s) == len(t) == 1)
            assert row["below_0.9"] == sum(1 for b in a.beads if b.confidence < 0.9)
            assert row["mean_conf"] == pytest.approx(sum(b.confidence for b in a.beads) / len(gold))
        rows = list(export_rows(c))
        expected = [r for f in folders for r in rows_from_alignment(gold_alignment(f), doc_id=f.name)]
        assert rows == expected
        assert list(export_rows(c, doc_ids=[folders[1].name], include_unaligned=False)) == [
            r for r in expected if r.doc_id == folders[1].name and r.src_ids and r.tgt_ids
        ]
        assert list(export_rows(c, statuses=["confirmed"])) == []
        assert all(r.confidence >= 0.8 for r in export_rows(c, min_confidence=0.8))
        with pytest.raises(CorpusError, match="no document 'nope'"):
            export_rows(c, doc_ids=["nope"])
        with pytest.raises(UsageError, match="unknown status"):
            export_rows(c, statuses=["good"])


def test_realign_keeps_reviewed_beads_whose_sentences_remain(tmp_path: Path) -> None:
    folder = CMAC
    ja, en = _lines(folder, "ja.sent"), _lines(folder, "en.sent")
    gold = read_beads(folder / "gold.beads")
    one_one = [k for k, (s, t) in enumerate(gold) if len(s) == len(t) == 1]
    keep_a, keep_b, edit_c, lose_d = one_one[2], one_one[10], one_one[20], one_one[30]
    with Corpus(tmp_path / "c.db", create=True) as c:
        c.add_alignment(alignment_from_lines(ja, en, gold), doc_id="d")
        for k in (keep_a, keep_b, lose_d):
            c.set_status("d", k, "confirmed")
        c.edit_bead("d", edit_c, tgt="A corrected translation.")
        c.set_status("d", one_one[5], "rejected")
        before = {b.bead_index: b for b in c.beads("d")}

        # New version: a sentence inserted at the top, the source of lose_d reworded.
        ja2 = ["新しい冒頭の文。", *ja]
        ja2[gold[lose_d][0][0] + 1] = "書き直された文。"
        gold2 = [((0,), ()), *[(tuple(i + 1 for i in s), t) for s, t in gold]]
        # ...and an aligner that wrongly glues keep_a to the next bead.
        (s1, t1), (s2, t2) = gold2[keep_a + 1], gold2[keep_a + 2]
        gold2[keep_a + 1 : keep_a + 3] = [(s1 + s2, t1 + t2)]
        r = c.add_alignment(alignment_from_lines(ja2, en, gold2, model="v2"), doc_id="d")
        assert (r.action, r.kept_reviewed, r.dropped_reviewed) == ("realigned", 3, 1)
        after = c.beads("d")
        by_status: dict[str, list] = {}
        for b in after:
            by_status.setdefault(b.status, []).append(b)
        assert sorted((b.src, b.tgt) for b in by_status["confirmed"]) == sorted(
            (before[k].src, before[k].tgt) for k in (keep_a, keep_b)
        )
        assert [(b.src, b.tgt) for b in by_status["edited"]] == [(before[edit_c].src, "A corrected translation.")]
        assert [(b.src, b.tgt) for b in by_status["rejected"]] == [(before[one_one[5]].src, before[one_one[5]].tgt)]
        # keep_a took its sentences back from the glued bead; the remainder waits for review.
        glued_rest = [b for b in after if b.confidence == 0.0]
        assert [(b.src, b.tgt) for b in glued_rest] == [(before[keep_a + 1].src, before[keep_a + 1].tgt)]
        # every sentence is in exactly one bead, in order
        assert [i for b in after for i in b.src_ids] == list(range(len(ja2)))
        assert [j for b in after for j in b.tgt_ids] == list(range(len(en)))
        summary = documents_table(c).row(0, named=True)
        assert (summary["confirmed"], summary["edited"], summary["rejected"]) == (2, 1, 1)
        assert [e[3] for e in c.log("d")][-1] == "realigned"


bead_shapes = st.sampled_from([(1, 1), (1, 1), (1, 0), (0, 1), (2, 1), (1, 2)])


def _alignment(shapes: list[tuple[int, int]]):  # noqa: ANN202
    beads, i, j = [], 0, 0
    for a, b in shapes:
        beads.append((tuple(range(i, i + a)), tuple(range(j, j + b))))
        i, j = i + a, j + b
    return beads, i, j


@settings(max_examples=150, deadline=None)
@given(st.lists(bead_shapes, min_size=1, max_size=25), st.lists(bead_shapes, min_size=1, max_size=25),
       st.data())  # fmt: skip
def test_merge_invariants(old_shapes, new_shapes, data) -> None:  # noqa: ANN001
    old, n_src, n_tgt = _alignment(old_shapes)
    new, m_src, m_tgt = _alignment(new_shapes)
    words = st.sampled_from(["a", "b", "c", "d", "e"])
    old_src = data.draw(st.lists(words, min_size=n_src, max_size=n_src))
    old_tgt = data.draw(st.lists(words, min_size=n_tgt, max_size=n_tgt))
    new_src = data.draw(st.lists(words, min_size=m_src, max_size=m_src))
    new_tgt = data.draw(st.lists(words, min_size=m_tgt, max_size=m_tgt))
    picks = data.draw(st.lists(st.integers(0, len(old) - 1), unique=True, max_size=len(old)))
    reviewed = [
        Reviewed(tuple(old_src[i] for i in old[k][0]), tuple(old_tgt[j] for j in old[k][1]),
                 old[k][0][0] if old[k][0] else 0, old[k][1][0] if old[k][1] else 0, "confirmed", 1.0)
        for k in sorted(picks)
    ]  # fmt: skip
    auto = [(s, t, 0.5) for s, t in new]
    merged, kept = merge_reviewed(new_src, new_tgt, auto, reviewed)
    assert [i for b in merged for i in b.src] == list(range(m_src))
    assert [j for b in merged for j in b.tgt] == list(range(m_tgt))
    assert all(b.src or b.tgt for b in merged)
    confirmed = [b for b in merged if b.status == "confirmed"]
    assert len(confirmed) == kept
    texts = [(tuple(new_src[i] for i in b.src), tuple(new_tgt[j] for j in b.tgt)) for b in confirmed]
    it = iter((r.src, r.tgt) for r in reviewed)
    assert all(t in it for t in texts)  # kept beads: reviewed texts, in their order
    # Unchanged texts: every reviewed bead must be kept.
    same, _ = merge_reviewed(old_src, old_tgt, [(s, t, 0.5) for s, t in old], reviewed)
    assert sum(b.status == "confirmed" for b in same) == len(reviewed)


def test_status_edit_log_and_append_only(tmp_path: Path) -> None:
    with Corpus(tmp_path / "c.db", create=True) as c:
        _add_gold(c, CLT)
        c.set_status(CLT.name, 0, "confirmed")
        c.set_status(CLT.name, 0, "confirmed")  # no change, no log entry
        c.edit_bead(CLT.name, 1, src="直した文。")
        with pytest.raises(UsageError, match="unknown status"):
            c.set_status(CLT.name, 0, "ok")
        with pytest.raises(CorpusError, match="has no bead 999"):
            c.set_status(CLT.name, 999, "confirmed")
        with pytest.raises(CorpusError, match="no document"):
            c.beads("nope")
        log = c.log(CLT.name)
        assert [(e[2], e[3], e[5]) for e in log] == [
            (None, "added", "align:test|model:gold|seg:lines"), (0, "status", "confirmed"), (1, "edit-src", "直した文。"),
        ]  # fmt: skip
        assert c.beads(CLT.name)[1].src == "直した文。" and c.beads(CLT.name)[1].status == "edited"
        assert documents_table(c).row(0, named=True)["edited"] == 1
        con = sqlite3.connect(tmp_path / "c.db")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("DELETE FROM log")
        con.close()


def test_migration_from_v1_and_newer_version_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    con = schema.connect(path)
    assert schema.migrate(con, path, target=1) == 1
    con.execute("INSERT INTO documents VALUES (1, 'd', 'a', 'b', 'ja', 'en', 'x', 'y', NULL, NULL, NULL, 'align', 'now')")
    con.executemany("INSERT INTO sentences VALUES (1, ?, ?, ?)", [("src", 0, "一"), ("src", 1, "二"), ("tgt", 0, "One two")])
    con.execute("INSERT INTO beads VALUES (1, 0, '0 1', '0', 0.5, '2-1', 'confirmed', NULL, NULL)")
    con.close()
    with Corpus(path) as c:
        row = documents_table(c).row(0, named=True)
        assert (row["src_sents"], row["tgt_sents"], row["2-1"], row["confirmed"], row["below_0.9"]) == (2, 1, 1, 1, 1)
        assert list(export_rows(c))[0].src == "一二"
    con = sqlite3.connect(path)
    assert con.execute("SELECT value FROM meta").fetchone()[0] == str(schema.SCHEMA_VERSION)
    con.execute("UPDATE meta SET value = '99'")
    con.commit()
    con.close()
    with pytest.raises(CorpusError, match="schema version 99.*upgrade align"):
        Corpus(path)


def test_busy_corpus_fails_with_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.db"
    with Corpus(path, create=True) as c:
        _add_gold(c, CLT)
    monkeypatch.setattr(schema, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Corpus(path) as c:
            assert len(c.beads(CLT.name)) == 10  # readers are not blocked (WAL)
            t0 = time.monotonic()
            with pytest.raises(CorpusError, match="corpus is busy"):
                c.set_status(CLT.name, 0, "confirmed")
            assert time.monotonic() - t0 >= 0.15
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_import_tmx_and_round_trip(tmp_path: Path) -> None:
    a = gold_alignment(CMAC)
    first = tmp_path / "first.tmx"
    write_rows(rows_from_alignment(a, doc_id="cmac-2024"), first, fmt="tmx", src_lang="ja-JP", tgt_lang="en-US")
    with Corpus(tmp_path / "c.db", create=True) as c:
        (r,) = import_tmx(c, first)
        assert (r.action, r.doc_id) == ("imported", "cmac-2024")
        assert import_tmx(c, first)[0].action == "unchanged"
        beads = c.beads("cmac-2024")
        assert {b.status for b in beads} == {"auto"}  # as the file says (x-status)
        assert [(b.src, b.tgt, b.confidence) for b in beads] == [
            (a.src_text(b), a.tgt_text(b), b.confidence) for b in a.beads if b.src and b.tgt
        ]
        second = tmp_path / "second.tmx"
        write_rows(export_rows(c), second, fmt="tmx", src_lang="ja-JP", tgt_lang="en-US")
        assert import_tmx(c, second, doc_id="again")[0].action == "imported"
        third = tmp_path / "third.tmx"
        write_rows(export_rows(c, doc_ids=["again"]), third, fmt="tmx", src_lang="ja-JP", tgt_lang="en-US")

        def units(p: Path) -> list[str]:
            text = p.read_text(encoding="utf-8")
            return text[text.index("<body>"):].replace(">again<", ">cmac-2024<").replace('"again:', '"cmac-2024:').splitlines()

        assert units(second) == units(third)  # a fixed point after one import
        assert import_tmx(c, first, doc_id="again")[0].action == "replaced"
        with_unaligned = tmp_path / "all.tmx"
        write_rows(rows_from_alignment(a), with_unaligned, fmt="tmx", include_unaligned=True)
        assert import_tmx(c, with_unaligned, doc_id="all")[0].beads == len(a.beads)
        assert [b.type for b in c.beads("all")] == [b.type for b in a.beads]  # sentences cut back as x-bead-type says
        not_tmx = tmp_path / "x.tmx"
        not_tmx.write_text("[0]:[0]\n")
        with pytest.raises(FormatError, match=r"x\.tmx"):
            import_tmx(c, not_tmx)
        assert c.doc_ids() == ["cmac-2024", "again", "all"]


def test_default_doc_id() -> None:
    assert default_doc_id(Path("/x/BDS00519/ja.sent"), "ja") == "BDS00519"
    assert default_doc_id(Path("/x/speech.ja.txt"), "ja") == "speech"
    assert default_doc_id(Path("/x/speech_ja.md"), "ja") == "speech"
    assert default_doc_id(Path("/x/remarks.txt"), "ja") == "remarks"
    # every format the reader knows loses its extension and language tag, as batch names the pair
    # (speech.ja.pdf was stored as 'speech.ja.pdf' by add and as 'speech' by batch)
    for name in ("speech.ja.pdf", "speech_ja.docx", "speech-JA.srt", "speech.ja.vtt", "speech.ja.markdown"):
        assert default_doc_id(Path("/x") / name, "ja") == "speech"
    assert default_doc_id(Path("/x/BDS00519/ja.pdf"), "ja") == "BDS00519"


_EXPORT_WHILE_ADD = """
import sys
sys.path.insert(0, {tests!r})
from pathlib import Path
from corpus_helpers import gold_alignment
from align.store import Corpus, export_rows, import_tmx
f = Path({folder!r})
with Corpus(Path({path!r})) as c:
    print(c.add_alignment(gold_alignment(f), doc_id="late").action)
"""


def test_export_reads_a_snapshot_while_another_process_adds(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    folders = gold_folders()[:3]
    with Corpus(path, create=True) as c:
        for f in folders:
            _add_gold(c, f)
        total = sum(len(read_beads(f / "gold.beads")) for f in folders)
        rows = export_rows(c)
        got = [next(rows) for _ in range(5)]
        code = _EXPORT_WHILE_ADD.format(tests=str(TESTS), folder=str(folders[0]), path=str(path))
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert (p.returncode, p.stdout.strip()) == (0, "added"), p.stderr
        got += list(rows)
        assert len(got) == total  # the export saw its snapshot, not the new document
        assert "late" in {r.doc_id for r in export_rows(c)}


_CRASH_CHILD = """
import sys
sys.path.insert(0, {tests!r})
from pathlib import Path
from corpus_helpers import alignment_from_lines, gold_alignment, gold_folders, many_lines
from align.store import Corpus, export_rows, import_tmx
folders = gold_folders()
ja, en = many_lines({n_big})
big = alignment_from_lines(ja, en, [((i,), (i,)) for i in range({n_big})])
c = Corpus(Path({path!r}), create=True)
print("ready", flush=True)
k = {start}
while True:
    if k % 3 == 0:
        r = c.add_alignment(big, doc_id=f"big-{{k}}")
    elif k % 3 == 1:
        (r,) = import_tmx(c, Path({tmx!r}), doc_id=f"tmx-{{k}}")
    else:
        f = folders[k % len(folders)]
        r = c.add_alignment(gold_alignment(f), doc_id=f"gold-{{k}}")
    print("done", r.doc_id, r.beads, flush=True)
    k += 1
"""


def test_kill_9_during_add_and_import_leaves_a_consistent_corpus(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    n_big = 20_000
    folders = gold_folders()
    tmx = tmp_path / "in.tmx"
    tmx_rows = write_rows(rows_from_alignment(gold_alignment(folders[0])), tmx, fmt="tmx").rows
    expected = {"big": n_big, "tmx": tmx_rows}
    finished: dict[str, int] = {}
    rng = random.Random(7)
    for round_ in range(10):
        code = _CRASH_CHILD.format(
            tests=str(TESTS), n_big=n_big, path=str(path), tmx=str(tmx), start=round_ * 1000,
        )  # fmt: skip
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 1.2))
        os.kill(child.pid, signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        for line in out.splitlines():
            _, doc_id, n = line.split()
            finished[doc_id] = int(n)
        with Corpus(path) as c:
            con = sqlite3.connect(path)
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert con.execute("PRAGMA foreign_key_check").fetchall() == []
            counts = dict(con.execute(
                "SELECT d.doc_id, count(b.idx) FROM documents d LEFT JOIN beads b ON b.doc = d.id GROUP BY d.id"
            ))  # fmt: skip
            con.close()
            for doc_id, n in finished.items():
                assert counts.get(doc_id) == n, f"round {round_}: finished {doc_id} lost or incomplete"
            for doc_id, n in counts.items():
                kind, k = doc_id.split("-")
                want = expected.get(kind) or len(read_beads(folders[int(k) % len(folders)] / "gold.beads"))
                assert n == want, f"round {round_}: {doc_id} has {n} beads, expected {want}"
            summary = documents_table(c)
            assert dict(zip(summary["doc_id"], summary["beads"], strict=True)) == counts
    assert len(finished) >= 5  # the kills landed after work was done, not only at start-up


_XML_ILLEGAL = __import__("re").compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
sentence_st = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=25)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(sentence_st, sentence_st), min_size=1, max_size=6))
def test_any_text_survives_corpus_export_import_export(pairs: list[tuple[str, str]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        a = alignment_from_lines([s for s, _ in pairs], [t for _, t in pairs], [((k,), (k,)) for k in range(len(pairs))])
        with Corpus(tmp / "c.db", create=True) as c:
            c.add_alignment(a, doc_id="h")
            assert [(r.src, r.tgt) for r in export_rows(c)] == pairs  # the store keeps text exactly
            for fmt in ("jsonl", "csv", "tsv"):
                write_rows(export_rows(c), tmp / f"x.{fmt}", fmt=fmt)  # type: ignore[arg-type]
                from align.formats import read_rows

                assert [(r.src, r.tgt) for r in read_rows(tmp / f"x.{fmt}", fmt=fmt)] == pairs
            write_rows(export_rows(c), tmp / "x.tmx", fmt="tmx")
            clean = [(_XML_ILLEGAL.sub("", s), _XML_ILLEGAL.sub("", t)) for s, t in pairs]
            if not any(s or t for s, t in clean):  # nothing but XML-illegal characters: refused
                with pytest.raises(FormatError, match="nothing to import"):
                    import_tmx(c, tmp / "x.tmx", doc_id="back")
                return
            import_tmx(c, tmp / "x.tmx", doc_id="back")
            back = [(r.src, r.tgt) for r in export_rows(c, doc_ids=["back"])]
            assert back == [p for p in clean if p[0] or p[1]]  # only XML-illegal characters are lost


def test_migration_from_v2_adds_revisions_and_realign_raises_them(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    con = schema.connect(path)
    assert schema.migrate(con, path, target=2) == 2
    con.execute("INSERT INTO documents VALUES (1, 'd', 'a', 'b', 'ja', 'en', 'x', 'y', NULL, NULL, NULL, 'align', 'now')")
    con.executemany("INSERT INTO sentences VALUES (1, ?, ?, ?)", [("src", 0, "一"), ("tgt", 0, "One")])
    con.execute("INSERT INTO beads VALUES (1, 0, '0', '0', 0.5, '1-1', 'auto', NULL, NULL)")
    con.close()
    folder = CLT
    with Corpus(path) as c:
        assert c.document("d").revision == 1
        c.set_status("d", 0, "confirmed", expected_revision=1)
        assert c.beads("d")[0].status == "confirmed"
        _add_gold(c, folder)
        assert c.document(folder.name).revision == 1
        assert _add_gold(c, folder).action == "unchanged"
        assert c.document(folder.name).revision == 1  # nothing changed, bead numbers still hold
        assert _add_gold(c, folder, model="v2").action == "realigned"
        assert c.document(folder.name).revision == 2
        before = (c.beads(folder.name), c.log(folder.name))
        stale = f"document '{CLT.name}' was re-aligned since the review started; run align review again"
        with pytest.raises(CorpusError, match=stale):
            c.set_status(folder.name, 0, "confirmed", expected_revision=1)
        with pytest.raises(CorpusError, match=stale):
            c.edit_bead(folder.name, 0, tgt="x", expected_revision=1)
        assert (c.beads(folder.name), c.log(folder.name)) == before
        c.edit_bead(folder.name, 0, tgt="x", expected_revision=2)
        assert c.document(folder.name).revision == 2  # reviewing does not change bead numbers
        tmx = tmp_path / "d.tmx"
        write_rows(rows_from_alignment(gold_alignment(folder)), tmx, fmt="tmx")
        assert import_tmx(c, tmx, doc_id="d")[0].action == "replaced"
        assert c.document("d").revision == 2
    con = sqlite3.connect(path)
    assert con.execute("SELECT value FROM meta").fetchone()[0] == str(schema.SCHEMA_VERSION)  # migrated on to the latest
    con.close()


def _big_alignment(n: int):  # noqa: ANN202
    ja, en = many_lines(n)
    return alignment_from_lines(ja, en, [((i,), (i,)) for i in range(n)])


def test_set_statuses_is_one_transaction_with_its_log(tmp_path: Path) -> None:
    folder = EPR
    with Corpus(tmp_path / "c.db", create=True) as c:
        _add_gold(c, folder)
        n = len(c.beads(folder.name))
        c.set_status(folder.name, 3, "rejected")
        before = (c.beads(folder.name), c.log(folder.name), documents_table(c).to_dicts())
        with pytest.raises(CorpusError, match=f"no bead {n} "):
            c.set_statuses(folder.name, [0, 1, n], "confirmed")
        # a failure while writing the last log entry undoes the whole batch
        con = sqlite3.connect(tmp_path / "c.db")
        con.execute(f"CREATE TRIGGER fail_last BEFORE INSERT ON log WHEN new.bead = {n - 1} "
                    "BEGIN SELECT RAISE(ABORT, 'disk gone'); END")  # fmt: skip
        con.commit()
        with pytest.raises(CorpusError, match="disk gone"):
            c.set_statuses(folder.name, range(n), "confirmed")
        assert (c.beads(folder.name), c.log(folder.name), documents_table(c).to_dicts()) == before
        con.execute("DROP TRIGGER fail_last")
        con.commit()
        con.close()
        assert c.set_statuses(folder.name, [5, 3, 5, 0], "confirmed") == 3
        assert c.set_statuses(folder.name, [0, 3, 5], "confirmed") == 0
        assert [e[2:] for e in c.log(folder.name)[2:]] == [(k, "status", "rejected" if k == 3 else "auto", "confirmed")
                                                           for k in (0, 3, 5)]  # fmt: skip
        row = documents_table(c).row(0, named=True)
        assert (row["confirmed"], row["rejected"], row["auto"]) == (3, 0, n - 3)


def test_edit_reads_only_the_bead_it_edits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's instruction count for one edit must not grow with the document (it read every
    bead and sentence: 0.4 s per edit at 50k beads)."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    connect = schema.connect

    def counting_connect(path: Path) -> sqlite3.Connection:
        con = connect(path)
        con.set_progress_handler(count, 10)
        return con

    def edit_cost(c: Corpus, doc_id: str, k: int) -> int:
        c._con.set_progress_handler(count, 10)
        steps[0] = 0
        c.edit_bead(doc_id, k, tgt=f"edited {k}", src="直した。")
        return steps[0]

    monkeypatch.setattr(schema, "connect", counting_connect)
    with Corpus(tmp_path / "c.db", create=True) as c:
        _add_gold(c, CLT)
        c.add_alignment(_big_alignment(20_000), doc_id="big")
        small = edit_cost(c, CLT.name, 4)
        big = edit_cost(c, "big", 12_345)
        assert big <= 2 * small + 5, (small, big)
        b = c.bead("big", 12_345)
        assert (b.src, b.tgt, b.status, b.src_ids) == ("直した。", "edited 12345", "edited", (12_345,))
        ja, _ = many_lines(20_000)
        assert c.log("big")[-2][3:] == ("edit-src", ja[12_345], "直した。")  # logged from the aligned text


def test_text_that_is_not_unicode_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    """Text decoded with errors='surrogateescape' holds lone surrogates, which SQLite cannot
    store: the user gets an InputError/UsageError naming the text, and nothing changes."""
    bad = b"caf\xe9 au lait.".decode("utf-8", "surrogateescape")
    ja, en = ["一つ目。", "二つ目。"], ["One.", bad]
    with Corpus(tmp_path / "c.db", create=True) as c:
        with pytest.raises(InputError, match=r"'x': target sentence 2 is not valid Unicode: 'caf\\udce9 au lait\.' "
                                             r"has the lone surrogate U\+DCE9 at character 4"):  # fmt: skip
            c.add_alignment(alignment_from_lines(ja, en, [((0,), (0,)), ((1,), (1,))]), doc_id="x")
        named = tmp_path / "caf\udce9.en.txt"  # a file name with a byte that is not UTF-8
        named.write_text("\n".join(en[:1] + [bad]), encoding="utf-8", errors="surrogateescape")
        with pytest.raises(InputError, match=r"caf\\xe9\.en\.txt: target sentence 2 "):
            c.add_alignment(alignment_from_lines(ja, en, [((0,), (0,)), ((1,), (1,))]), doc_id="x", tgt_path=named)
        assert c.doc_ids() == []
        named.write_text("One.\nTwo.", encoding="utf-8")
        c.add_alignment(alignment_from_lines(ja, ["One.", "Two."], [((0,), (0,)), ((1,), (1,))]), doc_id="x",
                        tgt_path=named)  # fmt: skip
        assert c.document("x").tgt_path == str(tmp_path / "caf\\xe9.en.txt")  # kept, escaped for display
        before = (c.beads("x"), c.log("x"))
        with pytest.raises(InputError, match=r"new target text of bead 1 is not valid Unicode.*type it again"):
            c.edit_bead("x", 1, src="二。", tgt=bad)
        assert (c.beads("x"), c.log("x")) == before
        clean = alignment_from_lines(ja, ["a", "b"], [((0, 1), (0, 1))])
        for call in (lambda: c.beads(bad), lambda: c.set_status(bad, 0, "confirmed"),
                     lambda: c.add_alignment(clean, doc_id=bad)):  # fmt: skip
            with pytest.raises(UsageError, match=r"document id 'caf\\udce9 au lait\.' is not valid Unicode.*--doc-id"):
                call()
