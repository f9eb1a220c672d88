"""The dynamic-programming kernel: best monotone bead path through a band of gain arrays.

Pure arrays in, arrays out. Row i of the lattice is "i source sentences used", column j is
"j target sentences used". Only the columns lo[i] <= j < lo[i] + W of row i exist (the band;
a full search is the band lo = 0, W = m + 1). gains[k, i, c] is the gain of a bead of type
types[k] = (a, b) that ends at node (i, lo[i] + c), i.e. covers source i-a..i-1 and target
j-b..j-1; -inf where that bead is not allowed. The kernel loops over rows only; each row is
a handful of vectorised operations per bead type, so a band of width W over n rows costs
O(n * W * K) time and O(n * W) memory. The 0-1 bead (same row, one column left) is solved
inside the row with a running maximum instead of a loop over columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

NEG = -np.inf


def best_path(
    gains: np.ndarray, lo: np.ndarray, types: Sequence[tuple[int, int]], m: int
) -> tuple[list[tuple[int, int, int, int]], float, np.ndarray]:
    """Highest-gain path from (0, 0) to (n, m).

    Returns the beads as (i0, i1, j0, j1), the path's total gain, and for every path bead
    the decision gap at its end node: how much better the chosen way into that node was than
    the best other way (inf when there was no other way) -- a cheap confidence feature.

    gains: float array (K, n + 1, W); lo: int array (n + 1,) of each row's first column;
    types: K pairs (a, b) with a, b >= 0, a + b > 0; a 0-b type must have b == 1.
    Raises ValueError when (n, m) cannot be reached inside the band.
    """
    K, rows, W = gains.shape
    n = rows - 1
    lo = np.asarray(lo, dtype=np.int64)
    if len(types) != K or lo.shape != (rows,):
        raise ValueError("gains, lo and types do not agree in shape")
    chain = [k for k, (a, b) in enumerate(types) if a == 0]
    if any(types[k][1] != 1 for k in chain) or len(chain) > 1:
        raise ValueError("the only same-row bead type allowed is 0-1")
    k01 = chain[0] if chain else -1
    cross = [k for k, (a, _b) in enumerate(types) if a > 0]

    D = np.full((rows, W), NEG, dtype=np.float64)
    bp = np.full((rows, W), -1, dtype=np.int8)
    gap = np.full((rows, W), np.inf, dtype=np.float32)
    cols = np.arange(W)
    for i in range(rows):
        j = lo[i] + cols
        X = np.full(W, NEG)
        X2 = np.full(W, NEG)  # second best way in
        B = np.full(W, -1, dtype=np.int8)
        if i == 0:
            X[j == 0] = 0.0
        for k in cross:
            a, b = types[k]
            r = i - a
            if r < 0:
                continue
            c = j - b - lo[r]
            ok = (c >= 0) & (c < W)
            cand = np.full(W, NEG)
            cand[ok] = D[r, c[ok]] + gains[k, i, ok]
            better = cand > X
            X2 = np.where(better, X, np.maximum(X2, cand))
            X = np.where(better, cand, X)
            B[better] = k
        if k01 >= 0:
            g = gains[k01, i].astype(np.float64)
            g = np.where(np.isfinite(g), g, -1e12)
            g[0] = 0.0  # never used: column lo[i] has no left neighbour in this row
            G = np.cumsum(g)
            vals = np.where(np.isfinite(X), X - G, -np.inf)
            Y = np.maximum.accumulate(vals)
            via = G + Y
            # the chain wins where the running maximum was set strictly left of this column
            # (comparing indices, not sums, so rounding cannot fake a better chain)
            new = vals > np.concatenate([[-np.inf], Y[:-1]])
            src_col = np.maximum.accumulate(np.where(new, cols, 0))
            take = np.isfinite(via) & (src_col < cols) & (via > -1e11)
            X2 = np.where(take, X, np.maximum(X2, np.where(via > -1e11, via, NEG)))
            X = np.where(take, via, X)
            B[take] = k01
        X[j > m] = NEG
        D[i] = X
        bp[i] = B
        with np.errstate(invalid="ignore"):
            gap[i] = np.where(np.isfinite(X2), np.maximum(X - X2, 0.0), np.inf)
    c = m - lo[n]
    if not (0 <= c < W) or not np.isfinite(D[n, c]):
        raise ValueError("the end of both documents is not reachable inside the band")
    total = float(D[n, c])
    beads: list[tuple[int, int, int, int]] = []
    gaps: list[float] = []
    i, j = n, m
    while i > 0 or j > 0:
        k = int(bp[i, j - lo[i]])
        if k < 0:
            raise ValueError(f"broken back-pointer at ({i}, {j})")
        a, b = types[k]
        beads.append((i - a, i, j - b, j))
        gaps.append(float(gap[i, j - lo[i]]))
        i, j = i - a, j - b
    beads.reverse()
    gaps.reverse()
    return beads, total, np.asarray(gaps, dtype=np.float64)
