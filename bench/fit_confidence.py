"""Fit the bead confidence model (align/aligner/weights/confidence.py) on the development sets.

Aligns every dev pair with the default settings, labels each output bead exactly right or
not, and fits a logistic regression over align.aligner.confidence.CONF_FEATURES. Prints a reliability
table of a 2-fold cross-validation by article (held-out predictions) before fitting on all.

.venv/bin/python bench/fit_confidence.py [--write [--out FILE]]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark import SETS, article_fold, load_set, make_encoder, reliability  # noqa: E402

from align.aligner import align_sentences  # noqa: E402
from align.aligner.confidence import CONF_FEATURES, NULL_CAP, confidence_features  # noqa: E402
from align.aligner.sentences import first_pass  # noqa: E402
from align.aligner.settings import AlignSettings  # noqa: E402
from align.aligner.side import make_side  # noqa: E402
from align.aligner.weights import ConfidenceWeights, Weights, confidence_source, default_weights  # noqa: E402


def collect(enc, st: AlignSettings):
    """Confidence features of every path bead, exactly-right labels, article folds and bead kinds."""
    X, y, fold, kind = [], [], [], []
    for name in SETS:
        for p in load_set(name):
            s = make_side(p.src, enc.encode(p.src), None, None)
            t = make_side(p.tgt, enc.encode(p.tgt), None, None)
            fp = first_pass(s, t, st)
            beads = fp.found.beads
            gold = {(tuple(a), tuple(b)) for a, b in p.gold}
            X.append(confidence_features(fp.found, fp.scored))
            y += [(tuple(range(i0, i1)), tuple(range(j0, j1))) in gold for i0, i1, j0, j1 in beads]
            kind += ["null" if i0 == i1 or j0 == j1 else "1-1" if i1 - i0 == j1 - j0 == 1 else "multi"
                     for i0, i1, j0, j1 in beads]
            # the same article is in the same fold in every Kyoto set; Text+Berg split by halves
            f = article_fold(p.name)
            if name == "textberg-dev":
                f = (np.arange(len(beads)) >= len(beads) // 2).astype(int)
            fold.append(np.broadcast_to(f, (len(beads),)))
    return np.concatenate(X), np.array(y), np.concatenate(fold), np.array(kind)


def pipeline_heldout(enc, models) -> str:
    """Reliability of align_sentences' own confidences when each article is scored by the model
    fitted on the other fold (models[f] is the fit without fold f)."""
    fold_weights = [Weights(gains=default_weights().gains, confidence=as_weights(*model)) for model in models]
    rows: list[tuple[float, bool]] = []
    for name in SETS:
        for p in load_set(name):
            gold = {(tuple(a), tuple(b)) for a, b in p.gold}
            f_art = article_fold(p.name)
            for f, weights in enumerate(fold_weights):
                if name != "textberg-dev" and f != f_art:
                    continue
                r = align_sentences(p.src, p.tgt, enc.encode, src_lang=p.src_lang, tgt_lang=p.tgt_lang,
                                    src_vecs=enc.encode(p.src), tgt_vecs=enc.encode(p.tgt), weights=weights)
                half = len(r.beads) // 2
                for k, b in enumerate(r.beads):
                    if name != "textberg-dev" or (k >= half) == bool(f):
                        rows.append((b.confidence, (b.src, b.tgt) in gold))
    return reliability(rows)


def as_weights(w, score_map, null_map) -> ConfidenceWeights:
    """A fitted model (weights in CONF_FEATURES order, isotonic maps) as the aligner takes it."""
    return ConfidenceWeights({f: float(v) for f, v in zip(CONF_FEATURES, w)}, list(score_map[0]), list(score_map[1]),
                             list(null_map[0]), list(null_map[1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--out", default=None, help="with --write: this file instead of align/aligner/weights/confidence.py")
    args = ap.parse_args()
    from sklearn.linear_model import LogisticRegression

    enc = make_encoder("use-m3", True)
    X, y, fold, kind = collect(enc, AlignSettings())
    from sklearn.isotonic import IsotonicRegression

    null = X[:, CONF_FEATURES.index("is_null")] > 0

    def fit(Xa, ya, na):
        """Logistic scores, then isotonic maps of the score to the rate of exactly right (nulls apart)."""
        clf = LogisticRegression(C=1.0, max_iter=5000, fit_intercept=False).fit(Xa, ya)
        z = Xa @ clf.coef_[0]
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=0.999).fit(z[~na], ya[~na])
        iso_n = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=NULL_CAP).fit(z[na], ya[na])
        return clf.coef_[0], (iso.X_thresholds_, iso.y_thresholds_), (iso_n.X_thresholds_, iso_n.y_thresholds_)

    def predict(Xa, na, w, m, mn):
        z = Xa @ w
        return np.where(na, np.minimum(np.interp(z, *mn), NULL_CAP), np.interp(z, *m))

    held = np.zeros(len(y))
    for f in (0, 1):
        w, m, mn = fit(X[fold != f], y[fold != f], null[fold != f])
        held[fold == f] = predict(X[fold == f], null[fold == f], w, m, mn)
    lines = ["2-fold cross-validated reliability (held-out articles):", reliability(list(zip(held, y)))]
    for k in ("1-1", "multi", "null"):
        sel = kind == k
        hi = sel & (held >= 0.9)
        lines.append(f"{k:5s}: {sel.sum():5d} beads, {hi.sum():5d} at >= 0.9 ({(y[hi].mean() if hi.any() else 0):.3f} right), "
                     f"max confidence {held[sel].max() if sel.any() else 0:.3f}, share right {y[sel].mean() if sel.any() else 0:.3f}")
    lines += ["", "the same models on the final output of align_sentences (refine pass included), held out:"]
    lines.append(pipeline_heldout(enc, [fit(X[fold != f], y[fold != f], null[fold != f]) for f in (0, 1)]))
    print("\n".join(lines))
    out = Path(__file__).resolve().parent / "results" / "confidence.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    model = fit(X, y, null)
    print(", ".join(f"{f}={v:+.3f}" for f, v in zip(CONF_FEATURES, model[0])))
    if args.write:
        default = Path(__file__).resolve().parents[1] / "align" / "aligner" / "weights" / "confidence.py"
        path = Path(args.out) if args.out else default
        path.write_text(confidence_source(as_weights(*model)), encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
