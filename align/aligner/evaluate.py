"""Score a test alignment against a gold one, exactly as Vecalign's score.py does.

Strict: a test bead counts only if the gold has the identical bead. Lax: a test bead that
is not in the gold still counts if one of its source sentences is aligned in the gold to
one of its target sentences (Sennrich & Volk 2011). Precision counts every test bead with
text on at least one side; recall swaps gold and test and leaves out 1-0/0-1 beads on both
sides. Counts are summed over all file pairs before dividing (micro-average).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from align.errors import UsageError

Ids = Sequence[int]
BeadIds = tuple[Ids, Ids]


@dataclass(frozen=True)
class Score:
    """Strict and lax precision/recall/F1 plus strict figures per bead type."""

    precision_strict: float
    recall_strict: float
    f1_strict: float
    precision_lax: float
    recall_lax: float
    f1_lax: float
    # bead type 'n-m' -> (gold beads of that type, of which found exactly)
    recall_by_type: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)
    # bead type 'n-m' -> (test beads of that type, of which in the gold exactly)
    precision_by_type: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)

    def format(self) -> str:
        """Two summary lines and one line per bead type, for reports."""
        lines = [
            f"strict P {self.precision_strict:.3f} R {self.recall_strict:.3f} "
            f"F1 {self.f1_strict:.3f}",
            f"lax    P {self.precision_lax:.3f} R {self.recall_lax:.3f} F1 {self.f1_lax:.3f}",
        ]
        types = sorted(set(self.recall_by_type) | set(self.precision_by_type), key=_type_key)
        for t in types:
            gn, gok = self.recall_by_type.get(t, (0, 0))
            tn, tok = self.precision_by_type.get(t, (0, 0))
            lines.append(f"  {t:>4}: gold {gok:4d}/{gn:<4d} found   test {tok:4d}/{tn:<4d} right")
        return "\n".join(lines)


def _type_key(t: str) -> tuple[int, int]:
    a, b = t.split("-")
    return (int(a) + int(b), int(a))


def _norm(beads: Iterable[BeadIds]) -> set[tuple[tuple[int, ...], tuple[int, ...]]]:
    return {(tuple(s), tuple(t)) for s, t in beads if len(s) or len(t)}


def _precision_counts(gold: Iterable[BeadIds], test: Iterable[BeadIds]) -> tuple[int, int, int, int]:
    """(tp strict, fp strict, tp lax, fp lax) of test against gold, as score.py's _precision."""
    gold_set, test_set = _norm(gold), _norm(test)
    src_to_gold_tgt: dict[int, set[int]] = defaultdict(set)
    for gs, gt in gold_set:
        for s in gs:
            src_to_gold_tgt[s].update(gt)
    tps = fps = tpl = fpl = 0
    for ts, tt in test_set:
        if (ts, tt) in gold_set:
            tps += 1
            tpl += 1
            continue
        fps += 1
        linked: set[int] = set()
        for s in ts:
            linked |= src_to_gold_tgt.get(s, set())
        if linked.intersection(tt):
            tpl += 1
        else:
            fpl += 1
    return tps, fps, tpl, fpl


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(gold: Sequence[Sequence[BeadIds]], test: Sequence[Sequence[BeadIds]]) -> Score:
    """Micro-averaged strict/lax P/R/F1 over file pairs (gold[k] is scored against test[k])."""
    if len(gold) != len(test):
        raise UsageError(
            f"score: {len(gold)} gold alignments but {len(test)} test alignments; "
            "pass one test alignment per gold file pair"
        )
    p = [0, 0, 0, 0]
    r = [0, 0, 0, 0]
    rec_type: Counter[str] = Counter()
    rec_ok: Counter[str] = Counter()
    prec_type: Counter[str] = Counter()
    prec_ok: Counter[str] = Counter()
    for g, t in zip(gold, test):
        for k, v in enumerate(_precision_counts(g, t)):
            p[k] += v
        g_full = [(s, tt) for s, tt in g if len(s) and len(tt)]
        t_full = [(s, tt) for s, tt in t if len(s) and len(tt)]
        for k, v in enumerate(_precision_counts(t_full, g_full)):
            r[k] += v
        gset, tset = _norm(g), _norm(t)
        for s, tt in gset:
            key = f"{len(s)}-{len(tt)}"
            rec_type[key] += 1
            rec_ok[key] += (s, tt) in tset
        for s, tt in tset:
            key = f"{len(s)}-{len(tt)}"
            prec_type[key] += 1
            prec_ok[key] += (s, tt) in gset
    ps, pl = _ratio(p[0], p[0] + p[1]), _ratio(p[2], p[2] + p[3])
    rs, rl = _ratio(r[0], r[0] + r[1]), _ratio(r[2], r[2] + r[3])
    return Score(
        precision_strict=ps,
        recall_strict=rs,
        f1_strict=_f1(ps, rs),
        precision_lax=pl,
        recall_lax=rl,
        f1_lax=_f1(pl, rl),
        recall_by_type={k: (rec_type[k], rec_ok[k]) for k in rec_type},
        precision_by_type={k: (prec_type[k], prec_ok[k]) for k in prec_type},
    )
