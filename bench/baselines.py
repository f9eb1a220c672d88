"""Bertalign's and Vecalign's strict / lax F1 on each development set (one source of truth).

From ../shared/data/README.md, "Baselines": each run with its own code and defaults, both
encoding with USE multilingual v3 on the pre-segmented .sent files, scored with Vecalign's
scorer micro-averaged over the set. None: not measured (lecture-dev-clean).
"""

from __future__ import annotations

# set -> (Bertalign strict, Bertalign lax, Vecalign strict, Vecalign lax)
BASELINES: dict[str, tuple[float | None, float | None, float | None, float | None]] = {
    "kyoto-dev-clean": (0.897, 0.995, 0.997, 0.999),
    "kyoto-dev-hard": (0.826, 0.984, 0.853, 0.953),
    "textberg-dev": (0.860, 0.982, 0.787, 0.983),
    "wmtnews-dev-clean": (0.987, 1.000, 0.992, 1.000),
    "wmtnews-dev-hard": (0.944, 0.999, 0.917, 0.991),
    "lecture-dev-clean": (None, None, None, None),
    "lecture-dev-subs": (0.839, 0.939, 0.911, 0.996),
}

DEV_SETS = tuple(BASELINES)


def best_strict(name: str) -> float | None:
    """The better baseline's strict F1 on a set (None if neither was measured)."""
    b, _bl, v, _vl = BASELINES[name]
    vals = [x for x in (b, v) if x is not None]
    return max(vals) if vals else None


def needed_margin(name: str) -> float:
    """The lead the issue asks for: 0.02 where the better baseline is below 0.97, else any lead."""
    best = best_strict(name)
    return 0.02 if best is not None and best < 0.97 else 0.0
