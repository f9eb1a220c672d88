"""Scale check for the corpus store: build a corpus of N beads, then time `align list` and
`align export` to every format, with the peak memory of each command.

Synthetic documents of 1-1 beads made from the Kyoto scale-dev sentences (repeated), added
through Corpus.add_alignment (one transaction per document, as `align add` does).

    .venv/bin/python bench/export_scale.py [--beads 1000000] [--doc-size 5000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from align.model import Alignment, Bead, Block, Document, Sentence, Signature
from align.store import Corpus
from align.store.tables import documents_table

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "scale-dev"

# Runs one CLI command in a fresh interpreter and reports its wall time and peak RSS.
_RUN = """
import resource, sys, time
from align.cli import app
t = time.perf_counter()
try:
    app(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
dt = time.perf_counter() - t
print(f"BENCH {dt:.3f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}", file=sys.stderr)
"""


def document(lines: list[str], lang: str) -> Document:
    """A pre-segmented document, one sentence per line."""
    sents, pos = [], 0
    for k, line in enumerate(lines):
        sents.append(Sentence(pos, pos + len(line), k))
        pos += len(line) + 1
    return Document("\n".join(lines), lang, tuple(Block("line", s.start, s.end) for s in sents), tuple(sents))


def build(path: Path, n_beads: int, doc_size: int) -> float:
    """Fill a corpus with n_beads 1-1 beads in documents of doc_size; returns seconds."""
    ja = [x for x in (DATA / "50k.ja").read_text(encoding="utf-8").splitlines() if x.strip()]
    en = [x for x in (DATA / "50k.en").read_text(encoding="utf-8").splitlines() if x.strip()]
    sig = Signature("bench", "synthetic", "lines")
    t = time.perf_counter()
    with Corpus(path, create=True) as c:
        done, k = 0, 0
        while done < n_beads:
            n = min(doc_size, n_beads - done)
            off = (k * doc_size) % (min(len(ja), len(en)) - n)
            src, tgt = document(ja[off : off + n], "ja"), document(en[off : off + n], "en")
            beads = tuple(Bead((i,), (i,), ((i * 7919) % 1000) / 1000) for i in range(n))
            c.add_alignment(Alignment(src, tgt, beads, sig), doc_id=f"doc{k:05d}")
            done += n
            k += 1
    return time.perf_counter() - t


def run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one `align` command in a fresh process."""
    p = subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True, text=True)
    line = [x for x in p.stderr.splitlines() if x.startswith("BENCH ")]
    if p.returncode != 0 or not line:
        raise SystemExit(f"align {' '.join(args)} failed:\n{p.stderr}")
    _, secs, rss = line[-1].split()
    return float(secs), float(rss)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--beads", type=int, default=1_000_000)
    ap.add_argument("--doc-size", type=int, default=5000)
    ap.add_argument("--keep", type=Path, help="Folder to build in and keep (default: a temp folder).")
    a = ap.parse_args()
    folder = a.keep or Path(tempfile.mkdtemp(prefix="align-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "corpus.db"
    results: dict[str, object] = {"beads": a.beads, "doc_size": a.doc_size}
    if not corpus.exists():
        results["build_s"] = round(build(corpus, a.beads, a.doc_size), 1)
    results["corpus_mib"] = round(sum(p.stat().st_size for p in folder.glob("corpus.db*")) / 2**20, 1)
    with Corpus(corpus) as c:
        t = time.perf_counter()
        df = documents_table(c)
        results["list_documents_s"] = round(time.perf_counter() - t, 3)
        assert int(df["beads"].sum()) == a.beads
    results["align list (s, MiB)"] = run(["list", str(corpus)])
    results["baseline import (s, MiB)"] = run(["--help"])
    for fmt in ("jsonl", "csv", "tsv", "parquet", "tmx"):
        out = folder / f"export.{fmt}"
        secs, rss = run(["export", str(corpus), "-o", str(out)])
        results[f"export {fmt} (s, MiB, file MiB)"] = (secs, rss, round(out.stat().st_size / 2**20, 1))
        out.unlink()
    for key, value in results.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
