"""Bertalign (Liu & Zhu, Digital Scholarship in the Humanities 2022) re-implemented in numpy, for
running the baseline with any encoder.

Written for this project from the algorithm as the paper describes it and as Bertalign's code
(https://github.com/bfsujason/bertalign, GPL-3.0) behaves; none of that code is copied here.
What it does, with the defaults the README's baselines used (max_align 5, top_k 3, win 5,
skip -0.1, margin and length penalty on):

- input: two lists of pre-segmented sentences (Bertalign's is_split=True), each line stripped
  and its runs of white space made one space (its clean_text; blank lines are refused, since
  Bertalign would drop them and shift every later index);
- vectors for every run of 1..max_align-1 consecutive sentences ending at each sentence, the run
  joined with one space ("PAD" where the run would start before the document), and each run's
  length in UTF-8 bytes; char_ratio = source bytes / target bytes over single sentences;
- first pass: each source sentence's top_k target sentences by inner product (exact search, as
  faiss IndexFlatIP gives); a DP over 0-1, 1-0, 1-1 steps inside a band around the diagonal
  (half-width max(250, 6% of the longer side)) that maximises the summed top-k scores of its
  1-1 steps (a 1-1 step off the top-k list and every 0-1 / 1-0 step scores 0); the 1-1 steps of
  the best path are the anchors, the last one moved to the documents' end;
- second pass: a DP over every n-m bead with n + m <= max_align (and 0-1 / 1-0 at `skip`),
  rows limited to the anchors' neighbourhood widened by `win`, maximising the summed bead
  scores: cosine of the two joined runs, minus (margin) the mean of the source run's average
  similarity to the target sentences just before and after the target run and the target run's
  to the source neighbours (an absent neighbour counts 0; two present ones are averaged), times
  (length penalty) log2(1 + shorter / longer) of the byte lengths, the target's scaled by
  char_ratio;
- ties go to the bead type that comes first in Bertalign's order (0-1, 1-0, then 1-1, 1-2, ...,
  2-1, ...); DP cells hold float32 as Bertalign's do (bead scores are summed in float64 here,
  where Bertalign's numba code with fastmath may round differently: only exact ties can move).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

Encode = Callable[[list[str]], np.ndarray]
Bead = tuple[list[int], list[int]]

_WS = re.compile(r"\s+")


def clean_lines(lines: Sequence[str]) -> list[str]:
    """Each line stripped, white space runs made one space; a blank line is an error."""
    out = []
    for k, line in enumerate(lines):
        text = _WS.sub(" ", line.strip())
        if not text:
            raise ValueError(f"line {k} is blank: Bertalign would drop it and misnumber the rest")
        out.append(text)
    return out


def runs(lines: Sequence[str], longest: int) -> list[list[str]]:
    """runs[k][i]: lines i-k..i joined with a space ("PAD" before the document starts)."""
    out = []
    for k in range(1, longest + 1):
        texts = ["PAD"] * min(k - 1, len(lines))
        texts += [" ".join(lines[i:i + k]) for i in range(len(lines) - k + 1)]
        out.append([t[:10000] for t in texts])
    return out


def embed_runs(lines: Sequence[str], longest: int, encode: Encode) -> tuple[np.ndarray, np.ndarray]:
    """(vectors (longest, n, dim) float32, UTF-8 byte lengths (longest, n))."""
    texts = runs(lines, longest)
    flat = [t for layer in texts for t in layer]
    vecs = np.asarray(encode(flat), dtype=np.float32).reshape(longest, len(lines), -1)
    lens = np.array([[len(t.encode("utf-8")) for t in layer] for layer in texts], dtype=np.float64)
    return vecs, lens


def bead_types(max_align: int) -> list[tuple[int, int]]:
    """Bertalign's bead types in its order: 0-1, 1-0, then n-m (n, m >= 1, n + m <= max_align)."""
    types = [(0, 1), (1, 0)]
    types += [(a, b) for a in range(1, max_align) for b in range(1, max_align) if a + b <= max_align]
    return types


# ---------------------------------------------------------------- first pass: 1-1 anchors

def anchors(sim11: np.ndarray, top_k: int) -> list[tuple[int, int]]:
    """The 1-1 steps (i, j: counts of sentences consumed) of the best top-k-scored band path."""
    n, m = sim11.shape
    k = min(top_k, m)
    top = np.argsort(-sim11, axis=1, kind="stable")[:, :k]
    reward = np.zeros((n, m), dtype=np.float32)
    np.put_along_axis(reward, top, np.take_along_axis(sim11, top, axis=1).astype(np.float32), axis=1)
    half = max(250, int(max(n, m) * 0.06))
    slope = m / n
    lo = np.array([max(0, int(slope * i) - half) for i in range(n + 1)])
    hi = np.array([min(int(slope * i) + half, m) for i in range(n + 1)])
    INS, DEL, MATCH = 0, 1, 2
    value: list[np.ndarray] = []
    move: list[np.ndarray] = []
    for i in range(n + 1):
        js = np.arange(lo[i], hi[i] + 1)
        other = np.full(js.size, -np.inf, dtype=np.float32)
        choice = np.full(js.size, -1, dtype=np.int8)
        if i > 0:
            plo, phi, pv = lo[i - 1], hi[i - 1], value[i - 1]
            inside = (js >= plo) & (js <= phi)  # from (i-1, j)
            other[inside] = pv[js[inside] - plo]
            choice[inside] = DEL
            diag = (js - 1 >= plo) & (js - 1 <= phi) & (js >= 1)  # from (i-1, j-1)
            cand = np.full(js.size, -np.inf, dtype=np.float32)
            cand[diag] = pv[js[diag] - 1 - plo] + reward[i - 1, js[diag] - 1]
            better = cand > other
            other[better] = cand[better]
            choice[better] = MATCH
        # a 0-1 step (from (i, j-1)) adds nothing and is tried first, so it wins ties
        row = np.maximum.accumulate(other) if i > 0 else np.zeros(js.size, dtype=np.float32)
        ins = np.zeros(js.size, dtype=bool)
        ins[1:] = row[:-1] >= other[1:]
        choice[ins] = INS
        if i == 0:
            choice[:] = INS
        value.append(row.astype(np.float32))
        move.append(choice)
    out = []
    i, j = n, m
    while i or j:
        c = move[i][j - lo[i]]
        if c == MATCH:
            out.append((i, j))
            i, j = i - 1, j - 1
        elif c == DEL:
            i -= 1
        elif c == INS:
            j -= 1
        else:
            raise RuntimeError("first pass: unreachable cell on the path")
    return out[::-1]


def windows(found: list[tuple[int, int]], win: int, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Per source row 0..n, the target range [lo, hi] the second pass searches."""
    pts = list(found)
    if not pts:
        raise RuntimeError("first pass found no 1-1 anchor")
    # the last anchor is moved to (n, m): replaced if it already touches one end, else added
    last_i, last_j = pts[-1]
    if (last_i, last_j) != (n, m):
        if last_i == n or last_j == m:
            pts.pop()
        pts.append((n, m))
    lo = np.zeros(n + 1, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    prev_i = prev_j = 0
    for ai, aj in pts:
        lo[prev_i + 1:ai + 1] = max(0, prev_j - win)
        hi[prev_i + 1:ai + 1] = min(m, aj + win)
        prev_i, prev_j = ai, aj
    lo[0], hi[0] = lo[1], hi[1]
    return lo, hi


# ---------------------------------------------------------------- second pass: n-m beads

def _neighbour_mean(right: np.ndarray, left: np.ndarray) -> np.ndarray:
    """Right + left, halved where both are non-zero (an absent neighbour is passed as 0)."""
    both = (right != 0) & (left != 0)
    total = right.astype(np.float64) + left
    return np.where(both, total / 2, total)


def beads(svec: np.ndarray, tvec: np.ndarray, slen: np.ndarray, tlen: np.ndarray, lo: np.ndarray, hi: np.ndarray,
          types: list[tuple[int, int]], ratio: float, skip: float, margin: bool, len_penalty: bool) -> list[Bead]:
    n, m = svec.shape[1], tvec.shape[1]
    deepest = max(max(a for a, _ in types), max(b for _, b in types))
    # similarity of every source run (by length) with every target run, and with single sentences
    pair = {(a, b): svec[a - 1] @ tvec[b - 1].T for a, b in types if a and b}
    s_vs_t1 = [svec[a] @ tvec[0].T for a in range(deepest)]  # (n, m): source run ending at i vs target j
    t_vs_s1 = [tvec[b] @ svec[0].T for b in range(deepest)]  # (m, n)
    value: list[np.ndarray] = []
    move: list[np.ndarray] = []
    for i in range(n + 1):
        js = np.arange(lo[i], hi[i] + 1)
        other = np.full(js.size, -np.inf)
        choice = np.full(js.size, -1, dtype=np.int16)
        for t, (a, b) in enumerate(types):
            if (a, b) == (0, 1) or i - a < 0:
                continue
            pj = js - b
            plo, phi = lo[i - a], hi[i - a]
            ok = (pj >= plo) & (pj <= phi)
            if not ok.any():
                continue
            jj = js[ok]
            prev = value[i - a][pj[ok] - plo].astype(np.float64)
            if a == 0 or b == 0:
                score = np.full(jj.size, skip)
            else:
                score = pair[(a, b)][i - 1, jj - 1].astype(np.float64)
                if margin:
                    si = s_vs_t1[a - 1][i - 1]  # source run vs each target sentence
                    right = np.where(jj < m, si[np.minimum(jj, m - 1)], 0.0)
                    left = np.where(jj - b > 0, si[np.maximum(jj - b - 1, 0)], 0.0)
                    t_side = _neighbour_mean(right, left)
                    tj = t_vs_s1[b - 1][jj - 1]  # each target run vs the source sentences
                    right = tj[:, i] if i < n else np.zeros(jj.size)
                    left = tj[:, i - a - 1] if i - a > 0 else np.zeros(jj.size)
                    s_side = _neighbour_mean(right, left)
                    score = score - (t_side + s_side) / 2
                if len_penalty:
                    sl = slen[a - 1, i - 1]
                    tl = tlen[b - 1, jj - 1] * ratio
                    score = score * np.log2(1 + np.minimum(sl, tl) / np.maximum(sl, tl))
            cand = np.full(js.size, -np.inf)
            cand[ok] = prev + score
            better = cand > other
            other[better] = cand[better]
            choice[better] = t
        # 0-1 (from (i, j-1)) comes first in the type order: it wins ties, cell by cell
        row = np.empty(js.size, dtype=np.float32)
        for k in range(js.size):
            if i == 0 and k == 0 and js[0] == 0:
                row[k], choice[k] = 0.0, -1
                continue
            best = other[k]
            if k > 0:
                ins = float(row[k - 1]) + skip
                if ins >= best:
                    best, choice[k] = ins, 0
            row[k] = best
        value.append(row)
        move.append(choice)
    out: list[Bead] = []
    i, j = n, m
    while i or j:
        t = move[i][j - lo[i]]
        if t < 0:
            raise RuntimeError("second pass: unreachable cell on the path")
        a, b = types[t]
        out.append((list(range(i - a, i)), list(range(j - b, j))))
        i, j = i - a, j - b
    return out[::-1]


def align(src: Sequence[str], tgt: Sequence[str], encode: Encode, *, max_align: int = 5, top_k: int = 3,
          win: int = 5, skip: float = -0.1, margin: bool = True, len_penalty: bool = True) -> list[Bead]:
    """Bertalign's alignment of two pre-segmented documents: beads of 0-based sentence indices."""
    src, tgt = clean_lines(src), clean_lines(tgt)
    svec, slen = embed_runs(src, max_align - 1, encode)
    tvec, tlen = embed_runs(tgt, max_align - 1, encode)
    ratio = float(slen[0].sum() / tlen[0].sum())
    found = anchors(svec[0] @ tvec[0].T, top_k)
    lo, hi = windows(found, win, len(src), len(tgt))
    return beads(svec, tvec, slen, tlen, lo, hi, bead_types(max_align), ratio, skip, margin, len_penalty)
