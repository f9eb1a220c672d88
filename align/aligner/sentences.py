"""Sentence alignment of two documents: encode, score bead candidates, search, rate confidence.

Small documents are searched over the full matrix. Long ones are searched coarse-to-fine as
in Vecalign: sentence vectors are averaged in chunks, the chunk sequences are aligned, and
the fine search runs in a band around that coarse path, so time and memory grow with
n * band rather than n * m.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from align.aligner.absorb import SpanVectors, absorb_pass
from align.aligner.confidence import bead_confidences
from align.aligner.dp import Search, search
from align.aligner.gains import ScoredBand, make_band, score_band, with_null_offsets
from align.aligner.refine import REFINE_MODES, Encode, SpanText, refine_path, split_drops
from align.aligner.settings import AlignSettings
from align.aligner.side import Side, make_side
from align.aligner.stats import Stats, null_offsets
from align.aligner.weights import Weights
from align.errors import InputError, UsageError
from align.model import Bead
from align.read.lang import dominant_script, expected_script

__all__ = ["AlignSettings", "AlignResult", "FirstPass", "align_sentences", "first_pass"]


@dataclass(frozen=True)
class AlignResult:
    """The beads in document order (with calibrated confidence) and run statistics."""

    beads: tuple[Bead, ...]
    stats: dict = field(default_factory=dict, compare=False)


def _check_vecs(vecs: np.ndarray, n: int, side: str) -> np.ndarray:
    v = np.asarray(vecs, dtype=np.float32)
    if v.ndim != 2 or v.shape[0] != n:
        raise UsageError(f"{side}_vecs has shape {v.shape}, expected ({n}, dim): one row per {side} sentence")
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    if np.allclose(norms, 1.0, atol=1e-3):
        return v  # already unit rows: no copy (50k x 512 floats is 100 MB a side)
    return v / np.maximum(norms, 1e-12)


def _check_list(x: Sequence | None, n: int, name: str) -> None:
    if x is not None and len(x) != n:
        raise UsageError(f"{name} has {len(x)} entries but there are {n} sentences; give one per sentence")


def _band_from_path(
    beads: list[tuple[int, int, int, int]], f: int, n: int, m: int, half: int
) -> tuple[np.ndarray, int]:
    """Fine band (lo, W) of half width `half` around a coarse path whose chunks hold f sentences."""
    xs = [0.0]
    ys = [0.0]
    for _i0, i1, _j0, j1 in beads:
        xs.append(min(i1 * f, n))
        ys.append(min(j1 * f, m))
    xs_a, ys_a = np.asarray(xs), np.asarray(ys)
    rows = np.arange(n + 1, dtype=np.float64)
    # for repeated x (0-1 beads) take the middle of the vertical run
    ux, inv = np.unique(xs_a, return_inverse=True)
    uy = np.array([(ys_a[inv == u].min() + ys_a[inv == u].max()) / 2 for u in range(len(ux))])
    centre = np.interp(rows, ux, uy)
    W = min(m + 1, 2 * half + 1)
    lo = np.clip(np.round(centre).astype(np.int64) - half, 0, m + 1 - W)
    lo = np.maximum.accumulate(lo)
    return lo, W


def _chunk(vecs: np.ndarray, lengths: np.ndarray, f: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(vecs)
    k = math.ceil(n / f)
    pad = k * f - n
    v = np.concatenate([vecs, np.zeros((pad, vecs.shape[1]), np.float32)]).reshape(k, f, -1).sum(1)
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    ln = np.concatenate([lengths, np.zeros(pad)]).reshape(k, f).sum(1)
    return v.astype(np.float32), np.maximum(ln, 1.0)


def _search_band(src: Side, tgt: Side, st: AlignSettings) -> tuple[np.ndarray, int]:
    """The band to search: everything for small pairs, else a band around a coarse path."""
    n, m = len(src), len(tgt)
    if (n + 1) * (m + 1) <= st.full_cells:
        return np.zeros(n + 1, dtype=np.int64), m + 1
    # shrink by at most 8 per level (the coarse search recurses if still too big), so the
    # band around the projected path stays narrow: O((n + m) * band) cells per level
    f = min(8, math.ceil(math.sqrt((n + 1) * (m + 1) / (st.full_cells / 4))))
    cs, cls = _chunk(src.vecs, src.lengths, f)
    ct, clt = _chunk(tgt.vecs, tgt.lengths, f)
    coarse_st = replace(st, max_side=2, max_total=3)
    csrc = Side(cs, cls, tuple(frozenset() for _ in cs), np.zeros(len(cs), np.int64), np.zeros(len(cs), bool))
    ctgt = Side(ct, clt, tuple(frozenset() for _ in ct), np.zeros(len(ct), np.int64), np.zeros(len(ct), bool))
    beads = first_pass(csrc, ctgt, coarse_st).found.beads
    return _band_from_path(beads, f, n, m, max(st.band, 3 * f))


@dataclass(frozen=True)
class FirstPass:
    """The first search of a document pair: its best path and the scored band it ran in."""

    found: Search
    scored: ScoredBand


def first_pass(src: Side, tgt: Side, settings: AlignSettings, *, weights: Weights | None = None) -> FirstPass:
    """Band, gains and best path for one pair of sides, searched again with the document's own
    deletion prior (AlignSettings.null_adapt). `weights` replaces the shipped ones (fitting)."""
    lo, W = _search_band(src, tgt, settings)
    scored = score_band(make_band(src, tgt, lo, W, settings), settings,
                        weights=None if weights is None else weights.gains)
    found = search(scored.gains, lo, scored.types, scored.m)
    if settings.null_adapt > 0:
        null_s, null_t = null_offsets(found.beads, len(src), scored.m, settings)
        if null_s or null_t:
            scored = with_null_offsets(scored, null_s, null_t, settings)
            found = search(scored.gains, lo, scored.types, scored.m)
    return FirstPass(found, scored)


UNRELATED_SHARE = 0.25  # below this share of beads with a mutual best pair: "files look unrelated"


def _mutual_share(
    beads: Sequence[tuple[int, int, int, int]], sv: np.ndarray, tv: np.ndarray, stats: Stats, k: int
) -> float:
    """Beads that hold a sentence pair of mutual best matches, per sentence of the shorter side.

    Ties count: a document that repeats a sentence ('Old families.' under each of 46 family
    names) has several equal best matches, and an exact argmax made only the first of them
    mutual, so a real list of families (17% by argmax, 37% with ties) read as unrelated files.
    """
    if k == 0 or len(stats.top_s) == 0:
        return 0.0
    hits = 0
    for i0, i1, j0, j1 in beads:
        if i1 > i0 and j1 > j0:
            sub = sv[i0:i1] @ tv[j0:j1].T
            best = (sub >= stats.top_s[i0:i1, None] - TIE) & (sub >= stats.top_t[None, j0:j1] - TIE)
            hits += bool(best.any())
    return hits / k


TIE = 1e-5  # similarities this close are one best match (equal texts, float noise between kernels)


def _centre_if_crowded(
    sv: np.ndarray, tv: np.ndarray, encode: Encode, above: float | None
) -> tuple[np.ndarray, np.ndarray, Encode, bool]:
    """Vectors (and an encoder for the refine pass's joined spans) with the pair's mean vector
    taken out and rows renormalised, when the encoder crowds every sentence into a narrow cone.

    The bead weights were fitted on use-m3, where unrelated sentences have cosine ~0.07 (sd
    0.11); multilingual-e5 gives them ~0.79 (sd 0.02), so every similarity difference the
    weights read is ~5x too small. The test is the mean cosine over (a sample of) all pairs.
    Centred, e5-small goes from strict F1 0.962 / 0.813 / 0.678 (Kyoto clean / hard /
    Text+Berg) to 0.998 / 0.927 / 0.862. use-m3 is left as it is (centring it costs 4 points
    on the lecture stand-in).
    """
    if above is None or not len(sv) or not len(tv):
        return sv, tv, encode, False
    rng = np.random.default_rng(0)
    a = sv[rng.choice(len(sv), min(len(sv), 256), replace=False)]
    b = tv[rng.choice(len(tv), min(len(tv), 256), replace=False)]
    if float((a @ b.T).mean()) <= above:
        return sv, tv, encode, False
    mu = np.concatenate([sv, tv]).mean(0)

    def centre(x: np.ndarray) -> np.ndarray:
        y = x - mu
        return (y / np.maximum(np.linalg.norm(y, axis=1, keepdims=True), 1e-9)).astype(np.float32)

    return centre(sv), centre(tv), lambda texts: centre(encode(texts)), True


def align_sentences(
    src: Sequence[str],
    tgt: Sequence[str],
    encode: Encode,
    *,
    src_lang: str = "ja",
    tgt_lang: str = "en",
    settings: AlignSettings = AlignSettings(),
    src_blocks: Sequence[int] | None = None,
    tgt_blocks: Sequence[int] | None = None,
    src_block_kinds: Sequence[str] | None = None,
    tgt_block_kinds: Sequence[str] | None = None,
    src_vecs: np.ndarray | None = None,
    tgt_vecs: np.ndarray | None = None,
    weights: Weights | None = None,
) -> AlignResult:
    """Align two sentence lists; every sentence ends up in exactly one bead, beads in order.

    `encode` maps a list of texts to L2-normalised float32 rows; it is called for the
    sentences (unless src_vecs/tgt_vecs are given) and, when settings.refine is on, for the
    joined text of a few candidate spans where the bead grain is in doubt (align/aligner/refine.py).
    Block ids/kinds mark paragraphs and headings. `weights` replaces the shipped fitted weights
    (align/aligner/weights), as the fitting scripts under bench/ do.
    """
    n, m = len(src), len(tgt)
    for name, x, k in (
        ("src_blocks", src_blocks, n),
        ("tgt_blocks", tgt_blocks, m),
        ("src_block_kinds", src_block_kinds, n),
        ("tgt_block_kinds", tgt_block_kinds, m),
    ):
        _check_list(x, k, name)
    if settings.refine not in REFINE_MODES:
        raise UsageError(f"refine is {settings.refine!r}; use one of {', '.join(REFINE_MODES)}")
    run_stats: dict = {"warnings": []}  # timings, counts and warnings of this run (AlignResult.stats)
    if n == 0 and m == 0:
        raise InputError("both documents have no sentences; nothing to align")
    t0 = time.perf_counter()
    if src_vecs is None:
        src_vecs = encode(list(src)) if n else np.zeros((0, 1), np.float32)
    if tgt_vecs is None:
        tgt_vecs = encode(list(tgt)) if m else np.zeros((0, src_vecs.shape[1]), np.float32)
    if n == 0:
        src_vecs = np.zeros((0, tgt_vecs.shape[1]), np.float32)
    sv = _check_vecs(src_vecs, n, "src")
    tv = _check_vecs(tgt_vecs, m, "tgt")
    if n and m and sv.shape[1] != tv.shape[1]:
        raise UsageError(f"src_vecs have {sv.shape[1]} dimensions but tgt_vecs {tv.shape[1]}; use one encoder")
    run_stats["encode_s"] = time.perf_counter() - t0
    sv, tv, encode, run_stats["centred"] = _centre_if_crowded(sv, tv, encode, settings.centre_above)

    t1 = time.perf_counter()
    s_side = make_side(src, sv, src_blocks, src_block_kinds)
    t_side = make_side(tgt, tv, tgt_blocks, tgt_block_kinds)
    run_stats["span_encoded"] = 0
    fp = first_pass(s_side, t_side, settings, weights=weights)
    beads, scored = fp.found.beads, fp.scored
    conf_w = None if weights is None else weights.confidence
    confs = bead_confidences(fp.found, scored, weights=conf_w)
    sims, lo, types = scored.sims, scored.lo, scored.types
    # relatedness is judged on the first pass (refine turns weak 1-1s into larger beads)
    one = [sims[types.index((1, 1)), i1, j1 - lo[i1]] for (i0, i1, j0, j1) in beads if (i1 - i0, j1 - j0) == (1, 1)]
    run_stats["mean_similarity"] = float(np.mean(one)) if one else 0.0
    paired = sum(1 for i0, i1, j0, j1 in beads if i1 > i0 and j1 > j0)
    # related documents pair many sentences with their mutual best match; a path through
    # unrelated ones rarely meets one (dev sets: >= 0.32 of the shorter side vs <= 0.20)
    run_stats["mutual_share"] = _mutual_share(beads, sv, tv, scored.stats, min(n, m))
    if settings.refine != "off" and n and m:
        t2 = time.perf_counter()
        text = SpanText(src, tgt, src_lang, tgt_lang, encode)
        ref = refine_path(beads, scored.band, settings, text, confidences=confs, weights=weights)
        old = dict(zip(beads, confs))
        confs = np.array([old[b] if np.isnan(c) else c for b, c in zip(ref.beads, ref.confidences)])
        beads = ref.beads
        run_stats["span_encoded"] += ref.spans
        beads, confs, k_split, k_enc = split_drops(beads, confs, scored.band, settings, text, span_vecs=ref.span_vecs)
        run_stats["span_encoded"] += k_enc
        run_stats["drop_splits"] = k_split
        run_stats.update(refine_regions=ref.regions, refine_changed=ref.changed, refine_encode_s=ref.encode_s,
                     refine_s=time.perf_counter() - t2)
    if settings.absorb_on and n and m:
        # split translations left as nulls, and pieces on the wrong side of a bead boundary
        text = SpanText(src, tgt, src_lang, tgt_lang, encode)
        known = ref.span_vecs if settings.refine != "off" else ({}, {})
        S = SpanVectors(sv, text, True, known[0], s_side.blocks if src_blocks is not None else None)
        T = SpanVectors(tv, text, False, known[1], t_side.blocks if tgt_blocks is not None else None)
        ab = absorb_pass(beads, confs, S, T, settings, weights=None if weights is None else weights.final)
        beads, confs = ab.beads, ab.confidences
        run_stats["span_encoded"] += ab.encoded
        run_stats.update(absorbed=ab.absorbed, moved=ab.moved, detached=ab.detached, absorb_s=ab.seconds)
    out = tuple(
        Bead(src=tuple(range(i0, i1)), tgt=tuple(range(j0, j1)), confidence=float(c))
        for (i0, i1, j0, j1), c in zip(beads, confs)
    )
    run_stats["align_s"] = time.perf_counter() - t1
    run_stats["length_ratio"] = scored.stats.ratio
    run_stats["length_sigma"] = scored.stats.sigma
    if n and m and (paired < 0.3 * min(n, m) or run_stats["mutual_share"] < UNRELATED_SHARE):
        run_stats["warnings"].append(
            f"files look unrelated: only {run_stats['mutual_share']:.0%} of sentences meet their best match, "
            f"{paired} of {min(n, m)} paired, mean similarity {run_stats['mean_similarity']:.2f}"
        )
    ss, ts = dominant_script(src), dominant_script(tgt)
    want_s, want_t = expected_script(src_lang), expected_script(tgt_lang)
    if want_s != want_t and ss == want_t and ts == want_s:
        run_stats["warnings"].append(
            f"languages look swapped: the source reads as {ss} script and the target as {ts}; "
            f"pass the {src_lang} file as source"
        )
    return AlignResult(beads=out, stats=run_stats)
