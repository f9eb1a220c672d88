"""Bead gains: how much a candidate bead is worth, from similarity, length and shared tokens.

All arrays are in band coordinates (see align/aligner/dp.py): row i, column c stand for the lattice
node (i, lo[i] + c), and a bead of type (a, b) ending there covers source i-a..i-1 and target
j-b..j-1. Multi-sentence spans are scored without encoding them: the cosine of two spans'
(length-weighted) vector sums follows from the sentence-level dot products and the norms of
the sums, so every bead type costs a few array shifts of the 1-1 similarity band.

A bead's gain is its similarity margin (cosine minus the mean of each side's k best
competitors, as in margin-based mining), plus a length fit under a ratio estimated from the
document pair itself, plus shared numbers and Latin-script names, minus a prior per bead
shape and a small cost for crossing a paragraph boundary, and minus segmentation cues: a
bead that ends on a line ending in ':' ';' ',' or starts on a lower-case line cuts a sentence,
and a large bead whose cut into smaller ones fits the lengths badly is a restructured pair
(a plus for it). 1-0 and 0-1 beads get a negative gain, lower for a sentence whose best match
stands out, moved by the drop rate a first search of the document suggests (null_gains).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace

import numpy as np

NEG = -np.inf


@dataclass(frozen=True)
class AlignSettings:
    """Every setting of the aligner; `items()` goes into the alignment's signature."""

    max_side: int = 3  # most sentences on one side of a bead
    max_total: int = 4  # most sentences in a bead, both sides together (1-3, 2-2, 3-1 at 4)
    knn: int = 4  # competitors averaged into the margin baseline
    # when the pair's mean cosine exceeds this (an encoder that crowds all vectors into a narrow
    # cone: e5 0.78-0.82 on every dev and unseen article; use-m3 0.06-0.37, the top on short
    # one-topic articles), the pair's mean vector is taken out first, so the similarity scale
    # matches the one the weights were fitted on (None: never)
    centre_above: float | None = 0.5
    # a 1-1 bead's margin counts no lower than this: the fitted 1-1 weight on the margin is
    # steep (about 18 log-odds per unit), so in runs of weakly matching items (lists of names,
    # romanised terms) a poor 1-1 would cost more than a 2-1 plus a null, and the path went
    # 2-1, 0-1, 2-1, 0-1... Measured held out by article: clean 0.973 -> 0.985 (None: off)
    margin_floor: float | None = -0.1
    len_sigma: float = 0.35  # prior spread of log length ratios, blended with the document's
    length_weighted_sum: bool = True  # weight sentence vectors by sqrt(length) in span sums
    null_gain: float = -5.5  # log-odds gain of a 1-0 / 0-1 bead for a typical sentence...
    null_slope: float = 0.5  # ...minus this per standard deviation its best match stands out
    # after refine, in documents with >= split_rate nulls per sentence (>= 2), a 2-1 / 1-2 bead
    # whose joined pair rises < split_rise in similarity over its better sentence alone, and
    # whose length fits that sentence alone nearly as well (> split_lfit), becomes 1-1 + null
    # (align/aligner/refine.py split_drops; split_rate > 1: off)
    split_rate: float = 0.02
    split_rise: float = 0.02
    split_lfit: float = -0.1
    # data-adaptive deletion prior (Vecalign-style): after a first search, each side's 1-0 / 0-1
    # gain moves by null_adapt * log(estimated drop rate / null_rate), the rate being that side's
    # first-pass nulls shrunk towards null_rate with null_prior sentences' weight, clipped to
    # [-null_adapt_max, +null_adapt_up]; then the path is searched again (0: off)
    null_adapt: float = 0.5
    null_rate: float = 0.04
    null_prior: float = 20.0
    null_adapt_max: float = 2.0
    null_adapt_up: float = 1.0
    pair_offset: float = 1.1  # added to the log-odds of 1-2 / 2-1 beads
    many_offset: float = 1.0  # added to the log-odds of beads of 4 or more sentences
    full_cells: int = 40_000  # search the full matrix up to this many cells, else coarse-to-fine
    band: int = 48  # half width of the fine band around a coarse path (in sentences)
    # how multi-sentence spans get vectors: "sum" of (sqrt-length weighted) sentence vectors,
    # or "joint": also encode the joined text of every span up to max_side (about max_side
    # times the encoding work; measured +0.1 point mean strict F1 on the dev sets)
    spans: str = "sum"
    # second pass over regions whose bead grain is in doubt, with joined-text vectors of a few
    # candidate spans (align/aligner/refine.py): "off", "multi" (around non-1-1 beads; about +1 to +2
    # points strict F1 for ~5% more time) or "near" (also close 1-1 calls: slower, no better)
    refine: str = "multi"
    # last pass (align/aligner/absorb.py): a null whose joined text with a neighbour rises in
    # similarity by more than absorb_rise (plus absorb_length times the better length fit) is a
    # split translation and joins that neighbour; then single sentences move across bead
    # boundaries while the two beads' joined-text similarity rises by more than move_gain.
    # Beads grow to absorb_max_side sentences a side (subtitle pieces: up to 11-1).
    # Chosen leave-one-set-out over the 7 dev sets (bench/absorb_eval.py). None: off
    absorb_rise: float | None = -0.04
    absorb_length: float = 0.1
    move_gain: float | None = 0.02
    absorb_max_side: int = 12

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


def shared_band(src: Sequence[frozenset[str]], tgt: Sequence[frozenset[str]], lo: np.ndarray, W: int) -> np.ndarray:
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
    # span size a -> (n + 1, d): row i is the encoding of the joined sentences i-a..i-1,
    # NaN where that span was not encoded (its vector is then the weighted sum)
    joint: dict[int, np.ndarray] = field(default_factory=dict)
    # (n,) 1.0 where a sentence ends open (':', ';', ','), so its text goes on in the next line
    # (segmenters that split there cut what the other side keeps as one sentence); None: no cue
    open_end: np.ndarray | None = None
    # (n,) 1.0 where a sentence starts with a lower-case letter: it continues the line before
    open_start: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.lengths)


def make_side(
    texts: Sequence[str], vecs: np.ndarray, blocks: Sequence[int] | None, kinds: Sequence[str] | None
) -> Side:
    """Bundle one document's per-sentence features."""
    n = len(texts)
    lengths = np.array([max(1, len("".join(t.split()))) for t in texts], dtype=np.float64)
    b = np.zeros(n, dtype=np.int64) if blocks is None else np.asarray(blocks, dtype=np.int64)
    if kinds is None:
        head = np.zeros(n, dtype=bool)
    else:
        head = np.array([k in ("title", "heading") for k in kinds], dtype=bool)
    toks = tuple(frozenset(evidence_tokens(t)) for t in texts)
    open_end = np.array([t.rstrip()[-1:] in (":", ";", ",") for t in texts], dtype=np.float64)
    open_start = np.array([t.lstrip()[:1].islower() for t in texts], dtype=np.float64)
    return Side(vecs=np.asarray(vecs, dtype=np.float32), lengths=lengths, tokens=toks, blocks=b, heading=head,
                open_end=open_end, open_start=open_start)


def span_sums(x: np.ndarray, a: int) -> np.ndarray:
    """out[i] = x[i-a] + ... + x[i-1] for i >= a (node-indexed, length n + 1), nan before."""
    n = len(x)
    cs = np.concatenate([[0.0], np.cumsum(x, dtype=np.float64)])
    out = np.full(n + 1, np.nan)
    out[a:] = cs[a:] - cs[: n + 1 - a]
    return out


def span_norms(vecs: np.ndarray, w: np.ndarray, a: int) -> np.ndarray:
    """out[i] = || sum_{p<a} w[i-1-p] vecs[i-1-p] || for node i >= a; nan before.

    From the dot products of sentences fewer than a apart (||sum||^2 = sum_pq w_p w_q v_p.v_q),
    so the cost is a few row-wise dot products, not a weighted copy of the vectors per p.
    """
    n = len(vecs)
    out = np.full(n + 1, np.nan)
    if n < a:
        return out
    w = np.asarray(w, dtype=np.float64)
    k = n + 1 - a  # spans starting at s = 0..k-1
    sq = np.zeros(k)
    for d in range(a):
        lag = np.einsum("ij,ij->i", vecs[: n - d], vecs[d:]).astype(np.float64)
        ww = w[: n - d] * w[d:] * lag  # pair (s, s + d)
        for p in range(a - d):  # pairs (s + p, s + p + d) inside the span starting at s
            sq += (1.0 if d == 0 else 2.0) * ww[p : p + k]
    out[a:] = np.sqrt(np.maximum(sq, 0.0))
    return out


def span_vectors(vecs: np.ndarray, w: np.ndarray, a: int) -> np.ndarray:
    """(n + 1, d): row i is the normalised w-weighted sum of vecs[i-a..i-1] (zeros for i < a)."""
    n, d = vecs.shape
    out = np.zeros((n + 1, d), dtype=np.float32)
    if n < a:
        return out
    acc = np.zeros((n + 1 - a, d), dtype=np.float32)
    for p in range(a):
        acc += w[p : n + 1 - a + p, None].astype(np.float32) * vecs[p : n + 1 - a + p]
    acc /= np.maximum(np.linalg.norm(acc, axis=1, keepdims=True), 1e-12)
    out[a:] = acc
    return out


def _joint_fix(
    sim: np.ndarray, ok: np.ndarray, lo: np.ndarray, src: Side, tgt: Side, ws: np.ndarray, wt: np.ndarray, a: int, b: int
) -> None:
    """Replace, in place, the similarity of cells whose source or target span was encoded jointly."""
    js = src.joint.get(a) if a > 1 else None
    jt = tgt.joint.get(b) if b > 1 else None
    if js is None and jt is None:
        return
    rows, W = sim.shape
    has_s = ~np.isnan(js[:, 0]) if js is not None else np.zeros(rows, dtype=bool)
    has_t = ~np.isnan(jt[:, 0]) if jt is not None else np.zeros(len(tgt) + 1, dtype=bool)
    fix = (has_s[:, None] | gather_cols(has_t.astype(np.float64), lo, W, 0.0).astype(bool)) & ok
    if not fix.any():
        return
    Vs = span_vectors(src.vecs, ws, a)
    if js is not None:
        Vs[has_s] = js[has_s]
    Vt = span_vectors(tgt.vecs, wt, b)
    if jt is not None:
        Vt[has_t] = jt[has_t]
    ii, cc = np.nonzero(fix)
    jj = lo[ii] + cc
    for s0 in range(0, len(ii), 65536):
        sl = slice(s0, s0 + 65536)
        sim[ii[sl], cc[sl]] = np.einsum("ij,ij->i", Vs[ii[sl]], Vt[jj[sl]])


def gather_cols(x: np.ndarray, lo: np.ndarray, W: int, fill: float = np.nan) -> np.ndarray:
    """X[i, c] = x[lo[i] + c] for a node-indexed target array x (fill outside)."""
    j = lo[:, None] + np.arange(W)[None, :]
    ok = j < len(x)
    return np.where(ok, x[np.clip(j, 0, len(x) - 1)], fill)


def _mean_std(V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    fin = np.isfinite(V)
    cnt = np.maximum(fin.sum(1), 1)
    x = np.where(fin, V, 0.0)
    mu = x.sum(1) / cnt
    var = np.where(fin, (V - mu[:, None]) ** 2, 0.0).sum(1) / cnt
    return mu, np.maximum(np.sqrt(var), 0.02)


def _best_z(V: np.ndarray, mu: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """How far each sentence's best match stands out, relative to the document's median."""
    z = (np.max(np.where(np.isfinite(V), V, -1.0), axis=1) - mu) / sd
    return z - np.median(z)


@dataclass
class Stats:
    """Per-sentence similarity statistics and the document pair's length model."""

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


def sentence_stats(S: np.ndarray, lo: np.ndarray, src: Side, tgt: Side, st: AlignSettings) -> Stats:
    """Similarity baselines of every sentence, and a length model from mutual best pairs."""
    n, m = len(src), len(tgt)
    W = S.shape[1]
    j = lo[:, None] + np.arange(W)[None, :]
    valid = (j >= 1) & (j <= m)
    valid[0] = False
    Sv = np.where(valid, S, -np.inf)
    rows = Sv[1:]
    cols = column_view(Sv, lo, m, -np.inf)[1:] if m else np.zeros((0, 1))
    zeros_n, zeros_m = np.zeros(n), np.zeros(m)
    # background similarity of each sentence: against a fixed sample of the other document
    # (as Vecalign normalises), so it does not depend on how wide the searched band is
    rng = np.random.default_rng(0)
    if n and m:
        ms, ss = _mean_std(src.vecs @ tgt.vecs[np.sort(rng.choice(m, min(m, 256), replace=False))].T)
        mt, sd_t = _mean_std(tgt.vecs @ src.vecs[np.sort(rng.choice(n, min(n, 256), replace=False))].T)
    else:
        ms, ss, mt, sd_t = zeros_n, zeros_n, zeros_m, zeros_m
    out = Stats(
        knn_s=topk_mean(rows, st.knn) if n else zeros_n,
        knn_t=topk_mean(cols, st.knn) if m else zeros_m,
        mean_s=ms, mean_t=mt, std_s=ss, std_t=sd_t,
        best_s=_best_z(rows, ms, ss) if n and m else zeros_n,
        best_t=_best_z(cols, mt, sd_t) if n and m else zeros_m,
        ratio=float(tgt.lengths.sum() / max(1.0, src.lengths.sum())),
        sigma=st.len_sigma,
    )
    if n and m:
        best_c = rows.argmax(1)
        best_j = lo[1:] + best_c - 1
        first = np.searchsorted(lo + W - 1, np.arange(m + 1), side="left")[1:]
        best_i = first + cols.argmax(1) - 1
        ok = (best_j >= 0) & (best_j < m)
        mutual = ok & (best_i[np.clip(best_j, 0, m - 1)] == np.arange(n))
        out.partner = np.where(mutual, best_j, -1)
        k = int(mutual.sum())
        if k >= 5:
            d = np.log(tgt.lengths[best_j[mutual]] / src.lengths[mutual])
            out.ratio = float(np.exp(np.median(d)))
            mad = float(np.median(np.abs(d - np.median(d)))) * 1.4826
            out.sigma = max(0.1, (st.len_sigma * 10 + mad * k) / (10 + k))
    return out


FEATURES = ("const", "sim", "knn_margin", "z", "vec_cost", "len_z2", "evidence", "evidence_miss",
            "crossings", "heading", "neighbour_margin", "len_z", "contrast", "len_split", "open_end", "open_start")


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


def type_group(a: int, b: int) -> str:
    """Which weight vector a bead shape uses: '1-1', '1-2' (also 2-1), 'many' or 'null'."""
    if a == 0 or b == 0:
        return "null"
    if a == b == 1:
        return "1-1"
    return "1-2" if a + b == 3 else "many"


def type_features(
    S: np.ndarray, E: np.ndarray, lo: np.ndarray, src: Side, tgt: Side, stats: Stats, a: int, b: int,
    st: AlignSettings,
    smaller: dict[tuple[int, int], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features (F, n+1, W) float32, sim (n+1, W), valid mask) of every a-b bead in the band.

    `smaller` holds the sims of the shapes with one sentence less (if computed): the
    "contrast" feature is how much this span beats its best one-sentence-shorter sub-bead,
    which tells a true 2-1 from a 1-1 plus a stray sentence.
    """
    n, m = len(src), len(tgt)
    rows, W = S.shape
    j = lo[:, None] + np.arange(W)[None, :]
    ok = (j <= m) & (j >= b) & (np.arange(rows)[:, None] >= a)
    ws = np.sqrt(src.lengths) if st.length_weighted_sum else np.ones(n)
    wt = np.sqrt(tgt.lengths) if st.length_weighted_sum else np.ones(m)
    ws_node = np.concatenate([[0.0], ws])[:, None]
    wt_node = gather_cols(np.concatenate([[0.0], wt]), lo, W, 0.0)
    Ss = S * ws_node  # source-weighted similarities
    St = S * wt_node
    Sw = Ss * wt_node
    num = np.zeros((rows, W))
    ev = np.zeros((rows, W))
    for p in range(a):
        for q in range(b):
            num += shift(Sw, lo, p, q)
            ev += shift(E, lo, p, q)
    ns = span_norms(src.vecs, ws, a)[:, None]
    nt = gather_cols(span_norms(tgt.vecs, wt, b), lo, W)
    with np.errstate(invalid="ignore", divide="ignore"):
        sim = num / (ns * nt)
        sim = np.where(ok, sim, 0.0)
        _joint_fix(sim, ok, lo, src, tgt, ws, wt, a, b)
        # the source span against the target sentences just before and after the target span
        nb = np.zeros((rows, W))
        cnt = np.zeros((rows, W))
        for q in (b, -1):
            x = sum(shift(Ss, lo, p, q) for p in range(a)) / ns
            have = shift(np.ones_like(S), lo, 0, q) * ((j - q >= 1) & (j - q <= m))
            nb += x * have
            cnt += have
        for p in (a, -1):
            y = sum(shift(St, lo, p, q) for q in range(b)) / nt
            have = shift(np.ones_like(S), lo, p, 0) * (
                (np.arange(rows)[:, None] - p >= 1) & (np.arange(rows)[:, None] - p <= n)
            )
            nb += y * have
            cnt += have
        neigh = sim - nb / np.maximum(cnt, 1)
        knn_base = 0.5 * (span_sums(stats.knn_s, a)[:, None] / a + gather_cols(span_sums(stats.knn_t, b) / b, lo, W))
        mean_s = span_sums(stats.mean_s, a)[:, None] / a
        mean_t = gather_cols(span_sums(stats.mean_t, b) / b, lo, W)
        sd_s = span_sums(stats.std_s, a)[:, None] / a
        sd_t = gather_cols(span_sums(stats.std_t, b) / b, lo, W)
        z = 0.5 * ((sim - mean_s) / sd_s + (sim - mean_t) / sd_t)
        vec_cost = (1.0 - sim) / (1.0 - 0.5 * (mean_s + mean_t))
        ls = span_sums(src.lengths, a)[:, None]
        lt = gather_cols(span_sums(tgt.lengths, b), lo, W)
        lz = (np.log(lt / ls) - np.log(stats.ratio)) / stats.sigma
        ntok_s = span_sums(np.array([len(t) for t in src.tokens], dtype=np.float64), a)[:, None]
        ntok_t = gather_cols(span_sums(np.array([len(t) for t in tgt.tokens], dtype=np.float64), b), lo, W)
        evid = ev / np.sqrt(np.maximum(ntok_s, 1.0) * np.maximum(ntok_t, 1.0))
        miss = ((ntok_s > 0) & (ntok_t > 0) & (ev == 0)).astype(np.float64)
        cross = _crosses(src.blocks, a)[:, None] + gather_cols(_crosses(tgt.blocks, b), lo, W, 0.0)
        hs = span_sums(src.heading.astype(np.float64), a)[:, None] > 0
        ht = gather_cols(span_sums(tgt.heading.astype(np.float64), b), lo, W, 0.0) > 0
        head = (hs & ht).astype(np.float64) - (hs ^ ht).astype(np.float64)
        contrast = np.zeros((rows, W))
        subs = []
        if smaller is not None and a + b > 2:
            if a > 1 and (a - 1, b) in smaller:
                subs += [smaller[(a - 1, b)], shift(smaller[(a - 1, b)], lo, 1, 0)]
            if b > 1 and (a, b - 1) in smaller:
                subs += [smaller[(a, b - 1)], shift(smaller[(a, b - 1)], lo, 0, 1)]
        if subs:
            contrast = sim - np.maximum.reduce(subs)
        lsplit = _len_split(src, tgt, lo, W, stats, a, b, lz) if a >= 2 and b >= 2 else np.zeros((rows, W))
        open_e = _edge(src.open_end, n, a, 0)[:, None] + gather_cols(_edge(tgt.open_end, m, b, 0), lo, W, 0.0)
        open_s = (_edge(src.open_start, n, a, a - 1)[:, None]
                  + gather_cols(_edge(tgt.open_start, m, b, b - 1), lo, W, 0.0))
    margin = sim - knn_base
    if st.margin_floor is not None and (a, b) == (1, 1):
        margin = np.maximum(margin, st.margin_floor)
    feats = np.stack([np.ones_like(sim), sim, margin, z, vec_cost, np.minimum(lz * lz, 16.0), evid, miss,
                      cross, head, neigh, np.clip(lz, -4, 4), contrast, lsplit, open_e, open_s]).astype(np.float32)
    feats = np.where(ok[None], np.nan_to_num(feats, nan=0.0, posinf=0.0, neginf=0.0), 0.0)
    return feats, sim.astype(np.float32), ok


def _edge(flag: np.ndarray | None, n: int, k: int, d: int) -> np.ndarray:
    """Node-indexed (n + 1): flag of sentence i-1-d for the span of the k sentences ending at
    node i (d = 0: its last sentence, d = k-1: its first); 0 where there is no such span or flag."""
    out = np.zeros(n + 1)
    if flag is not None and n >= k:
        out[k:] = flag[k - 1 - d : n - d]
    return out


def _len_split(
    src: Side, tgt: Side, lo: np.ndarray, W: int, stats: Stats, a: int, b: int, lz: np.ndarray
) -> np.ndarray:
    """How much worse the lengths fit (in capped z^2) if an a-b bead (a, b >= 2) is cut into a
    1-1 bead and an (a-1)-(b-1) bead, in the better of the two orders, than as one bead.

    A pair of sentences restructured across a boundary (a true 2-2) fits badly when cut; two
    beads merged into one fit about as well either way, so this tells them apart where the
    similarity of summed vectors cannot.
    """
    rows = len(lo)

    def z2(ka: int, kb: int, di: int, dj: int) -> np.ndarray:
        # capped z^2 of the ka-kb span ending di rows up and dj columns left of each node
        ls = np.concatenate([np.full(di, np.nan), span_sums(src.lengths, ka)[: rows - di]])[:, None]
        jj = lo[:, None] + np.arange(W)[None, :] - dj
        lt = np.where(jj >= 0, gather_cols(span_sums(tgt.lengths, kb), lo - dj, W), np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            z = (np.log(lt / ls) - np.log(stats.ratio)) / stats.sigma
        return np.minimum(np.nan_to_num(z * z, nan=16.0), 16.0)

    cut = np.minimum(z2(1, 1, a - 1, b - 1) + z2(a - 1, b - 1, 0, 0), z2(a - 1, b - 1, 1, 1) + z2(1, 1, 0, 0))
    return np.clip(cut - np.minimum(lz * lz, 16.0), 0.0, 32.0)


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
        win = _window(src, s0, s1)
        wstats = replace(
            stats, knn_s=stats.knn_s[s0:s1], mean_s=stats.mean_s[s0:s1], std_s=stats.std_s[s0:s1],
            best_s=stats.best_s[s0:s1],
        )
        sl = slice(s0, s1 + 1)
        keep = slice(r0 - s0, r1 - s0)
        _score_rows(S[sl], E[sl], lo[sl], win, tgt, wstats, types, st, gains[:, r0:r1], sims[:, r0:r1], keep)
    return gains, sims


def _window(side: Side, s0: int, s1: int) -> Side:
    """Sentences s0..s1-1 of a side as a side of their own (node i here = node s0 + i there)."""
    if s0 == 0 and s1 == len(side):
        return side
    return replace(
        side, vecs=side.vecs[s0:s1], lengths=side.lengths[s0:s1], tokens=side.tokens[s0:s1],
        blocks=side.blocks[s0:s1], heading=side.heading[s0:s1],
        open_end=None if side.open_end is None else side.open_end[s0:s1],
        open_start=None if side.open_start is None else side.open_start[s0:s1],
        joint={a: v[s0 : s1 + 1] for a, v in side.joint.items()},
    )


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


def _crosses(blocks: np.ndarray, a: int) -> np.ndarray:
    """Node-indexed: 1.0 where the span of the last a sentences spans more than one block."""
    n = len(blocks)
    out = np.zeros(n + 1)
    if a > 1 and n >= a:
        out[a:] = (blocks[a - 1 :] != blocks[: n - a + 1]).astype(np.float64)
    return out
