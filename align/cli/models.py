"""`align models`: which encoders exist here and whether each loads offline now."""

from __future__ import annotations

from typing import Annotated

import typer

from align.cli._common import cli_errors, echo, examples


EXAMPLES = examples(
    "align models          # use-m3, e5-small, each model folder in ./models",
    "align models --check  # load each one for real",
)


@cli_errors
def models_cmd(
    check: Annotated[bool, typer.Option("--check", help="Load each model for real (slower).")] = False,
) -> None:
    """List the built-in encoders and local model folders, and whether each loads offline."""
    from align.encoders import list_models

    infos = list_models(check=check)
    width = max(len(m.name) for m in infos)
    for m in infos:
        state = "ok" if m.available else "unavailable"
        where = f" {m.path}" if m.path else ""
        echo(f"{m.name:<{width}}  {m.kind:<28} {state:<11} {m.detail}{where}")
