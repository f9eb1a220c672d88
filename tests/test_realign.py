"""Re-aligning a stretch between reviewed beads (align realign, and the editor's R key):
the aligner runs again only there, reviewed beads stay, and the change undoes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from align.cli import app
from align.formats.beads import read_beads
from align.store import Corpus, edits
from corpus_helpers import alignment_from_lines
from data_paths import EPR as FOLDER


@pytest.fixture
def spoilt(tmp_path: Path) -> tuple[Path, list]:
    """The gold alignment with beads 6..11 replaced by one wrong 6-sentence lump; returns the
    corpus and the gold beads."""
    src = (FOLDER / "ja.sent").read_text(encoding="utf-8").splitlines()
    tgt = (FOLDER / "en.sent").read_text(encoding="utf-8").splitlines()
    gold = [(tuple(s), tuple(t)) for s, t in read_beads(FOLDER / "gold.beads")]
    lump = (tuple(i for s, _ in gold[6:12] for i in s), tuple(j for _, t in gold[6:12] for j in t))
    beads = gold[:6] + [lump] + gold[12:]
    path = tmp_path / "c.db"
    with Corpus(path, create=True) as c:
        c.add_alignment(alignment_from_lines(src, tgt, beads, model="use-m3"), doc_id="d")
        edits.set_statuses(c, "d", [3, 9], "confirmed")  # anchors around the lump (bead 6)
        edits.edit_text(c, "d", 12, tgt="An edited bead after the anchor.")
    return path, gold


def test_realign_fixes_the_stretch_between_anchors_and_nothing_else(spoilt) -> None:  # noqa: ANN001
    path, gold = spoilt
    with Corpus(path) as c:
        before = c.beads("d")
        r = CliRunner().invoke(app, ["realign", str(path), "d", "--from", "6", "--to", "6"])
        assert r.exit_code == 0, r.output
        assert "re-aligned beads 4-8 of d between reviewed beads" in r.stdout
        after = c.beads("d")
    shape = [(b.src_ids, b.tgt_ids) for b in after]
    assert shape[:4] == [(b.src_ids, b.tgt_ids) for b in before[:4]]  # before the anchor: untouched
    assert shape[4:14] == gold[4:14]  # the stretch (4, 5, the lump, 7, 8): the aligner's answer, here gold's
    assert [(b.src_ids, b.tgt_ids, b.status, b.tgt) for b in after[14:]] == [
        (b.src_ids, b.tgt_ids, b.status, b.tgt) for b in before[9:]
    ]  # the anchor at 9 and everything after it, edits included, kept (renumbered)
    assert [b.status for b in after[4:14]] == ["auto"] * 10
    with Corpus(path) as c:
        assert edits.undo(c, "d") is not None
        assert c.beads("d") == before


def test_realign_of_a_reviewed_stretch_changes_nothing(spoilt) -> None:  # noqa: ANN001
    path, _ = spoilt
    with Corpus(path) as c:
        edits.set_statuses(c, "d", list(range(4, 9)), "confirmed")
        before, log = c.beads("d"), c.log("d")
    r = CliRunner().invoke(app, ["realign", str(path), "d", "--from", "6", "--to", "6"])
    assert r.exit_code == 0 and "proposes what is there already" in r.stdout
    with Corpus(path) as c:
        assert (c.beads("d"), c.log("d")) == (before, log)


def test_realign_errors_are_one_line(spoilt) -> None:  # noqa: ANN001
    path, _ = spoilt
    for args, needle in ((["--from", "5", "--to", "400"], "outside the beads"), (["--from", "7", "--to", "3"], "outside")):
        r = CliRunner().invoke(app, ["realign", str(path), "d", *args])
        assert r.exit_code == 2 and r.stderr.startswith("error: ") and needle in r.stderr
    r = CliRunner().invoke(app, ["realign", str(path), "nope"])
    assert r.exit_code == 4 and "no document 'nope'" in r.stderr
