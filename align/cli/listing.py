"""`align list C`: one line per document of a corpus, with what is left to review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from align.cli._common import cli_errors, echo, examples
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
    """List the documents: sentences, beads by type, mean confidence, below threshold, status.
    The table fits the terminal (or COLUMNS)."""
    import shutil

    from align.store import Corpus
    from align.store.tables import documents_table, render_documents

    with Corpus(corpus, readonly=True) as c:
        df = documents_table(c, threshold=threshold)
    if df.height == 0:
        echo(f"{corpus}: no documents yet (add some with `align add SRC TGT --corpus {corpus}`)")
        return
    echo(render_documents(df, width=shutil.get_terminal_size().columns))
