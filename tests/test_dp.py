"""The DP kernel: every sentence in exactly one bead, beads in order, and the optimum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.aligner.dp import max_marginals, path_margins, search
from align.aligner.settings import AlignSettings

TYPES = AlignSettings().bead_types()


def reference(gains: np.ndarray, types, n: int, m: int) -> float:
    """Plain cell-by-cell DP over the full matrix (gains indexed by absolute column)."""
    D = np.full((n + 1, m + 1), -np.inf)
    D[0, 0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            for k, (a, b) in enumerate(types):
                if i >= a and j >= b and np.isfinite(D[i - a, j - b]):
                    D[i, j] = max(D[i, j], D[i - a, j - b] + gains[k, i, j])
    return float(D[n, m])


def path_total(beads, gains, lo, types) -> float:
    return float(sum(gains[types.index((i1 - i0, j1 - j0)), i1, j1 - lo[i1]] for i0, i1, j0, j1 in beads))


def check_cover(beads, n: int, m: int, types) -> None:
    i = j = 0
    for i0, i1, j0, j1 in beads:
        assert (i0, j0) == (i, j), "beads must be contiguous and in order"
        assert (i1 - i0, j1 - j0) in types
        i, j = i1, j1
    assert (i, j) == (n, m), "every sentence must be in exactly one bead"


@settings(max_examples=150, deadline=None)
@given(n=st.integers(0, 7), m=st.integers(0, 7), seed=st.integers(0, 2**31 - 1))
def test_full_matrix_path_covers_everything_and_is_optimal(n: int, m: int, seed: int) -> None:
    if n == 0 and m == 0:
        return
    rng = np.random.default_rng(seed)
    gains = rng.normal(size=(len(TYPES), n + 1, m + 1))
    lo = np.zeros(n + 1, dtype=np.int64)
    found = search(gains, lo, TYPES, m)
    beads, total, gaps = found.beads, found.total, found.gaps
    check_cover(beads, n, m, TYPES)
    assert len(gaps) == len(beads) and np.all(gaps >= 0)
    assert total == pytest.approx(path_total(beads, gains, lo, TYPES))
    assert total == pytest.approx(reference(gains, TYPES, n, m))


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 30), extra=st.integers(0, 10), half=st.integers(3, 8), seed=st.integers(0, 2**31 - 1))
def test_banded_path_stays_in_band_and_matches_reference_inside_it(n: int, extra: int, half: int, seed: int) -> None:
    m = n + extra
    rng = np.random.default_rng(seed)
    W = min(m + 1, 2 * half + 1)
    centre = np.round(np.arange(n + 1) * m / n).astype(np.int64)
    lo = np.maximum.accumulate(np.clip(centre - half, 0, m + 1 - W))
    band = rng.normal(size=(len(TYPES), n + 1, W))
    found = search(band, lo, TYPES, m)
    beads, total = found.beads, found.total
    check_cover(beads, n, m, TYPES)
    # the same problem as a full matrix with -inf outside the band has the same optimum
    full = np.full((len(TYPES), n + 1, m + 1), -np.inf)
    for i in range(n + 1):
        cols = lo[i] + np.arange(W)
        keep = cols <= m
        full[:, i, cols[keep]] = band[:, i, keep]
    assert total == pytest.approx(reference(full, TYPES, n, m))


@pytest.mark.parametrize("n,m", [(0, 4), (3, 0)])
def test_one_empty_side_gives_only_null_beads(n: int, m: int) -> None:
    gains = np.zeros((len(TYPES), n + 1, m + 1))
    beads = search(gains, np.zeros(n + 1, dtype=np.int64), TYPES, m).beads
    assert len(beads) == n + m
    assert all((i1 - i0) + (j1 - j0) == 1 for i0, i1, j0, j1 in beads)


def test_diagonal_gains_give_the_diagonal() -> None:
    n = 6
    gains = np.full((len(TYPES), n + 1, n + 1), -1.0)
    k11 = TYPES.index((1, 1))
    gains[k11][np.arange(n + 1), np.arange(n + 1)] = 2.0
    found = search(gains, np.zeros(n + 1, dtype=np.int64), TYPES, n)
    beads, total = found.beads, found.total
    assert beads == [(i, i + 1, i, i + 1) for i in range(n)]
    assert total == pytest.approx(2.0 * n)


def test_end_outside_the_band_is_an_error() -> None:
    gains = np.zeros((len(TYPES), 4, 2))
    with pytest.raises(ValueError, match="not reachable"):
        search(gains, np.zeros(4, dtype=np.int64), TYPES, 5)


@settings(max_examples=100, deadline=None)
@given(n=st.integers(0, 6), m=st.integers(0, 6), seed=st.integers(0, 2**31 - 1))
def test_path_margin_is_the_loss_of_the_best_path_without_the_bead(n: int, m: int, seed: int) -> None:
    if n == 0 and m == 0:
        return
    rng = np.random.default_rng(seed)
    gains = rng.normal(size=(len(TYPES), n + 1, m + 1))
    lo = np.zeros(n + 1, dtype=np.int64)
    found = search(gains, lo, TYPES, m)
    beads, total = found.beads, found.total
    margins = path_margins(beads, gains, lo, TYPES, m)
    assert len(margins) == len(beads) and np.all(margins >= 0)
    for (i0, i1, j0, j1), got in zip(beads, margins):
        banned = gains.copy()
        banned[TYPES.index((i1 - i0, j1 - j0)), i1, j1] = -np.inf
        want = total - reference(banned, TYPES, n, m)  # inf when no other path exists
        assert got == pytest.approx(want) or (np.isinf(want) and np.isinf(got))


def test_path_margins_in_a_band_match_the_full_matrix() -> None:
    rng = np.random.default_rng(5)
    n, m, half = 25, 28, 5
    W = 2 * half + 1
    lo = np.maximum.accumulate(np.clip(np.round(np.arange(n + 1) * m / n).astype(np.int64) - half, 0, m + 1 - W))
    band = rng.normal(size=(len(TYPES), n + 1, W))
    full = np.full((len(TYPES), n + 1, m + 1), -np.inf)
    for i in range(n + 1):
        cols = lo[i] + np.arange(W)
        keep = cols <= m
        full[:, i, cols[keep]] = band[:, i, keep]
    found = search(band, lo, TYPES, m)
    beads = found.beads
    assert beads == search(full, np.zeros(n + 1, dtype=np.int64), TYPES, m).beads
    want = path_margins(beads, full, np.zeros(n + 1, dtype=np.int64), TYPES, m)
    np.testing.assert_allclose(path_margins(beads, band, lo, TYPES, m), want)
    # the search's own forward table gives the same margins without recomputing it
    np.testing.assert_allclose(path_margins(beads, band, lo, TYPES, m, forward=found.forward), want)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 5), m=st.integers(0, 5), seed=st.integers(0, 2**31 - 1))
def test_max_marginal_is_the_best_path_through_each_bead(n: int, m: int, seed: int) -> None:
    """MM[k][i, j] = the best total of a path forced through the bead k ending at (i, j): the
    best path with every other bead ending there banned, solved by the reference DP."""
    if n == 0 and m == 0:
        return
    rng = np.random.default_rng(seed)
    gains = rng.normal(size=(len(TYPES), n + 1, m + 1))
    lo = np.zeros(n + 1, dtype=np.int64)
    total, each = max_marginals(gains, lo, TYPES, m)
    assert total == pytest.approx(search(gains, lo, TYPES, m).total)
    for k, MM in enumerate(each):
        a, b = TYPES[k]
        for i in range(n + 1):
            for j in range(m + 1):
                if i < a or j < b:
                    assert MM[i, j] == -np.inf
                    continue
                # forward to (i - a, j - b), the bead, backward from (i, j): two reference solves
                head = reference(gains, TYPES, i - a, j - b)
                tail = reference(gains[:, i:, j:], TYPES, n - i, m - j)
                want = head + gains[k, i, j] + tail
                assert MM[i, j] == pytest.approx(want) or (np.isinf(want) and MM[i, j] == -np.inf)
