"""Bead gains: the log-odds of every candidate bead in the band, from the features and the fitted weights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from align.aligner.band import NEG, gather_cols
from align.aligner.features import type_features
from align.aligner.settings import AlignSettings
from align.aligner.side import Side, window
from align.aligner.stats import Stats


def type_group(a: int, b: int) -> str:
    """Which weight vector a bead shape uses: '1-1', '1-2' (also 2-1), 'many' or 'null'."""
    if a == 0 or b == 0:
        return "null"
    if a == b == 1:
        return "1-1"
    return "1-2" if a + b == 3 else "many"


def null_gains(lo: np.ndarray, W: int, m: int, stats: Stats, st: AlignSettings, *, source: bool) -> np.ndarray:
    """(n+1, W) log-odds of a 1-0 (source=True) or 0-1 bead ending at each band node: the base
    null gain plus the document's deletion-prior offset, less for a sentence whose best match
    stands out."""
    rows = len(lo)
    j = lo[:, None] + np.arange(W)[None, :]
    if source:
        ok = (j <= m) & (np.arange(rows)[:, None] >= 1)
        g = st.null_gain + stats.null_s - st.null_slope * np.concatenate([[0.0], stats.best_s])[:, None]
    else:
        ok = (j <= m) & (j >= 1)
        g = st.null_gain + stats.null_t - st.null_slope * gather_cols(np.concatenate([[0.0], stats.best_t]), lo, W, 0.0)
    return np.where(ok, g, NEG)


def set_null_gains(
    gains: np.ndarray, lo: np.ndarray, m: int, stats: Stats, types: Sequence[tuple[int, int]], st: AlignSettings
) -> None:
    """Write the 1-0 / 0-1 rows of `gains` (K, n+1, W) from null_gains."""
    for k, (a, b) in enumerate(types):
        if a == 0 or b == 0:
            gains[k] = null_gains(lo, gains.shape[2], m, stats, st, source=a > 0)


def bead_gains(
    S: np.ndarray, E: np.ndarray, lo: np.ndarray, src: Side, tgt: Side, stats: Stats,
    types: Sequence[tuple[int, int]], st: AlignSettings, chunk_cells: int = 1_500_000,
) -> tuple[np.ndarray, np.ndarray]:
    """(gains (K, n+1, W) float32 log-odds of each candidate bead, sims (K, n+1, W) cosines).

    Rows are scored in chunks of about chunk_cells band cells, so the feature arrays' memory
    stays bounded however long the documents are.
    """
    rows, W = S.shape
    K = len(types)
    gains = np.full((K, rows, W), NEG, dtype=np.float32)
    sims = np.full((K, rows, W), np.nan, dtype=np.float32)
    set_null_gains(gains, lo, len(tgt), stats, types, st)
    n = len(src)
    step = max(64, chunk_cells // max(W, 1))
    pad = st.max_side + 2
    for r0 in range(0, rows, step):
        r1 = min(rows, r0 + step)
        s0, s1 = max(0, r0 - pad), min(n, r1 + pad)  # sentences s0..s1-1 = nodes s0..s1
        win = window(src, s0, s1)
        wstats = replace(
            stats, knn_s=stats.knn_s[s0:s1], mean_s=stats.mean_s[s0:s1], std_s=stats.std_s[s0:s1],
            best_s=stats.best_s[s0:s1],
        )
        sl = slice(s0, s1 + 1)
        keep = slice(r0 - s0, r1 - s0)
        _score_rows(S[sl], E[sl], lo[sl], win, tgt, wstats, types, st, gains[:, r0:r1], sims[:, r0:r1], keep)
    return gains, sims


def _score_rows(
    S: np.ndarray, E: np.ndarray, lo: np.ndarray, src: Side, tgt: Side, stats: Stats,
    types: Sequence[tuple[int, int]], st: AlignSettings, gains: np.ndarray, sims: np.ndarray, keep: slice,
) -> None:
    """Fill gains/sims (views of the kept rows) for every non-null type over one row window."""
    from align.aligner.weights.gains import WEIGHTS

    smaller: dict[tuple[int, int], np.ndarray] = {}
    for k in sorted(range(len(types)), key=lambda k: sum(types[k])):
        a, b = types[k]
        if a == 0 or b == 0:
            continue
        feats, sim, ok = type_features(S, E, lo, src, tgt, stats, a, b, st, smaller)
        smaller[(a, b)] = sim
        w = np.asarray(WEIGHTS[type_group(a, b)], dtype=np.float32)
        g = np.tensordot(w, feats, axes=1)
        g += st.pair_offset if a + b == 3 else st.many_offset if a + b > 3 else 0.0
        gains[k] = np.where(ok, g, NEG)[keep]
        sims[k] = np.where(ok, sim, np.nan)[keep]
