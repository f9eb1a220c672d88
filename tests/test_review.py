"""The review loop and the scripted status commands, through the CLI on real corpora.

Corpora are built with the store's API from the shared data's gold (fast), except the
end-to-end re-add test, which runs the real `align add` on the bundled CMAC sample.
"""

from __future__ import annotations

import re
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from align.cli import app
from align.errors import CorpusError, UsageError
from align.review import ReviewSession
from align.store import Corpus, export_rows
from align.store.tables import documents_table
from corpus_helpers import KYOTO, gold_alignment

DOC = "EPR00071"
ROOT = Path(__file__).resolve().parents[1]
CMAC = ROOT / "corpora" / "cmac-2024"
TITLE = re.compile(r"^(\d+)/(\d+)  (\S+) bead (\d+) ", re.M)


def run(*args: object, input: str | None = None):  # noqa: ANN201, A002
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


def review(path: Path, *answers: str, args: tuple = (), doc: str = DOC):  # noqa: ANN201
    return run("review", path, doc, *args, input="".join(a + "\n" for a in answers))


def assert_one_line_error(result, *needles: str) -> None:  # noqa: ANN001
    assert result.exit_code != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def snapshot(path: Path, doc: str = DOC) -> tuple[list, list]:
    """(beads, log) of a document, to check that a command changed nothing."""
    with Corpus(path) as c:
        return c.beads(doc), c.log(doc)


def queue_of(path: Path, below: float = 0.9, status: str = "auto") -> list[int]:
    """The beads a review should show, computed here from the store, not by align.review."""
    with Corpus(path) as c:
        return [b.bead_index for b in c.beads(DOC) if b.confidence < below and b.status == status]


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "220")  # rich's width when stdout is no terminal


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "c.db"
    with Corpus(path, create=True) as c:
        c.add_alignment(gold_alignment(KYOTO / DOC), doc_id=DOC)
    return path


def test_scripted_session_commits_each_answer_and_logs_it(corpus: Path) -> None:
    q = queue_of(corpus)
    assert 10 <= len(q) < len(snapshot(corpus)[0])  # the fixture has beads on both sides of 0.9
    before, _ = snapshot(corpus)
    r = review(corpus, "y", "n", "e", "", "The target, corrected.", "s", "q")
    assert r.exit_code == 0, r.output
    # one screen per bead shown, in document order, numbered k/len(queue)
    titles = [(int(i), int(n), int(k)) for i, n, _, k in TITLE.findall(r.stdout)]
    assert titles == [(i + 1, len(q), q[i]) for i in range(5)]  # q is answered on the 5th
    assert r.stdout.rstrip().splitlines()[-1] == f"{DOC}: confirmed 1, rejected 1, edited 1, skipped 1, left {len(q) - 3}"
    beads, log = snapshot(corpus)
    assert [beads[k].status for k in q] == ["confirmed", "rejected", "edited"] + ["auto"] * (len(q) - 3)
    assert beads[q[2]].src == before[q[2]].src and beads[q[2]].tgt == "The target, corrected."
    assert [b.status for b in beads if b.bead_index not in q] == [b.status for b in before if b.bead_index not in q]
    assert [e[2:] for e in log[1:]] == [
        (q[0], "status", "auto", "confirmed"),
        (q[1], "status", "auto", "rejected"),
        (q[2], "edit-tgt", before[q[2]].tgt, "The target, corrected."),
    ]


def test_each_screen_shows_the_bead_with_one_bead_of_context(corpus: Path) -> None:
    q = queue_of(corpus)
    beads, _ = snapshot(corpus)
    r = review(corpus, "s", "q")
    screens = r.stdout.split("[q] quit: ")
    assert len(screens) == 3  # two beads shown, then the summary
    for k, screen in zip(q[:2], screens):
        shown = [int(m) for m in re.findall(r"^│\s*(\d+)\s*│", screen, re.M)]
        assert shown == [i for i in (k - 1, k, k + 1) if 0 <= i < len(beads)]
        for i in shown:
            assert beads[i].src[:10] in screen and beads[i].tgt[:20] in screen
        assert f"{beads[k].type} {beads[k].confidence:.2f}" in screen
    assert 0 < q[1] < len(beads) - 1  # the second screen has a bead on either side
    assert f"1/{len(q)}" in screens[0] and f"2/{len(q)}" in screens[1]


def test_review_again_resumes_with_what_is_left(corpus: Path) -> None:
    q = queue_of(corpus)
    assert review(corpus, "y", "s", "n").exit_code == 0  # end of input quits, keeps the answers
    r = review(corpus, "q")
    first = TITLE.search(r.stdout)
    assert first is not None
    # the confirmed and rejected beads are gone from the queue; the skipped one is back first
    assert (int(first[1]), int(first[2]), int(first[4])) == (1, len(q) - 2, q[1])
    assert r.stdout.rstrip().endswith(f"left {len(q) - 2}")


def test_back_lets_an_answer_be_changed_and_skip_keeps_it(corpus: Path) -> None:
    q = queue_of(corpus)
    r = review(corpus, "y", "b", "n", "y", "b", "s", "q")
    assert r.exit_code == 0, r.output
    beads, log = snapshot(corpus)
    assert (beads[q[0]].status, beads[q[1]].status) == ("rejected", "confirmed")
    assert [e[2:] for e in log[1:]] == [
        (q[0], "status", "auto", "confirmed"),
        (q[0], "status", "confirmed", "rejected"),
        (q[1], "status", "auto", "confirmed"),
    ]
    assert r.stdout.rstrip().endswith("confirmed 1, rejected 1, edited 0, skipped 0, left " + str(len(q) - 2))
    assert "this is the first bead" in review(corpus, "b", "q").stdout


def test_unknown_answers_and_empty_edits_ask_again(corpus: Path) -> None:
    q = queue_of(corpus)
    r = review(corpus, "maybe", "", "e", "", "", "YES", "q")
    assert r.exit_code == 0
    assert "unknown answer 'maybe'" in r.stdout and "unknown answer ''" in r.stdout
    assert "nothing changed" in r.stdout
    beads, log = snapshot(corpus)
    assert beads[q[0]].status == "confirmed"
    assert [e[3] for e in log[1:]] == ["status"]  # no edit was logged


def test_end_of_input_inside_an_edit_changes_nothing(corpus: Path) -> None:
    before = snapshot(corpus)
    r = review(corpus, "e", "half an edit")
    assert r.exit_code == 0 and r.stdout.rstrip().endswith("edited 0, skipped 0, left " + str(len(queue_of(corpus))))
    assert snapshot(corpus) == before


def test_edit_both_sides_at_the_end_of_the_queue(corpus: Path) -> None:
    q = queue_of(corpus)
    r = review(corpus, *["s"] * (len(q) - 1), "e", "新しい原文。", "New text.")
    assert r.exit_code == 0
    assert r.stdout.rstrip().endswith(f"edited 1, skipped {len(q) - 1}, left {len(q) - 1}")
    beads, log = snapshot(corpus)
    assert (beads[q[-1]].src, beads[q[-1]].tgt, beads[q[-1]].status) == ("新しい原文。", "New text.", "edited")
    assert [e[3] for e in log[1:]] == ["edit-src", "edit-tgt"]


def test_status_and_below_choose_the_queue(corpus: Path) -> None:
    with Corpus(corpus) as c:
        for k in (2, 5, 11):
            c.set_status(DOC, k, "rejected")
    r = review(corpus, "y", "q", args=("--status", "rejected", "--below", "1"))
    assert [int(m[3]) for m in TITLE.findall(r.stdout)] == [2, 5]
    assert "1/3" in r.stdout and snapshot(corpus)[0][2].status == "confirmed"
    r = review(corpus, args=("--below", "0.3"))
    assert r.exit_code == 0 and r.stdout == f"{DOC}: nothing to review (no auto bead below 0.3)\n"


def test_review_errors_are_one_line_and_change_nothing(corpus: Path, tmp_path: Path) -> None:
    before = snapshot(corpus)
    r = review(corpus, "y", doc="nope")
    assert_one_line_error(r, "nope", "align list")
    assert r.exit_code == 4
    r = review(tmp_path / "missing.db", "y")
    assert_one_line_error(r, "missing.db")
    assert not (tmp_path / "missing.db").exists()
    r = review(corpus, "y", args=("--status", "autoo"))
    assert_one_line_error(r, "autoo")
    assert r.exit_code == 2
    assert review(corpus, "y", args=("--below", "1.5")).exit_code == 2
    assert snapshot(corpus) == before


def test_ctrl_c_keeps_the_answers_and_prints_the_summary(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import align.cli.review as cli_review

    answers = iter(["y", "n"])

    def read_line(prompt: str) -> str:
        try:
            return next(answers)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(cli_review, "_read_line", read_line)
    q = queue_of(corpus)
    r = review(corpus)
    assert r.exit_code == 130
    assert r.stdout.rstrip().endswith(f"confirmed 1, rejected 1, edited 0, skipped 0, left {len(q) - 2}")
    beads, _ = snapshot(corpus)
    assert (beads[q[0]].status, beads[q[1]].status, beads[q[2]].status) == ("confirmed", "rejected", "auto")


def test_kill_9_mid_session_loses_no_answer(corpus: Path) -> None:
    q = queue_of(corpus)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-c", "from align.cli import main; main()", "review", str(corpus), DOC]
    with subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True) as p:
        p.stdin.write("y\nn\ne\n\nKilled after this edit.\n")
        p.stdin.flush()
        watchdog = threading.Timer(60, p.kill)  # never hang the suite
        watchdog.start()
        seen, line = "", "-"
        while f"4/{len(q)}  {DOC} bead" not in seen and line:  # the 4th bead is on screen
            seen += (line := p.stdout.readline())
        p.send_signal(signal.SIGKILL)
        watchdog.cancel()
    assert f"4/{len(q)}  {DOC} bead" in seen
    beads, log = snapshot(corpus)
    assert [beads[k].status for k in q[:4]] == ["confirmed", "rejected", "edited", "auto"]
    assert beads[q[2]].tgt == "Killed after this edit." and len(log) == 4


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_in_a_terminal_edit_starts_from_the_old_text(corpus: Path) -> None:
    """On a TTY the edit prompt is pre-filled (readline): typing appends to the old text."""
    import select

    q = queue_of(corpus)
    old = snapshot(corpus)[0][q[0]]
    master, slave = os.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120"}
    cmd = [sys.executable, "-c", "from align.cli import main; main()", "review", str(corpus), DOC]
    p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    buf = b""

    def answer_after(prompt: str, keys: bytes) -> None:
        nonlocal buf
        deadline = time.monotonic() + 30
        while prompt.encode() not in buf and time.monotonic() < deadline:
            if select.select([master], [], [], 0.5)[0]:
                buf += os.read(master, 65536)
        assert prompt.encode() in buf, buf[-300:]
        buf = buf[buf.index(prompt.encode()) + len(prompt) :]
        os.write(master, keys)

    try:
        answer_after("quit: ", b"e\r")
        answer_after("new source", b"\r")  # Enter on the pre-filled text keeps it
        answer_after("new target", b" (fixed)\r")
        answer_after("quit: ", b"q\r")
        assert p.wait(30) == 0
    finally:
        p.kill()
        os.close(master)
    new = snapshot(corpus)[0][q[0]]
    assert (new.src, new.tgt, new.status) == (old.src, old.tgt + " (fixed)", "edited")


def test_a_realigned_document_stops_the_session(corpus: Path) -> None:
    with Corpus(corpus) as c:
        s = ReviewSession(c, DOC)
        s.confirm()
        with Corpus(corpus) as other:  # another process realigns the document meanwhile
            other.add_alignment(gold_alignment(KYOTO / DOC, model="gold-v2"), doc_id=DOC)
        with pytest.raises(CorpusError, match="re-aligned since the review started; run align review again"):
            s.reject()
        assert c.beads(DOC)[s.queue[1]].status == "auto"


# -- confirm / reject --------------------------------------------------------------------------


def test_confirm_all_above_leaves_reviewed_beads_alone(corpus: Path) -> None:
    with Corpus(corpus) as c:
        beads = c.beads(DOC)
        high = [b.bead_index for b in beads if b.confidence >= 0.9]
        c.set_status(DOC, high[0], "rejected")  # a reviewer's decision must survive
    expected = high[1:]
    assert len(expected) >= 2
    r = run("confirm", corpus, DOC, "--all-above", "0.9")
    assert r.exit_code == 0 and r.stdout == f"confirmed {len(expected)} beads of {DOC}\n"
    after, log = snapshot(corpus)
    assert [b.bead_index for b in after if b.status == "confirmed"] == expected
    assert after[high[0]].status == "rejected"
    assert [(e[2], e[5]) for e in log[2:]] == [(k, "confirmed") for k in expected]
    r = run("confirm", corpus, DOC, "--all-above", "0.9")
    assert r.stdout == f"confirmed 0 beads of {DOC}\n"


def test_confirm_and_reject_by_index(corpus: Path) -> None:
    r = run("confirm", corpus, DOC, 3, 1, 3, "--all-above", "0.99")
    beads, _ = snapshot(corpus)
    top = [b.bead_index for b in beads if b.confidence >= 0.99]
    assert r.exit_code == 0 and r.stdout == f"confirmed {len({1, 3, *top})} beads of {DOC}\n"
    assert {b.bead_index for b in beads if b.status == "confirmed"} == {1, 3, *top}
    r = run("reject", corpus, DOC, 3, 4)
    assert r.stdout == f"rejected 2 beads of {DOC}\n"
    r = run("reject", corpus, DOC, 3)
    assert r.stdout == f"rejected 0 beads of {DOC} (1 already rejected)\n"
    assert [b.status for b in snapshot(corpus)[0]][1:5] == ["confirmed", "auto", "rejected", "rejected"]


def test_status_command_errors_change_nothing(corpus: Path) -> None:
    n = len(snapshot(corpus)[0])
    before = snapshot(corpus)
    r = run("confirm", corpus, DOC, 0, n)
    assert_one_line_error(r, f"no bead {n}", f"0..{n - 1}")
    assert r.exit_code == 4
    assert_one_line_error(run("reject", corpus, DOC, 1, 2, 999), "999")
    assert_one_line_error(run("confirm", corpus, "nope", 1), "nope")
    r = run("confirm", corpus, DOC)
    assert_one_line_error(r, "--all-above")
    assert r.exit_code == 2
    assert run("reject", corpus, DOC).exit_code == 2
    assert run("confirm", corpus, DOC, "x").exit_code == 2
    assert run("confirm", corpus, DOC, "--all-above", "2").exit_code == 2
    assert snapshot(corpus) == before


# -- the session's invariants under any sequence of answers ------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=st.lists(st.sampled_from("ynesbu"), max_size=14))
def test_session_matches_a_simple_model(tmp_path: Path, answers: list[str]) -> None:
    """Whatever the answers, the store holds the last answer of each bead, the tally adds up,
    and the log has one entry per real change."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    with Corpus(folder / "c.db", create=True) as c:
        c.add_alignment(gold_alignment(KYOTO / "CLT01161"), doc_id="d")
        gold_rows = c.beads("d")
        s = ReviewSession(c, "d")
        q = list(s.queue)
        status = {k: "auto" for k in q}
        has_edit = {k: False for k in q}
        last: dict[int, str] = {}
        pos, changes = 0, 0
        for a in answers:
            if pos >= len(q) and a != "b":
                break
            if a == "b":
                assert s.back() == (pos > 0)
                pos = max(pos - 1, 0)
                continue
            k = q[pos]
            if a == "u":  # back to auto, edit dropped; the cursor stays
                changed = status[k] != "auto" or has_edit[k]
                assert s.undo() == changed
                changes += (status[k] != "auto") + has_edit[k]  # a status and a revert-tgt entry
                if changed:
                    last[k] = a
                status[k], has_edit[k] = "auto", False
                continue
            new = {"y": "confirmed", "n": "rejected", "e": "edited", "s": status[k]}[a]
            if a == "e":
                has_edit[k] = True
                s.edit(tgt=f"edit {len(last)} {s.current.tgt}")
                changes += 1
            else:
                getattr(s, {"y": "confirm", "n": "reject", "s": "skip"}[a])()
                changes += new != status[k]
            if a != "s" or k not in last:
                last[k] = a
            status[k] = new
            pos += 1
        stored = {b.bead_index: b.status for b in c.beads("d")}
        assert {k: stored[k] for k in q} == status
        t = s.tally()
        assert t.confirmed + t.rejected + t.edited + t.left == len(q)
        assert (t.confirmed, t.rejected, t.edited, t.skipped, t.undone) == tuple(
            sum(v == a for v in last.values()) for a in "ynesu"
        )
        for k, b in enumerate(c.beads("d")):  # an undone edit leaves the aligned text
            if not has_edit.get(k):
                assert (b.src, b.tgt) == (gold_rows[k].src, gold_rows[k].tgt)
        assert len(c.log("d")) == 1 + changes
    shutil.rmtree(folder)


def test_session_refuses_bad_options(corpus: Path) -> None:
    with Corpus(corpus) as c:
        with pytest.raises(UsageError, match="autoo"):
            ReviewSession(c, DOC, statuses=["autoo"])
        with pytest.raises(UsageError, match="outside"):
            ReviewSession(c, DOC, below=-0.1)
        s = ReviewSession(c, DOC, below=0.0)
        assert s.done and s.queue == ()
        with pytest.raises(UsageError, match="finished"):
            s.confirm()


# -- end to end with the real aligner ------------------------------------------------------------


@pytest.fixture(scope="module")
def cmac_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("review-e2e")
    mp = pytest.MonkeyPatch()
    mp.setenv("ALIGN_CACHE_DIR", str(base / "cache"))
    folder = base / "cmac"
    folder.mkdir()
    for name in ("ja.md", "en.md"):
        shutil.copyfile(CMAC / name, folder / name)
    path = base / "c.db"
    r = run("add", folder / "ja.md", folder / "en.md", "--corpus", path, "--doc-id", "cmac")
    assert r.exit_code == 0, r.output
    yield path
    mp.undo()


def test_readd_after_review_keeps_the_reviewed_beads(cmac_corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, folder = cmac_corpus, cmac_corpus.parent / "cmac"
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(path.parent / "cache"))
    r = review(path, "y", "n", "e", "", "Edited by the reviewer.", "y", "q", args=("--below", "1"), doc="cmac")
    assert r.exit_code == 0 and "confirmed 2, rejected 1, edited 1, skipped 0" in r.stdout
    with Corpus(path) as c:
        reviewed = {(b.src, b.tgt, b.status) for b in c.beads("cmac") if b.status != "auto"}
    assert len(reviewed) == 4 and any(t == "Edited by the reviewer." for _, t, _ in reviewed)
    r = run("add", folder / "ja.md", folder / "en.md", "--corpus", path, "--doc-id", "cmac")
    assert r.exit_code == 0 and r.stdout.startswith("unchanged cmac:")
    ja = (folder / "ja.md").read_text(encoding="utf-8")
    assert "心から祈念いたします。" in ja
    (folder / "ja.md").write_text(ja.replace("心から祈念いたします。", "心よりお祈り申し上げます。"), encoding="utf-8")
    r = run("add", folder / "ja.md", folder / "en.md", "--corpus", path, "--doc-id", "cmac")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("realigned cmac:") and "kept" in r.stdout
    with Corpus(path) as c:
        after = {(b.src, b.tgt, b.status) for b in c.beads("cmac")}
        kinds = [e[3] for e in c.log("cmac")]
    # the confirmed and edited beads are back (the rejected one too: the aligner proposes it again)
    assert reviewed <= after
    assert kinds[0] == "added" and kinds[-1] == "realigned"
    # a new session starts after what was reviewed
    r = review(path, "q", args=("--below", "1"), doc="cmac")
    first = TITLE.search(r.stdout)
    assert first is not None
    with Corpus(path) as c:
        shown = c.beads("cmac")[int(first[4])]
    assert shown.status == "auto" and (shown.src, shown.tgt) not in {x[:2] for x in reviewed}


def test_a_realign_within_the_same_second_and_signature_stops_the_session(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session compares revisions, not timestamps: a realign in the same second, with the
    same model and paths (only the text changed) must still stop it."""
    import align.store.corpus as store

    monkeypatch.setattr(store, "_now", lambda: "2026-01-01T00:00:00Z")
    folder = KYOTO / DOC
    ja = (folder / "ja.sent").read_text(encoding="utf-8").splitlines()
    en = (folder / "en.sent").read_text(encoding="utf-8").splitlines()
    from align.formats.beads import read_beads
    from corpus_helpers import alignment_from_lines

    gold = read_beads(folder / "gold.beads")
    with Corpus(corpus) as c:
        c.add_alignment(alignment_from_lines(ja, en, gold), doc_id="same")  # stamped at the fixed second
        s = ReviewSession(c, "same")
        with Corpus(corpus) as other:
            shifted = [((0,), (0,))] + [(tuple(i + 1 for i in a), tuple(j + 1 for j in b)) for a, b in gold]
            new = alignment_from_lines(["冒頭に足した文。", *ja], ["Added first.", *en], shifted)
            r = other.add_alignment(new, doc_id="same")  # same signature, same second, other text
            assert r.action == "realigned"
        before = snapshot(corpus, "same")
        with pytest.raises(CorpusError, match="re-aligned since the review started"):
            s.confirm()
        with pytest.raises(CorpusError, match="re-aligned since the review started"):
            s.edit(tgt="late edit")
        assert snapshot(corpus, "same") == before


def test_confirm_all_above_is_all_or_nothing(corpus: Path) -> None:
    """A failure while logging the last bead (here a trigger) leaves no bead confirmed."""
    import sqlite3

    with Corpus(corpus) as c:
        last = max(b.bead_index for b in c.beads(DOC) if b.confidence >= 0.5)
    before = snapshot(corpus)
    con = sqlite3.connect(corpus)
    con.execute(f"CREATE TRIGGER fail_last BEFORE INSERT ON log WHEN new.bead = {last} "
                "BEGIN SELECT RAISE(ABORT, 'disk gone'); END")  # fmt: skip
    con.commit()
    con.close()
    assert_one_line_error(run("confirm", corpus, DOC, "--all-above", "0.5"), "disk gone")
    assert snapshot(corpus) == before


_CONFIRM_CHILD = """
from pathlib import Path
from align.review import apply_status_change, plan_status_change
from align.store import Corpus
with Corpus(Path({path!r})) as c:
    change = plan_status_change(c, "big", "confirmed", at_or_above=0.0)
    print("ready", len(change.to_change), flush=True)
    print("done", apply_status_change(c, change), flush=True)
"""


def test_kill_9_during_confirm_all_above_confirms_all_or_none(tmp_path: Path) -> None:
    import random

    from corpus_helpers import DATA, alignment_from_lines

    n = 20_000
    ja = (DATA / "scale-dev" / "50k.ja").read_text(encoding="utf-8").splitlines()[:n]
    en = (DATA / "scale-dev" / "50k.en").read_text(encoding="utf-8").splitlines()[:n]
    master = tmp_path / "master.db"
    with Corpus(master, create=True) as c:
        c.add_alignment(alignment_from_lines(ja, en, [((i,), (i,)) for i in range(n)]), doc_id="big")
    rng = random.Random(3)
    for round_ in range(6):
        path = tmp_path / f"c{round_}.db"
        shutil.copyfile(master, path)
        child = subprocess.Popen([sys.executable, "-c", _CONFIRM_CHILD.format(path=str(path))],
                                 stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert child.stdout.readline().split() == ["ready", str(n)]
        time.sleep(rng.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        with Corpus(path) as c:
            confirmed = sum(b.status == "confirmed" for b in c.beads("big"))
            logged = len(c.log("big")) - 1
            summary = documents_table(c).row(0, named=True)["confirmed"]
        assert confirmed in (0, n), f"round {round_}: {confirmed} of {n} confirmed"
        assert logged == summary == confirmed
        if out.strip():
            assert out.split() == ["done", str(n)] and confirmed == n  # reported done: all there


def test_text_that_is_not_unicode_is_an_answer_to_retype(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import align.cli.review as cli_review

    bad = b"caf\xe9".decode("utf-8", "surrogateescape")
    texts = iter(["", bad, "", "Fixed."])
    monkeypatch.setattr(cli_review, "_read_text", lambda prompt, old: next(texts))
    q = queue_of(corpus)
    r = review(corpus, "e", "e", "q")
    assert r.exit_code == 0, r.output
    assert r"error: the new target text of bead " in r.stdout and r"'caf\udce9'" in r.stdout
    beads, log = snapshot(corpus)
    assert (beads[q[0]].tgt, beads[q[0]].status) == ("Fixed.", "edited") and len(log) == 2
    assert_one_line_error(run("review", corpus, f"doc{bad}"), r"'doccaf\udce9' is not valid Unicode", "--doc-id")


def test_undo_puts_beads_back_to_auto_with_their_aligned_text(corpus: Path) -> None:
    q = queue_of(corpus)
    before, _ = snapshot(corpus)
    r = review(corpus, "y", "b", "u", "u", "s", "e", "", "Wrong edit.", "b", "undo", "n", "q")
    assert r.exit_code == 0, r.output
    assert f"bead {q[0]} is auto again" in r.stdout and f"bead {q[0]} is already auto" in r.stdout
    assert r.stdout.rstrip().endswith(f"confirmed 0, rejected 1, edited 0, skipped 0, undone 1, left {len(q) - 1}")
    beads, log = snapshot(corpus)
    assert (beads[q[0]].status, beads[q[1]].status) == ("auto", "rejected")
    assert (beads[q[1]].src, beads[q[1]].tgt) == (before[q[1]].src, before[q[1]].tgt)  # the edit is gone
    assert [e[2:] for e in log[1:]] == [
        (q[0], "status", "auto", "confirmed"),
        (q[0], "status", "confirmed", "auto"),
        (q[1], "edit-tgt", before[q[1]].tgt, "Wrong edit."),
        (q[1], "revert-tgt", "Wrong edit.", before[q[1]].tgt),
        (q[1], "status", "edited", "auto"),
        (q[1], "status", "auto", "rejected"),
    ]
    with Corpus(corpus) as c:  # exported as aligned: no stale edit under status auto
        assert [r.tgt for r in export_rows(c, doc_ids=[DOC])][q[1]] == before[q[1]].tgt


def test_every_key_in_the_prompt_works(corpus: Path) -> None:
    r = review(corpus, "q")
    help_line = re.search(r"^1/\d+ (\[.*?): q$", r.stdout, re.M)[1]  # the prompt, as shown
    keys = re.findall(r"\[(\w)\] (\w+)", help_line)
    assert "  ".join(f"[{k}] {w}" for k, w in keys) == help_line
    assert [k for k, _ in keys] == list("ynesubq")
    for key, word in keys:
        for answer in (key, word.upper()):
            r = review(corpus, "s", answer, *(["", ""] if key == "e" else []), "q")
            assert r.exit_code == 0 and "unknown answer" not in r.stdout, (answer, r.stdout[-300:])


def test_confirm_does_not_overwrite_an_answer_given_after_it_was_planned(corpus: Path) -> None:
    from align.review import apply_status_change, plan_status_change

    with Corpus(corpus) as c:
        change = plan_status_change(c, DOC, "confirmed", at_or_above=0.9)
        k = change.to_change[1]
        with Corpus(corpus) as reviewer:  # a reviewer rejects one of them meanwhile
            reviewer.set_status(DOC, k, "rejected")
        before = snapshot(corpus)
        with pytest.raises(CorpusError, match=f"bead {k} of '{DOC}' became rejected .* run the command again"):
            apply_status_change(c, change)
        assert snapshot(corpus) == before
        change = plan_status_change(c, DOC, "confirmed", at_or_above=0.9)
        with Corpus(corpus) as other:  # a realign between plan and apply
            other.add_alignment(gold_alignment(KYOTO / DOC, model="gold-v2"), doc_id=DOC)
        before = snapshot(corpus)
        with pytest.raises(CorpusError, match="re-aligned since"):
            apply_status_change(c, change)
        assert snapshot(corpus) == before
        change = plan_status_change(c, DOC, "confirmed", at_or_above=0.9)
        assert apply_status_change(c, change) == len(change.to_change) > 0
