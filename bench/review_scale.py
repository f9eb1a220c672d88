"""Speed of the review editor on a big corpus: the queue, document, overview and search pages,
and each edit operation, timed server-side (in-process through the ASGI app, so the time is
routing + store + rendering, without a browser or the network).

The corpus is built as bench/export_scale.py builds it (1-1 beads from the Kyoto scale-dev
sentences, documents of --doc-size beads); --keep reuses a built one.

    .venv/bin/python bench/review_scale.py [--beads 1000000] [--doc-size 5000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from export_scale import build  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from align.review.web import make_app  # noqa: E402
from align.review.web.security import cookie_name  # noqa: E402
from align.store import Corpus, edits  # noqa: E402

TOKEN = "bench"


def timed(client: TestClient, method: str, url: str, repeat: int = 5, **kw) -> tuple[float, float]:  # noqa: ANN003
    """(median, max) milliseconds of `repeat` requests; each must succeed."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = client.request(method, url, **kw)
        times.append((time.perf_counter() - t) * 1000)
        if r.status_code != 200 or (method == "POST" and not r.json().get("ok", False)):
            raise SystemExit(f"{method} {url} {kw.get('json')}: {r.status_code} {r.text[:300]}")
    return round(statistics.median(times), 1), round(max(times), 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--beads", type=int, default=1_000_000)
    ap.add_argument("--doc-size", type=int, default=5000)
    ap.add_argument("--keep", type=Path, help="Folder to build in and keep (default: a temp folder).")
    a = ap.parse_args()
    folder = a.keep or Path(tempfile.mkdtemp(prefix="align-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "corpus.db"
    if not corpus.exists():
        print(f"build: {build(corpus, a.beads, a.doc_size):.1f} s", flush=True)
    with Corpus(corpus) as c:
        docs = c.doc_ids()
        n = sum(d.beads for d in c.summaries())
    mid = docs[len(docs) // 2]
    print(f"corpus: {n:,} beads in {len(docs)} documents")
    app = make_app(corpus, token=TOKEN, hosts=("testserver",), port=1)
    h = {"X-Align-Token": TOKEN}
    with TestClient(app) as client:
        client.cookies.set(cookie_name(1), TOKEN)
        r = client.get("/queue")
        key = r.text.split("after=")[1].split('"')[0].replace("&amp;", "&") if "after=" in r.text else ""
        pages = {
            "queue, first page (50 beads + neighbours)": "/queue",
            "queue, a later page (by key)": f"/queue?filtered=1&status=auto&after={key}",
            "queue, one document": f"/queue?doc={mid}",
            "queue, type 1-1 (counted, not summed)": "/queue?type=1-1",
            "document, middle page (100 beads)": f"/doc?id={mid}&sel={a.doc_size // 2}",
            "overview (histograms of every bead)": "/overview",
            "search one document": f"/search?q=Kyoto&doc={mid}",
        }
        for name, url in pages.items():
            med, worst = timed(client, "GET", url, repeat=3)
            print(f"{name}: median {med} ms, max {worst} ms")
        k = a.doc_size // 2

        def rev() -> int:
            with Corpus(corpus) as c:
                return c.document(mid).revision

        ops = [
            ("confirm", {"op": "confirm", "bead": k}),
            ("clear", {"op": "clear", "bead": k}),
            ("edit", {"op": "edit", "bead": k, "tgt": "Edited."}),
            ("merge next", {"op": "merge", "bead": k + 10, "with": "next"}),
            ("split (the merged bead)", {"op": "split", "bead": k + 10, "src_at": 1, "tgt_at": 1}),
            ("shift a sentence to the next bead", {"op": "shift", "bead": k + 20, "side": "src", "to": "next"}),
            ("shift it back", {"op": "shift", "bead": k + 21, "side": "src", "to": "prev"}),
            ("undo", {"op": "undo"}),
            ("redo", {"op": "redo"}),
        ]
        times: dict[str, list[float]] = {name: [] for name, _ in ops}
        for _ in range(5):
            for name, body in ops:
                r0 = rev()
                t = time.perf_counter()
                r = client.post("/api/op", json={"doc": mid, "revision": r0, **body}, headers=h)
                times[name].append((time.perf_counter() - t) * 1000)
                if r.status_code != 200 or not r.json()["ok"]:
                    raise SystemExit(f"{name}: {r.status_code} {r.text}")
        for name, ts in times.items():
            print(f"edit {name}: median {statistics.median(ts):.1f} ms, max {max(ts):.1f} ms")
        with Corpus(corpus) as c:  # a document no run of this script has split yet
            other = next(d for d in docs[len(docs) // 3 :] if edits._compact(c._con, c._doc_key(d)))
        for what, k2 in (("first detach in a document never split (spreads its positions once)", 100), ("the next detach there", 200)):
            t = time.perf_counter()
            r = client.post("/api/op", json={"doc": other, "op": "detach", "bead": k2, "side": "src", "end": "first"}, headers=h)
            print(f"edit {what}: {(time.perf_counter() - t) * 1000:.1f} ms ({r.status_code})")

if __name__ == "__main__":
    main()
