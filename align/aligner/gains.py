"""Bead gains: the log-odds of every candidate bead in the band, from the features and the fitted weights.

`score_band` is the one way from two sides and a band to scored beads: the 1-1 similarity and
shared-evidence bands, the sentence statistics, then every bead shape's gains (`ScoredBand`).
The aligner, refine, confidence and the fitting scripts (bench/) all go through it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from align.aligner.band import NEG, band_dot, gather_cols
from align.aligner.evidence import shared_band
from align.aligner.features import FEATURES, type_features
from align.aligner.settings import AlignSettings
from align.aligner.side import Side, window
from align.aligner.stats import Stats, sentence_stats
from align.aligner.weights import default_weights
from align.errors import UsageError

GainWeights = Mapping[str, Mapping[str, float]]  # shape group -> feature name -> log-odds weight


@dataclass(frozen=True)
class Band:
    """Two sides over a search band: 1-1 cosines, shared evidence counts, sentence statistics."""

    src: Side
    tgt: Side
    lo: np.ndarray  # (n + 1,) first target node of each row's band
    sim: np.ndarray  # (n + 1, W) cosine of source i-1 and target lo[i]+c-1 (band_dot)
    shared: np.ndarray  # (n + 1, W) evidence tokens they share (shared_band)
    stats: Stats


@dataclass(frozen=True)
class ScoredBand:
    """A band with the gain and similarity of every candidate bead of every allowed shape."""

    band: Band
    types: tuple[tuple[int, int], ...]  # bead shapes (a, b), one per first axis entry below
    gains: np.ndarray  # (K, n + 1, W) log-odds of the bead of shape types[k] ending at each node
    sims: np.ndarray  # (K, n + 1, W) its cosine (NaN where not scored)

    @property
    def lo(self) -> np.ndarray:
        return self.band.lo

    @property
    def stats(self) -> Stats:
        return self.band.stats

    @property
    def m(self) -> int:
        """Target sentences: the last column of the lattice."""
        return len(self.band.tgt)


def make_band(
    src: Side, tgt: Side, lo: np.ndarray, width: int, settings: AlignSettings, *, stats: Stats | None = None
) -> Band:
    """The 1-1 bands of two sides; their sentence statistics unless given (refine passes its own)."""
    S = band_dot(src.vecs, tgt.vecs, lo, width)
    E = shared_band(src.tokens, tgt.tokens, lo, width)
    if stats is None:
        stats = sentence_stats(S, lo, src, tgt, settings)
    return Band(src, tgt, lo, S, E, stats)


def score_band(
    band: Band, settings: AlignSettings, *, types: Sequence[tuple[int, int]] | None = None,
    weights: GainWeights | None = None,
) -> ScoredBand:
    """Gains and similarities of every bead of `types` (default: settings.bead_types()) in the band.

    `weights` replaces the shipped gain weights (align/aligner/weights/gains.py), e.g. while fitting.
    """
    types = tuple(settings.bead_types() if types is None else types)
    gains, sims = bead_gains(band.sim, band.shared, band.lo, band.src, band.tgt, band.stats, types, settings,
                             weights=weights)
    return ScoredBand(band, types, gains, sims)


def with_null_offsets(scored: ScoredBand, null_s: float, null_t: float, settings: AlignSettings) -> ScoredBand:
    """The same scored band with the document's deletion-prior offsets in its 1-0 / 0-1 gains."""
    stats = replace(scored.stats, null_s=null_s, null_t=null_t)
    gains = scored.gains.copy()
    set_null_gains(gains, scored.lo, scored.m, stats, scored.types, settings)
    return replace(scored, band=replace(scored.band, stats=stats), gains=gains)


def weight_vector(weights: GainWeights, group: str) -> np.ndarray:
    """The weights of one shape group in FEATURES order (a missing feature is a UsageError)."""
    w = weights.get(group, {})
    missing = [f for f in FEATURES if f not in w]
    if missing:
        raise UsageError(f"gain weights for {group!r} lack {', '.join(missing)}; give one per feature")
    return np.asarray([w[f] for f in FEATURES], dtype=np.float32)


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
    types: Sequence[tuple[int, int]], st: AlignSettings, chunk_cells: int = 1_500_000, *,
    weights: GainWeights | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(gains (K, n+1, W) float32 log-odds of each candidate bead, sims (K, n+1, W) cosines).

    Rows are scored in chunks of about chunk_cells band cells, so the feature arrays' memory
    stays bounded however long the documents are.
    """
    rows, W = S.shape
    K = len(types)
    weights = default_weights().gains if weights is None else weights
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
        _score_rows(S[sl], E[sl], lo[sl], win, tgt, wstats, types, st, gains[:, r0:r1], sims[:, r0:r1], keep, weights)
    return gains, sims


def _score_rows(
    S: np.ndarray, E: np.ndarray, lo: np.ndarray, src: Side, tgt: Side, stats: Stats,
    types: Sequence[tuple[int, int]], st: AlignSettings, gains: np.ndarray, sims: np.ndarray, keep: slice,
    weights: GainWeights,
) -> None:
    """Fill gains/sims (views of the kept rows) for every non-null type over one row window."""
    smaller: dict[tuple[int, int], np.ndarray] = {}
    for k in sorted(range(len(types)), key=lambda k: sum(types[k])):
        a, b = types[k]
        if a == 0 or b == 0:
            continue
        feats, sim, ok = type_features(S, E, lo, src, tgt, stats, a, b, st, smaller)
        smaller[(a, b)] = sim
        w = weight_vector(weights, type_group(a, b))
        g = np.tensordot(w, feats, axes=1)
        g += st.pair_offset if a + b == 3 else st.many_offset if a + b > 3 else 0.0
        gains[k] = np.where(ok, g, NEG)[keep]
        sims[k] = np.where(ok, sim, np.nan)[keep]
