"""Bead features: what a candidate bead looks like, from similarity, length and shared tokens.

All arrays are in band coordinates (see align/aligner/band.py): row i, column c stand for the lattice
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


import numpy as np

from align.aligner.band import gather_cols, shift
from align.aligner.settings import AlignSettings
from align.aligner.side import Side
from align.aligner.stats import Stats


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


# the bead features, by name: the rows of type_features' array, and the keys of the fitted weights
FEATURES = ("const", "sim", "knn_margin", "z", "vec_cost", "len_z2", "evidence", "evidence_miss",
            "crossings", "heading", "neighbour_margin", "len_z", "contrast", "len_split", "open_end", "open_start")


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
    ws, wt = np.sqrt(src.lengths), np.sqrt(tgt.lengths)  # sentence vectors weighted by sqrt(length) in span sums
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
    named = {
        "const": np.ones_like(sim), "sim": sim, "knn_margin": margin, "z": z, "vec_cost": vec_cost,
        "len_z2": np.minimum(lz * lz, 16.0), "evidence": evid, "evidence_miss": miss, "crossings": cross,
        "heading": head, "neighbour_margin": neigh, "len_z": np.clip(lz, -4, 4), "contrast": contrast,
        "len_split": lsplit, "open_end": open_e, "open_start": open_s,
    }
    feats = np.stack([named[f] for f in FEATURES]).astype(np.float32)
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


def _crosses(blocks: np.ndarray, a: int) -> np.ndarray:
    """Node-indexed: 1.0 where the span of the last a sentences spans more than one block."""
    n = len(blocks)
    out = np.zeros(n + 1)
    if a > 1 and n >= a:
        out[a:] = (blocks[a - 1 :] != blocks[: n - a + 1]).astype(np.float64)
    return out
