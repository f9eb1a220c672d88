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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from align.aligner.band import NEG, column_reduce, shift


@dataclass(frozen=True)
class Search:
    """The best path through a band, and the forward table path_margins can reuse."""

    beads: list[tuple[int, int, int, int]]  # (i0, i1, j0, j1) in document order
    total: float  # the path's total gain
    gaps: np.ndarray  # per bead: decision gap at its end node (see search)
    forward: np.ndarray  # (n + 1, W): best gain from (0, 0) to each node


def _split_types(gains: np.ndarray, lo: np.ndarray, types: Sequence[tuple[int, int]]) -> tuple[int, list[int]]:
    """(index of the 0-1 type or -1, indices of the types that advance the row); checks shapes."""
    K, rows, _W = gains.shape
    if len(types) != K or lo.shape != (rows,):
        raise ValueError("gains, lo and types do not agree in shape")
    chain = [k for k, (a, b) in enumerate(types) if a == 0]
    if any(types[k][1] != 1 for k in chain) or len(chain) > 1:
        raise ValueError("the only same-row bead type allowed is 0-1")
    return (chain[0] if chain else -1), [k for k, (a, _b) in enumerate(types) if a > 0]


def _forward(
    gains: np.ndarray, lo: np.ndarray, types: Sequence[tuple[int, int]], m: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """D (best gain from (0, 0) to each node), back-pointers and decision gaps, all (n + 1, W)."""
    K, rows, W = gains.shape
    lo = np.asarray(lo, dtype=np.int64)
    k01, cross = _split_types(gains, lo, types)

    D = np.full((rows, W), NEG, dtype=np.float64)
    bp = np.full((rows, W), -1, dtype=np.int8)
    gap = np.full((rows, W), np.inf, dtype=np.float32)
    cols = np.arange(W)
    kk = np.asarray(cross, dtype=np.int8)
    # candidates of every row-advancing type, one row each: one max/argmax/partition per DP
    # row instead of a compare-and-select per type (the per-call overhead dominates at W ~ 100)
    cand = np.empty((max(len(cross), 2), W))
    for i in range(rows):
        j = lo[i] + cols
        cand.fill(NEG)
        if i == 0:
            cand[0, j == 0] = 0.0  # the start node
        for t, k in enumerate(cross):
            a, b = types[k]
            r = i - a
            if r < 0:
                continue
            d = int(lo[i] - b - lo[r])  # cand[t, c] = D[r, c + d] + gains[k, i, c]
            if 0 <= d < W:
                np.add(D[r, d:], gains[k, i, : W - d], out=cand[t, : W - d])
            elif -W < d < 0:
                np.add(D[r, : W + d], gains[k, i, -d:], out=cand[t, -d:])
        best = cand.argmax(0)
        X = cand[best, cols]
        X2 = np.partition(cand, len(cand) - 2, axis=0)[len(cand) - 2]  # second best way in
        B = np.where(np.isfinite(X), kk[best] if len(kk) else -1, -1).astype(np.int8)
        if i == 0:
            B[j == 0] = -1
        if k01 >= 0:
            g = gains[k01, i].astype(np.float64)
            for s0, s1 in _chain_runs(g):
                # a run of 0-1 beads from column c to t gains G[t] - G[c]
                G = np.cumsum(np.concatenate([[0.0], g[s0 + 1 : s1]]))
                x = X[s0:s1]
                vals = np.where(np.isfinite(x), x - G, -np.inf)
                Y = np.maximum.accumulate(vals)
                via = G + Y
                # the chain wins where the running maximum was set strictly left of this column
                # (comparing indices, not sums, so rounding cannot fake a better chain)
                new = vals > np.concatenate([[-np.inf], Y[:-1]])
                loc = np.arange(s1 - s0)
                src_col = np.maximum.accumulate(np.where(new, loc, 0))
                take = np.isfinite(via) & (src_col < loc)
                X2[s0:s1] = np.where(take, x, np.maximum(X2[s0:s1], via))
                X[s0:s1] = np.where(take, via, x)
                B[s0:s1][take] = k01
        X[j > m] = NEG
        D[i] = X
        bp[i] = B
        with np.errstate(invalid="ignore"):
            gap[i] = np.where(np.isfinite(X2), np.maximum(X - X2, 0.0), np.inf)
    return D, bp, gap


def search(gains: np.ndarray, lo: np.ndarray, types: Sequence[tuple[int, int]], m: int) -> Search:
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
    D, bp, gap = _forward(gains, lo, types, m)
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
    return Search(beads, total, np.asarray(gaps, dtype=np.float64), D)


def _backward(gains: np.ndarray, lo: np.ndarray, types: Sequence[tuple[int, int]], m: int) -> np.ndarray:
    """(n + 1, W): best gain from each node to (n, m), -inf where (n, m) cannot be reached."""
    K, rows, W = gains.shape
    n = rows - 1
    k01, cross = _split_types(gains, lo, types)
    Bk = np.full((rows, W), NEG, dtype=np.float64)
    cols = np.arange(W)
    cand = np.empty((len(cross) + 1, W))  # as in _forward: one max per row
    for i in range(n, -1, -1):
        j = lo[i] + cols
        cand.fill(NEG)
        if i == n:
            cand[-1, j == m] = 0.0
        for t, k in enumerate(cross):
            a, b = types[k]
            r = i + a
            if r > n:
                continue
            d = int(lo[i] + b - lo[r])  # cand[t, c] = (Bk[r] + gains[k, r])[c + d]
            if 0 <= d < W:
                np.add(Bk[r, d:], gains[k, r, d:], out=cand[t, : W - d])
            elif -W < d < 0:
                np.add(Bk[r, : W + d], gains[k, r, : W + d], out=cand[t, -d:])
        X = cand.max(0)
        if k01 >= 0:
            g = gains[k01, i].astype(np.float64)
            for s0, s1 in _chain_runs(g):
                # a run of 0-1 beads from column c to t gains G[t] - G[c]: a running max from the right
                G = np.cumsum(np.concatenate([[0.0], g[s0 + 1 : s1]]))
                x = X[s0:s1]
                vals = np.where(np.isfinite(x), x + G, -np.inf)
                X[s0:s1] = np.maximum(x, np.maximum.accumulate(vals[::-1])[::-1] - G)
        X[j > m] = NEG
        Bk[i] = X
    return Bk


def max_marginals(
    gains: np.ndarray, lo: np.ndarray, types: Sequence[tuple[int, int]], m: int, forward: np.ndarray | None = None
) -> tuple[float, Iterator[np.ndarray]]:
    """(best total, MM of each type in turn): MM[i, c] is the best total gain of a path from
    (0, 0) to (n, m) that uses the bead of type types[k] ending at node (i, lo[i] + c) (-inf: none).

    Forward + the bead's gain + backward, one (n + 1, W) array per type at a time (all K at
    once would be K times the band's memory). `forward` is Search.forward of the same gains.
    """
    _K, rows, W = gains.shape
    n = rows - 1
    lo = np.asarray(lo, dtype=np.int64)
    F = _forward(gains, lo, types, m)[0] if forward is None else forward
    Bk = _backward(gains, lo, types, m)
    c = m - lo[n]

    def each() -> Iterator[np.ndarray]:
        for k, (a, b) in enumerate(types):
            x = shift(F, lo, a, b, fill=NEG) + gains[k].astype(np.float64) + Bk
            yield np.where(np.isfinite(x), x, NEG)

    return (float(F[n, c]) if 0 <= c < W else NEG), each()


def path_margins(
    beads: Sequence[tuple[int, int, int, int]], gains: np.ndarray, lo: np.ndarray, types: Sequence[tuple[int, int]],
    m: int,
    forward: np.ndarray | None = None,
) -> np.ndarray:
    """For each bead of the best path: its total gain minus that of the best path without the bead.

    Every path covers the bead's first source sentence (its target sentence for a 0-1 bead)
    with exactly one bead, so the best path without it is the best max-marginal (forward +
    gain + backward) over the other beads that cover that sentence. 0 means a tie; inf means
    there is no other way through. `forward` is Search.forward of the same gains, if at hand.
    """
    K, rows, W = gains.shape
    n = rows - 1
    lo = np.asarray(lo, dtype=np.int64)
    N = len(beads)
    if N == 0:
        return np.zeros(0)
    total, MMs = max_marginals(gains, lo, types, m, forward)
    arr = np.asarray(beads, dtype=np.int64).reshape(N, 4)
    i0, i1, j0, j1 = arr.T
    own = np.array([types.index((b[1] - b[0], b[3] - b[2])) for b in beads])
    alt = np.full(N, -np.inf)
    src = i1 > i0
    for k, ((a, b), MM) in enumerate(zip(types, MMs)):
        if a > 0 and src.any():
            top = _top2(MM)
            for p in range(a):
                r = i0 + 1 + p
                ok = src & (r <= n)
                rr = np.clip(r, 0, n)
                v = np.where((own == k) & (rr == i1), top[rr, 1], top[rr, 0])
                alt = np.where(ok, np.maximum(alt, v), alt)
        if b > 0 and (~src).any():
            top = column_reduce(MM, lo, m, NEG, _top2)  # of each column's values over its rows
            for q in range(b):
                c = j0 + 1 + q
                ok = ~src & (c <= m)
                cc = np.clip(c, 0, m)
                v = np.where((own == k) & (cc == j1), top[cc, 1], top[cc, 0])
                alt = np.where(ok, np.maximum(alt, v), alt)
    return np.maximum(total - alt, 0.0)


def _top2(A: np.ndarray) -> np.ndarray:
    """(rows, 2): the largest and second largest value of each row (-inf when missing)."""
    if A.shape[1] < 2:
        return np.concatenate([A, np.full_like(A, NEG)], axis=1)
    return -np.partition(-A, 1, axis=1)[:, :2]


def _chain_runs(g: np.ndarray) -> list[tuple[int, int]]:
    """Column runs [s0, s1) of a row that a chain of 0-1 beads can cross (g finite after s0)."""
    stops = np.flatnonzero(~np.isfinite(g[1:])) + 1  # no 0-1 bead ends at these columns
    bounds = [0, *stops.tolist(), len(g)]
    return [(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
