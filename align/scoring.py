"""Bead gains: how much a candidate bead is worth, from similarity, length and shared tokens.

All arrays are in band coordinates (see align/dp.py): row i, column c stand for the lattice
node (i, lo[i] + c), and a bead of type (a, b) ending there covers source i-a..i-1 and target
j-b..j-1. Multi-sentence spans are scored without encoding them: the cosine of two spans'
(length-weighted) vector sums follows from the sentence-level dot products and the norms of
the sums, so every bead type costs a few array shifts of the 1-1 similarity band.

A bead's gain is its similarity margin (cosine minus the mean of each side's k best
competitors, as in margin-based mining), plus a length fit under a ratio estimated from the
document pair itself, plus shared numbers and Latin-script names, minus a prior per bead
shape and a small cost for crossing a paragraph boundary. 1-0 and 0-1 beads get a fixed
negative gain set from the document's own distribution of best 1-1 margins.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

NEG = -np.inf


@dataclass(frozen=True)
class AlignSettings:
    """Every setting of the aligner; `items()` goes into the alignment's signature."""

    max_side: int = 3  # most sentences on one side of a bead
    max_total: int = 4  # most sentences in a bead, both sides together (1-3, 2-2, 3-1 at 4)
    knn: int = 4  # competitors averaged into the margin baseline
    len_weight: float = 0.05  # weight of the squared length z-score
    len_sigma: float = 0.35  # prior spread of log length ratios, blended with the document's
    evidence_weight: float = 0.15  # weight of shared numbers / Latin names
    size_power: float = 0.0  # a bead's similarity margin counts (sentences / 2) ** size_power times
    many_prior: float = 0.06  # cost of a 1-2 or 2-1 bead
    many2_prior: float = 0.12  # extra cost per sentence beyond 3 in a bead (2-2, 1-3, ...)
    null_quantile: float = 0.15  # 1-0/0-1 gain: minus this share of the median best margin...
    null_floor: float = 0.02  # ...but at least this much
    block_cost: float = 0.04  # cost of a bead side that crosses a paragraph boundary
    heading_bonus: float = 0.05  # gain of a heading paired with a heading
    length_weighted_sum: bool = True  # weight sentence vectors by sqrt(length) in span sums
    full_cells: int = 4_000_000  # search the full matrix up to this many cells
    band: int = 48  # half width of the fine band around a coarse path (in sentences)
    rescore: bool = True  # encode the joined text of spans near non-1-1 beads, re-run

    def items(self) -> tuple[tuple[str, str], ...]:
        """(name, value) pairs of every setting, in declaration order."""
        return tuple((f.name, str(getattr(self, f.name))) for f in fields(self))

    def bead_types(self) -> list[tuple[int, int]]:
        """Allowed bead shapes: 1-0, 0-1 and every a-b with 1 <= a, b <= max_side, a+b <= max_total."""
        out = [(1, 0), (0, 1)]
        for a in range(1, self.max_side + 1):
            for b in range(1, self.max_side + 1):
                if a + b <= self.max_total:
                    out.append((a, b))
        return out


# ---------------------------------------------------------------- band arithmetic


def shift(A: np.ndarray, lo: np.ndarray, p: int, q: int, fill: float = 0.0) -> np.ndarray:
    """B[i, c] = A[i - p, lo[i] + c - q - lo[i - p]]: the node p rows up, q columns left."""
    rows, W = A.shape
    out = np.full_like(A, fill)
    if p >= rows:
        return out
    cc = (lo[p:] - lo[: rows - p])[:, None] + np.arange(W)[None, :] - q
    ok = (cc >= 0) & (cc < W)
    src = A[: rows - p]
    vals = np.take_along_axis(src, np.clip(cc, 0, W - 1), axis=1)
    out[p:] = np.where(ok, vals, fill)
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


def column_view(A: np.ndarray, lo: np.ndarray, m: int, fill: float) -> np.ndarray:
    """T[j, r]: the band's values in column j, one per row that has column j (fill elsewhere)."""
    rows, W = A.shape
    j = np.arange(m + 1)
    first = np.searchsorted(lo + W - 1, j, side="left")  # first row whose band reaches j
    last = np.searchsorted(lo, j, side="right")  # rows < last have lo <= j
    H = int(max(1, (last - first).max(initial=1)))
    r = first[:, None] + np.arange(H)[None, :]
    ok = r < last[:, None]
    rr = np.clip(r, 0, rows - 1)
    c = j[:, None] - lo[rr]
    ok &= (c >= 0) & (c < W)
    return np.where(ok, A[rr, np.clip(c, 0, W - 1)], fill)


def topk_mean(V: np.ndarray, k: int) -> np.ndarray:
    """Mean of the k largest finite values of each row (-inf entries ignored)."""
    k = max(1, min(k, V.shape[1]))
    part = -np.partition(-V, k - 1, axis=1)[:, :k]
    fin = np.isfinite(part)
    cnt = np.maximum(fin.sum(1), 1)
    return np.where(fin, part, 0.0).sum(1) / cnt


# ---------------------------------------------------------------- cheap shared evidence

_NUM_RE = re.compile(r"\d+(?:[.,]\d+)*")
_LATIN_RE = re.compile(r"[A-Za-z][A-Za-z'\-]+")


def evidence_tokens(text: str) -> set[str]:
    """Numbers (full-width folded, thousands commas dropped) and capitalised Latin words/acronyms."""
    t = unicodedata.normalize("NFKC", text)
    out: set[str] = set()
    for m in _NUM_RE.finditer(t):
        s = m.group(0).replace(",", "")
        out.add("#" + s.lstrip("0") if s.strip("0") else "#0")
    for m in _LATIN_RE.finditer(t):
        w = m.group(0)
        if w[0].isupper() and len(w) >= 2:
            out.add(w.lower())
    return out


def shared_band(src: Sequence[set[str]], tgt: Sequence[set[str]], lo: np.ndarray, W: int) -> np.ndarray:
    """E[i, c] = number of evidence tokens shared by source i-1 and target lo[i]+c-1."""
    n = len(src)
    E = np.zeros((n + 1, W), dtype=np.float32)
    post_s: dict[str, list[int]] = defaultdict(list)
    post_t: dict[str, list[int]] = defaultdict(list)
    for i, toks in enumerate(src):
        for t in toks:
            post_s[t].append(i)
    for j, toks in enumerate(tgt):
        for t in toks:
            post_t[t].append(j)
    for tok, I in post_s.items():
        J = post_t.get(tok)
        if not J or len(I) * len(J) > 4000:
            continue
        ii = np.repeat(np.asarray(I) + 1, len(J))
        jj = np.tile(np.asarray(J) + 1, len(I))
        c = jj - lo[ii]
        ok = (c >= 0) & (c < W)
        np.add.at(E, (ii[ok], c[ok]), 1.0)
    return E


# ---------------------------------------------------------------- per-document features


@dataclass(frozen=True)
class Side:
    """What scoring needs of one document: vectors, lengths, tokens and structure."""

    vecs: np.ndarray  # (n, d) L2-normalised
    lengths: np.ndarray  # (n,) characters
    tokens: tuple[frozenset[str], ...]
    blocks: np.ndarray  # (n,) block id
    heading: np.ndarray  # (n,) bool: sentence is a heading/title

    def __len__(self) -> int:
        return len(self.lengths)


def make_side(
    texts: Sequence[str], vecs: np.ndarray, blocks: Sequence[int] | None, kinds: Sequence[str] | None
) -> Side:
    """Bundle one document's per-sentence features."""
    n = len(texts)
    lengths = np.array([max(1, len("".join(t.split()))) for t in texts], dtype=np.float64)
    b = np.arange(n) if blocks is None else np.asarray(blocks, dtype=np.int64)
    if kinds is None:
        head = np.zeros(n, dtype=bool)
    else:
        head = np.array([k in ("title", "heading") for k in kinds], dtype=bool)
    toks = tuple(frozenset(evidence_tokens(t)) for t in texts)
    return Side(vecs=np.asarray(vecs, dtype=np.float32), lengths=lengths, tokens=toks, blocks=b, heading=head)


def span_sums(x: np.ndarray, a: int) -> np.ndarray:
    """out[i] = x[i-a] + ... + x[i-1] for i >= a (node-indexed, length n + 1), nan before."""
    n = len(x)
    cs = np.concatenate([[0.0], np.cumsum(x, dtype=np.float64)])
    out = np.full(n + 1, np.nan)
    out[a:] = cs[a:] - cs[: n + 1 - a]
    return out


def span_norms(vecs: np.ndarray, w: np.ndarray, a: int) -> np.ndarray:
    """out[i] = || sum_{p<a} w[i-1-p] vecs[i-1-p] || for node i >= a; nan before."""
    n = len(vecs)
    out = np.full(n + 1, np.nan)
    if n < a:
        return out
    acc = np.zeros((n + 1 - a, vecs.shape[1]), dtype=np.float64)
    for p in range(a):
        acc += (w[p : n + 1 - a + p, None] * vecs[p : n + 1 - a + p]).astype(np.float64)
    out[a:] = np.sqrt((acc * acc).sum(1))
    return out


@dataclass
class Model:
    """Document-pair statistics the gains use (estimated once, reused for every band)."""

    ratio: float  # target characters per source character
    sigma: float  # spread of log length ratios
    null_gain: float  # gain of a 1-0 / 0-1 bead (negative)


def gather_cols(x: np.ndarray, lo: np.ndarray, W: int, fill: float = np.nan) -> np.ndarray:
    """X[i, c] = x[lo[i] + c] for a node-indexed target array x (fill outside)."""
    j = lo[:, None] + np.arange(W)[None, :]
    ok = j < len(x)
    return np.where(ok, x[np.clip(j, 0, len(x) - 1)], fill)


def base_arrays(S: np.ndarray, lo: np.ndarray, n: int, m: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each source and target sentence's margin baseline: mean of its k best similarities."""
    valid = np.zeros_like(S, dtype=bool)
    j = lo[:, None] + np.arange(S.shape[1])[None, :]
    valid[1:] = (j[1:] >= 1) & (j[1:] <= m)
    Sv = np.where(valid, S, -np.inf)
    rb = topk_mean(Sv[1:], k) if n else np.zeros(0)
    cb = topk_mean(column_view(Sv, lo, m, -np.inf)[1:], k) if m else np.zeros(0)
    return rb, cb


def estimate_model(
    S: np.ndarray, lo: np.ndarray, src: Side, tgt: Side, rb: np.ndarray, cb: np.ndarray, st: AlignSettings
) -> Model:
    """Length ratio/spread from mutual best 1-1 pairs; null gain from the median best margin."""
    n, m = len(src), len(tgt)
    ratio = float(tgt.lengths.sum() / max(1.0, src.lengths.sum()))
    sigma = st.len_sigma
    null_gain = -st.null_floor
    if n and m:
        W = S.shape[1]
        j = lo[:, None] + np.arange(W)[None, :]
        valid = (j >= 1) & (j <= m)
        valid[0] = False
        Sv = np.where(valid, S, -np.inf)
        best_c = Sv.argmax(1)[1:]
        best_j = (lo[1:] + best_c) - 1  # target sentence index of row i's best
        colv = column_view(Sv, lo, m, -np.inf)[1:]
        first = np.searchsorted(lo + W - 1, np.arange(m + 1), side="left")[1:]
        best_i = first + colv.argmax(1) - 1  # source sentence index of column j's best
        ii = np.arange(n)
        ok = (best_j >= 0) & (best_j < m)
        mutual = ok & (best_i[np.clip(best_j, 0, m - 1)] == ii)
        if mutual.sum() >= 5:
            d = np.log(tgt.lengths[best_j[mutual]] / src.lengths[mutual])
            ratio = float(np.exp(np.median(d)))
            mad = float(np.median(np.abs(d - np.median(d)))) * 1.4826
            k = mutual.sum()
            sigma = float((st.len_sigma * 10 + mad * k) / (10 + k))
            margins = Sv[1:][mutual, best_c[mutual]] - 0.5 * (rb[mutual] + cb[best_j[mutual]])
            null_gain = -max(st.null_floor, st.null_quantile * float(np.median(margins)))
    return Model(ratio=ratio, sigma=max(0.1, sigma), null_gain=null_gain)


def bead_gains(
    S: np.ndarray,
    E: np.ndarray,
    lo: np.ndarray,
    src: Side,
    tgt: Side,
    rb: np.ndarray,
    cb: np.ndarray,
    model: Model,
    types: Sequence[tuple[int, int]],
    st: AlignSettings,
) -> tuple[np.ndarray, np.ndarray]:
    """(gains (K, n+1, W) float32, sims (K, n+1, W) float32 cosine of each bead's two spans)."""
    n, m = len(src), len(tgt)
    rows, W = S.shape
    K = len(types)
    gains = np.full((K, rows, W), NEG, dtype=np.float32)
    sims = np.full((K, rows, W), np.nan, dtype=np.float32)
    j = lo[:, None] + np.arange(W)[None, :]
    inside = j <= m
    ws = np.sqrt(src.lengths) if st.length_weighted_sum else np.ones(n)
    wt = np.sqrt(tgt.lengths) if st.length_weighted_sum else np.ones(m)
    wt_node = np.concatenate([[0.0], wt])
    Sw = S * (np.concatenate([[0.0], ws])[:, None]) * gather_cols(wt_node, lo, W, 0.0)
    cs_rb = np.concatenate([[0.0], np.cumsum(rb)])
    cs_cb = np.concatenate([[0.0], np.cumsum(cb)])
    ntok_s = np.array([len(t) for t in src.tokens], dtype=np.float64)
    ntok_t = np.array([len(t) for t in tgt.tokens], dtype=np.float64)
    log_ratio = np.log(model.ratio)
    for k, (a, b) in enumerate(types):
        if a == 0 or b == 0:
            ok = inside & (j >= b) & (np.arange(rows)[:, None] >= a)
            g = np.where(ok, model.null_gain, NEG)
            gains[k] = g
            continue
        num = np.zeros((rows, W), dtype=np.float64)
        ev = np.zeros((rows, W), dtype=np.float64)
        for p in range(a):
            for q in range(b):
                num += shift(Sw, lo, p, q)
                ev += shift(E, lo, p, q)
        ns = span_norms(src.vecs, ws, a)
        nt = gather_cols(span_norms(tgt.vecs, wt, b), lo, W)
        sim = num / (ns[:, None] * nt)
        base_s = span_sums(rb, a) / a
        base_t = gather_cols(span_sums(cb, b) / b, lo, W)
        margin = sim - 0.5 * (base_s[:, None] + base_t)
        ls = span_sums(src.lengths, a)
        lt = gather_cols(span_sums(tgt.lengths, b), lo, W)
        z = (np.log(lt / ls[:, None]) - log_ratio) / model.sigma
        tok_s = span_sums(ntok_s, a)
        tok_t = gather_cols(span_sums(ntok_t, b), lo, W)
        evid = ev / np.sqrt(np.maximum(tok_s[:, None], 1.0) * np.maximum(tok_t, 1.0))
        g = margin * ((a + b) / 2) ** st.size_power - st.len_weight * 0.5 * z * z + st.evidence_weight * evid
        size = a + b
        if size > 2:
            g -= st.many_prior + st.many2_prior * (size - 3)
        if a > 1 or b > 1:
            g -= st.block_cost * (_crosses(src.blocks, a)[:, None] + gather_cols(_crosses(tgt.blocks, b), lo, W, 0.0))
        if a == 1 and b == 1 and st.heading_bonus:
            hs = np.concatenate([[False], src.heading])
            ht = gather_cols(np.concatenate([[False], tgt.heading]).astype(np.float64), lo, W, 0.0)
            g += st.heading_bonus * (hs[:, None] * ht)
        ok = inside & (j >= b) & (np.arange(rows)[:, None] >= a) & np.isfinite(g)
        gains[k] = np.where(ok, g, NEG)
        sims[k] = np.where(ok, sim, np.nan)
    return gains, sims


def _crosses(blocks: np.ndarray, a: int) -> np.ndarray:
    """Node-indexed: 1.0 where the span of the last a sentences spans more than one block."""
    n = len(blocks)
    out = np.zeros(n + 1)
    if a > 1 and n >= a:
        out[a:] = (blocks[a - 1 :] != blocks[: n - a + 1]).astype(np.float64)
    return out
