"""`align list C`: one line per document of a corpus, with what is left to review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from align.cli._common import cli_errors, examples
from align.model import REVIEW_THRESHOLD


EXAMPLES = examples(
    "align list speeches.db",
    "align list speeches.db --threshold 0.8",
)


@cli_errors
def list_cmd(
    corpus: Annotated[Path, typer.Argument(help="Corpus file.")],
    threshold: Annotated[
        float, typer.Option("--threshold", min=0.0, max=1.0, help="Count beads below this confidence.")
    ] = REVIEW_THRESHOLD,
) -> None:
    """List the documents: sentences, beads by type, mean confidence, below threshold, status."""
    import polars as pl

    from align.store import Corpus

    with Corpus(corpus) as c:
        df = c.list_documents(threshold=threshold)
    if df.height == 0:
        typer.echo(f"{corpus}: no documents yet (add some with `align add SRC TGT --corpus {corpus}`)")
        return
    with pl.Config(
        tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200, fmt_str_lengths=40,
        tbl_hide_column_data_types=True, tbl_hide_dataframe_shape=True, float_precision=3,
    ):  # fmt: skip
        typer.echo(str(df))
