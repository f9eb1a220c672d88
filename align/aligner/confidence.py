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

from collections.abc import Sequence

import numpy as np

from align.aligner.dp import path_margins

# 1-0 / 0-1 beads have their own isotonic map (fewer of them are right) and never more than
# this: the development sets hold too few of them to vouch for more
NULL_CAP = 0.95

CONF_FEATURES = ("const", "gain", "gap", "gap_prev", "gap_next", "gap_min", "sim", "is_null", "is_pair",
                 "is_many", "gain_prev", "gain_next", "margin", "margin_min")


def confidence_features(
    beads: Sequence[tuple[int, int, int, int]],
    gaps: np.ndarray,
    gains: np.ndarray,
    sims: np.ndarray,
    lo: np.ndarray,
    types: Sequence[tuple[int, int]],
    forward: np.ndarray | None = None,
) -> np.ndarray:
    """(len(beads), len(CONF_FEATURES)) feature matrix of the path's beads (forward: see path_margins)."""
    N = len(beads)
    X = np.zeros((N, len(CONF_FEATURES)))
    if N == 0:
        return X
    g = np.empty(N)
    sim = np.zeros(N)
    for n, (i0, i1, j0, j1) in enumerate(beads):
        k = types.index((i1 - i0, j1 - j0))
        g[n] = gains[k, i1, j1 - lo[i1]]
        s = sims[k, i1, j1 - lo[i1]]
        sim[n] = 0.0 if np.isnan(s) else s
    gp = np.clip(np.nan_to_num(gaps, posinf=10.0), 0.0, 10.0)
    g = np.clip(g, -10.0, 10.0)
    gap_prev = np.concatenate([[10.0], gp[:-1]])
    gap_next = np.concatenate([gp[1:], [10.0]])
    size = np.array([(i1 - i0) + (j1 - j0) for i0, i1, j0, j1 in beads])
    null = np.array([(i1 == i0) or (j1 == j0) for i0, i1, j0, j1 in beads], dtype=float)
    X[:, 0] = 1.0
    X[:, 1] = g
    X[:, 2] = gp
    X[:, 3] = gap_prev
    X[:, 4] = gap_next
    X[:, 5] = np.minimum(gp, gap_next)
    X[:, 6] = sim
    X[:, 7] = null
    X[:, 8] = (size == 3) * (1 - null)
    X[:, 9] = (size > 3) * (1 - null)
    X[:, 10] = np.concatenate([[g[0]], g[:-1]])
    X[:, 11] = np.concatenate([g[1:], [g[-1]]])
    mg = np.clip(path_margins(beads, gains, lo, types, beads[-1][3], forward), 0.0, 10.0)
    X[:, 12] = mg
    X[:, 13] = np.minimum(mg, np.minimum(np.concatenate([[10.0], mg[:-1]]), np.concatenate([mg[1:], [10.0]])))
    return X


def bead_confidences(
    beads: Sequence[tuple[int, int, int, int]],
    gaps: np.ndarray,
    gains: np.ndarray,
    sims: np.ndarray,
    lo: np.ndarray,
    types: Sequence[tuple[int, int]],
    forward: np.ndarray | None = None,
) -> np.ndarray:
    """Calibrated probability that each path bead is exactly right, in [0, 0.999].

    `forward` is the search's forward table (align.aligner.dp.Search), which saves recomputing it.
    """
    from align.aligner.weights.confidence import NULL_RATE_POINTS, NULL_SCORE_POINTS, RATE_POINTS, SCORE_POINTS, WEIGHTS

    X = confidence_features(beads, gaps, gains, sims, lo, types, forward)
    z = X @ np.asarray(WEIGHTS, dtype=np.float64)
    conf = np.interp(z, SCORE_POINTS, RATE_POINTS)
    null = X[:, CONF_FEATURES.index("is_null")] > 0
    conf[null] = np.minimum(np.interp(z[null], NULL_SCORE_POINTS, NULL_RATE_POINTS), NULL_CAP)
    return np.clip(conf, 0.0, 0.999)
