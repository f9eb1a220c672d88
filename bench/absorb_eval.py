"""Measure the merge-vs-omission pass (align/aligner/absorb.py) on every dev set, and choose
its settings leave-one-set-out.

Aligns each dev pair once with the pass off, then applies it afterwards for a grid of
settings (absorb_rise x absorb_length x move_gain x detach_below x detach_length), so each
setting costs only the pass:
  1. the evidence (joined-text rise + length fit) of every null the aligner outputs into its
     better neighbour, split by whether the gold holds that null (a true omission) or not
     (a split translation);
  2. the same evidence (`belonging`, at each --detach-length) for the first and last sentence
     of every multi-sentence bead of the default path without the detach step, split by
     whether the bead is right or taking that sentence out would make it right (a dropped
     sentence merged into its neighbour): how many merges a threshold fixes, at what cost;
  3. strict F1 per set over the grid;
  4. leave one set out: for each set, the setting that maximises the other sets' worst slack
     (margin over the better baseline minus the margin the issue asks for: 0.02 where that
     baseline is below 0.97), mean F1 breaking ties, scored on the set left out. A set with no
     baseline (lecture-dev-clean) has no margin and does not take part in the worst slack (it
     still counts in the mean); counted as slack 0, as before, it capped every setting's worst
     slack at 0, so the choice fell to the mean F1 alone (the line after the table gives that
     rule's result too).
With --em the null threshold is set per document from its own nulls' evidence instead (a
two-component mixture; tried, no better: see the module's RiseModel).

.venv/bin/python bench/absorb_eval.py [--rise -1,-0.04,0] [--length 0,0.1] [--move None,0.02]
    [--detach None,-0.09] [--detach-length 0.3] [--em]
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
from align.aligner.absorb import (  # noqa: E402
    SpanVectors, _spans, absorb_pass, belonging, detach_candidates, detach_edges, null_rises)
from align.aligner.refine import SpanText  # noqa: E402
from align.aligner.evaluate import score  # noqa: E402

MAX_SIDE = AlignSettings().absorb_max_side
OFF = AlignSettings().without_absorb()


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
    """The pass with one setting: (rise or a RiseModel, length weight, move gain, open weight,
    detach threshold, detach length weight)."""
    rise, length, move, opn, below, dlen = setting
    if isinstance(rise, RiseModel):
        rise = rise.threshold(rise.share([max(a, b) for _q, a, b in null_rises(path, S, T, MAX_SIDE, length)]))
    return absorb_pass(path, conf, S, T, replace(OFF, absorb_rise=rise, absorb_length=length, move_gain=move,
                                                 absorb_open=opn, detach_below=below, detach_length=dlen))


def slack(name: str, f1: float, no_baseline: float | None = 0.0) -> float | None:
    """Margin over the better baseline minus the margin asked for; `no_baseline` where none was
    measured (None: leave the set out of a worst slack)."""
    b = best_strict(name)
    return no_baseline if b is None else f1 - b - needed_margin(name)


def worst_slack(sets, f1_of, no_baseline: float | None = None) -> float:
    """The least slack over `sets` (f1_of: set name -> strict F1)."""
    xs = [x for x in (slack(s, f1_of(s), no_baseline) for s in sets) if x is not None]
    return min(xs) if xs else 0.0


def edge_table(R, lengths: list[float], thresholds=(-0.12, -0.09, -0.06, -0.04, -0.02, 0.0)) -> None:
    """Belonging evidence of the edge sentences the detach step may take out (detach_candidates) on
    the default path without that step: per set, beads right ("right") and
    beads made right by taking that sentence out ("merge"), and how many of each fall below each
    threshold (the detach step's fixes and costs). Printed."""
    st = replace(AlignSettings(), detach_below=None)
    rows: dict[tuple[str, float, str], list[float]] = {}
    wrong_merges: dict[str, int] = {}
    for name, p, path, c, S, T in R:
        out = absorb_pass(path, c, S, T, st).beads
        gold = {(tuple(a), tuple(b)) for a, b in p.gold}
        null_s = {a[0] for a, b in p.gold if a and not b}
        null_t = {b[0] for a, b in p.gold if b and not a}
        ids = to_ids(out)
        wrong_merges[name] = wrong_merges.get(name, 0) + sum(
            1 for b in ids if b not in gold and b[0] and b[1] and (set(b[0]) & null_s or set(b[1]) & null_t))
        ratio = float(S.lengths.sum() / max(T.lengths.sum(), 1.0))
        for p_, side, rest, first in detach_candidates(out, S, T):
            b, bid = out[p_], ids[p_]
            k = b[2 * side] if first else b[2 * side + 1] - 1
            rid = list(bid)
            rid[side] = tuple(x for x in bid[side] if x != k)
            alone = ((k,), ()) if side == 0 else ((), (k,))
            kind = "right" if bid in gold else "merge" if tuple(rid) in gold and alone in gold else None
            if kind is None:
                continue
            (S, T)[side].need([_spans(b)[side], _spans(rest)[side]])
            (T, S)[side].need([_spans(b)[1 - side]])
            for w in lengths:
                rows.setdefault((name, w, kind), []).append(belonging(rest, b, side, S, T, ratio, w))
    print("== belonging of the edge sentences the detach step may take out, default path without it")
    print("   wrong beads holding a gold null: " + ", ".join(f"{k} {v}" for k, v in wrong_merges.items() if v))
    for w in lengths:
        print(f"   detach_length {w}: below " + " ".join(f"{t:+.2f}" for t in thresholds) + "  (merge fixed / right broken)")
        for name in DEV_SETS:
            m = np.asarray(rows.get((name, w, "merge"), []))
            r = np.asarray(rows.get((name, w, "right"), []))
            if not len(m) and not len(r):
                continue
            cells = " ".join(f"{int((m < t).sum()):2d}/{int((r < t).sum()):<3d}" for t in thresholds)
            print(f"   {name:20s} merges {len(m):3d} right {len(r):4d}  {cells}")


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


class Grid:
    """Strict F1 of each dev set under each pass setting, computed once: the pass runs on the
    cached paths of `runs` (the aligner with the pass off), and the detach step, the pass's last
    step, on the cached output of the rest of the pass."""

    def __init__(self, R) -> None:
        self.R = R
        self.f1: dict = {}
        self.paths: dict = {}

    def F(self, name: str, setting) -> float:
        """Strict F1 of set `name` with `setting` (rise, length, move, open, detach, detach length)."""
        if (name, setting) not in self.f1:
            sel = [r for r in self.R if r[0] == name]
            head, (below, dlen) = setting[:4], setting[4:]
            if (name, head) not in self.paths:
                self.paths[name, head] = [process(path, c, S, T, (*head, None, 0.0)).beads
                                          for _n, _p, path, c, S, T in sel]
            outs = [b if below is None else detach_edges(b, S, T, below=below, length_weight=dlen)[0]
                    for b, (_n, _p, _path, _c, S, T) in zip(self.paths[name, head], sel)]
            self.f1[name, setting] = score([p.gold for _n, p, *_ in sel], [to_ids(o) for o in outs]).f1_strict
        return self.f1[name, setting]


def grid_of(rises="-1,-0.06,-0.04,-0.02,0,0.03", lengths="0,0.1,0.2", moves="None,0,0.02,0.05",
            opens="0", detach="None,-0.12,-0.09,-0.06,-0.04", detach_length="0.2,0.3") -> list[tuple]:
    """Every setting (rise, length, move, open, detach, detach length) of comma-separated values;
    the defaults are the grid the shipped settings were chosen from."""
    num = lambda x: None if x == "None" else float(x)  # noqa: E731
    dlens = [float(x) for x in detach_length.split(",")]
    det = [(b, w) for b in (num(x) for x in detach.split(",")) for w in ([0.0] if b is None else dlens)]
    heads = itertools.product([num(x) for x in rises.split(",")], [float(x) for x in lengths.split(",")],
                              [num(x) for x in moves.split(",")], [float(x) for x in opens.split(",")])
    return [(*a, *d) for a in heads for d in det]


def loso_lines(G: Grid, grid_for, both_rules: bool = True) -> list[str]:
    """The leave-one-set-out table: each dev set scored with the setting chosen on the other six
    (their worst slack, then their mean F1); `grid_for(others)` gives the settings to choose from.
    Returns the lines, ending with the worst held-out slack."""
    off = (None, 0.0, None, 0.0, None, 0.0)
    lines = ["== leave one set out: the pass's settings chosen on the other six sets' worst slack",
             f"{'held out':20s} {'rise':>7s} {'length':>6s} {'move':>5s} {'open':>5s} {'detach':>7s} {'dlen':>5s}"
             "  F1 (pass off)  margin over better baseline"]
    rules = [("sets without a baseline left out of the worst slack", None)]
    if both_rules:
        rules.append(("sets without a baseline counted as slack 0 (the rule before)", 0.0))
    for rule, no_base in rules:
        worst = np.inf
        for held in DEV_SETS:
            others = [s for s in DEV_SETS if s != held]

            def crit(st):
                return (worst_slack(others, lambda s: G.F(s, st), no_base), float(np.mean([G.F(s, st) for s in others])))

            st = max(grid_for(others), key=crit)
            b = best_strict(held)
            mg = "" if b is None else f"{G.F(held, st) - b:+.3f}"
            if b is not None:
                worst = min(worst, slack(held, G.F(held, st)))
            if no_base is None:
                r = st[0] if not isinstance(st[0], RiseModel) else f"em{st[0].prior:.1f}/{st[0].weight:.0f}"
                lines.append(f"{held:20s} {r!s:>7} {st[1]:6.2f} {st[2]!s:>5} {st[3]:5.2f} {st[4]!s:>7} {st[5]:5.2f}  "
                             f"{G.F(held, st):.3f} ({G.F(held, off):.3f})  {mg}")
        lines.append(f"worst held-out slack (margin - needed), {rule}: {worst:+.4f}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rise", default="-1,-0.06,-0.04,-0.02,0,0.03")
    ap.add_argument("--length", default="0,0.1,0.2")
    ap.add_argument("--move", default="None,0,0.02,0.05")
    ap.add_argument("--open", default="0", help="open-seam weights (absorb_open)")
    ap.add_argument("--detach", default="None,-0.12,-0.09,-0.06,-0.04", help="detach_below values")
    ap.add_argument("--detach-length", default="0.2,0.3", help="detach_length values")
    ap.add_argument("--em", action="store_true", help="per-document threshold from a RiseModel")
    args = ap.parse_args()
    R = runs(make_encoder("use-m3", True))
    print("== evidence of the nulls output with the pass off (rise + 0.1 x length fit)")
    by = evidence_table(R, 0.1)
    edge_table(R, [float(x) for x in args.detach_length.split(",")])
    G = Grid(R)
    grid = grid_of(args.rise, args.length, args.move, args.open, args.detach, args.detach_length)
    if args.em:
        def grid_for(others):
            ms, mo, sd = fit_rise(by, others)
            return [(RiseModel(ms, mo, sd, pr, w), 0.1, 0.02, 0.0, None, 0.0)
                    for pr in (0.1, 0.3, 0.5) for w in (2.0, 10.0)]
    else:
        def grid_for(others):
            return grid
    print("\n".join(loso_lines(G, grid_for)), flush=True)
    if not args.em:
        print("== strict F1 per setting (rise, length, move, open, detach, detach length)")
        print(f"{'setting':44s} " + " ".join(f"{s[:12]:>12s}" for s in DEV_SETS))
        for st in sorted({k[1] for k in G.f1}, key=str):
            print(f"{str(st):44s} " + " ".join(f"{G.F(s, st):12.3f}" for s in DEV_SETS))


if __name__ == "__main__":
    main()
