"""`align show C DOC`: the beads of one document side by side, with confidence and status."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from align.cli._common import cli_errors, examples
from align.errors import visible
from align.model import REVIEW_THRESHOLD


EXAMPLES = examples(
    "align show speeches.db cmac-2024",
    "align show speeches.db cmac-2024 --below 0.9  # the unsure beads side by side",
)


@cli_errors
def show_cmd(
    corpus: Annotated[Path, typer.Argument(help="Corpus file.")],
    doc_id: Annotated[str, typer.Argument(help="Document id (see `align list`).")],
    below: Annotated[
        Optional[float], typer.Option("--below", min=0.0, max=1.0, help="Only beads below this confidence.")
    ] = None,
) -> None:
    """Show the beads of DOC: index, source, target, type, confidence and status."""
    from rich.console import Console
    from rich.table import Table

    from align.store import Corpus

    with Corpus(corpus, readonly=True) as c:
        beads = c.beads(doc_id, below=below)
    table = Table(show_lines=True, title=visible(f"{doc_id}: {len(beads)} beads"))
    for name, kw in (("#", {"justify": "right"}), ("source", {"ratio": 1}), ("target", {"ratio": 1}),
                     ("type", {}), ("conf", {"justify": "right"}), ("status", {})):  # fmt: skip
        table.add_column(name, overflow="fold", **kw)
    for b in beads:
        style = "yellow" if b.confidence < (below if below is not None else REVIEW_THRESHOLD) else None
        table.add_row(str(b.bead_index), visible(b.src), visible(b.tgt), b.type, f"{b.confidence:.2f}", b.status, style=style)
    Console(highlight=False, markup=False).print(table)
