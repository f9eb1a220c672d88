"""`align add SRC TGT --corpus C`: align a document pair and store it in a corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from align.cli._common import cli_errors, echo, examples
from align.cli._options import Footnotes, Model, NoCache, Presegmented, SrcLang, TgtLang, Threads


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
    replace: Annotated[
        bool, typer.Option("--replace", help="Store under an id that holds other files, replacing that document.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Store a pair that looks unrelated, swapped or in one language.")
    ] = False,
) -> None:
    """Align SRC with TGT and store the result; re-adding a changed pair keeps reviewed beads.
    Refuses an id that holds other files (--replace) and a pair that does not look like an
    original and its translation (--force)."""
    from align.errors import InputError
    from align.pipeline import align_files, pair_problems
    from align.store import Corpus, default_doc_id
    from align.store.corpus import check_doc_id

    doc = default_doc_id(src, src_lang) if doc_id is None else doc_id
    check_doc_id(doc)  # an empty --doc-id is an error, not a silent default
    if corpus.exists():  # a bad or newer corpus, or a taken id, fails before the (slow) alignment
        with Corpus(corpus) as c:
            c.check_add(doc, src, tgt, replace=replace)
    elif not corpus.parent.is_dir():
        Corpus(corpus, create=True)  # raises: the folder does not exist
    alignment = align_files(
        src, tgt, src_lang=src_lang, tgt_lang=tgt_lang, model=model,
        presegmented=presegmented, footnotes=footnotes, cache=not no_cache, threads=threads,
    )  # fmt: skip
    problems = pair_problems(alignment)
    if problems and not force:
        raise InputError(f"{src} + {tgt}: {'; '.join(problems)}; not added (--force stores it anyway)")
    with Corpus(corpus, create=True) as c:
        r = c.add_alignment(alignment, doc_id=doc, src_path=src, tgt_path=tgt, replace=replace)
    line = f"{r.action} {r.doc_id}: {r.beads} beads"
    if r.action == "realigned":
        line += f", kept {r.kept_reviewed} reviewed"
        if r.dropped_reviewed:
            line += f", {r.dropped_reviewed} reviewed beads no longer match the texts"
    echo(line)
