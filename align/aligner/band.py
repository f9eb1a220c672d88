"""Band arithmetic: arrays over the search band, where row i, column c stand for lattice node (i, lo[i] + c).

A full search is the band lo = 0, W = m + 1. Pure numpy; the DP kernel (dp.py) builds on these,
so this module imports nothing from align.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

NEG = -np.inf


def shift(A: np.ndarray, lo: np.ndarray, p: int, q: int, fill: float = 0.0) -> np.ndarray:
    """B[i, c] = A[i - p, lo[i] + c - q - lo[i - p]]: the node p rows up, q columns left."""
    rows, W = A.shape
    out = np.full_like(A, fill)
    if abs(p) >= rows:
        return out
    dst = slice(p, rows) if p >= 0 else slice(0, rows + p)
    srs = slice(0, rows - p) if p >= 0 else slice(-p, rows)
    cc = (lo[dst] - lo[srs])[:, None] + np.arange(W)[None, :] - q
    ok = (cc >= 0) & (cc < W)
    vals = np.take_along_axis(A[srs], np.clip(cc, 0, W - 1), axis=1)
    out[dst] = np.where(ok, vals, fill)
    return out


def band_dot(X: np.ndarray, Y: np.ndarray, lo: np.ndarray, W: int, chunk: int = 512) -> np.ndarray:
    """S[i, c] = X[i-1] . Y[lo[i]+c-1] for the band (0 where i = 0, j = 0 or j > m)."""
    n, m = len(X), len(Y)
    S = np.zeros((n + 1, W), dtype=np.float32)
    for r0 in range(1, n + 1, chunk):
        r1 = min(n + 1, r0 + chunk)
        c0 = int(lo[r0])
        c1 = int(min(m + 1, lo[r1 - 1] + W))
        if c1 <= max(c0, 1):
            continue
        j0 = max(c0, 1)
        block = X[r0 - 1 : r1 - 1] @ Y[j0 - 1 : c1 - 1].T  # rows r0.., columns j0..c1-1
        j = lo[r0:r1, None] + np.arange(W)[None, :]
        ok = (j >= j0) & (j < c1)
        vals = np.take_along_axis(block, np.clip(j - j0, 0, block.shape[1] - 1), axis=1)
        S[r0:r1] = np.where(ok, vals, 0.0)
    return S


def column_reduce(
    A: np.ndarray, lo: np.ndarray, m: int, fill: float, reduce: Callable[[np.ndarray], np.ndarray],
    chunk_cells: int | None = 1 << 21,
) -> np.ndarray:
    """reduce(T) for a reduce that works row by row, where T[j, r] holds the band's values in
    column j, one per row that has column j (fill elsewhere); computed on blocks of columns of
    about chunk_cells cells each (None: all at once).

    T is (m + 1) x H, H the most rows any column has: about the band's width W, but
    where the band runs nearly vertically (many source sentences for few target ones, as a
    run of 1-0 beads makes it) H grows to thousands, and the whole view (with its index
    arrays, five times as big) took gigabytes. Each block is padded to the same H, so every
    row is reduced exactly as in the whole view.
    """
    rows, W = A.shape
    j = np.arange(m + 1)
    first = np.searchsorted(lo + W - 1, j, side="left")  # first row whose band reaches j
    last = np.searchsorted(lo, j, side="right")  # rows < last have lo <= j
    H = int(max(1, (last - first).max(initial=1)))
    step = m + 1 if chunk_cells is None else max(1, chunk_cells // H)
    parts = []
    for j0 in range(0, m + 1, step):
        jj = j[j0 : j0 + step]
        r = first[jj, None] + np.arange(H)[None, :]
        ok = r < last[jj, None]
        rr = np.clip(r, 0, rows - 1)
        c = jj[:, None] - lo[rr]
        ok &= (c >= 0) & (c < W)
        # a copy: a reduce may return a view (a slice of a sorted block) that would keep the block
        parts.append(np.array(reduce(np.where(ok, A[rr, np.clip(c, 0, W - 1)], fill)), copy=True))
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def gather_cols(x: np.ndarray, lo: np.ndarray, W: int, fill: float = np.nan) -> np.ndarray:
    """X[i, c] = x[lo[i] + c] for a node-indexed target array x (fill outside)."""
    j = lo[:, None] + np.arange(W)[None, :]
    ok = j < len(x)
    return np.where(ok, x[np.clip(j, 0, len(x) - 1)], fill)
