"""The align stage: sentence vectors of two documents in, beads with a confidence out.

`align_sentences` is the entry point; `AlignSettings` records every setting (it goes into the
alignment's signature). Modules, bottom up: `band` (arrays over the search band) and `dp`
(the search kernel, arrays in and arrays out; neither imports anything from align), `settings`,
`evidence` (shared numbers and names), `side` (one document as the scorer sees it), `stats`
(similarity baselines, length model), `features` (every bead's features, by name), `gains`
(features x fitted weights), `refine` (re-deciding doubtful regions from joined text),
`confidence`, `sentences` (the entry point), `notes` (translator's notes), `evaluate`
(strict/lax F1) and `weights` (the fitted weights, as data).
"""

from __future__ import annotations

from align.aligner.sentences import AlignResult, AlignSettings, align_sentences

__all__ = ["AlignResult", "AlignSettings", "align_sentences"]
