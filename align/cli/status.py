"""`align confirm` and `align reject`: change bead statuses without the interactive review,
for scripts. Every index is checked before anything changes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from align.cli._common import cli_errors, echo, examples

CorpusArg = Annotated[Path, typer.Argument(help="Corpus file.")]
DocArg = Annotated[str, typer.Argument(help="Document id (see `align list`).")]


def _apply(corpus: Path, doc_id: str, indices: list[int], above: float | None, status: str) -> None:
    from align.errors import UsageError
    from align.review import apply_status_change, plan_status_change
    from align.store import Corpus

    if not indices and above is None:
        raise UsageError("give bead indices (see `align show`) or --all-above X")
    with Corpus(corpus) as c:
        change = plan_status_change(c, doc_id, status, indices=indices, at_or_above=above)
        changed = apply_status_change(c, change)
    line = f"{status} {changed} bead{'' if changed == 1 else 's'} of {doc_id}"
    if len(change.chosen) > changed:
        line += f" ({len(change.chosen) - changed} already {status})"
    echo(line)


CONFIRM_EXAMPLES = examples(
    "align confirm speeches.db cmac-2024 3 7 12",
    "align confirm speeches.db cmac-2024 --all-above 0.95  # auto beads >= 0.95",
)
REJECT_EXAMPLES = examples("align reject speeches.db cmac-2024 12")


@cli_errors
def confirm_cmd(
    corpus: CorpusArg,
    doc_id: DocArg,
    indices: Annotated[Optional[list[int]], typer.Argument(help="Bead indices to confirm.")] = None,
    all_above: Annotated[
        Optional[float],
        typer.Option("--all-above", min=0.0, max=1.0, help="Also confirm every auto bead with confidence ≥ this."),
    ] = None,
) -> None:
    """Confirm beads of DOC by index, and/or every still-auto bead at or above a confidence."""
    _apply(corpus, doc_id, indices or [], all_above, "confirmed")


@cli_errors
def reject_cmd(
    corpus: CorpusArg,
    doc_id: DocArg,
    indices: Annotated[list[int], typer.Argument(help="Bead indices to reject.")],
) -> None:
    """Reject beads of DOC by index."""
    _apply(corpus, doc_id, indices, None, "rejected")
