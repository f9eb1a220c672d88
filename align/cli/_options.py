"""Options shared by several commands, declared once so their names, defaults and help agree."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

SrcLang = Annotated[str, typer.Option("--src-lang", help="Source language code (ja, en, de, …).")]
TgtLang = Annotated[str, typer.Option("--tgt-lang", help="Target language code.")]
Model = Annotated[
    str,
    typer.Option("--model", help="Encoder: use-m3 (default), e5-small, a sentence-transformers folder, NAME for models/NAME, or a hub id such as sentence-transformers/LaBSE (from the Hugging Face cache; downloaded when missing and the hub is reachable)."),
]
Presegmented = Annotated[
    bool, typer.Option("--presegmented", help="Each line of each file is one sentence, used as it is.")
]
Footnotes = Annotated[
    bool, typer.Option("--footnotes", help="Read the footnotes and endnotes of DOCX files too (after the body).")
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Do not read or write the embedding cache.")]
Threads = Annotated[int, typer.Option("--threads", min=1, max=64, help="Encoder threads (1 is fastest on a busy machine).")]
IncludeUnaligned = Annotated[
    Optional[bool],
    typer.Option(
        "--include-unaligned/--exclude-unaligned",
        help="Keep 1-0 and 0-1 beads. Default: left out of TMX, kept in the data formats.",
    ),
]
Quiet = Annotated[bool, typer.Option("-q", "--quiet", help="No progress on stderr.")]
Replace = Annotated[
    bool, typer.Option("--replace", help="Store under an id that holds other files, replacing that document.")
]
Force = Annotated[bool, typer.Option("--force", help="Store a pair that looks unrelated, swapped or in one language.")]
