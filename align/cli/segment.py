"""`align segment FILE`: print the sentences of one file, as the aligner will see them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from align.cli._common import cli_errors, examples

EXAMPLES = examples(
    "align segment corpora/cmac-2024/en.md                 # a sentence a line",
    "align segment corpora/cmac-2024/ja.md --format jsonl  # offsets, block, kind",
    "align segment page.html --lang ja",
)


@cli_errors
def segment_cmd(
    file: Annotated[Path, typer.Argument(help="A .txt, .md or .html file.")],
    lang: Annotated[
        str, typer.Option("--lang", help="Language code (ja, en, de, …) or 'auto' (from the script).")
    ] = "auto",
    fmt: Annotated[
        str, typer.Option("--format", help="text: one sentence a line; jsonl: with offsets and block.")
    ] = "text",
) -> None:
    """Print one sentence per line (`--format jsonl` adds offsets, block id and kind)."""
    from align.errors import UsageError
    from align.pipeline import load_document

    if fmt not in ("text", "jsonl"):
        raise UsageError(f"unknown --format {fmt!r}; use text or jsonl")
    doc = load_document(file, lang=None if lang == "auto" else lang)
    out = []
    for i, s in enumerate(doc.sentences):
        text = doc.text[s.start : s.end]
        if fmt == "text":
            out.append(text.replace("\n", " "))
        else:
            record = {
                "id": i,
                "text": text,
                "start": s.start,
                "end": s.end,
                "block": s.block,
                "kind": doc.blocks[s.block].kind,
                "lang": doc.lang,
            }
            out.append(json.dumps(record, ensure_ascii=False))
    if out:
        typer.echo("\n".join(out))
