"""`align batch`: pairs found in folders and manifests, each aligned and checked as `align add`
does, failures listed without stopping the batch, reruns that skip what is stored, the Parquet
dataset, worker processes and the Ray engine giving the corpus one process gives."""

from __future__ import annotations

import fcntl
import shutil
import sqlite3
import sys
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from align.batch import discover, run_batch
from align.batch.sinks import part_metadata
from align.cli import app
from align.errors import FormatError, InputError, UsageError
from align.pipeline import PairOptions
from align.store import Corpus
from batch_helpers import collection, corpus_content, sentences
from data_paths import CLT, CMAC, EPR

PRESEG = PairOptions(presegmented=True)


def run(*args: object, env: dict[str, str] | None = None):  # noqa: ANN201
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n", encoding="utf-8")


# -- finding the pairs -------------------------------------------------------------------------


def test_folder_layouts_are_found_and_unpaired_files_reported(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "2024/speech.ja.md", "2024/speech.en.md",          # NAME.ja.EXT + NAME.en.EXT, in a sub-folder
        "talk_ja.srt", "talk_EN.srt",                      # NAME_ja, any case
        "memo-ja.pdf", "memo-en.docx",                     # different formats are fine
        "doc1/ja.txt", "doc1/en.txt", "doc1/ja.sent", "doc1/en.sent", "doc1/README.md",  # a folder per document
        "lonely.en.md",                                    # no partner
        "dup.ja.md", "dup.ja.txt", "dup.en.html",          # two sources, one target
        "notes.txt", ".hidden.ja.md", ".git/x.ja.md",      # named in no language / hidden
    )  # fmt: skip
    found = discover(tmp_path)
    pairs = {p.doc_id: (p.src.relative_to(tmp_path).as_posix(), p.tgt.relative_to(tmp_path).as_posix()) for p in found.pairs}
    assert pairs == {
        "2024/speech": ("2024/speech.ja.md", "2024/speech.en.md"),
        "talk": ("talk_ja.srt", "talk_EN.srt"),
        "memo": ("memo-ja.pdf", "memo-en.docx"),
        "doc1": ("doc1/ja.txt", "doc1/en.txt"),  # .sent only with --presegmented
    }
    assert [p.doc_id for p in found.pairs] == sorted(pairs)  # the order pairs are stored in
    problems = {(Path(x.src).name, x.reason.split(":")[0]) for x in found.problems}
    assert problems == {("lonely.en.md", "no partner"), ("dup.ja.md", "ambiguous"), ("dup.ja.txt", "ambiguous"),
                        ("dup.en.html", "ambiguous")}  # fmt: skip
    assert found.ignored == 2  # notes.txt, doc1/README.md
    preseg = {p.doc_id: p.src.name for p in discover(tmp_path, presegmented=True).pairs}
    assert preseg["doc1"] == "ja.sent"


def test_language_folders_and_other_languages(tmp_path: Path) -> None:
    touch(tmp_path, "de/a.txt", "fr/a.txt", "de/sub/b.de.md", "fr/sub/b.fr.md", "de/c.txt")
    found = discover(tmp_path, src_lang="de", tgt_lang="fr")
    assert [(p.doc_id, p.src_lang, p.tgt_lang) for p in found.pairs] == [("a", "de", "fr"), ("sub/b", "de", "fr")]
    assert [(x.doc_id, x.reason) for x in found.problems] == [("c", "no partner: no fr file beside this de one")]


def test_a_manifest_lists_pairs_relative_to_itself(tmp_path: Path) -> None:
    touch(tmp_path, "a/ja.txt", "a/en.txt", "b.ja.md", "b.en.md", "c.txt", "d.txt")
    (tmp_path / "pairs.csv").write_text(
        "src,tgt,doc_id,tgt_lang\n"
        "a/ja.txt,a/en.txt,,\n"           # the id from the folder, as add names it
        "b.ja.md,b.en.md,bee,en-GB\n"
        "c.txt,missing.txt,c,\n"          # a missing file is this row's failure
        "c.txt,d.txt,bee,\n"              # an id taken by an earlier row
        ",d.txt,e,\n",
        encoding="utf-8",
    )  # fmt: skip
    found = discover(tmp_path / "pairs.csv")
    assert [(p.doc_id, p.src.name, p.tgt_lang) for p in found.pairs] == [("a", "ja.txt", "en"), ("bee", "b.ja.md", "en-GB")]
    reasons = [x.reason for x in found.problems]
    assert reasons[0].startswith("line 4: ") and "missing.txt: no such file" in reasons[0]
    assert reasons[1].startswith("line 5: document id 'bee' is also given to")
    assert reasons[2] == "line 6: src and tgt are both needed"
    (tmp_path / "pairs.jsonl").write_text('{"src": "b.ja.md", "tgt": "b.en.md", "doc_id": 7}\n', encoding="utf-8")
    assert [p.doc_id for p in discover(tmp_path / "pairs.jsonl").pairs] == ["7"]
    (tmp_path / "pairs.tsv").write_text("src\ttgt\nb.ja.md\tb.en.md\n", encoding="utf-8")
    assert [p.doc_id for p in discover(tmp_path / "pairs.tsv").pairs] == ["b"]


def test_bad_inputs_are_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("source,target\na,b\n", encoding="utf-8")
    with pytest.raises(FormatError, match="no column src or tgt"):
        discover(tmp_path / "bad.csv")
    (tmp_path / "bad.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(FormatError, match="cannot read the manifest"):
        discover(tmp_path / "bad.jsonl")
    (tmp_path / "list.xlsx").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="a manifest is .csv, .tsv or .jsonl"):
        discover(tmp_path / "list.xlsx")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no document pairs found. Folder layouts"):
        discover(tmp_path / "empty")
    with pytest.raises(InputError, match="no such folder"):
        discover(tmp_path / "nope")


def test_help_names_the_layouts() -> None:
    text = " ".join(run("batch", "--help", env={"COLUMNS": "200"}).stdout.replace("│", " ").split())
    for needle in ("NAME.ja.EXT + NAME.en.EXT", "ja/NAME.EXT + en/NAME.EXT", "a folder per document", "Manifest columns: src, tgt", "pip install 'align[ray]'"):
        assert needle in text


# -- storing -----------------------------------------------------------------------------------


def bad_pairs(root: Path) -> None:
    """Pairs `align add` refuses, and a file with no partner."""
    ja, en = sentences(CLT)
    for name, src, tgt in (("swapped", en, ja), ("english", en, sentences(EPR)[1]), ("unrelated", sentences(CMAC)[0], sentences(EPR)[1])):
        (root / f"{name}.ja.sent").write_text("\n".join(src) + "\n", encoding="utf-8")
        (root / f"{name}.en.sent").write_text("\n".join(tgt) + "\n", encoding="utf-8")
    (root / "lonely.en.sent").write_text("Alone.\n", encoding="utf-8")


def test_batch_stores_pairs_as_add_does_and_lists_what_failed(tmp_path: Path) -> None:
    root = collection(tmp_path / "in", mixed=False)
    bad_pairs(root)
    path = tmp_path / "c.db"
    r = run("batch", root, "--corpus", path, "--presegmented")
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    failed = {line.split(":")[1].strip(): line for line in r.stderr.splitlines() if line.startswith("failed: ")}
    assert set(failed) == {"swapped", "english", "unrelated", "lonely"}
    assert "languages look swapped" in failed["swapped"] and "both files read as en" in failed["english"]
    assert "files look unrelated" in failed["unrelated"] and "no partner" in failed["lonely"]
    assert "--force" in failed["swapped"]
    summary = r.stderr.strip().splitlines()[-1]
    assert summary.startswith("6 pairs: 3 added, 4 failed (listed in ") and "sentences/s" in summary
    listed = pl.read_csv(tmp_path / "c.db.failures.tsv", separator="\t")
    assert listed.columns == ["doc_id", "src", "tgt", "reason"]
    assert sorted(listed["doc_id"]) == ["english", "lonely", "swapped", "unrelated"]
    # each stored document is what `align add` stores for that pair
    by_add = tmp_path / "add.db"
    for name in ("cmac-2024", "kyoto-CLT01161", "kyoto-EPR00071"):
        r2 = run("add", root / f"{name}.ja.sent", root / f"{name}.en.sent", "--corpus", by_add, "--presegmented", "-q")
        assert r2.exit_code == 0, r2.output
    assert corpus_content(path) == corpus_content(by_add)
    # a rerun skips what is stored and writes nothing
    with Corpus(path) as c:
        log = c.log()
    r = run("batch", root, "--corpus", path, "--presegmented")
    summary = r.stderr.strip().splitlines()[-1]
    assert r.exit_code == 1 and summary.startswith("6 pairs: nothing new stored, 3 stored already, 4 failed")
    with Corpus(path) as c:
        assert c.log() == log
    # --force stores the pairs that only looked wrong
    r = run("batch", root, "--corpus", path, "--presegmented", "--force", "--failures", tmp_path / "f.tsv")
    assert r.exit_code == 1 and "6 pairs: 3 added, 3 stored already, 1 failed" in r.stderr
    assert pl.read_csv(tmp_path / "f.tsv", separator="\t")["doc_id"].to_list() == ["lonely"]
    with Corpus(path) as c:
        assert len(c.doc_ids()) == 6


def test_a_changed_pair_is_realigned_keeping_reviews_and_a_taken_id_is_refused(tmp_path: Path) -> None:
    root = collection(tmp_path / "in", mixed=False)
    path = tmp_path / "c.db"
    report = run_batch(root, corpus=path, options=PRESEG)
    assert (report.actions, report.failures) == ({"added": 3}, ())
    with Corpus(path) as c:
        c.set_status("kyoto-EPR00071", 3, "confirmed")
    with open(root / "kyoto-EPR00071.en.sent", "a", encoding="utf-8") as f:
        f.write("One more sentence at the end.\n")
    report = run_batch(root, corpus=path, options=PRESEG)
    assert (report.actions, report.skipped) == ({"realigned": 1}, 2)
    with Corpus(path) as c:
        assert c.beads("kyoto-EPR00071")[3].status == "confirmed"
    other = tmp_path / "other"
    shutil.copytree(root, other)
    report = run_batch(other, corpus=path, options=PRESEG)  # same ids, other files
    assert report.stored == 0 and len(report.failures) == 3
    assert "already holds" in report.failures[0].reason and "--replace" in report.failures[0].reason
    report = run_batch(other, corpus=path, options=PRESEG, replace=True)
    assert report.actions == {"realigned": 3}


def test_a_parquet_dataset_holds_the_same_beads_and_resumes(tmp_path: Path) -> None:
    root = collection(tmp_path / "in", mixed=False)
    out = tmp_path / "ds"
    r = run("batch", root, "--out", out, "--presegmented")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "ds.failures.tsv").read_text(encoding="utf-8") == "doc_id\tsrc\ttgt\treason\n"
    data = pl.read_parquet(out / "*.parquet").sort("doc_id", "bead_index")
    assert "start" in data.columns  # every file has the same columns, so they read as one table
    run_batch(root, corpus=tmp_path / "c.db", options=PRESEG)
    assert run("export", tmp_path / "c.db", "-o", tmp_path / "c.parquet").exit_code == 0
    corpus = pl.read_parquet(tmp_path / "c.parquet").sort("doc_id", "bead_index")
    assert data.drop("start", "end").equals(corpus)
    meta = part_metadata(next(out.glob("kyoto-CLT01161-*.parquet")))
    assert meta is not None and meta["doc_id"] == "kyoto-CLT01161" and len(meta["src_sha256"]) == 64
    (out / ".kyoto-CLT01161-x.parquet.abc.part").write_bytes(b"half")  # left by a killed run
    report = run_batch(root, out=out, options=PRESEG)
    assert (report.skipped, report.stored) == (3, 0)
    assert not list(out.glob(".*.part"))
    with open(out / ".align-batch.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        r = run("batch", root, "--out", out, "--presegmented")
    assert r.exit_code == 4 and "another align batch is writing this dataset" in r.stderr


def test_each_document_records_how_long_its_alignment_took(tmp_path: Path) -> None:
    from align.store.stats import corpus_stats

    run_batch(collection(tmp_path / "in", mixed=False), corpus=tmp_path / "c.db", options=PRESEG)
    con = sqlite3.connect(tmp_path / "c.db")
    assert all(s is not None and s > 0 for (s,) in con.execute("SELECT align_seconds FROM documents"))
    with Corpus(tmp_path / "c.db") as c:
        assert corpus_stats(c).slowest.height == 3  # what `align stats` lists as the slowest


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--corpus", "c.db", "--out", "ds"], "either a corpus file or an output folder"),
        ([], "either a corpus file or an output folder"),
        (["--corpus", "c.db", "--ray-address", "auto"], "--ray-address needs --engine ray"),
        (["--corpus", "c.db", "--engine", "spark"], "unknown engine 'spark'; use one of local, ray"),
        (["--corpus", "no/such/folder/c.db"], "does not exist"),
        (["--corpus", "c.db", "--model", "no-such-model"], "unknown model 'no-such-model'"),
    ],
)
def test_usage_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], needle: str) -> None:
    root = collection(tmp_path / "in", mixed=False)
    monkeypatch.chdir(tmp_path)
    r = run("batch", root, *args, "--presegmented")
    assert r.exit_code in (2, 3, 4) and needle in r.stderr, r.output
    assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("error: ")
    assert not (tmp_path / "c.db").exists()  # refused before the corpus is touched


def test_the_ray_engine_without_ray_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    r = run("batch", collection(tmp_path / "in", mixed=False), "-c", tmp_path / "c.db", "--engine", "ray")
    assert r.exit_code == 2 and r.stderr == "error: --engine ray needs Ray, which is not installed: pip install 'align[ray]'\n"


# -- engines -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_process(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple]]:
    """The 9-pair collection and the corpus one process makes of it."""
    tmp = tmp_path_factory.mktemp("batch")
    root = collection(tmp / "in")
    report = run_batch(root, corpus=tmp / "one.db", options=PRESEG)
    assert report.actions == {"added": 9} and not report.failures
    return root, corpus_content(tmp / "one.db")


def test_two_worker_processes_make_the_same_corpus(one_process: tuple[Path, list[tuple]], tmp_path: Path) -> None:
    root, expected = one_process
    r = run("batch", root, "--corpus", tmp_path / "two.db", "--presegmented", "--workers", "2", "-q")
    assert r.exit_code == 0 and r.stderr == "", r.output
    assert corpus_content(tmp_path / "two.db") == expected  # same beads, same order of documents


def test_the_ray_engine_makes_the_same_corpus_on_a_local_ray(one_process: tuple[Path, list[tuple]], tmp_path: Path) -> None:
    pytest.importorskip("ray")
    root, expected = one_process
    report = run_batch(root, corpus=tmp_path / "ray.db", options=PRESEG, engine="ray", workers=2)  # ray.init(num_cpus=2)
    assert report.actions == {"added": 9} and not report.failures
    assert corpus_content(tmp_path / "ray.db") == expected
    con = sqlite3.connect(tmp_path / "ray.db")
    assert con.execute("SELECT src_path FROM documents ORDER BY id LIMIT 1").fetchone()[0] == str(root / "cmac-2024.ja.sent")


def test_a_worker_that_dies_stops_the_batch_with_one_line_saying_to_rerun() -> None:
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from align.batch.local import Pool
    from align.errors import AlignError

    dead: Future = Future()
    dead.set_exception(BrokenProcessPool("a child process terminated abruptly"))
    with pytest.raises(AlignError, match="a worker process died .* run the same batch again"):
        Pool(None, PRESEG, 2).result(dead)  # type: ignore[arg-type]


def test_a_worker_sizes_its_thread_pools_before_numpy_loads() -> None:
    import subprocess

    code = ("import os, sys\nfrom align.batch.local import _start_worker\n_start_worker(1)\n"
            "assert 'numpy' not in sys.modules\nimport numpy\nfrom threadpoolctl import threadpool_info\n"
            "print(sorted({p['num_threads'] for p in threadpool_info()}))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[1]"


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 40), window=st.integers(1, 9))
def test_ordered_gives_every_outcome_once_in_order_with_at_most_window_in_flight(n: int, window: int) -> None:
    from align.batch.jobs import PairJob, PairOutcome, PairSpec
    from align.batch.run import ordered

    class Engine:
        def __init__(self) -> None:
            self.window, self.flight, self.most, self.started = window, 0, 0, []

        def start(self, job: PairJob) -> int:
            self.flight += 1
            self.most = max(self.most, self.flight)
            self.started.append(job.index)
            return job.index

        def result(self, handle: int) -> PairOutcome:
            self.flight -= 1
            return PairOutcome(handle, None, "x")

    engine = Engine()
    jobs = [PairJob(k, PairSpec(str(k), Path("a"), Path("b"))) for k in range(n)]
    assert [o.index for o in ordered(engine, jobs)] == list(range(n)) == engine.started
    assert engine.most <= window and engine.flight == 0
