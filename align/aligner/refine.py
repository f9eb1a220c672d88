"""Second pass: re-decide bead granularity where the first path is in doubt, with joined text.

The first search scores multi-sentence spans by sums of sentence vectors, which puts the path
in the right place but often gets the grain wrong (a 2-2 split into two 1-1s, a 2-1 merged
one sentence too far). Encoding the joined text of every span fixes much of that but costs
several times the encoding work. This pass (Bertalign's second step, made selective) finds
the regions of the path whose grain is in doubt -- every non-1-1 bead -- plus one
neighbouring bead on each side; searches each region again with beads of up to MAX_TOTAL
sentences (2-3, 1-4, ...); encodes the joined text only of the spans of beads that could
still win (best path through them within MARGIN of the region's best); re-decides the region
with those vectors and splices it back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace

import numpy as np

from align.aligner.confidence import bead_confidences
from align.aligner.dp import max_marginals, search
from align.aligner.gains import Band, GainWeights, ScoredBand, make_band, score_band
from align.aligner.settings import AlignSettings
from align.aligner.side import Side
from align.aligner.stats import Stats
from align.aligner.weights import Weights, default_weights
from align.errors import UsageError
from align.read.lang import join_sentences

__all__ = ["REFINE_MODES", "RefineResult", "SpanText", "refine_path", "doubtful_regions", "split_drops"]

Encode = Callable[[list[str]], np.ndarray]
Path4 = list[tuple[int, int, int, int]]

REFINE_MODES = ("off", "multi")
MAX_SIDE = 4  # most sentences a side of a bead inside a region (1-4 and 4-1 at MAX_TOTAL 5)
MAX_TOTAL = 5  # most sentences in a bead inside a region, both sides together (6: -1 point)
MARGIN = 1.5  # a bead is a candidate if the best region path through it is within this (log-odds)
MAX_REGION = 12  # a region grows to at most this many sentences a side (20: same F1, slower)
MAX_SPANS = 12  # joined spans encoded per region at most (the best candidates first)
SURE = 0.9  # regions whose seeds all have first-pass confidence >= this are skipped (0.7: same F1)
SPLIT_CONF = 0.5  # confidence given to both beads of a split_drops split
BIG_OFFSET = -1.0  # added to the log-odds of shapes the first pass does not allow (fit for <= 4)


@dataclass(frozen=True)
class RefineResult:
    """The spliced path, a confidence for each bead (NaN: keep the first pass's), and counts."""

    beads: Path4
    confidences: np.ndarray
    regions: int
    spans: int
    changed: int
    encode_s: float  # time spent encoding the joined spans
    span_vecs: tuple[dict, dict] = ({}, {})  # joined-text vectors encoded: (source, target) span -> row


def doubtful_regions(beads: Path4, mode: str) -> list[tuple[int, int]]:
    """Disjoint runs [p0, p1) of path bead indices whose grain is in doubt, in order.

    Seeds are the non-1-1 beads; each seed brings one neighbouring bead on each side.
    """
    if mode not in REFINE_MODES:
        raise UsageError(f"refine is {mode!r}; use one of {', '.join(REFINE_MODES)}")
    if mode == "off":
        return []
    seeds = [p for p, b in enumerate(beads) if _shape(b) != (1, 1)]
    out: list[tuple[int, int]] = []
    for p in seeds:
        p0, p1 = max(0, p - 1), min(len(beads), p + 2)
        if out and p0 <= out[-1][1]:
            q0, q1 = out[-1]
            if _size(beads, q0, max(q1, p1)) <= MAX_REGION:
                out[-1] = (q0, max(q1, p1))
                continue
            p0 = q1  # keep regions disjoint
            if p0 >= p1:
                continue
        out.append((p0, p1))
    return [r for r in out if _size(beads, *r) >= 2]


@dataclass(frozen=True)
class SpanText:
    """The two documents' sentence texts and languages, and the encoder for joined spans."""

    src: Sequence[str]
    tgt: Sequence[str]
    src_lang: str
    tgt_lang: str
    encode: Encode

    def vectors(self, spans: list[tuple[int, int]], *, source: bool) -> dict[tuple[int, int], np.ndarray]:
        """Span (i0, i1) -> unit vector of the joined text of sentences i0..i1-1 of one side."""
        if not spans:
            return {}
        texts, lang = (self.src, self.src_lang) if source else (self.tgt, self.tgt_lang)
        v = np.asarray(self.encode([join_sentences(list(texts[i0:i1]), lang) for i0, i1 in spans]), np.float32)
        v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        return dict(zip(spans, v))


def _shape(bead: tuple[int, int, int, int]) -> tuple[int, int]:
    return bead[1] - bead[0], bead[3] - bead[2]


def _size(beads: Path4, p0: int, p1: int) -> int:
    return max(beads[p1 - 1][1] - beads[p0][0], beads[p1 - 1][3] - beads[p0][2])


def _pad_take(v, idx: np.ndarray, pad):
    """v[idx] with `pad` where idx is -1 (a separator between regions)."""
    if isinstance(v, tuple):
        return tuple(pad if i < 0 else v[i] for i in idx)
    out = v[np.maximum(idx, 0)].copy()
    out[idx < 0] = pad
    return out


def _concat_side(side: Side, idx: np.ndarray, joint: dict[int, np.ndarray]) -> Side:
    """The sentences idx of a side (-1: an empty separator sentence) as one side."""
    n = len(side)
    kw = {}
    for f in fields(side):
        v = getattr(side, f.name)
        if isinstance(v, (np.ndarray, tuple)) and len(v) == n:
            pad: object = frozenset() if isinstance(v, tuple) else 1.0 if f.name == "lengths" else 0
            kw[f.name] = _pad_take(v, idx, pad)
    return replace(side, joint=joint, **kw)


def _concat_stats(stats: Stats, si: np.ndarray, ti: np.ndarray, n: int, m: int) -> Stats:
    """Per-sentence statistics of the concatenated regions (fields ending _s source, _t target)."""
    kw = {}
    for f in fields(stats):
        v = getattr(stats, f.name)
        if isinstance(v, np.ndarray) and v.ndim == 1 and len(v) and f.name[-2:] in ("_s", "_t"):
            idx, k = (si, n) if f.name.endswith("_s") else (ti, m)
            if len(v) == k:
                kw[f.name] = _pad_take(v, idx, float(np.mean(v)))
    return replace(stats, **kw)


@dataclass(frozen=True)
class _Batch:
    """Gains of every box's beads, the boxes laid one after another in one band.

    Box r's source sentences take rows starts[r][0].., its target sentences columns
    starts[r][1].. (each box's rows start their band at its first target node); an empty
    separator sentence on each side sits between two boxes.
    """

    scored: ScoredBand  # gains float64, beads over a separator or a box edge masked
    starts: list[tuple[int, int]]
    boxes: list[tuple[int, int, int, int]]

    def box(self, r: int) -> np.ndarray:
        """Gains (K, n_r + 1, m_r + 1) of box r over its own full local matrix."""
        (r0, _c0), (s0, s1, t0, t1) = self.starts[r], self.boxes[r]
        return self.scored.gains[:, r0 : r0 + s1 - s0 + 1, : t1 - t0 + 1]


def _batch_gains(
    src: Side, tgt: Side, stats: Stats, boxes: list[tuple[int, int, int, int]], st: AlignSettings,
    first: AlignSettings, vs: dict, vt: dict, weights: GainWeights,
) -> _Batch:
    """Score the beads of every box in one scorer call (its per-call cost is paid once)."""
    si: list[int] = []
    ti: list[int] = []
    starts = []
    for s0, s1, t0, t1 in boxes:
        if si:
            si.append(-1)
            ti.append(-1)
        starts.append((len(si), len(ti)))
        si += range(s0, s1)
        ti += range(t0, t1)
    si_a, ti_a = np.asarray(si, np.int64), np.asarray(ti, np.int64)
    types = st.bead_types()
    scored = [k for k, (a, b) in enumerate(types) if a <= len(si) and b <= len(ti)]
    d = src.vecs.shape[1]
    joints = []
    for idx, spans, side_n in ((si_a, vs, len(si)), (ti_a, vt, len(ti))):
        pos = {int(x): p for p, x in enumerate(idx) if x >= 0}
        joint: dict[int, np.ndarray] = {}
        for (i0, i1), v in spans.items():
            if i1 - 1 in pos:
                joint.setdefault(i1 - i0, np.full((side_n + 1, d), np.nan, np.float32))[pos[i1 - 1] + 1] = v
        joints.append(joint)
    cs, ct = _concat_side(src, si_a, joints[0]), _concat_side(tgt, ti_a, joints[1])
    lo = np.zeros(len(si) + 1, dtype=np.int64)
    for r0, c0 in starts:
        lo[r0:] = c0
    W = max(t1 - t0 for _s0, _s1, t0, t1 in boxes) + 2
    band = make_band(cs, ct, lo, W, st, stats=_concat_stats(stats, si_a, ti_a, len(src), len(tgt)))
    part = score_band(band, st, types=[types[k] for k in scored], weights=weights)
    g_part, s_part = part.gains, part.sims
    gains = np.full((len(types),) + g_part.shape[1:], -np.inf)
    sims = np.full((len(types),) + g_part.shape[1:], np.nan, np.float32)
    gains[scored], sims[scored] = g_part, s_part
    # no bead may hold a separator, except the 1-1 bead of the two separators between boxes
    pad_s = np.concatenate([[0], np.cumsum(si_a < 0)])
    pad_t = np.concatenate([[0], np.cumsum(ti_a < 0)])
    rows = np.arange(len(si) + 1)
    j = np.clip(lo[:, None] + np.arange(W)[None, :], 0, len(ti))
    allowed = set(first.bead_types())
    for k, (a, b) in enumerate(types):
        has_s = pad_s - pad_s[np.maximum(rows - a, 0)] > 0
        has_t = pad_t[j] - pad_t[np.maximum(j - b, 0)] > 0
        gains[k][has_s[:, None] | has_t] = -np.inf
        if (a, b) not in allowed:
            gains[k] += BIG_OFFSET
    k11 = types.index((1, 1))
    for r0, _c0 in starts[1:]:
        gains[k11, r0, 0] = 0.0
    return _Batch(ScoredBand(band, tuple(types), gains, sims), starts, list(boxes))


def _decide(batch: _Batch, weights: Weights) -> list[tuple[Path4, np.ndarray]]:
    """Best path and confidences of every box: one search through the laid-out boxes."""
    sc = batch.scored
    n_all = sc.gains.shape[1] - 1
    m_all = batch.starts[-1][1] + batch.boxes[-1][3] - batch.boxes[-1][2]
    found = search(sc.gains, sc.lo, sc.types, m_all)
    path = found.beads
    conf = bead_confidences(found, sc, weights=weights.confidence)
    node_s = np.zeros(n_all + 1, np.int64)
    node_t = np.zeros(m_all + 1, np.int64)
    for (r0, c0), (s0, s1, t0, t1) in zip(batch.starts, batch.boxes):
        node_s[r0 : r0 + s1 - s0 + 1] = np.arange(s0, s1 + 1)
        node_t[c0 : c0 + t1 - t0 + 1] = np.arange(t0, t1 + 1)
    ends = {(r0, c0) for r0, c0 in batch.starts[1:]}
    out: list[tuple[Path4, np.ndarray]] = []
    cur: Path4 = []
    cc: list[float] = []
    for (i0, i1, j0, j1), c in zip(path, conf):
        if (i1, j1) in ends and (i1 - i0, j1 - j0) == (1, 1):  # the separators' bead
            out.append((cur, np.asarray(cc)))
            cur, cc = [], []
            continue
        cur.append((int(node_s[i0]), int(node_s[i1]), int(node_t[j0]), int(node_t[j1])))
        cc.append(float(c))
    out.append((cur, np.asarray(cc)))
    return out


def _candidate_spans(G: np.ndarray, types, box) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Document spans (i0, i1) of 2+ sentences used by beads that could still win the region."""
    s0, _s1, t0, _t1 = box
    _K, R, C = G.shape
    best, each = max_marginals(G, np.zeros(R, dtype=np.int64), types, C - 1)  # the box's full matrix
    cands = []
    for (a, b), M in zip(types, each):
        if max(a, b) < 2 or min(a, b) == 0:
            continue
        ii, jj = np.nonzero(M >= best - MARGIN)
        cands += [(-M[i, j], a, b, i, j) for i, j in zip(ii, jj)]
    cands.sort()
    ss: list[tuple[int, int]] = []
    ts: list[tuple[int, int]] = []
    for _m, a, b, i, j in cands:
        new = []
        if a >= 2 and (s0 + i - a, s0 + i) not in ss:
            new.append(("s", (s0 + i - a, s0 + i)))
        if b >= 2 and (t0 + j - b, t0 + j) not in ts:
            new.append(("t", (t0 + j - b, t0 + j)))
        if len(ss) + len(ts) + len(new) > MAX_SPANS:
            break
        for side, sp in new:
            (ss if side == "s" else ts).append(sp)
    return ss, ts


def refine_path(
    beads: Path4, first_pass: Band, st: AlignSettings, text: SpanText, *,
    confidences: np.ndarray | None = None, weights: Weights | None = None,
) -> RefineResult:
    """Re-decide the doubtful regions of a first-pass path with joined-span vectors; splice back.

    `first_pass` is the band the path was searched in (its sides and sentence statistics are
    reused). Every sentence stays in exactly one bead, in order: each region is replaced by a
    path over exactly its own sentences.
    """
    src, tgt, stats = first_pass.src, first_pass.tgt, first_pass.stats
    weights = default_weights() if weights is None else weights
    regions = doubtful_regions(beads, st.refine)
    if confidences is not None and SURE < 1.0:
        # a region whose every multi-sentence bead the first pass is sure of is left alone
        regions = [(p0, p1) for p0, p1 in regions
                   if any(_shape(beads[p]) != (1, 1) and confidences[p] < SURE for p in range(p0, p1))]
    conf = np.full(len(beads), np.nan)
    if not regions:
        return RefineResult(list(beads), conf, 0, 0, 0, 0.0)
    lst = replace(st, max_side=MAX_SIDE, max_total=MAX_TOTAL)
    boxes = [(beads[p0][0], beads[p1 - 1][1], beads[p0][2], beads[p1 - 1][3]) for p0, p1 in regions]
    keep = [k for k, b in enumerate(boxes) if b[1] > b[0] and b[3] > b[2]]
    regions, boxes = [regions[k] for k in keep], [boxes[k] for k in keep]
    if not regions:
        return RefineResult(list(beads), conf, 0, 0, 0, 0.0)
    types = lst.bead_types()
    want_s: list[tuple[int, int]] = []
    want_t: list[tuple[int, int]] = []
    first = _batch_gains(src, tgt, stats, boxes, lst, st, {}, {}, weights.gains)
    for r, box in enumerate(boxes):
        ss, ts = _candidate_spans(first.box(r), types, box)
        want_s += ss
        want_t += ts
    t_enc = time.perf_counter()
    vs = text.vectors(want_s, source=True)
    vt = text.vectors(want_t, source=False)
    t_enc = time.perf_counter() - t_enc
    todo = [k for k, (s0, s1, t0, t1) in enumerate(boxes)
            if any(s0 <= i0 and i1 <= s1 for i0, i1 in vs) or any(t0 <= j0 and j1 <= t1 for j0, j1 in vt)]
    if todo:
        batch = _batch_gains(src, tgt, stats, [boxes[k] for k in todo], lst, st, vs, vt, weights.gains)
        decided = dict(zip(todo, _decide(batch, weights)))
    else:
        decided = {}
    out: Path4 = []
    out_conf: list[float] = []
    last = 0
    changed = 0
    for k, (p0, p1) in enumerate(regions):
        if k not in decided:
            continue
        out += beads[last:p0]
        out_conf += [np.nan] * (p0 - last)
        last = p1
        new, c = decided[k]
        old = set(beads[p0:p1])
        changed += sum(1 for b in new if b not in old)
        out += new
        out_conf += [np.nan if b in old else float(x) for b, x in zip(new, c)]
    out += beads[last:]
    out_conf += [np.nan] * (len(beads) - last)
    return RefineResult(out, np.asarray(out_conf), len(regions), len(vs) + len(vt), changed, t_enc, (vs, vt))


def _cut_sentence(side: Side, i: int) -> bool:
    """Sentences i and i + 1 are one sentence the segmenter cut (i ends at ':' ';' ',' or i + 1
    starts lower-case): neither can be a dropped sentence of its own."""
    return bool((side.open_end is not None and side.open_end[i]) or (side.open_start is not None and side.open_start[i + 1]))


def split_drops(
    beads: Path4, confidences: np.ndarray, first_pass: Band, st: AlignSettings, text: SpanText, *,
    span_vecs: tuple[dict, dict] = ({}, {}),
) -> tuple[Path4, np.ndarray, int, int]:
    """Split 2-1 / 1-2 beads that look like a 1-1 plus a dropped sentence, in documents that drop.

    A document whose path already holds at least st.split_rate nulls per sentence (it drops
    sentences; a faithful translation with true 2-1 beads does not) has each 2-1 / 1-2 bead
    checked: if the joined pair's similarity to the single sentence rises less than
    st.split_rise over the better of its two sentences alone, and the single sentence's
    length fits that sentence alone about as well as the pair (|len z| of the pair minus that of
    the sentence alone > st.split_lfit), the weaker sentence becomes a 1-0 / 0-1 bead -- unless
    the two are one sentence the segmenter cut (see _cut_sentence).
    Returns (beads, confidences, beads split, spans encoded).
    """
    src, tgt, stats = first_pass.src, first_pass.tgt, first_pass.stats
    n, m = len(src), len(tgt)
    nulls = sum(1 for i0, i1, j0, j1 in beads if (i1 == i0) != (j1 == j0))
    if not beads or nulls < 2 or nulls < st.split_rate * (n + m):
        return beads, confidences, 0, 0
    cand = {p for p, (i0, i1, j0, j1) in enumerate(beads)
            if sorted((i1 - i0, j1 - j0)) == [1, 2] and not _cut_sentence(src if i1 - i0 == 2 else tgt,
                                                                        i0 if i1 - i0 == 2 else j0)}
    if not cand:
        return beads, confidences, 0, 0
    vs, vt = dict(span_vecs[0]), dict(span_vecs[1])
    need_s = sorted({(beads[p][0], beads[p][1]) for p in cand if beads[p][1] - beads[p][0] == 2} - set(vs))
    need_t = sorted({(beads[p][2], beads[p][3]) for p in cand if beads[p][3] - beads[p][2] == 2} - set(vt))
    vs.update(text.vectors(need_s, source=True))
    vt.update(text.vectors(need_t, source=False))
    out: Path4 = []
    conf: list[float] = []
    split = 0
    for p, (i0, i1, j0, j1) in enumerate(beads):
        if p in cand:
            two_src = i1 - i0 == 2
            pv, ov = (src.vecs, tgt.vecs) if two_src else (tgt.vecs, src.vecs)
            pl, ol = (src.lengths, tgt.lengths) if two_src else (tgt.lengths, src.lengths)
            a0, one = (i0, j0) if two_src else (j0, i0)
            joint = vs[(i0, i1)] if two_src else vt[(j0, j1)]
            each = [float(pv[a0] @ ov[one]), float(pv[a0 + 1] @ ov[one])]
            keep = int(each[1] > each[0])
            ratio = stats.ratio if two_src else 1.0 / stats.ratio
            lz_pair = abs(np.log(ol[one] / (ratio * (pl[a0] + pl[a0 + 1]))))
            lz_keep = abs(np.log(ol[one] / (ratio * pl[a0 + keep])))
            rise = float(joint @ ov[one]) - max(each)
            if rise < st.split_rise and lz_pair - lz_keep > st.split_lfit:
                split += 1
                if two_src:  # the kept sentence pairs with the target; the other is a 1-0 beside it
                    kept = (i0 + keep, i0 + keep + 1, j0, j1)
                    drop = (i0 + 1, i1, j1, j1) if keep == 0 else (i0, i0 + 1, j0, j0)
                else:
                    kept = (i0, i1, j0 + keep, j0 + keep + 1)
                    drop = (i1, i1, j0 + 1, j1) if keep == 0 else (i0, i0, j0, j0 + 1)
                pair = [kept, drop] if keep == 0 else [drop, kept]
                out += pair
                conf += [SPLIT_CONF, SPLIT_CONF]
                continue
        out.append((i0, i1, j0, j1))
        conf.append(float(confidences[p]))
    return out, np.asarray(conf), split, len(need_s) + len(need_t)
