"""`align serve C`: review and fix the corpus in the browser."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from align.cli._common import cli_errors, echo, examples

EXAMPLES = examples(
    "align serve speeches.db                      # opens the queue in your browser",
    "align serve speeches.db --port 8765 --no-open",
)


@cli_errors
def serve_cmd(
    corpus: Annotated[Path, typer.Argument(help="Corpus file.")],
    host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback unless --allow-remote).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port (0: a free one).")] = 0,
    no_open: Annotated[bool, typer.Option("--no-open", help="Do not open a browser.")] = False,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Allow a --host other than loopback (the corpus becomes reachable from the network).")
    ] = False,
) -> None:
    """Serve the review editor; prints its address (with a per-run token) as the first line."""
    from align.review.web import serve

    serve(corpus, host=host, port=port, open_browser=not no_open, allow_remote=allow_remote,
          announce=lambda line: echo(line))  # fmt: skip
