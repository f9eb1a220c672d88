"""Fit the confidence of the final path (align/aligner/weights/final.py) on all 7 dev sets.

Each dev pair is aligned with the absorb pass off, then the pass runs with the default
settings (as align_sentences does) and every final bead is labelled exactly right or not.
A logistic score over align.aligner.absorb.FINAL_FEATURES, then an isotonic map to the share
right. Prints the reliability table per kind of text and pooled with every set's beads
predicted by the model fitted on the other six sets (leave one set out), then fits on all.

.venv/bin/python bench/fit_final_confidence.py [--write]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from absorb_eval import runs, to_ids  # noqa: E402
from baselines import DEV_SETS  # noqa: E402
from benchmark import kind_of, make_encoder, reliability  # noqa: E402

from align.aligner import AlignSettings  # noqa: E402
from align.aligner.weights import FinalWeights, final_source  # noqa: E402
from align.aligner.absorb import DOUBT_CAP, DOUBT_RISE, FINAL_FEATURES, absorb_pass, final_confidences  # noqa: E402


def collect():
    """Final features, exactly-right labels and set names of every final bead."""
    st = AlignSettings()
    X, y, sets = [], [], []
    for name, p, path, conf, S, T in runs(make_encoder("use-m3", True)):
        ab = absorb_pass(path, conf, S, T, st)
        gold = {(tuple(a), tuple(b)) for a, b in p.gold}
        X.append(ab.features)
        y += [b in gold for b in to_ids(ab.beads)]
        sets += [name] * len(ab.beads)
    return np.concatenate(X), np.array(y), np.array(sets)


def fit(X: np.ndarray, y: np.ndarray) -> FinalWeights:
    """Logistic score over FINAL_FEATURES, then an isotonic map of it to the share right."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=1.0, max_iter=5000, fit_intercept=False).fit(X, y)
    w = clf.coef_[0]
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=0.999).fit(X @ w, y)
    return FinalWeights(dict(zip(FINAL_FEATURES, map(float, w))), list(iso.X_thresholds_), list(iso.y_thresholds_))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    X, y, sets = collect()
    held = np.zeros(len(y))
    for s in DEV_SETS:
        held[sets == s] = final_confidences(X[sets == s], fit(X[sets != s], y[sets != s]))
    kinds = np.array([kind_of(s) for s in sets])
    lines = ["leave-one-set-out reliability of the final confidence (each set scored by the model fitted on the others)"]
    for k in dict.fromkeys(kinds):
        lines += [f"== {k}", reliability(list(zip(held[kinds == k], y[kinds == k])))]
    lines += ["== pooled", reliability(list(zip(held, y)))]
    null = X[:, FINAL_FEATURES.index("is_null")] > 0
    doubt = null & (X[:, FINAL_FEATURES.index("null_evidence")] > DOUBT_RISE)
    lines.append(f"nulls: {null.sum()}, of which {doubt.sum()} could join a neighbour (capped at {DOUBT_CAP}); "
                 f"nulls at >= 0.9: {(null & (held >= 0.9)).sum()} ({y[null & (held >= 0.9)].mean() if (null & (held >= 0.9)).any() else 0:.3f} right)")
    model = fit(X, y)
    lines.append(", ".join(f"{f}={v:+.3f}" for f, v in model.weights.items()))
    print("\n".join(lines))
    out = Path(__file__).resolve().parent / "results" / "final_confidence.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.write:
        path = Path(__file__).resolve().parents[1] / "align" / "aligner" / "weights" / "final.py"
        path.write_text(final_source(model), encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
