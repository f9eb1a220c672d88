"""Where the tests find their data: the bundled corpora/, and the dev data that may be absent.

A plain clone has only corpora/; the development data with gold alignments lives in
../shared/data beside the checkout (ALIGN_SHARED_DATA overrides the path; CI sets it to a
missing folder to check that a plain clone's suite passes). Tests that measure on the dev data
carry `needs_data` and skip with its reason when it is absent; everything else runs on
corpora/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"
CMAC = CORPORA / "cmac-2024"
CLT = CORPORA / "kyoto-CLT01161"  # 福の神: 10 / 11 sentences, 9 1-1 and one 1-2
EPR = CORPORA / "kyoto-EPR00071"  # 四条天皇: 25 / 26 sentences, 24 1-1 and one 1-2

DATA = Path(os.environ.get("ALIGN_SHARED_DATA") or ROOT.parent / "shared" / "data")

needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"dev data not found at {DATA} (../shared/data)")


def data_glob(pattern: str) -> list[Path]:
    """Sorted dev-data paths matching pattern; empty when the dev data is absent."""
    return sorted(DATA.glob(pattern))
