"""Display tables for `align list`: the documents of a corpus as a polars frame.

Presentation only: the numbers come from the store (`Corpus.summaries`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from align.model import REVIEW_THRESHOLD

if TYPE_CHECKING:
    import polars as pl

    from align.store.corpus import Corpus


def _type_order(t: str) -> tuple:
    """1-1 first, then by bead size, then the longer side first (1-0 before 0-1)."""
    return (t != "1-1", sum(map(int, t.split("-"))), [-int(x) for x in t.split("-")])


def documents_table(corpus: Corpus, *, threshold: float = REVIEW_THRESHOLD) -> pl.DataFrame:
    """One row per document: sentences per side, beads (total and by type), mean
    confidence, beads below `threshold`, and beads by review status."""
    import polars as pl

    summaries = corpus.summaries(threshold=threshold)
    all_types = sorted({t for s in summaries for t in s.types}, key=_type_order)
    data: dict[str, list] = {"doc_id": [s.doc_id for s in summaries], "src_sents": [s.src_sents for s in summaries],
                             "tgt_sents": [s.tgt_sents for s in summaries], "beads": [s.beads for s in summaries]}  # fmt: skip
    for t in all_types:
        data[t] = [s.types.get(t, 0) for s in summaries]
    data["mean_conf"] = [s.mean_confidence for s in summaries]
    data[f"below_{threshold:g}"] = [s.below for s in summaries]
    for name in ("auto", "confirmed", "edited", "rejected"):
        data[name] = [s.statuses[name] for s in summaries]
    schema = {k: (pl.Utf8 if k == "doc_id" else pl.Float64 if k == "mean_conf" else pl.Int64) for k in data}
    return pl.DataFrame(data, schema=schema)
