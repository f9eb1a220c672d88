"""`align add SRC TGT --corpus C`: align a document pair and store it in a corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from align.cli._common import cli_errors, echo, examples
from align.cli._options import Footnotes, Force, Model, NoCache, Presegmented, Quiet, Replace, SrcLang, TgtLang, Threads


EXAMPLES = examples(
    "align add corpora/cmac-2024/ja.md corpora/cmac-2024/en.md --corpus speeches.db",
    "align add speech.ja.txt speech.en.txt -c speeches.db --doc-id 2024-07-06-cmac",
)


@cli_errors
def add_cmd(
    src: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Source document (Japanese original).")],
    tgt: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Target document (translation).")],
    corpus: Annotated[Path, typer.Option("--corpus", "-c", help="Corpus file (created if missing).")],
    doc_id: Annotated[
        Optional[str],
        typer.Option(
            "--doc-id",
            help="Document id. Default: the source file's name without its extension and language tag"
            " (speech.ja.txt, speech_ja.md → speech); a source named only by its language"
            " (ja.md, ja.sent) takes its folder's name (corpora/cmac-2024/ja.md → cmac-2024).",
        ),
    ] = None,
    src_lang: SrcLang = "ja",
    tgt_lang: TgtLang = "en",
    model: Model = "use-m3",
    presegmented: Presegmented = False,
    footnotes: Footnotes = False,
    no_cache: NoCache = False,
    threads: Threads = 1,
    replace: Replace = False,
    force: Force = False,
    quiet: Quiet = False,
) -> None:
    """Align SRC with TGT and store the result; re-adding a changed pair keeps reviewed beads.
    Refuses an id that holds other files (--replace) and a pair that does not look like an
    original and its translation (--force)."""
    from align.cli.progress import progress_reporter
    from align.pipeline import PairOptions, add_files

    options = PairOptions(model, presegmented, footnotes, not no_cache, threads, force)
    with progress_reporter("add", "encode", quiet=quiet) as progress:
        r = add_files(
            corpus, src, tgt, doc_id=doc_id, src_lang=src_lang, tgt_lang=tgt_lang, options=options,
            replace=replace, progress=progress,
        )  # fmt: skip
    line = f"{r.action} {r.doc_id}: {r.beads} beads"
    if r.action == "realigned":
        line += f", kept {r.kept_reviewed} reviewed"
        if r.dropped_reviewed:
            line += f", {r.dropped_reviewed} reviewed beads no longer match the texts"
    echo(line)
