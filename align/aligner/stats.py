"""Per-sentence similarity baselines and the document pair's length model (`Stats`).

Computed once from the 1-1 similarity band; the features normalise every bead by them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from align.aligner.band import column_reduce
from align.aligner.settings import AlignSettings
from align.aligner.side import Side


def topk_mean(V: np.ndarray, k: int) -> np.ndarray:
    """Mean of the k largest finite values of each row (-inf entries ignored)."""
    k = max(1, min(k, V.shape[1]))
    part = -np.partition(-V, k - 1, axis=1)[:, :k]
    fin = np.isfinite(part)
    cnt = np.maximum(fin.sum(1), 1)
    return np.where(fin, part, 0.0).sum(1) / cnt


def _mean_std(V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    fin = np.isfinite(V)
    cnt = np.maximum(fin.sum(1), 1)
    x = np.where(fin, V, 0.0)
    mu = x.sum(1) / cnt
    var = np.where(fin, (V - mu[:, None]) ** 2, 0.0).sum(1) / cnt
    return mu, np.maximum(np.sqrt(var), 0.02)


def _row_best(V: np.ndarray) -> np.ndarray:
    """Each row's largest finite value (-1 where it has none)."""
    return np.max(np.where(np.isfinite(V), V, -1.0), axis=1)


def _best_z(best: np.ndarray, mu: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """How far each sentence's best match (`_row_best`) stands out, relative to the document's median."""
    z = (best - mu) / sd
    return z - np.median(z)


@dataclass(frozen=True)
class Stats:
    """Per-sentence similarity statistics and the document pair's length model (immutable:
    the deletion-prior offsets come in through dataclasses.replace)."""

    knn_s: np.ndarray  # mean of each source sentence's k best similarities
    knn_t: np.ndarray
    mean_s: np.ndarray  # mean similarity of each source sentence to the band
    mean_t: np.ndarray
    std_s: np.ndarray
    std_t: np.ndarray
    best_s: np.ndarray = field(default_factory=lambda: np.zeros(0))  # best similarity, z-scored
    best_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    null_s: float = 0.0  # document-adaptive offset of the 1-0 gain (see AlignSettings.null_adapt)
    null_t: float = 0.0  # ... and of the 0-1 gain
    ratio: float = 1.0  # target characters per source character
    sigma: float = 0.35  # spread of log length ratios
    # per source sentence: the target sentence it is the mutual best match of (-1: none)
    partner: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # each sentence's best raw similarity in the band (ties of repeated sentences share it)
    top_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    top_t: np.ndarray = field(default_factory=lambda: np.zeros(0))


def sentence_stats(S: np.ndarray, lo: np.ndarray, src: Side, tgt: Side, st: AlignSettings) -> Stats:
    """Similarity baselines of every sentence, and a length model from mutual best pairs."""
    n, m = len(src), len(tgt)
    W = S.shape[1]
    j = lo[:, None] + np.arange(W)[None, :]
    valid = (j >= 1) & (j <= m)
    valid[0] = False
    Sv = np.where(valid, S, -np.inf)
    rows = Sv[1:]
    # per target sentence: its best source row (offset from the column's first row), the mean
    # of its knn best similarities and its best one, a block of columns at a time
    per_col = column_reduce(
        Sv, lo, m, -np.inf, lambda T: np.column_stack([T.argmax(1), topk_mean(T, st.knn), _row_best(T)])
    )[1:]

    zeros_n, zeros_m = np.zeros(n), np.zeros(m)
    top_s = _row_best(rows) if n and m else zeros_n
    # background similarity of each sentence: against a fixed sample of the other document
    # (as Vecalign normalises), so it does not depend on how wide the searched band is
    rng = np.random.default_rng(0)
    if n and m:
        ms, ss = _mean_std(src.vecs @ tgt.vecs[np.sort(rng.choice(m, min(m, 256), replace=False))].T)
        mt, sd_t = _mean_std(tgt.vecs @ src.vecs[np.sort(rng.choice(n, min(n, 256), replace=False))].T)
    else:
        ms, ss, mt, sd_t = zeros_n, zeros_n, zeros_m, zeros_m
    ratio, sigma = float(tgt.lengths.sum() / max(1.0, src.lengths.sum())), st.len_sigma
    partner = np.zeros(0, dtype=np.int64)
    if n and m:
        best_c = rows.argmax(1)
        best_j = lo[1:] + best_c - 1
        first = np.searchsorted(lo + W - 1, np.arange(m + 1), side="left")[1:]
        best_i = first + per_col[:, 0].astype(np.int64) - 1
        ok = (best_j >= 0) & (best_j < m)
        mutual = ok & (best_i[np.clip(best_j, 0, m - 1)] == np.arange(n))
        partner = np.where(mutual, best_j, -1)
        k = int(mutual.sum())
        if k >= 5:
            d = np.log(tgt.lengths[best_j[mutual]] / src.lengths[mutual])
            ratio = float(np.exp(np.median(d)))
            mad = float(np.median(np.abs(d - np.median(d)))) * 1.4826
            sigma = max(0.1, (st.len_sigma * 10 + mad * k) / (10 + k))
    return Stats(
        knn_s=topk_mean(rows, st.knn) if n else zeros_n,
        knn_t=per_col[:, 1] if m else zeros_m,
        mean_s=ms, mean_t=mt, std_s=ss, std_t=sd_t,
        best_s=_best_z(top_s, ms, ss) if n and m else zeros_n,
        best_t=_best_z(per_col[:, 2], mt, sd_t) if n and m else zeros_m,
        ratio=ratio, sigma=sigma, partner=partner,
        top_s=top_s, top_t=per_col[:, 2] if n and m else zeros_m,
    )


def null_offsets(beads: Sequence[tuple[int, int, int, int]], n: int, m: int, st: AlignSettings) -> tuple[float, float]:
    """(source, target) null-gain offsets from the drop rates a first-pass path suggests."""
    if st.null_adapt <= 0:
        return 0.0, 0.0
    c_s = sum(1 for i0, i1, j0, j1 in beads if i1 > i0 and j1 == j0)
    c_t = sum(1 for i0, i1, j0, j1 in beads if i1 == i0 and j1 > j0)
    out = []
    for c, k in ((c_s, n), (c_t, m)):
        rate = (c + st.null_prior * st.null_rate) / (k + st.null_prior)
        d = st.null_adapt * float(np.log(rate / st.null_rate))
        out.append(float(np.clip(d, -st.null_adapt_max, st.null_adapt_up)))
    return out[0], out[1]
