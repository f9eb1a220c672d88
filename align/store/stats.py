"""What a corpus holds, in numbers, for `align stats`: documents, beads by type and status,
confidence quantiles, the share reviewed, the slowest and the least confident documents.

Data only (polars frames); `align stats` renders them. The per-document numbers come from the
documents table of `align list` (align.store.tables), so both commands count alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from align.model import BEAD_STATUSES, REVIEW_THRESHOLD

if TYPE_CHECKING:
    import polars as pl

    from align.store.corpus import Corpus

QUANTILES: tuple[tuple[str, float], ...] = (
    ("min", 0.0), ("p01", 0.01), ("p05", 0.05), ("p10", 0.10), ("p25", 0.25), ("median", 0.5), ("p75", 0.75),
    ("p90", 0.90), ("max", 1.0),
)  # fmt: skip
SECTIONS = ("summary", "beads", "quantiles", "slowest", "least_confident")


@dataclass(frozen=True)
class CorpusStats:
    """The sections of `align stats`, each a polars frame.

    `summary`: one row (documents, sentences, beads, statuses, share reviewed, mean confidence,
    beads below the threshold, seconds spent aligning); `beads`: one row per bead type with a
    column per status and the total; `quantiles`: the confidence of all beads at each quantile;
    `slowest`: the documents that took longest to align (seconds and sentences/s when aligned;
    imported documents have no time); `least_confident`: the documents of lowest mean
    confidence, with their beads below the threshold.
    """

    summary: pl.DataFrame
    beads: pl.DataFrame
    quantiles: pl.DataFrame
    slowest: pl.DataFrame
    least_confident: pl.DataFrame

    def sections(self) -> dict[str, pl.DataFrame]:
        """Section name → frame, in the order they are shown."""
        return {name: getattr(self, name) for name in SECTIONS}


def corpus_stats(corpus: Corpus, *, top: int = 5, threshold: float = REVIEW_THRESHOLD) -> CorpusStats:
    """The numbers of a corpus; `top` documents in the slowest and least confident lists."""
    import polars as pl

    from align.store.tables import type_order, documents_table

    docs = documents_table(corpus, threshold=threshold)
    below = f"below_{threshold:g}"
    con = corpus._con
    seconds = dict(con.execute("SELECT doc_id, align_seconds FROM documents").fetchall())
    docs = docs.with_columns(
        pl.Series("align_seconds", [seconds.get(d) for d in docs["doc_id"]], dtype=pl.Float64),
        reviewed=(1 - pl.col("auto") / pl.col("beads")).fill_nan(0.0),
    )
    n_beads = int(docs["beads"].sum())
    confidences = pl.Series("confidence", [r[0] for r in con.execute("SELECT confidence FROM beads")], dtype=pl.Float64)
    summary = pl.DataFrame({
        "documents": [docs.height],
        "src_sents": [int(docs["src_sents"].sum())],
        "tgt_sents": [int(docs["tgt_sents"].sum())],
        "beads": [n_beads],
        **{s: [int(docs[s].sum())] for s in BEAD_STATUSES},
        "reviewed": [1 - int(docs["auto"].sum()) / n_beads if n_beads else 0.0],
        "mean_conf": [confidences.mean() if n_beads else None],
        below: [int(docs[below].sum())],
        "align_seconds": [docs["align_seconds"].sum() if docs["align_seconds"].is_not_null().any() else None],
    }, schema_overrides={"mean_conf": pl.Float64, "align_seconds": pl.Float64})  # fmt: skip

    by_type: dict[str, dict[str, int]] = {}
    for type_, status, n in con.execute("SELECT type, status, count(*) FROM beads GROUP BY type, status"):
        by_type.setdefault(type_, {})[status] = n
    types = sorted(by_type, key=type_order)
    beads = pl.DataFrame(
        {"type": types, **{s: [by_type[t].get(s, 0) for t in types] for s in BEAD_STATUSES},
         "total": [sum(by_type[t].values()) for t in types]},
        schema={"type": pl.Utf8, **{s: pl.Int64 for s in BEAD_STATUSES}, "total": pl.Int64},
    )  # fmt: skip

    quantiles = pl.DataFrame(
        {"quantile": [name for name, _ in QUANTILES],
         "confidence": [confidences.quantile(q, "linear") if n_beads else None for _, q in QUANTILES]},
        schema={"quantile": pl.Utf8, "confidence": pl.Float64},
    )  # fmt: skip

    sentences = pl.col("src_sents") + pl.col("tgt_sents")
    slowest = (
        docs.filter(pl.col("align_seconds").is_not_null())
        .sort(["align_seconds", "doc_id"], descending=[True, False])
        .head(top)
        .select("doc_id", "align_seconds", sentences.alias("sentences"),
                (sentences / pl.col("align_seconds")).alias("sentences_per_s"))
    )  # fmt: skip
    least_confident = (
        docs.filter(pl.col("beads") > 0)
        .sort(["mean_conf", "doc_id"])
        .head(top)
        .select("doc_id", "mean_conf", "beads", below, "reviewed")
    )
    return CorpusStats(summary, beads, quantiles, slowest, least_confident)


def stats_records(stats: CorpusStats) -> dict[str, Any]:
    """The stats as plain data (`align stats --format json`): the summary as one object, every
    other section as a list of rows."""
    out: dict[str, Any] = {}
    for name, frame in stats.sections().items():
        rows = frame.to_dicts()
        out[name] = rows[0] if name == "summary" else rows
    return out


def stats_long(stats: CorpusStats) -> pl.DataFrame:
    """The stats as one long table (`align stats --format csv`): section, item (a bead type, a
    quantile or a document; empty for the summary), measure, value (as text: counts stay
    whole numbers)."""
    import polars as pl

    keys = {"summary": None, "beads": "type", "quantiles": "quantile", "slowest": "doc_id", "least_confident": "doc_id"}
    rows: list[tuple[str, str | None, str, Any]] = []
    for name, frame in stats.sections().items():
        key = keys[name]
        for row in frame.iter_rows(named=True):
            item = row.pop(key) if key else None
            rows += [(name, item, measure, value) for measure, value in row.items()]
    return pl.DataFrame(
        {"section": [r[0] for r in rows], "item": [r[1] for r in rows], "measure": [r[2] for r in rows],
         "value": [None if r[3] is None else str(r[3]) for r in rows]},
        schema={"section": pl.Utf8, "item": pl.Utf8, "measure": pl.Utf8, "value": pl.Utf8},
    )  # fmt: skip
