"""Calibrated confidence of each bead on the best path (placeholder until fitted)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def bead_confidences(beads, gains, sims, lo, types, model) -> np.ndarray:
    out = np.zeros(len(beads))
    for n, (i0, i1, j0, j1) in enumerate(beads):
        k = types.index((i1 - i0, j1 - j0))
        g = float(gains[k, i1, j1 - lo[i1]])
        out[n] = 1 / (1 + np.exp(-10 * g)) * (0.8 if (i1 == i0 or j1 == j0) else 1.0)
    return out
