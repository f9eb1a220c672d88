"""Vecalign (Thompson & Koehn, EMNLP 2019) in numpy, for running the baseline with any encoder.

A port of Vecalign's vecalign.py, dp_utils.py and dp_core.pyx
(https://github.com/thompsonb/vecalign), which carry this notice:

    Copyright 2019 Brian Thompson

    Licensed under the Apache License, Version 2.0 (the "License");
    you may not use this file except in compliance with the License.
    You may obtain a copy of the License at

        https://www.apache.org/licenses/LICENSE-2.0

    Unless required by applicable law or agreed to in writing, software
    distributed under the License is distributed on an "AS IS" BASIS,
    WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
    See the License for the specific language governing permissions and
    limitations under the License.

Changes from the original (this file is also under the Apache License 2.0):
- the Cython loops of dp_core.pyx (make_dense_costs, dense_dp, score_path, make_sparse_costs,
  sparse_dp) are rewritten in numpy (sparse costs and the sparse DP vectorised over the band and
  the bead types; ties broken as the original breaks them: the first bead type in order wins);
- sentence vectors come from an `encode(texts) -> rows` function instead of an overlaps file
  and an embeddings file; the overlap texts are built as overlap.py builds them (stripped lines,
  "BLANK_LINE" for empty ones, front padding with "PAD", joined with one space, cut at 10,000
  characters), and only the overlaps the alignment types use are encoded;
- the global numpy RNG (seeded 42 once per vecalign.py run) is a RandomState passed in;
- logging, timing, stack pickling and the alignment scores are left out.
Defaults are the ones the README's baselines used: alignment_max_size 8 (overlaps up to 10 were
encoded there, of which Vecalign reads the first 8), del_percentile_frac 0.2, search buffer 5,
max_size_full_dp 300, costs_sample_size 20000, num_samps_for_norm 100.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from math import ceil

import numpy as np

Encode = Callable[[list[str]], np.ndarray]
Bead = tuple[list[int], list[int]]

MAX_LINE_CHARS = 10000  # do not encode arbitrarily long sentences


# ---------------------------------------------------------------- overlaps (dp_utils.py)

def preprocess_line(line: str) -> str:
    line = line.strip()
    return line if line else "BLANK_LINE"


def layer(lines: Sequence[str], num_overlaps: int, comb: str = " ") -> list[str]:
    """Front-padded overlapping sentences: entry i joins the num_overlaps lines ending at i."""
    if num_overlaps < 1:
        raise ValueError("num_overlaps must be >= 1")
    out = ["PAD"] * min(num_overlaps - 1, len(lines))
    for ii in range(len(lines) - num_overlaps + 1):
        out.append(comb.join(lines[ii:ii + num_overlaps]))
    return out


def overlap_texts(lines: Sequence[str], num_overlaps: int) -> list[list[str]]:
    """The texts Vecalign embeds for one document: one list per overlap 1..num_overlaps."""
    pre = [preprocess_line(x) for x in lines]
    return [[t[:MAX_LINE_CHARS] for t in layer(pre, k)] for k in range(1, num_overlaps + 1)]


def make_doc_embedding(lines: Sequence[str], num_overlaps: int, encode: Encode) -> np.ndarray:
    """(num_overlaps, len(lines), dim) float32, as make_doc_embedding builds it from the files."""
    layers = overlap_texts(lines, num_overlaps)
    flat = [t for lay in layers for t in lay]
    vecs = np.asarray(encode(flat), dtype=np.float32)
    return vecs.reshape(num_overlaps, len(lines), -1).copy()


def make_norm1(vecs0: np.ndarray) -> None:
    """Rows scaled to norm 1 in place (the original divides by norm + 1e-5)."""
    norms = np.sqrt(np.square(vecs0).sum(axis=-1, keepdims=True))
    vecs0 /= norms + 1e-5


def make_alignment_types(max_alignment_size: int) -> list[tuple[int, int]]:
    """All (n, m) with n, m >= 1 and n + m <= max_alignment_size, in the original's order."""
    return [(x, y) for x in range(1, max_alignment_size) for y in range(1, max_alignment_size)
            if x + y <= max_alignment_size]


# ---------------------------------------------------------------- deletion penalty

class DeletionKnob:
    """Deletion penalty as a percentile of a sample of 1-1 costs (dp_utils.DeletionKnob)."""

    def __init__(self, samp: np.ndarray, res_min: float, res_max: float) -> None:
        self.res_min = res_min
        self.res_max = res_max
        if self.res_min >= self.res_max:
            self.res_max = self.res_min + 1e-4
        num_bins = 1000
        num_pts = 30
        self.hist, self.bin_edges = np.histogram(samp, bins=num_bins, range=[self.res_min, self.res_max], density=True)
        dx = self.bin_edges[1] - self.bin_edges[0]
        self.cdf = np.cumsum(self.hist) * dx
        interp_points = [(0, self.res_min)]
        for knob_val in np.linspace(0, 1, num_pts - 1)[1:-1]:
            cdf_idx = np.searchsorted(self.cdf, knob_val)
            cdf_val = self.res_min + cdf_idx / float(num_bins) * (self.res_max - self.res_min)
            interp_points.append((knob_val, cdf_val))
        interp_points.append((1, self.res_max))
        self.x, self.y = zip(*interp_points)

    def percentile_frac_to_del_penalty(self, knob_val: float) -> float:
        return float(np.interp([knob_val], self.x, self.y)[0])


def score_path(xx: np.ndarray, yy: np.ndarray, norm1: np.ndarray, norm2: np.ndarray,
               vecs1: np.ndarray, vecs2: np.ndarray) -> np.ndarray:
    """Normalised cosine distance of the pairs (xx[k], yy[k]) (dp_core.score_path)."""
    dots = np.einsum("ij,ij->i", vecs1[xx], vecs2[yy]).astype(np.float32)
    return (2.0 * (1.0 - dots) / (norm1[xx] + norm2[yy])).astype(np.float32)


def make_del_knob(e_laser: np.ndarray, f_laser: np.ndarray, e_norms: np.ndarray, f_norms: np.ndarray,
                  sample_size: int, rng: np.random.RandomState) -> DeletionKnob:
    e_size, f_size = e_laser.shape[0], f_laser.shape[0]
    if e_size > 0 and f_size > 0 and sample_size > 0:
        if e_size * f_size < sample_size:
            # dont sample, just compute full matrix
            x_idxs = np.repeat(np.arange(e_size, dtype=np.int32), f_size)
            y_idxs = np.tile(np.arange(f_size, dtype=np.int32), e_size)
        else:
            x_idxs = rng.choice(range(e_size), size=sample_size, replace=True).astype(np.int32)
            y_idxs = rng.choice(range(f_size), size=sample_size, replace=True).astype(np.int32)
        random_scores = score_path(x_idxs, y_idxs, e_norms, f_norms, e_laser, f_laser)
        min_score, max_score = 0, float(max(random_scores))
    else:
        random_scores = np.array([0.0, 0.5, 1.0])
        min_score, max_score = 0, 1
    return DeletionKnob(random_scores, min_score, max_score)


def compute_norms(vecs0: np.ndarray, vecs1: np.ndarray, num_samples: int,
                  rng: np.random.RandomState) -> np.ndarray:
    """1 - mean cosine of each vecs0 row with a random sample of vecs1 rows from every overlap."""
    overlaps1, size1, dim = vecs1.shape
    overlaps0, size0, _ = vecs0.shape
    overlaps_to_use = overlaps1
    samps_per_overlap = ceil(num_samples / overlaps_to_use)
    if size1 and samps_per_overlap:
        sample = np.empty((samps_per_overlap * overlaps_to_use, dim), dtype=np.float32)
        for ov in range(overlaps_to_use):
            idxs = rng.choice(range(size1), size=samps_per_overlap, replace=True)
            sample[ov * samps_per_overlap:(ov + 1) * samps_per_overlap, :] = vecs1[ov, idxs, :]
        norms0 = np.empty((overlaps0, size0), dtype=np.float32)
        for ov in range(overlaps0):
            sim = np.matmul(vecs0[ov], sample.T)
            norms0[ov, :] = 1.0 - sim.mean(axis=1)
    else:
        norms0 = np.ones((overlaps0, size0), dtype=np.float32)
    return norms0


def downsample_vectors(vecs1: np.ndarray) -> np.ndarray:
    """Half the resolution: consecutive pairs summed, the mean taken out, rows renormalised."""
    a, b, c = vecs1.shape
    half = np.empty((a, b // 2, c), dtype=np.float32)
    even = b - b % 2
    for ii in range(a):
        half[ii] = vecs1[ii, 0:even:2, :] + vecs1[ii, 1:even:2, :]
        mean = np.mean(half[ii], axis=0)
        half[ii] = half[ii] - mean
    make_norm1(half)
    return half


# ---------------------------------------------------------------- full 1-1 DP (coarsest level)

def make_dense_costs(vecs0: np.ndarray, vecs1: np.ndarray, norm0: np.ndarray, norm1: np.ndarray) -> np.ndarray:
    dots = (vecs0[0] @ vecs1[0].T).astype(np.float32)
    return (2.0 * (1.0 - dots) / (1e-6 + norm0[0][:, None] + norm1[0][None, :])).astype(np.float32)


def dense_dp(alignment_cost: np.ndarray, pen: float) -> np.ndarray:
    """Backpointers of the 1-1 / 0-1 / 1-0 DP (0: 1-1, 1: 0-1, 2: 1-0), ties as the original."""
    size0, size1 = alignment_cost.shape
    csum = np.empty((size0 + 1, size1 + 1), dtype=np.float64)
    bp = np.empty((size0 + 1, size1 + 1), dtype=np.int32)
    csum[0, :] = np.arange(size1 + 1) * pen
    bp[0, :] = 1
    csum[:, 0] = np.arange(size0 + 1) * pen
    bp[:, 0] = 2
    csum[0, 0] = 0.0
    bp[0, 0] = 4
    cost = alignment_cost.astype(np.float64).tolist()
    cs = csum.tolist()
    bpl = bp.tolist()
    for c in range(1, size1 + 1):
        for r in range(1, size0 + 1):
            best = cs[r - 1][c - 1] + cost[r - 1][c - 1]
            b = 0
            c1 = cs[r][c - 1] + pen
            if c1 < best:
                best, b = c1, 1
            c2 = cs[r - 1][c] + pen
            if c2 < best:
                best, b = c2, 2
            cs[r][c] = best
            bpl[r][c] = b
    return np.array(bpl, dtype=np.int32)


def dense_traceback(x_y_tb: np.ndarray) -> list[Bead]:
    xx, yy = x_y_tb.shape[0] - 1, x_y_tb.shape[1] - 1
    out: list[Bead] = []
    while not (xx == 0 and yy == 0):
        bp = x_y_tb[xx, yy]
        if bp == 0:
            out.append(([xx - 1], [yy - 1]))
            xx, yy = xx - 1, yy - 1
        elif bp == 1:
            out.append(([], [yy - 1]))
            yy -= 1
        elif bp == 2:
            out.append(([xx - 1], []))
            xx -= 1
        else:
            raise RuntimeError("dense traceback: unknown backpointer")
    out.reverse()
    return out


# ---------------------------------------------------------------- search path and refinement

def append_slant(path: list[tuple[int, int]], xwidth: int, ywidth: int) -> None:
    """Quantised straight line from the path's end to (x + xwidth, y + ywidth), one step at a time."""
    nn = xwidth + ywidth
    xstart, ystart = path[-1]
    for ii in range(1, nn + 1):
        x = xstart + round(xwidth * ii / nn)  # Python's round (half to even), as the original
        y = ystart + round(ywidth * ii / nn)
        lastx, lasty = path[-1]
        delta = x + y - lastx - lasty
        if delta == 1:
            path.append((x, y))
        elif delta == 2:
            path.append((x - 1, y))
        elif delta == 0:
            path.append((x + 1, y))


def alignment_to_search_path(algn: list[Bead]) -> list[tuple[int, int]]:
    path = [(0, 0)]
    xdel = ydel = 0
    for x, y in algn:
        if len(x) and len(y):
            append_slant(path, xdel, ydel)
            xdel = ydel = 0
            append_slant(path, len(x), len(y))
        elif len(x):
            xdel += len(x)
        elif len(y):
            ydel += len(y)
    append_slant(path, xdel, ydel)
    return path


def extend_alignments(coarse: list[Bead], size0: int, size1: int) -> None:
    """Extend an upsampled alignment in place to end at size0, size1 (as the original does)."""
    xmax = max([0] + [v for x, _ in coarse for v in x])
    ymax = max([0] + [v for _, y in coarse for v in y])
    if xmax > size0 or ymax > size1:
        raise RuntimeError("asked to extend alignments but already bigger than requested")
    extra_x = list(range(xmax + 1, size0 + 1))
    extra_y = list(range(ymax + 1, size1 + 1))
    if len(extra_x) == 0:
        coarse.extend(([], [v]) for v in extra_y)
    elif len(extra_y) == 0:
        coarse.extend(([v], []) for v in extra_x)
    else:
        coarse.append((extra_x, extra_y))


def upsample_alignment(algn: list[Bead]) -> list[Bead]:
    def up(xx: list[int]) -> list[int]:
        return list(range(min(xx) * 2, (max(xx) + 1) * 2))

    out: list[Bead] = []
    for xx, yy in algn:
        if len(xx) == 0:
            out.extend(([], [v]) for v in up(yy))
        elif len(yy) == 0:
            out.extend(([v], []) for v in up(xx))
        else:
            out.append((up(xx), up(yy)))
    return out


def make_sparse_costs(vecs0: np.ndarray, vecs1: np.ndarray, norms0: np.ndarray, norms1: np.ndarray,
                      x_y_path: list[tuple[int, int]], alignment_types: list[tuple[int, int]],
                      width_over2: int) -> tuple[np.ndarray, np.ndarray]:
    """Costs of every bead type in a band of 2 * width_over2 cells across the search path,
    in (a = x + y, b = y - b_offset[a]) coordinates; inf outside the documents."""
    path = np.asarray(x_y_path, dtype=np.int64)
    xsize, ysize = vecs0.shape[1], vecs1.shape[1]
    a_len, b_len = path.shape[0], 2 * width_over2
    aa = path[:, 0] + path[:, 1]
    bb = path[:, 1]
    b_offset = np.empty(a_len, dtype=np.int32)
    b_offset[aa] = bb - width_over2
    feats = np.full((len(alignment_types), a_len, b_len), np.inf, dtype=np.float32)
    yy = bb[:, None] - width_over2 + np.arange(b_len)[None, :]  # (a_len, b_len), rows in path order
    xx = aa[:, None] - yy
    ok = (xx >= 0) & (xx < xsize) & (yy >= 0) & (yy < ysize)
    ai = np.broadcast_to(aa[:, None], ok.shape)[ok]
    bi = np.broadcast_to(np.arange(b_len)[None, :], ok.shape)[ok]
    xs, ys = xx[ok], yy[ok]
    for k, (xo, yo) in enumerate(alignment_types):
        dots = np.einsum("ij,ij->i", vecs0[xo - 1, xs], vecs1[yo - 1, ys]).astype(np.float32)
        feat = 2.0 * xo * yo * (1.0 - dots) / (1e-6 + norms0[xo - 1, xs] + norms1[yo - 1, ys])
        feats[k, ai, bi] = feat
    return feats, b_offset


def sparse_dp(a_b_costs: np.ndarray, b_offset_in: np.ndarray, alignment_types: list[tuple[int, int]],
              del_penalty: float, x_in_size: int, y_in_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """DP over the band (dp_core.sparse_dp), vectorised over the band and the bead types.

    Bead types are tried in order (the given ones, then 0-1, then 1-0) and a later one replaces
    the best so far only when strictly cheaper, as in the original loop."""
    x_offsets = np.array([x for x, _ in alignment_types] + [0, 1], dtype=np.int64)
    y_offsets = np.array([y for _, y in alignment_types] + [1, 0], dtype=np.int64)
    n_types = len(x_offsets)
    is_del = (x_offsets == 0) | (y_offsets == 0)
    a_in_size, b_in_size = a_b_costs.shape[1], a_b_costs.shape[2]
    a_out_size, b_out_size = a_in_size + 2, b_in_size
    x_out_size, y_out_size = x_in_size + 1, y_in_size + 1
    b_offset_in = b_offset_in.astype(np.int64)
    b_offset_out = np.concatenate([[b_offset_in[0], b_offset_in[0]], b_offset_in + 1]).astype(np.int64)
    csum = np.full((a_out_size, b_in_size), np.inf, dtype=np.float64)
    xp = np.full((a_out_size, b_in_size), -2, dtype=np.int32)
    yp = np.full((a_out_size, b_in_size), -2, dtype=np.int32)
    bb_out = np.arange(b_in_size)
    costs_flat = a_b_costs.astype(np.float64)
    for aa_out in range(a_out_size):
        yy_out = bb_out + b_offset_out[aa_out]
        xx_out = aa_out - yy_out
        row = np.full(b_in_size, np.inf)
        rxp = np.full(b_in_size, -42, dtype=np.int32)
        ryp = np.full(b_in_size, -42, dtype=np.int32)
        # candidates (types x band)
        xx_in = xx_out - 1
        yy_in = yy_out - 1
        xprev = xx_out[None, :] - x_offsets[:, None]
        yprev = yy_out[None, :] - y_offsets[:, None]
        ok = ((xx_in >= 0) & (xx_in < x_in_size) & (yy_in >= 0) & (yy_in < y_in_size))[None, :] \
            & (xprev >= 0) & (xprev < x_out_size) & (yprev >= 0) & (yprev < y_out_size)
        aa_in = xx_in + yy_in
        aa_in_c = np.clip(aa_in, 0, a_in_size - 1)
        bb_in = yy_in - b_offset_in[aa_in_c]
        aprev = xprev + yprev
        aprev_c = np.clip(aprev, 0, a_out_size - 1)
        bprev = yprev - b_offset_out[aprev_c]
        ok &= ((aa_in >= 0) & (aa_in < a_in_size) & (bb_in >= 0) & (bb_in < b_in_size))[None, :] \
            & (aprev >= 0) & (aprev < a_out_size) & (bprev >= 0) & (bprev < b_out_size)
        total = np.full((n_types, b_in_size), np.inf)
        if ok.any():
            ti, bi = np.nonzero(ok)
            # a deletion costs del_penalty; a bead its type's cost at (xx_out - 1, yy_out - 1)
            n_beads = len(alignment_types)
            acost = np.where(is_del[ti], del_penalty,
                             costs_flat[np.minimum(ti, n_beads - 1), aa_in_c[bi], np.clip(bb_in[bi], 0, b_in_size - 1)])
            total[ti, bi] = csum[aprev[ti, bi], bprev[ti, bi]] + acost
        best_t = np.argmin(total, axis=0)  # first of equal minima: the original's strict '<'
        best = total[best_t, bb_out]
        found = best < np.inf
        row[found] = best[found]
        rxp[found] = x_offsets[best_t[found]]
        ryp[found] = y_offsets[best_t[found]]
        # edge cases: all deletions along one side
        e1 = (xx_out == 0) & (yy_out >= 0) & (yy_out < y_out_size)
        e2 = ~e1 & (yy_out == 0) & (xx_out >= 0) & (xx_out < x_out_size)
        row[e1] = del_penalty * yy_out[e1]
        rxp[e1], ryp[e1] = 0, 1
        row[e2] = del_penalty * xx_out[e2]
        rxp[e2], ryp[e2] = 1, 0
        csum[aa_out], xp[aa_out], yp[aa_out] = row, rxp, ryp
    return csum, xp, yp, b_offset_out


def sparse_traceback(xp: np.ndarray, yp: np.ndarray, b_offset: np.ndarray, xsize: int, ysize: int) -> list[Bead]:
    out: list[Bead] = []
    xx, yy = xsize, ysize
    while True:
        aa = xx + yy
        bb = yy - b_offset[aa]
        x_step, y_step = int(xp[aa, bb]), int(yp[aa, bb])
        if xx == yy == 0:
            break
        if xx < 0 or yy < 0 or x_step < 0 or y_step < 0:
            raise RuntimeError("sparse traceback bug")
        out.append((list(range(xx - x_step, xx)), list(range(yy - y_step, yy))))
        xx, yy = xx - x_step, yy - y_step
    out.reverse()
    return out


# ---------------------------------------------------------------- the aligner

def vecalign_vectors(vecs0: np.ndarray, vecs1: np.ndarray, final_alignment_types: list[tuple[int, int]], *,
                     del_percentile_frac: float, width_over2: int, max_size_full_dp: int,
                     costs_sample_size: int, num_samps_for_norm: int,
                     rng: np.random.RandomState) -> list[Bead]:
    """dp_utils.vecalign: recursive coarse-to-fine DP; vecs are (overlaps, sentences, dim)."""
    width_over2 = max(width_over2, 3)
    vecs0 = vecs0.astype(np.float32, copy=True)
    vecs1 = vecs1.astype(np.float32, copy=True)
    make_norm1(vecs0)
    make_norm1(vecs1)
    s0, s1 = vecs0.shape[1], vecs1.shape[1]
    max_depth = 0
    while s0 * s1 > max_size_full_dp ** 2:
        max_depth += 1
        s0, s1 = s0 // 2, s1 // 2
    stack: dict[int, dict] = {0: {"v0": vecs0, "v1": vecs1}}
    for depth in range(1, max_depth + 1):
        stack[depth] = {"v0": downsample_vectors(stack[depth - 1]["v0"]),
                        "v1": downsample_vectors(stack[depth - 1]["v1"])}
    for depth in stack:
        st = stack[depth]
        st["size0"], st["size1"] = st["v0"].shape[1], st["v1"].shape[1]
        st["types"] = final_alignment_types if depth == 0 else [(1, 1)]
        st["n0"] = compute_norms(st["v0"], st["v1"], num_samps_for_norm, rng)
        st["n1"] = compute_norms(st["v1"], st["v0"], num_samps_for_norm, rng)
    for depth in stack:
        st = stack[depth]
        knob = make_del_knob(st["v0"][0], st["v1"][0], st["n0"][0], st["n1"][0], costs_sample_size, rng)
        st["del_penalty"] = knob.percentile_frac_to_del_penalty(del_percentile_frac)
    top = stack[max_depth]
    costs = make_dense_costs(top["v0"], top["v1"], top["n0"], top["n1"])
    top["alignments"] = dense_traceback(dense_dp(costs, top["del_penalty"]))
    depths = [0] if max_depth == 0 else list(reversed(range(0, max_depth)))
    final: list[Bead] = []
    for depth in depths:
        st = stack[depth]
        if max_depth > 0:
            coarse = upsample_alignment(stack[depth + 1]["alignments"])
            extend_alignments(coarse, st["size0"], st["size1"])
        else:
            coarse = stack[0]["alignments"]
        path = alignment_to_search_path(coarse)
        feats, b_offset = make_sparse_costs(st["v0"], st["v1"], st["n0"], st["n1"], path, st["types"], width_over2)
        _, xp, yp, new_b_offset = sparse_dp(feats, b_offset, st["types"], st["del_penalty"], st["size0"], st["size1"])
        st["alignments"] = sparse_traceback(xp, yp, new_b_offset, st["size0"], st["size1"])
        final = st["alignments"]
    return final


def align(src: Sequence[str], tgt: Sequence[str], encode: Encode, *, alignment_max_size: int = 8,
          del_percentile_frac: float = 0.2, search_buffer_size: int = 5, max_size_full_dp: int = 300,
          costs_sample_size: int = 20000, num_samps_for_norm: int = 100,
          rng: np.random.RandomState | None = None) -> list[Bead]:
    """Vecalign's alignment of two pre-segmented documents (vecalign.py without --one_to_many).

    `rng`: the random state for the norm and deletion-penalty samples; Vecalign seeds numpy's
    global one with 42 once per run, so pass one RandomState(42) along a set's documents to do
    as one vecalign.py call over the whole set does."""
    if rng is None:
        rng = np.random.RandomState(42)
    alignment_max_size = max(alignment_max_size, 2)
    vecs0 = make_doc_embedding(src, alignment_max_size, encode)
    vecs1 = make_doc_embedding(tgt, alignment_max_size, encode)
    types = make_alignment_types(alignment_max_size)
    width_over2 = ceil(alignment_max_size / 2.0) + search_buffer_size
    return vecalign_vectors(vecs0, vecs1, types, del_percentile_frac=del_percentile_frac, width_over2=width_over2,
                            max_size_full_dp=max_size_full_dp, costs_sample_size=costs_sample_size,
                            num_samps_for_norm=num_samps_for_norm, rng=rng)
