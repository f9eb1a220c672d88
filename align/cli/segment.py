"""`align segment`: placeholder until the reader and segmenter land (replaced in this issue)."""

from __future__ import annotations

import typer


def segment_cmd() -> None:
    """Print one sentence per line."""
    raise typer.Exit(1)
