"""Display tables for `align list`: the documents of a corpus as a polars frame, and that frame
as text that fits the terminal.

Presentation only: the numbers come from the store (`Corpus.summaries`).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from align.errors import visible
from align.model import REVIEW_THRESHOLD

if TYPE_CHECKING:
    import polars as pl

    from align.store.corpus import Corpus

ID_LENGTHS = (40, 16)
"""Longest doc id shown (longer ones end in …) in the table, tried in turn until it fits."""


def type_order(t: str) -> tuple:
    """1-1 first, then by bead size, then the longer side first (1-0 before 0-1)."""
    return (t != "1-1", sum(map(int, t.split("-"))), [-int(x) for x in t.split("-")])


def documents_table(corpus: Corpus, *, threshold: float = REVIEW_THRESHOLD) -> pl.DataFrame:
    """One row per document: sentences per side, beads (total and by type), mean
    confidence, beads below `threshold`, and beads by review status."""
    import polars as pl

    summaries = corpus.summaries(threshold=threshold)
    all_types = sorted({t for s in summaries for t in s.types}, key=type_order)
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


def _grid(df: pl.DataFrame, id_length: int) -> str:
    import polars as pl

    with pl.Config(
        tbl_rows=-1, tbl_cols=-1, tbl_width_chars=10_000, fmt_str_lengths=id_length,
        tbl_hide_column_data_types=True, tbl_hide_dataframe_shape=True, float_precision=3,
    ):  # fmt: skip
        return str(df)


def _records(df: pl.DataFrame, width: int) -> str:
    """One block per document, `name value` pairs wrapped to `width`: for terminals too
    narrow for the grid."""
    out = []
    for row in df.iter_rows(named=True):
        doc = row.pop("doc_id")
        out.append(doc if len(doc) <= width else doc[: max(width - 1, 1)] + "…")
        # NUL holds each `name value` pair together while wrapping
        pairs = [f"{k}\0{v:.3f}" if isinstance(v, float) else f"{k}\0{'null' if v is None else v}" for k, v in row.items()]
        lines = textwrap.wrap("  ".join(pairs), width=max(width, 20), initial_indent="  ", subsequent_indent="  ",
                              break_on_hyphens=False)  # fmt: skip
        out += [line.replace("\0", " ") for line in lines]
    return "\n".join(out)


def render_documents(df: pl.DataFrame, *, width: int) -> str:
    """The documents table as text at most `width` characters wide: the grid (doc ids cut to
    40, then 16 characters) while it fits, else one wrapped block per document. Doc ids are
    shown through `align.errors.visible` (an escape sequence in one never reaches the terminal)."""
    import polars as pl

    df = df.with_columns(pl.col("doc_id").map_elements(visible, return_dtype=pl.Utf8))
    for id_length in ID_LENGTHS:
        text = _grid(df, id_length)
        if max(map(len, text.splitlines())) <= width:
            return text
    return _records(df, width)
