"""`align batch` on a collection of about 700 document pairs: 1 and 2 worker processes, the Ray
engine on a local Ray, a Parquet dataset read back with polars, and a resume after kill -9 at
50%; wall time, documents/min, sentences/s, peak memory of the whole process tree, and whether
every mode stored the same beads in the same order.

The collection (built once into --work, kept for reruns):
- the 50k scale-dev pair (whole Kyoto articles one after another, one sentence a line, no
  titles or gold) cut into pieces of about 100 Japanese sentences: the pair is aligned once
  (align_files, presegmented) and cut before a 1-1 bead of confidence >= 0.95 once a piece
  holds its drawn size (60-140 sentences, seeded), so no translation unit is split between two
  pieces and each piece is a document and its translation; written as presegmented files;
- every document of the dev sets (kyoto clean/hard, wmtnews clean/hard, lecture clean/subs:
  ja.sent + en.sent; Text+Berg: dev.de + dev.fr as a de-fr row), read where they are.
A manifest (pairs.csv: src, tgt, doc_id, src_lang, tgt_lang) lists them all.

Each measured run is `align batch pairs.csv --presegmented` in a fresh process with a fresh,
empty embedding cache (the use-m3 load snapshot copied in, as on any machine after its first
run), so every sentence is encoded: the cost of a new collection.

"Same beads" compares every bead's sentences, type, status and document order exactly, and
counts the confidences that differ: documents that share sentences (lecture clean / subs,
Kyoto clean / hard) share their cached vectors, computed in whichever document's batch came
first, and float32 rounding depends on the batch, so with several workers a confidence can move
in its sixth decimal. `--no-cache` would make every mode bit for bit equal.

    .venv/bin/python bench/batch_bench.py [--work DIR] [--pairs N] [--modes 1,2,ray,parquet,resume]

Load the machine carries is printed beside each run (/proc/loadavg): on a shared machine the
speed-up of two workers is only as good as the second core is free. So the CPU time of each run
(user + system, of the driver and the workers it reaps) is printed too: two workers that spend
no more CPU than one would, on two free cores, take half the time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("ALIGN_SHARED_DATA") or ROOT.parent / "shared" / "data")
DEV_SETS = ("kyoto-dev-clean", "kyoto-dev-hard", "wmtnews-dev-clean", "wmtnews-dev-hard", "lecture-dev-clean", "lecture-dev-subs")
RESULTS = ROOT / "bench" / "results" / "batch_bench.txt"
SUMMARY = re.compile(r"(\d+) pairs?: (.*); ([\d,]+) sentences → ([\d,]+) beads in ([\d.]+) s")


# -- the collection ----------------------------------------------------------------------------


def cut_points(work: Path, seed: int = 11) -> list[tuple[int, int]]:
    """(ja start, en start) of each piece of the 50k pair (cached in work/cuts.json)."""
    cache = work / "cuts.json"
    if cache.exists():
        return [tuple(x) for x in json.loads(cache.read_text())]
    from align.pipeline import align_files

    os.environ["ALIGN_CACHE_DIR"] = str(work / "cut-cache")
    t = time.perf_counter()
    print("aligning the 50k scale-dev pair once to cut it into pieces…", flush=True)
    a = align_files(DATA / "scale-dev" / "50k.ja", DATA / "scale-dev" / "50k.en", presegmented=True)
    print(f"  {len(a.src)} + {len(a.tgt)} sentences, {len(a.beads)} beads in {time.perf_counter() - t:.0f} s", flush=True)
    rng = random.Random(seed)
    cuts, size, want = [(0, 0)], 0, rng.randint(60, 140)
    for b in a.beads:
        if size >= want and len(b.src) == len(b.tgt) == 1 and b.confidence >= 0.95:
            cuts.append((b.src[0], b.tgt[0]))
            size, want = 0, rng.randint(60, 140)
        size += len(b.src)
    cache.write_text(json.dumps(cuts))
    return cuts


def build(work: Path) -> Path:
    """The collection's manifest (built once)."""
    manifest = work / "pairs.csv"
    if manifest.exists():
        return manifest
    ja = (DATA / "scale-dev" / "50k.ja").read_text(encoding="utf-8").splitlines()
    en = (DATA / "scale-dev" / "50k.en").read_text(encoding="utf-8").splitlines()
    cuts = cut_points(work) + [(len(ja), len(en))]
    folder = work / "scale"
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for k, ((s0, t0), (s1, t1)) in enumerate(zip(cuts, cuts[1:])):
        for lang, lines, a, b in (("ja", ja, s0, s1), ("en", en, t0, t1)):
            (folder / f"{k:04d}.{lang}.sent").write_text("\n".join(lines[a:b]) + "\n", encoding="utf-8")
        rows.append((f"scale/{k:04d}.ja.sent", f"scale/{k:04d}.en.sent", f"scale/{k:04d}", "ja", "en"))
    for name in DEV_SETS:
        for d in sorted((DATA / name).iterdir()):
            if (d / "ja.sent").exists():
                rows.append((str(d / "ja.sent"), str(d / "en.sent"), f"{name}/{d.name}", "ja", "en"))
    tb = DATA / "textberg-dev"
    rows.append((str(tb / "dev.de"), str(tb / "dev.fr"), "textberg-dev", "de", "fr"))
    with open(manifest, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["src", "tgt", "doc_id", "src_lang", "tgt_lang"])
        w.writerows(rows)
    return manifest


def sample(manifest: Path, n: int | None) -> Path:
    """The manifest, or every k-th of its rows (scale pieces and dev documents alike) for a quick run."""
    if not n:
        return manifest
    lines = manifest.read_text(encoding="utf-8").splitlines()
    rows = lines[1:]
    step = max(len(rows) // n, 1)
    out = manifest.with_name(f"pairs-{n}.csv")
    out.write_text("\n".join([lines[0], *rows[::step][:n]]) + "\n", encoding="utf-8")
    return out


# -- running and measuring -----------------------------------------------------------------------


def tree_rss(root: int) -> tuple[int, int]:
    """(RSS of `root` and every descendant, RSS of `root` alone), in bytes, from /proc."""
    children: dict[int, list[int]] = {}
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                ppid = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(p.name))

    def rss(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss(pid)
        todo += children.get(pid, [])
    return total, rss(root)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass
class Run:
    """One measured `align batch`."""

    name: str
    wall: float = 0.0
    pairs: int = 0
    stored: int = 0
    sentences: int = 0
    beads: int = 0
    peak: int = 0
    peak_driver: int = 0
    cpu: float = 0.0
    load: str = ""
    note: str = ""
    stderr: str = field(default="", repr=False)

    def line(self) -> str:
        docs = self.stored / self.wall * 60 if self.wall else 0
        sps = self.sentences / self.wall if self.wall else 0
        return (f"{self.name:24s} {self.wall:7.1f} s {docs:8.1f} docs/min {sps:7.0f} sent/s  CPU {self.cpu:7.1f} s"
                f"  peak {self.peak / 2**20:6.0f} MiB (driver {self.peak_driver / 2**20:4.0f})  load {self.load}  {self.note}")  # fmt: skip


def fresh_cache(work: Path, name: str) -> Path:
    """An empty embedding cache holding only the use-m3 load snapshot."""
    folder = work / "caches" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for snap in (work / "cut-cache").glob("*.snapshot"):
        shutil.copy(snap, folder / snap.name)
    return folder


def start(args: list[str], cache: Path) -> subprocess.Popen:
    env = {**os.environ, "ALIGN_CACHE_DIR": str(cache), "ALIGN_PROGRESS_EVERY": "60"}
    cmd = [sys.executable, "-c", "from align.cli import main; main()", "batch", *args]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)


def watch(proc: subprocess.Popen, run: Run, stop_when=None) -> None:  # noqa: ANN001
    """Sample the process tree's memory until the process ends (or `stop_when()` is true: then kill -9 it)."""
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)  # CPU of the driver and the workers it reaps
    run.cpu = before.ru_utime + before.ru_stime
    while proc.poll() is None:
        total, driver = tree_rss(proc.pid)
        run.peak, run.peak_driver = max(run.peak, total), max(run.peak_driver, driver)
        if stop_when is not None and stop_when():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            break
        time.sleep(0.1)
    run.wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run.cpu = after.ru_utime + after.ru_stime - run.cpu
    reader.join(timeout=10)
    run.stderr = "".join(err)
    m = None
    for line in run.stderr.splitlines():
        m = SUMMARY.search(line) or m
    if m:
        run.pairs, run.sentences, run.beads = int(m[1]), int(m[3].replace(",", "")), int(m[4].replace(",", ""))
        run.stored = sum(int(x) for x in re.findall(r"(\d+) (?:added|realigned|replaced)", m[2]))
        failed = re.search(r"(\d+) failed", m[2])
        if failed:  # listed in the target's .failures.tsv
            run.note = f"{failed[1]} failed"


def batch(name: str, work: Path, manifest: Path, target: list[str], extra: list[str], *, cache: Path | None = None,
          stop_when=None) -> Run:  # noqa: ANN001
    run = Run(name, load=loadavg())
    proc = start([str(manifest), *target, "--presegmented", *extra], cache or fresh_cache(work, name))
    watch(proc, run, stop_when)
    run.load += f" → {loadavg()}"
    if stop_when is None and proc.returncode not in (0, 1):
        raise SystemExit(f"{name}: align batch failed ({proc.returncode}):\n{run.stderr[-2000:]}")
    return run


def documents(path: Path) -> int:
    if not path.exists():
        return 0
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        con.close()


def beads_of(path: Path):  # noqa: ANN201
    """Every bead of a corpus or a dataset, in stored order (corpus) or doc id order (dataset)."""
    import polars as pl

    from align.store import Corpus, export_rows

    if path.is_dir():
        return pl.read_parquet(path / "*.parquet").drop("start", "end").sort("doc_id", "bead_index")
    with Corpus(path) as c:
        rows = [(r.doc_id, r.bead_index, r.src, r.tgt, list(r.src_ids), list(r.tgt_ids), r.confidence, r.type, r.status)
                for r in export_rows(c, statuses=("auto", "confirmed", "edited", "rejected"))]  # fmt: skip
    return pl.DataFrame(rows, schema=["doc_id", "bead_index", "src", "tgt", "src_ids", "tgt_ids", "confidence", "type", "status"],
                        orient="row")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("/tmp/align-batch-bench"), help="collection, corpora and caches")
    ap.add_argument("--pairs", type=int, default=None, help="every k-th pair only, N in all (a quick check)")
    ap.add_argument("--modes", default="1,2,ray,parquet,resume", help="which runs (comma-separated)")
    args = ap.parse_args(argv)
    modes = args.modes.split(",")
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    manifest = sample(build(work), args.pairs)
    n_pairs = sum(1 for _ in open(manifest, encoding="utf-8")) - 1
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    lines = [f"collection: {n_pairs} pairs ({manifest}); {os.cpu_count()} cores; uptime load at start {loadavg()}"]
    print(lines[0], flush=True)
    runs: dict[str, Run] = {}
    targets: dict[str, Path] = {}

    def record(run: Run, path: Path) -> None:
        runs[run.name], targets[run.name] = run, path
        lines.append(run.line())
        print(lines[-1], flush=True)

    if "1" in modes:
        record(batch("1 worker", work, manifest, ["-c", str(out / "w1.db")], ["-w", "1"]), out / "w1.db")
    if "2" in modes:
        record(batch("2 workers", work, manifest, ["-c", str(out / "w2.db")], ["-w", "2"]), out / "w2.db")
    if "ray" in modes:
        record(batch("ray, local, 2 CPUs", work, manifest, ["-c", str(out / "ray.db")], ["--engine", "ray", "-w", "2"]), out / "ray.db")
    if "parquet" in modes:
        record(batch("2 workers → parquet", work, manifest, ["--out", str(out / "ds")], ["-w", "2"]), out / "ds")
        import polars as pl

        t = time.perf_counter()
        df = pl.read_parquet(out / "ds" / "*.parquet")
        lines.append(f"  parquet read back with polars: {df.height:,} beads of {df['doc_id'].n_unique()} documents in "
                     f"{time.perf_counter() - t:.2f} s")  # fmt: skip
        print(lines[-1], flush=True)
    if "resume" in modes:
        path = out / "resume.db"
        cache = fresh_cache(work, "resume")
        half = n_pairs // 2
        killed = batch("2 workers, killed at 50%", work, manifest, ["-c", str(path)], ["-w", "2"], cache=cache,
                       stop_when=lambda: documents(path) >= half)  # fmt: skip
        killed.stored, killed.note = documents(path), f"kill -9 with {documents(path)} of {n_pairs} stored"
        lines.append(killed.line())
        print(lines[-1], flush=True)
        rerun = batch("  rerun after the kill", work, manifest, ["-c", str(path)], ["-w", "2"], cache=cache)
        skipped = re.search(r"(\d+) stored already", rerun.stderr)
        rerun.note = f"{skipped[1] if skipped else 0} skipped as stored, {rerun.note or '0 failed'}"
        con = sqlite3.connect(path)
        rerun.note += f", integrity_check {con.execute('PRAGMA integrity_check').fetchone()[0]}"
        con.close()
        record(rerun, path)
    if "1 worker" in runs and "2 workers" in runs:
        one, two = runs["1 worker"], runs["2 workers"]
        lines.append(f"speed-up of 2 workers over 1: {one.wall / two.wall:.2f}x wall; CPU time {two.cpu / one.cpu:.2f}x of"
                     " one worker's (what 2 free cores would turn into a speed-up of up to "
                     f"{2 * one.cpu / two.cpu:.2f}x)")  # fmt: skip
        print(lines[-1], flush=True)
    if targets:
        base_name, base = next(iter(targets.items()))
        want = beads_of(base)
        for name, path in targets.items():
            got = beads_of(path)  # a corpus in its stored order: the same order of documents too
            ref = want.sort("doc_id", "bead_index") if path.is_dir() else want
            same = got.height == ref.height and got.drop("confidence").equals(ref.drop("confidence"))
            conf = (got["confidence"] - ref["confidence"]).abs() if got.height == ref.height else None
            moved = f"{(conf > 0).sum()} confidences differ, by at most {conf.max():.1e}" if conf is not None else ""
            lines.append(f"same beads as '{base_name}': {name}: {'yes' if same else 'NO'} ({got.height:,} beads; {moved})")
            print(lines[-1], flush=True)
    lines.append(f"uptime load at the end {loadavg()}")
    print(lines[-1])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
