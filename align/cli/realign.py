"""`align realign C DOC`: re-run the aligner between the reviewed beads of a document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from align.cli._common import cli_errors, echo, examples

EXAMPLES = examples(
    "align realign speeches.db cmac-2024 --from 40 --to 45",
    "align realign speeches.db cmac-2024          # every stretch between reviewed beads",
)


@cli_errors
def realign_cmd(
    corpus: Annotated[Path, typer.Argument(help="Corpus file.")],
    doc_id: Annotated[str, typer.Argument(help="Document id (see `align list`).")],
    start: Annotated[Optional[int], typer.Option("--from", min=0, help="First bead of the stretch (default: 0).")] = None,
    stop: Annotated[Optional[int], typer.Option("--to", min=0, help="Last bead of the stretch (default: the last).")] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="Encoder (default: the one DOC was aligned with).")] = None,
) -> None:
    """Re-align beads --from..--to of DOC, widened to the nearest confirmed or edited beads;
    reviewed beads stay as they are. Undoable in the editor (align serve)."""
    from align.review.realign import realign
    from align.store import Corpus

    with Corpus(corpus) as c:
        result = realign(c, doc_id, start=start, stop=stop, model=model)
    echo(result.message)
