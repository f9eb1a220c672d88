"""`align eval`: strict and lax precision/recall/F1 of test alignments against gold ones."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from align.cli._common import cli_errors, echo, examples


EXAMPLES = examples(
    "align pair ja.sent en.sent --presegmented --format beads > test.beads",
    "align eval --gold gold.beads --test test.beads",
    "align eval --gold a.gold --gold b.gold --test a.beads --test b.beads",
)


@cli_errors
def eval_cmd(
    gold: Annotated[list[Path], typer.Option("--gold", help="Gold beads files (Vecalign format).")],
    test: Annotated[list[Path], typer.Option("--test", help="Test beads files, same order as --gold.")],
) -> None:
    """Score alignments as Vecalign's score.py does (micro-averaged over file pairs), by bead type too."""
    from align.formats.beads import read_beads
    from align.errors import UsageError
    from align.aligner.evaluate import score

    if len(gold) != len(test):
        raise UsageError(f"{len(gold)} --gold files but {len(test)} --test files; give them in pairs")
    result = score([read_beads(g) for g in gold], [read_beads(t) for t in test])
    echo(result.format())
