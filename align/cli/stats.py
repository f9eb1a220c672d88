"""`align stats C`: what a corpus holds, in numbers (tables, JSON or CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from align.cli._common import cli_errors, echo, examples, fail
from align.model import REVIEW_THRESHOLD

EXAMPLES = examples(
    "align stats speeches.db",
    "align stats speeches.db --top 10 --threshold 0.8",
    "align stats speeches.db --format json | jq .summary",
    "align stats speeches.db --format csv > stats.csv",
)
FORMATS = ("table", "json", "csv")
TITLES = {
    "beads": "beads by type and status",
    "quantiles": "confidence quantiles (all beads)",
    "slowest": "slowest documents (seconds to read, encode and align)",
    "least_confident": "least confident documents",
}


@cli_errors
def stats_cmd(
    corpus: Annotated[Path, typer.Argument(help="Corpus file.")],
    fmt: Annotated[str, typer.Option("--format", help="table (default), json or csv (section,item,measure,value).")] = "table",
    top: Annotated[int, typer.Option("--top", min=1, help="Documents in the slowest and least confident lists.")] = 5,
    threshold: Annotated[
        float, typer.Option("--threshold", min=0.0, max=1.0, help="Count beads below this confidence.")
    ] = REVIEW_THRESHOLD,
) -> None:
    """Documents, beads by type and status, confidence quantiles, share reviewed, and the slowest
    and least confident documents."""
    if fmt not in FORMATS:
        raise fail(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", 2)
    from align.store import Corpus
    from align.store.stats import corpus_stats, stats_long, stats_records

    with Corpus(corpus, readonly=True) as c:  # a read: works on read-only storage, as list does
        stats = corpus_stats(c, top=top, threshold=threshold)
    if fmt == "json":
        import json

        typer.echo(json.dumps(stats_records(stats), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        typer.echo(stats_long(stats).write_csv(), nl=False)
    else:
        echo(render(stats, corpus, threshold))


def render(stats, corpus: Path, threshold: float) -> str:  # noqa: ANN001 - CorpusStats, kept lazy
    """The sections as text: a summary paragraph, then a small grid per section."""
    import polars as pl

    s = stats.summary.row(0, named=True)
    if not s["documents"]:
        return f"{corpus}: no documents yet"
    lines = [
        f"{corpus}: {s['documents']:,} documents, {s['src_sents']:,} + {s['tgt_sents']:,} sentences, {s['beads']:,} beads",
        f"reviewed {s['reviewed']:.1%} (confirmed {s['confirmed']:,}, edited {s['edited']:,}, rejected {s['rejected']:,}; "
        f"auto {s['auto']:,}); mean confidence {s['mean_conf']:.3f}; {s[f'below_{threshold:g}']:,} below {threshold:g}",
    ]
    if s["align_seconds"] is not None:
        lines.append(f"aligning took {s['align_seconds']:,.1f} s in all (documents aligned from files)")
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200, fmt_str_lengths=40, tbl_hide_column_data_types=True,
                   tbl_hide_dataframe_shape=True, float_precision=3):  # fmt: skip
        for name, title in TITLES.items():
            frame = getattr(stats, name)
            if frame.height:
                lines += ["", title, str(frame)]
    return "\n".join(lines)
