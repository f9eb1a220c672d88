"""The align stage: sentence vectors of two documents in, beads with a confidence out.

`align_sentences` is the entry point; `AlignSettings` records every setting (it goes into the
alignment's signature). Modules: `scoring` (settings, bead features and gains), `dp` (the
search kernel, arrays in and arrays out), `refine` (re-deciding doubtful regions from joined
text), `confidence`, `notes` (translator's notes), `evaluate` (strict/lax F1) and `weights`
(the fitted weights, as data).
"""

from __future__ import annotations

from align.aligner.sentences import AlignResult, AlignSettings, align_sentences

__all__ = ["AlignResult", "AlignSettings", "align_sentences"]
