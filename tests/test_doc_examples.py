"""The Python examples of README.md and docs/api.md run as printed and write what they say.

Each ```python block runs in its own interpreter, in order, in a temporary folder that holds a
link to corpora/ (as a checkout does), so a block works when pasted on its own.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from lxml import etree

from data_paths import CORPORA, ROOT

DTD = etree.DTD(str(Path(__file__).parent / "fixtures" / "tmx14.dtd"))


def run_python_blocks(doc: Path, cwd: Path) -> list[str]:
    """Run every ```python block of a markdown file in cwd; their stdouts, in order."""
    blocks = re.findall(r"```python\n(.*?)```", doc.read_text(encoding="utf-8"), flags=re.S)
    assert blocks, f"{doc.name} has no python example"
    (cwd / "corpora").symlink_to(CORPORA)
    outs = []
    for k, code in enumerate(blocks):
        out = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, f"{doc.name} example {k + 1}:\n{out.stderr}"
        outs.append(out.stdout)
    return outs


def tmx_units(path: Path) -> int:
    tree = etree.parse(str(path))
    assert DTD.validate(tree), DTD.error_log.filter_from_errors()
    return len(tree.findall("body/tu"))


def test_readme_library_example(tmp_path: Path) -> None:
    (out,) = run_python_blocks(ROOT / "README.md", tmp_path)
    assert "（了） | (End)" in out
    assert tmx_units(tmp_path / "cmac-2024.tmx") > 40


def test_api_page_examples(tmp_path: Path) -> None:
    files, lists, corpus, batch = run_python_blocks(ROOT / "docs" / "api.md", tmp_path)

    # two files: 44 beads (as corpora/cmac-2024/gold.beads), all in JSONL, the aligned ones in TMX
    gold = (CORPORA / "cmac-2024" / "gold.beads").read_text(encoding="utf-8").splitlines()
    assert f"46 + 48 sentences → {len(gold)} beads" in files
    records = [json.loads(line) for line in (tmp_path / "cmac-2024.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(gold) and {r["doc_id"] for r in records} == {"cmac-2024"}
    units, left_out = map(int, re.search(r"(\d+) TMX units, (\d+) unaligned", files).groups())
    assert tmx_units(tmp_path / "cmac-2024.tmx") == units == len(gold) - left_out
    assert "model:use-m3" in files

    # two lists: one line per bead, every sentence once
    beads = lists.strip().splitlines()
    assert beads[0] == "1-1 1.00 京都は日本の古都である。 | Kyoto is an old capital of Japan."
    assert "".join(b.split(" ", 2)[2].split(" | ")[0] for b in beads) == "京都は日本の古都である。人口は約百四十万人。多くの寺社がある。"

    # the corpus: two documents added; TMX of the beads at or above 0.9; the two reviewed beads in CSV
    assert corpus.startswith(f"added cmac-2024 {len(gold)} beads\nadded kyoto-EPR00071 25 beads\n")
    con = sqlite3.connect(tmp_path / "speeches.db")
    assert [d for (d,) in con.execute("SELECT doc_id FROM documents ORDER BY id")] == ["cmac-2024", "kyoto-EPR00071"]
    con.close()
    units = int(re.search(r"(\d+) TMX units", corpus).group(1))
    assert tmx_units(tmp_path / "speeches.tmx") == units > 50
    with (tmp_path / "reviewed.csv").open(encoding="utf-8-sig", newline="") as f:
        reviewed = list(csv.DictReader(f))
    assert [(r["bead_index"], r["status"]) for r in reviewed] == [("0", "confirmed"), ("1", "edited")]
    assert reviewed[1]["tgt"] == "6 July 2024"

    # a batch over the bundled folders: three documents, once; the rerun aligns none
    first, again, *tables = batch.strip().splitlines()
    assert first.startswith("{'added': 3} in ") and first.endswith("0 failed; 3 of 3")
    assert again == "3 stored already, 0 aligned again"
    assert re.search(r"│ 3 +┆ 81 +┆ 0\.0 +┆ 0\.9", "\n".join(tables))  # documents, beads, reviewed, mean confidence
    assert tables[-1] == "['cmac-2024', 'kyoto-CLT01161']"  # the least confident two
