"""Calibrated confidence of each bead on the best path: the probability it is exactly right.

Features of a path bead: its own log-odds gain, the DP's decision gap at its end node (how
much better the chosen way into that node was than the best other way), the gaps of its
neighbours, its cosine similarity, its shape, and its path margin: how much better the best
path is than the best path without this bead (exact, from forward and backward passes). A logistic score over them, mapped through
an isotonic fit to the share of beads exactly right, is fitted on the development sets by
bench/fit_confidence.py (parameters in align/aligner/weights/confidence.py). A 1-0 or
0-1 bead gets its own isotonic map, at most NULL_CAP; no bead gets more than 0.999.
"""

from __future__ import annotations


import numpy as np

from align.aligner.dp import Search, path_margins
from align.aligner.gains import ScoredBand
from align.aligner.weights import ConfidenceWeights, default_weights
from align.errors import UsageError

# 1-0 / 0-1 beads have their own isotonic map (fewer of them are right) and never more than
# this: the development sets hold too few of them to vouch for more
NULL_CAP = 0.95

# the confidence features, by name: the columns of confidence_features, the keys of the weights
CONF_FEATURES = ("const", "gain", "gap", "gap_prev", "gap_next", "gap_min", "sim", "is_null", "is_pair",
                 "is_many", "gain_prev", "gain_next", "margin", "margin_min")


def confidence_features(found: Search, scored: ScoredBand) -> np.ndarray:
    """(len(found.beads), len(CONF_FEATURES)) feature matrix of the path's beads, columns by name."""
    beads, gains, sims, lo, types = found.beads, scored.gains, scored.sims, scored.lo, scored.types
    N = len(beads)
    if N == 0:
        return np.zeros((N, len(CONF_FEATURES)))
    g = np.empty(N)
    sim = np.zeros(N)
    for n, (i0, i1, j0, j1) in enumerate(beads):
        k = types.index((i1 - i0, j1 - j0))
        g[n] = gains[k, i1, j1 - lo[i1]]
        s = sims[k, i1, j1 - lo[i1]]
        sim[n] = 0.0 if np.isnan(s) else s
    gp = np.clip(np.nan_to_num(found.gaps, posinf=10.0), 0.0, 10.0)
    g = np.clip(g, -10.0, 10.0)
    gap_next = np.concatenate([gp[1:], [10.0]])
    size = np.array([(i1 - i0) + (j1 - j0) for i0, i1, j0, j1 in beads])
    null = np.array([(i1 == i0) or (j1 == j0) for i0, i1, j0, j1 in beads], dtype=float)
    mg = np.clip(path_margins(beads, gains, lo, types, beads[-1][3], found.forward), 0.0, 10.0)
    cols = {
        "const": np.ones(N), "gain": g, "gap": gp, "gap_prev": np.concatenate([[10.0], gp[:-1]]),
        "gap_next": gap_next, "gap_min": np.minimum(gp, gap_next), "sim": sim, "is_null": null,
        "is_pair": (size == 3) * (1 - null), "is_many": (size > 3) * (1 - null),
        "gain_prev": np.concatenate([[g[0]], g[:-1]]), "gain_next": np.concatenate([g[1:], [g[-1]]]),
        "margin": mg,
        "margin_min": np.minimum(mg, np.minimum(np.concatenate([[10.0], mg[:-1]]), np.concatenate([mg[1:], [10.0]]))),
    }
    return np.column_stack([np.asarray(cols[f], dtype=np.float64) for f in CONF_FEATURES])


def bead_confidences(found: Search, scored: ScoredBand, *, weights: ConfidenceWeights | None = None) -> np.ndarray:
    """Calibrated probability that each bead of the searched path is exactly right, in [0, 0.999].

    `weights` replaces the shipped confidence model (align/aligner/weights/confidence.py).
    """
    cw = default_weights().confidence if weights is None else weights
    missing = [f for f in CONF_FEATURES if f not in cw.weights]
    if missing:
        raise UsageError(f"confidence weights lack {', '.join(missing)}; give one per feature")
    X = confidence_features(found, scored)
    z = X @ np.asarray([cw.weights[f] for f in CONF_FEATURES], dtype=np.float64)
    conf = np.interp(z, cw.score_points, cw.rate_points)
    null = X[:, CONF_FEATURES.index("is_null")] > 0
    conf[null] = np.minimum(np.interp(z[null], cw.null_score_points, cw.null_rate_points), NULL_CAP)
    return np.clip(conf, 0.0, 0.999)
