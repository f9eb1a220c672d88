"""score(): Vecalign's strict/lax precision and recall on hand-worked cases."""

from __future__ import annotations

import pytest

from align.errors import UsageError
from align.aligner.evaluate import score

# three 1-1 beads; the test merges the last two into one 2-2 bead
GOLD_B = [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
TEST_B = [((0,), (0,)), ((1, 2), (1, 2))]
# the test splits gold bead 1 into a deletion and an insertion
GOLD_C = [((0,), (0,)), ((1,), (1,))]
TEST_C = [((0,), (0,)), ((1,), ()), ((), (1,))]


def test_identical_alignments_score_one() -> None:
    gold = [((0,), (0,)), ((1, 2), (1,)), ((3,), ()), ((), (2,))]
    s = score([gold], [gold])
    assert (s.precision_strict, s.recall_strict, s.f1_strict) == (1.0, 1.0, 1.0)
    assert (s.precision_lax, s.recall_lax, s.f1_lax) == (1.0, 1.0, 1.0)


def test_merged_beads_are_strict_errors_but_lax_hits() -> None:
    s = score([GOLD_B], [TEST_B])
    # precision: [0]:[0] right; [1,2]:[1,2] wrong strictly, but links 1->1 as the gold does
    assert s.precision_strict == pytest.approx(1 / 2)
    assert s.precision_lax == pytest.approx(1.0)
    # recall: gold [0]:[0] found; [1]:[1] and [2]:[2] only overlap a test bead
    assert s.recall_strict == pytest.approx(1 / 3)
    assert s.recall_lax == pytest.approx(1.0)
    assert s.f1_strict == pytest.approx(2 * (1 / 2) * (1 / 3) / (1 / 2 + 1 / 3))


def test_deletions_count_in_precision_only() -> None:
    s = score([GOLD_C], [TEST_C])
    # precision: 3 test beads, only [0]:[0] right, and 1-0 / 0-1 beads link nothing
    assert s.precision_strict == pytest.approx(1 / 3)
    assert s.precision_lax == pytest.approx(1 / 3)
    # recall ignores 1-0 / 0-1 on both sides: gold [1]:[1] is simply missed
    assert s.recall_strict == pytest.approx(1 / 2)
    assert s.recall_lax == pytest.approx(1 / 2)


def test_counts_are_summed_over_file_pairs_before_dividing() -> None:
    s = score([GOLD_B, GOLD_C], [TEST_B, TEST_C])
    assert s.precision_strict == pytest.approx((1 + 1) / (2 + 3))
    assert s.recall_strict == pytest.approx((1 + 1) / (3 + 2))
    assert s.precision_lax == pytest.approx((2 + 1) / (2 + 3))


def test_empty_beads_are_ignored_and_breakdown_by_type() -> None:
    s = score([GOLD_C], [TEST_C + [((), ())]])
    assert s.precision_strict == pytest.approx(1 / 3)
    assert s.recall_by_type == {"1-1": (2, 1)}
    assert s.precision_by_type == {"1-1": (1, 1), "1-0": (1, 0), "0-1": (1, 0)}


def test_mismatched_number_of_files_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="one test alignment per gold"):
        score([GOLD_B, GOLD_C], [TEST_B])
