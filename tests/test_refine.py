"""The granularity pass (align/refine.py): real Kyoto beads it fixes, and splicing invariants."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.aligner import AlignSettings, align_sentences
from align.beads import read_beads
from align.encoders import get_encoder
from align.errors import UsageError
from align.refine import doubtful_regions

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


@pytest.mark.parametrize(
    ("name", "bead"),
    [
        # two Japanese sentences on one English line; the first pass took 8-9 / 10 instead
        ("PNM03913", ((9, 10), (10,))),
        # one Japanese sentence translated by two English ones; the first pass shifted the
        # grain by one (31 / 31-32, 32 / 33)
        ("HST00142", ((32,), (32, 33))),
    ],
)
def test_refine_gets_the_grain_of_real_merged_beads_right(enc, name: str, bead) -> None:
    ja, en, gold = article("kyoto-dev-hard", name)
    assert bead in {(tuple(s), tuple(t)) for s, t in gold}
    sv, tv = enc.encode(ja), enc.encode(en)
    calls: list[list[str]] = []

    def counting(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return enc.encode(texts)

    r = align_sentences(ja, en, counting, src_vecs=sv, tgt_vecs=tv, settings=AlignSettings(refine="multi"))
    check_cover(r.beads, len(ja), len(en))
    assert bead in {(b.src, b.tgt) for b in r.beads}
    # only joined spans were encoded, a small share of the sentences, each of 2+ sentences
    spans = [t for c in calls for t in c]
    assert r.stats["span_encoded"] == len(spans) <= 0.5 * (len(ja) + len(en))
    assert all(t not in ja and t not in en for t in spans)
    assert all(0.0 <= b.confidence <= 0.999 for b in r.beads)


def test_refine_is_no_worse_on_hard_articles(enc) -> None:
    from align.evaluate import score

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
    n=st.integers(5, 25),  # refine runs only when both sides have sentences
    m=st.integers(5, 25),
    seed=st.integers(0, 10_000),
    mode=st.sampled_from(["multi", "near"]),
    noise=st.floats(0.1, 2.0),
)
def test_refined_path_covers_every_sentence_once_in_order(n: int, m: int, seed: int, mode: str, noise: float) -> None:
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


@given(st.lists(st.sampled_from([(1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2)]), max_size=40),
       st.lists(st.floats(0, 5), min_size=40, max_size=40))
def test_doubtful_regions_are_disjoint_ordered_and_hold_every_multi_bead(shapes, gaps) -> None:
    beads, i, j = [], 0, 0
    for a, b in shapes:
        beads.append((i, i + a, j, j + b))
        i, j = i + a, j + b
    for mode in ("multi", "near"):
        regions = doubtful_regions(beads, np.asarray(gaps[: len(beads)]), mode)
        flat = [p for p0, p1 in regions for p in range(p0, p1)]
        assert flat == sorted(set(flat))
        assert all(p0 < p1 for p0, p1 in regions)
        for p, s in enumerate(shapes):
            if s[0] + s[1] > 2 and len(beads) > 1:
                assert p in flat
    assert doubtful_regions(beads, np.asarray(gaps[: len(beads)]), "off") == []
