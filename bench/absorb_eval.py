"""Measure the merge-vs-omission pass (align/aligner/absorb.py) on every dev set, and choose
its settings leave-one-set-out.

Aligns each dev pair once with the pass off, then applies it afterwards for a grid of
settings (absorb_rise x absorb_length x move_gain), so each setting costs only the pass:
  1. the evidence (joined-text rise + length fit) of every null the aligner outputs into its
     better neighbour, split by whether the gold holds that null (a true omission) or not
     (a split translation);
  2. strict F1 per set over the grid;
  3. leave one set out: for each set, the setting that maximises the other sets' worst slack
     (margin over the better baseline minus the margin the issue asks for: 0.02 where that
     baseline is below 0.97), mean F1 breaking ties, scored on the set left out.
With --em the null threshold is set per document from its own nulls' evidence instead (a
two-component mixture; tried, no better: see the module's RiseModel).

.venv/bin/python bench/absorb_eval.py [--rise -1,-0.04,0] [--length 0,0.1] [--move None,0.02] [--em]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baselines import DEV_SETS, best_strict, needed_margin  # noqa: E402
from benchmark import load_set, make_encoder  # noqa: E402

from align.aligner import AlignSettings, align_sentences  # noqa: E402
from align.aligner.absorb import SpanVectors, absorb_pass, null_rises  # noqa: E402
from align.aligner.refine import SpanText  # noqa: E402
from align.aligner.evaluate import score  # noqa: E402

MAX_SIDE = AlignSettings().absorb_max_side
OFF = AlignSettings(absorb_rise=None, move_gain=None)


def to_path(beads) -> list[tuple[int, int, int, int]]:
    """Beads as (i0, i1, j0, j1), a null placed after the last sentence of its empty side so far."""
    out = []
    i = j = 0
    for b in beads:
        i0 = b.src[0] if b.src else i
        j0 = b.tgt[0] if b.tgt else j
        out.append((i0, i0 + len(b.src), j0, j0 + len(b.tgt)))
        i, j = i0 + len(b.src), j0 + len(b.tgt)
    return out


def to_ids(path):
    return [(tuple(range(i0, i1)), tuple(range(j0, j1))) for i0, i1, j0, j1 in path]


def runs(enc):
    """(set name, pair, path and confidences with the pass off, source and target SpanVectors)."""
    out = []
    for name in DEV_SETS:
        for p in load_set(name):
            sv, tv = enc.encode(p.src), enc.encode(p.tgt)
            r = align_sentences(p.src, p.tgt, enc.encode, src_lang=p.src_lang, tgt_lang=p.tgt_lang,
                                settings=OFF, src_vecs=sv, tgt_vecs=tv)
            text = SpanText(p.src, p.tgt, p.src_lang, p.tgt_lang, enc.encode)
            S = SpanVectors(np.asarray(sv, np.float32), text, True)
            T = SpanVectors(np.asarray(tv, np.float32), text, False)
            out.append((name, p, to_path(r.beads), np.array([b.confidence for b in r.beads]), S, T))
    return out


def evidence_table(R, length: float) -> dict[str, dict[str, list[float]]]:
    """Best-neighbour evidence of every output null, by set and by true omission / split; printed."""
    by: dict[str, dict[str, list[float]]] = {}
    for name, p, path, _c, S, T in R:
        gold = set(map(tuple, ((tuple(a), tuple(b)) for a, b in p.gold)))
        ids = to_ids(path)
        for q, a, b in null_rises(path, S, T, MAX_SIDE, length):
            by.setdefault(name, {}).setdefault("omission" if ids[q] in gold else "split", []).append(max(a, b))
    for name, d in by.items():
        cells = []
        for kind in ("split", "omission"):
            x = np.asarray(d.get(kind, []))
            x = x[np.isfinite(x)]
            cells.append(f"{kind} {len(x):4d} >0 {np.mean(x > 0) if len(x) else 0:.2f} "
                         f"med {np.median(x) if len(x) else 0:+.3f}")
        print(f"{name:20s} " + " | ".join(cells))
    return by


@dataclass(frozen=True)
class RiseModel:
    """How the joined-text rise of a null's best neighbour is spread for a split translation and
    for a true omission (normal, one shared spread), and the prior share of splits among a
    document's nulls, held as `weight` pseudo-nulls beside the document's own."""

    split_mean: float
    omit_mean: float
    sd: float
    prior: float
    weight: float

    def threshold(self, share: float) -> float:
        """The rise above which a null is more likely a split, when a share `share` of the
        document's nulls are splits."""
        share = min(max(share, 1e-3), 1 - 1e-3)
        mid = (self.split_mean + self.omit_mean) / 2
        return mid + self.sd**2 / (self.split_mean - self.omit_mean) * float(np.log((1 - share) / share))

    def share(self, rises: Sequence[float], iters: int = 20) -> float:
        """The document's share of splits among its nulls, from their rises (EM on the mixture,
        shrunk towards the prior): a document that splits sentences shows it in many nulls."""
        x = np.asarray([r for r in rises if np.isfinite(r)], np.float64)
        pi = self.prior
        if not len(x):
            return pi
        for _ in range(iters):
            ls = pi * np.exp(-0.5 * ((x - self.split_mean) / self.sd) ** 2)
            lo_ = (1 - pi) * np.exp(-0.5 * ((x - self.omit_mean) / self.sd) ** 2)
            resp = ls / np.maximum(ls + lo_, 1e-300)
            pi = (self.weight * self.prior + resp.sum()) / (self.weight + len(x))
        return float(pi)




def process(path, conf, S, T, setting):
    """The pass with one setting: (rise or a RiseModel, length weight, move gain, open weight)."""
    rise, length, move, opn = setting
    if isinstance(rise, RiseModel):
        rise = rise.threshold(rise.share([max(a, b) for _q, a, b in null_rises(path, S, T, MAX_SIDE, length)]))
    return absorb_pass(path, conf, S, T, replace(OFF, absorb_rise=rise, absorb_length=length, move_gain=move,
                                                 absorb_open=opn))


def slack(name: str, f1: float) -> float:
    """Margin over the better baseline minus the margin asked for (0 where none was measured)."""
    b = best_strict(name)
    return 0.0 if b is None else f1 - b - needed_margin(name)


def fit_rise(by: dict, sets: list[str]) -> tuple[float, float, float]:
    """Medians of the split and omission evidence per set, averaged over sets, and the pooled spread."""
    ms, mo, var = [], [], []
    for kind, acc in (("split", ms), ("omission", mo)):
        for s in sets:
            x = np.asarray(by.get(s, {}).get(kind, []))
            x = x[np.isfinite(x)]
            if len(x) >= 3:
                acc.append(float(np.median(x)))
                var.append(float(np.mean((x - np.median(x)) ** 2)))
    return float(np.mean(ms)), float(np.mean(mo)), float(np.sqrt(np.mean(var)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rise", default="-1,-0.06,-0.04,-0.02,0,0.03")
    ap.add_argument("--length", default="0,0.1,0.2")
    ap.add_argument("--move", default="None,0,0.02,0.05")
    ap.add_argument("--open", default="0", help="open-seam weights (absorb_open)")
    ap.add_argument("--em", action="store_true", help="per-document threshold from a RiseModel")
    args = ap.parse_args()
    num = lambda x: None if x == "None" else float(x)  # noqa: E731
    R = runs(make_encoder("use-m3", True))
    print("== evidence of the nulls output with the pass off (rise + 0.1 x length fit)")
    by = evidence_table(R, 0.1)
    f1: dict = {}

    def F(name: str, setting) -> float:
        if (name, setting) not in f1:
            sel = [r for r in R if r[0] == name]
            outs = [process(path, c, S, T, setting).beads for _n, _p, path, c, S, T in sel]
            f1[name, setting] = score([p.gold for _n, p, *_ in sel], [to_ids(o) for o in outs]).f1_strict
        return f1[name, setting]

    lengths = [float(x) for x in args.length.split(",")]
    moves = [num(x) for x in args.move.split(",")]
    rises = [num(x) for x in args.rise.split(",")]
    opens = [float(x) for x in args.open.split(",")]
    base = {s: F(s, (None, 0.0, None, 0.0)) for s in DEV_SETS}
    worst = None
    print("== leave one set out: setting chosen on the other six sets' worst slack")
    print(f"{'held out':20s} {'rise':>7s} {'length':>6s} {'move':>5s} {'open':>5s}  F1 (pass off)  margin over better baseline")
    for held in DEV_SETS:
        others = [s for s in DEV_SETS if s != held]
        if args.em:
            ms, mo, sd = fit_rise(by, others)
            grid = [(RiseModel(ms, mo, sd, pr, w), 0.1, 0.02, 0.0) for pr in (0.1, 0.3, 0.5) for w in (2.0, 10.0)]
        else:
            grid = list(itertools.product(rises, lengths, moves, opens))

        def crit(st):
            return (min(slack(s, F(s, st)) for s in others), float(np.mean([F(s, st) for s in others])))

        st = max(grid, key=crit)
        b = best_strict(held)
        mg = "" if b is None else f"{F(held, st) - b:+.3f}"
        worst = slack(held, F(held, st)) if worst is None else min(worst, slack(held, F(held, st)))
        r = st[0] if not isinstance(st[0], RiseModel) else f"em{st[0].prior:.1f}/{st[0].weight:.0f}"
        print(f"{held:20s} {r!s:>7} {st[1]:6.2f} {st[2]!s:>5} {st[3]:5.2f}  {F(held, st):.3f} ({base[held]:.3f})  {mg}",
              flush=True)
    print(f"worst held-out slack (margin - needed): {worst:+.3f}")
    if not args.em:
        print("== strict F1 per setting (rise, length, move, open)")
        print(f"{'setting':30s} " + " ".join(f"{s[:12]:>12s}" for s in DEV_SETS))
        for st in sorted({k[1] for k in f1}, key=str):
            print(f"{str(st):30s} " + " ".join(f"{F(s, st):12.3f}" for s in DEV_SETS))


if __name__ == "__main__":
    main()
