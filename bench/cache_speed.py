"""Speed of the embedding cache: put and get of N 512-d float32 vectors (default 100,000).

    .venv/bin/python bench/cache_speed.py [--n 100000] [--repeat 3]

Each repeat uses a fresh cache folder: put_many of all N vectors in one call (one
transaction), then get_many of all N keys from a new store (a new connection, as a new run
would read them). Prints the best time of each, and the file size.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from align.encoders.cache import DB_NAME, EmbeddingStore, text_key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((args.n, 512)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    keys = [text_key(f"sentence {i}") for i in range(args.n)]
    puts, gets = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            store = EmbeddingStore(Path(folder))
            t = time.perf_counter()
            store.put_many("bench", keys, vectors)
            puts.append(time.perf_counter() - t)
            store.close()
            size = (Path(folder) / DB_NAME).stat().st_size
            store = EmbeddingStore(Path(folder))
            t = time.perf_counter()
            found = store.get_many("bench", keys, 512)
            gets.append(time.perf_counter() - t)
            store.close()
            assert len(found) == args.n
    print(f"{args.n:,} vectors: put {min(puts):.2f} s, get {min(gets):.2f} s (best of {args.repeat}); file {size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
