"""Coordinate search of AlignSettings on the development sets (strict F1), for tuning by hand.

.venv/bin/python bench/tune.py [--rounds 2]  -- prints each improvement and the final settings.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark import load_set, make_encoder  # noqa: E402

from align.aligner import AlignSettings, align_sentences  # noqa: E402
from align.aligner.evaluate import score  # noqa: E402

GRID = {
    "null_gain": [-0.5, -1.0, -1.5, -2.0, -2.5, -3.0, -4.0, -5.0],
    "pair_offset": [-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0],
    "many_offset": [-1.0, 0.0, 1.0, 2.0, 3.0],
    "knn": [2, 4, 8],
    "null_slope": [0.0, 0.25, 0.5, 1.0, 1.5, 2.0],
    "len_sigma": [0.25, 0.35, 0.5],
}


import json, os  # noqa: E401

START = json.loads(os.environ.get("START", "{}"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--sets", default="kyoto-dev-clean,kyoto-dev-hard,textberg-dev,kyoto-synth-21")
    ap.add_argument("--params", default=",".join(GRID))
    args = ap.parse_args()
    enc = make_encoder("use-m3", True)
    data = {}
    for name in args.sets.split(","):
        data[name] = [(p, enc.encode(p.src), enc.encode(p.tgt)) for p in load_set(name)]

    def evaluate(st: AlignSettings) -> tuple[float, dict[str, float]]:
        per = {}
        for name, pairs in data.items():
            tests = [
                [(b.src, b.tgt) for b in align_sentences(p.src, p.tgt, enc.encode, src_lang=p.src_lang, tgt_lang=p.tgt_lang,
                                                         settings=st, src_vecs=sv, tgt_vecs=tv).beads]
                for p, sv, tv in pairs
            ]
            per[name] = score([p.gold for p, _, _ in pairs], tests).f1_strict
        return sum(per.values()) / len(per), per

    best = AlignSettings(**START)
    best_f, per = evaluate(best)
    print(f"start {best_f:.4f} {per}", flush=True)
    for _ in range(args.rounds):
        for key in args.params.split(","):
            for v in GRID[key]:
                if getattr(best, key) == v:
                    continue
                cand = replace(best, **{key: v})
                f, per = evaluate(cand)
                if f > best_f + 1e-4:
                    best, best_f = cand, f
                    print(f"{key}={v}: {f:.4f} {per}", flush=True)
    print("best", best_f, {k: v for k, v in best.items()})


if __name__ == "__main__":
    main()
