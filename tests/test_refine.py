"""The granularity pass (align/aligner/refine.py): real Kyoto beads it fixes, and splicing invariants."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from align.aligner import AlignSettings, align_sentences
from align.formats.beads import read_beads
from align.encoders import get_encoder
from align.errors import UsageError
from align.model import Bead
from align.aligner.refine import doubtful_regions

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def article(kind: str, name: str) -> tuple[list[str], list[str], list]:
    d = DATA / kind / name
    return (d / "ja.sent").read_text("utf-8").splitlines(), (d / "en.sent").read_text("utf-8").splitlines(), read_beads(
        d / "gold.beads"
    )


@pytest.fixture(scope="module")
def enc():
    return get_encoder("use-m3", threads=1, cache=False)


def check_cover(beads, n: int, m: int) -> None:
    assert [i for b in beads for i in b.src] == list(range(n))
    assert [j for b in beads for j in b.tgt] == list(range(m))


def gold_path(gold) -> list[tuple[int, int, int, int]]:
    out, i, j = [], 0, 0
    for s, t in gold:
        out.append((i, i + len(s), j, j + len(t)))
        i, j = i + len(s), j + len(t)
    return out


def test_refine_rejoins_real_2_1_and_1_2_beads_split_in_two(enc) -> None:
    """Give refine the gold path with one 2-1 (1-2) bead cut into 1-1 + 1-0 (0-1), the split
    a sum-of-vectors search makes; it must put the bead back (measured 33 of 36 on the
    whole kyoto-dev-hard set), encoding only a few joined spans."""
    from align.aligner.gains import make_band
    from align.aligner.refine import SpanText, refine_path
    from align.aligner.side import make_side

    st_ = AlignSettings(refine="multi")
    restored = tried = 0
    for name in ["CLT01161", "PNM03913", "PNM00454", "GNM00268"]:
        ja, en, gold = article("kyoto-dev-hard", name)
        sv, tv = enc.encode(ja), enc.encode(en)
        s, t = make_side(ja, sv, None, None), make_side(en, tv, None, None)
        band = make_band(s, t, np.zeros(len(ja) + 1, dtype=np.int64), len(en) + 1, st_)
        path = gold_path(gold)
        for k, (i0, i1, j0, j1) in enumerate(path):
            if (i1 - i0, j1 - j0) not in ((2, 1), (1, 2)):
                continue
            if i1 - i0 == 2:
                split = [(i0, i0 + 1, j0, j1), (i0 + 1, i1, j1, j1)]
            else:
                split = [(i0, i1, j0, j0 + 1), (i1, i1, j0 + 1, j1)]
            calls: list[list[str]] = []

            def counting(texts: list[str]) -> np.ndarray:
                calls.append(texts)
                return enc.encode(texts)

            r = refine_path(path[:k] + split + path[k + 1 :], band, st_, SpanText(ja, en, "ja", "en", counting))
            check_cover([Bead(tuple(range(a, b)), tuple(range(c, d))) for a, b, c, d in r.beads], len(ja), len(en))
            tried += 1
            restored += (i0, i1, j0, j1) in r.beads
            spans = [x for c in calls for x in c]
            assert r.spans == len(spans) <= 0.5 * (len(ja) + len(en))
            assert all(x not in ja and x not in en for x in spans)  # joined spans only
            assert np.all((r.confidences[~np.isnan(r.confidences)] >= 0) & (r.confidences[~np.isnan(r.confidences)] <= 1))
    assert tried == 13 and restored >= 11  # measured 12


def test_refine_is_no_worse_on_hard_articles(enc) -> None:
    from align.aligner.evaluate import score

    names = ["CLT01161", "SAT00056", "GNM00268", "SCL00033"]
    runs: dict[str, list] = {"off": [], "multi": []}
    golds = []
    for name in names:
        ja, en, gold = article("kyoto-dev-hard", name)
        sv, tv = enc.encode(ja), enc.encode(en)
        golds.append(gold)
        for mode in runs:
            r = align_sentences(ja, en, enc.encode, src_vecs=sv, tgt_vecs=tv, settings=AlignSettings(refine=mode))
            runs[mode].append([(b.src, b.tgt) for b in r.beads])
    assert score(golds, runs["multi"]).f1_strict >= score(golds, runs["off"]).f1_strict - 0.01


def test_unknown_refine_mode_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="refine"):
        align_sentences(["a"], ["b"], lambda x: np.ones((len(x), 4), np.float32), settings=AlignSettings(refine="all"))


def fake_encode(texts: list[str]) -> np.ndarray:
    """Deterministic pseudo-random unit vectors per text (stands in for a model)."""
    out = []
    for t in texts:
        rng = np.random.default_rng(int.from_bytes(hashlib.sha1(t.encode()).digest()[:8], "little"))
        v = rng.normal(size=16)
        out.append(v / np.linalg.norm(v))
    return np.asarray(out, np.float32)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(0, 25),
    m=st.integers(0, 25),
    seed=st.integers(0, 10_000),
    mode=st.sampled_from(["off", "multi"]),
    noise=st.floats(0.1, 2.0),
)
def test_refined_path_covers_every_sentence_once_in_order(n: int, m: int, seed: int, mode: str, noise: float) -> None:
    assume(n + m > 0)
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(max(n, m), 16))
    # target sentences roughly follow the source ones, with merges and noise
    sv = base[np.sort(rng.integers(0, max(n, m), n))] + noise * rng.normal(size=(n, 16))
    tv = base[np.sort(rng.integers(0, max(n, m), m))] + noise * rng.normal(size=(m, 16))
    src = [f"s{seed}-{i}" for i in range(n)]
    tgt = [f"t{seed}-{j}" for j in range(m)]
    r = align_sentences(src, tgt, fake_encode, src_lang="de", tgt_lang="fr", src_vecs=sv.astype(np.float32),
                        tgt_vecs=tv.astype(np.float32), settings=AlignSettings(refine=mode))
    check_cover(r.beads, n, m)
    assert all(b.src or b.tgt for b in r.beads)
    assert all(0.0 <= b.confidence <= 0.999 for b in r.beads)


@given(st.lists(st.sampled_from([(1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2)]), max_size=40))
def test_doubtful_regions_are_disjoint_ordered_and_hold_every_seed(shapes) -> None:
    beads, i, j = [], 0, 0
    for a, b in shapes:
        beads.append((i, i + a, j, j + b))
        i, j = i + a, j + b
    regions = doubtful_regions(beads, "multi")
    flat = [p for p0, p1 in regions for p in range(p0, p1)]
    assert flat == sorted(set(flat))
    assert all(p0 < p1 for p0, p1 in regions)
    for p, s in enumerate(shapes):
        if s[0] + s[1] > 2:
            assert p in flat
    assert doubtful_regions(beads, "off") == []


def _toy_sides(n_src: int, n_tgt: int, d: int = 8):
    from align.aligner.side import make_side
    from align.aligner.stats import Stats

    rng = np.random.default_rng(1)
    sv = rng.normal(size=(n_src, d)).astype(np.float32)
    sv /= np.linalg.norm(sv, axis=1, keepdims=True)
    tv = sv[: n_tgt].copy()
    s = make_side(["あ" * 10] * n_src, sv, None, None)
    t = make_side(["x" * 10] * n_tgt, tv, None, None)
    z = lambda k: np.zeros(k)  # noqa: E731
    return s, t, Stats(z(n_src), z(n_tgt), z(n_src), z(n_tgt), z(n_src), z(n_tgt))


def test_split_drops_turns_a_merged_stray_sentence_into_a_null_only_where_the_document_drops() -> None:
    """A 2-1 bead whose joined pair matches its target no better than one sentence alone (and
    whose length fits one sentence) is split into 1-1 + 1-0 once the path holds >= 2% nulls;
    a document without nulls keeps its 2-1 beads (true 2-1s in faithful translations)."""
    from align.aligner.gains import make_band
    from align.aligner.refine import SpanText, split_drops

    st_ = AlignSettings()
    s, t, stats = _toy_sides(6, 4)
    band = lambda side: make_band(side, t, np.zeros(7, dtype=np.int64), 5, st_, stats=stats)  # noqa: E731
    texts_s, texts_t = ["あ" * 10] * 6, ["x" * 10] * 4
    # sentence 1 is a stray merged into the 1-1 bead (0, 0); sentences 4 and 5 are nulls
    path = [(0, 2, 0, 1), (2, 3, 1, 2), (3, 4, 2, 3), (4, 5, 3, 3), (5, 6, 3, 3), (6, 6, 3, 4)]
    conf = np.full(len(path), 0.8)
    joint = ({(0, 2): s.vecs[0]}, {})  # the joined pair's vector: no rise over sentence 0 alone
    never = lambda texts: (_ for _ in ()).throw(AssertionError("nothing to encode"))  # noqa: E731
    text = SpanText(texts_s, texts_t, "ja", "en", never)
    out, c, k, enc_n = split_drops(path, conf, band(s), st_, text, span_vecs=joint)
    assert (k, enc_n) == (1, 0)
    assert out[:2] == [(0, 1, 0, 1), (1, 2, 1, 1)] and out[2:] == path[1:] and len(c) == len(out)
    # the same bead in a document with a single null stays
    path2 = [(0, 2, 0, 1), (2, 3, 1, 2), (3, 4, 2, 3), (4, 6, 3, 4)]
    out2, _c, k2, _e = split_drops(path2, np.full(4, 0.8), band(s), st_, text, span_vecs=joint)
    assert k2 == 0 and out2 == path2
    # a sentence the segmenter cut at ':' (or whose second half starts lower-case) is no drop
    from dataclasses import replace

    for cut in (replace(s, open_end=np.eye(6)[0]), replace(s, open_start=np.eye(6)[1])):
        out3, _c, k3, _e = split_drops(path, conf, band(cut), st_, text, span_vecs=joint)
        assert k3 == 0 and out3 == path


def _path_with_nulls(n: int, drops_src: int, drops_tgt: int) -> list[tuple[int, int, int, int]]:
    """n 1-1 beads, then drops_src 1-0 and drops_tgt 0-1 beads."""
    beads = [(i, i + 1, i, i + 1) for i in range(n)]
    beads += [(n + k, n + k + 1, n, n) for k in range(drops_src)]
    beads += [(n + drops_src, n + drops_src, n + k, n + k + 1) for k in range(drops_tgt)]
    return beads


def test_deletion_prior_follows_the_documents_own_drop_rate() -> None:
    from align.aligner.stats import null_offsets

    cfg = AlignSettings()
    # a faithful document: nulls get dearer on both sides, within the clip
    s, t = null_offsets(_path_with_nulls(200, 0, 0), 200, 200, cfg)
    assert -cfg.null_adapt_max <= s < 0 and -cfg.null_adapt_max <= t < 0
    # one that drops many source sentences: source nulls get cheaper (capped), target ones do not
    s, t = null_offsets(_path_with_nulls(200, 40, 0), 240, 200, cfg)
    assert 0 < s <= cfg.null_adapt_up and t < 0
    # the rate is shrunk towards the prior: one null in a short document moves little
    s_short, _ = null_offsets(_path_with_nulls(10, 1, 0), 11, 10, cfg)
    assert abs(s_short) < abs(null_offsets(_path_with_nulls(100, 10, 0), 110, 100, cfg)[0])
    assert null_offsets(_path_with_nulls(50, 5, 5), 55, 55, AlignSettings(null_adapt=0)) == (0.0, 0.0)
