"""`align stats`: the numbers of a corpus, checked against the gold alignments they were built
from, and the three ways the command shows them (tables, JSON, CSV)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from align.cli import app
from align.store import Corpus
from align.store.stats import QUANTILES, corpus_stats, stats_long, stats_records
from corpus_helpers import gold_alignment, gold_folders

SECONDS = {"cmac-2024": 2.5, "kyoto-CLT01161": 0.5}  # kyoto-EPR00071 stored without a time


def run(*args: object):  # noqa: ANN201
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The three bundled gold alignments (confidences varied), some beads reviewed."""
    path = tmp_path / "c.db"
    with Corpus(path, create=True) as c:
        for folder in gold_folders():
            a = gold_alignment(folder)
            if folder.name in SECONDS:
                a = replace(a, stats={"total_s": SECONDS[folder.name]})
            c.add_alignment(a, doc_id=folder.name)
        c.set_statuses("cmac-2024", range(10), "confirmed")
        c.set_status("kyoto-EPR00071", 0, "rejected")
    return path


def test_the_numbers_are_those_of_the_beads(corpus: Path) -> None:
    with Corpus(corpus) as c:
        stats = corpus_stats(c, top=2)
    golds = {f.name: gold_alignment(f) for f in gold_folders()}
    beads = [b for a in golds.values() for b in a.beads]
    s = stats.summary.row(0, named=True)
    assert (s["documents"], s["beads"], s["confirmed"], s["rejected"], s["edited"]) == (3, len(beads), 10, 1, 0)
    assert s["src_sents"] == sum(len(a.src) for a in golds.values()) and s["tgt_sents"] == sum(len(a.tgt) for a in golds.values())
    assert s["reviewed"] == pytest.approx(11 / len(beads))
    assert s["mean_conf"] == pytest.approx(np.mean([b.confidence for b in beads]))
    assert s["below_0.9"] == sum(b.confidence < 0.9 for b in beads)
    assert s["align_seconds"] == pytest.approx(3.0)
    by_type = dict(zip(stats.beads["type"], stats.beads["total"], strict=True))
    assert by_type == Counter(b.type for b in beads) and stats.beads["type"][0] == "1-1"
    assert (stats.beads["confirmed"].sum(), stats.beads["rejected"].sum(), stats.beads["auto"].sum()) == (10, 1, len(beads) - 11)
    cmac = golds["cmac-2024"].beads
    assert stats.beads.filter(pl.col("type") == "1-1")["confirmed"].item() == sum(b.type == "1-1" for b in cmac[:10])
    q = dict(zip(stats.quantiles["quantile"], stats.quantiles["confidence"], strict=True))
    confs = [b.confidence for b in beads]
    assert list(q) == [name for name, _ in QUANTILES]
    assert (q["min"], q["max"]) == (min(confs), max(confs)) and q["median"] == pytest.approx(np.median(confs))
    assert list(q.values()) == sorted(q.values())
    assert stats.slowest["doc_id"].to_list() == ["cmac-2024", "kyoto-CLT01161"]  # EPR has no time
    cmac = stats.slowest.row(0, named=True)
    assert cmac["sentences_per_s"] == pytest.approx((len(golds["cmac-2024"].src) + len(golds["cmac-2024"].tgt)) / 2.5)
    means = sorted((np.mean([b.confidence for b in a.beads]), name) for name, a in golds.items())
    assert stats.least_confident["doc_id"].to_list() == [name for _, name in means[:2]]


def test_stats_as_tables_json_and_csv(corpus: Path) -> None:
    r = run("stats", corpus)
    assert r.exit_code == 0, r.output
    for needle in ("3 documents", "reviewed ", "beads by type and status", "confidence quantiles", "median",
                   "slowest documents", "least confident documents", "cmac-2024"):  # fmt: skip
        assert needle in r.stdout, needle
    r = run("stats", corpus, "--format", "json", "--top", "1")
    data = json.loads(r.stdout)
    assert data["summary"]["documents"] == 3 and len(data["slowest"]) == 1 and data["slowest"][0]["doc_id"] == "cmac-2024"
    with Corpus(corpus) as c:
        assert data == json.loads(json.dumps(stats_records(corpus_stats(c, top=1))))
    r = run("stats", corpus, "--format", "csv")
    table = pl.read_csv(r.stdout.encode(), infer_schema=False)
    assert table.columns == ["section", "item", "measure", "value"]
    docs = table.filter((pl.col("section") == "summary") & (pl.col("measure") == "documents"))
    assert docs["value"].to_list() == ["3"]  # counts stay whole numbers
    with Corpus(corpus) as c:
        assert table.height == stats_long(corpus_stats(c)).height
    r = run("stats", corpus, "--format", "xml")
    assert r.exit_code == 2 and r.stderr == "error: unknown format 'xml'; use one of table, json, csv\n"


def test_an_empty_corpus_and_a_missing_one(tmp_path: Path) -> None:
    Corpus(tmp_path / "e.db", create=True).close()
    r = run("stats", tmp_path / "e.db")
    assert r.exit_code == 0 and "no documents yet" in r.stdout
    r = run("stats", tmp_path / "e.db", "--format", "json")
    assert json.loads(r.stdout)["summary"]["documents"] == 0
    r = run("stats", tmp_path / "missing.db")
    assert r.exit_code == 4 and r.stderr.startswith("error: ") and len(r.stderr.splitlines()) == 1
