"""`align import FILE.tmx --corpus C`: bring a TMX back into a corpus, one document per x-doc-id,
keeping each unit's review status (a unit from another tool comes in confirmed)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from align.cli._common import cli_errors, echo, examples


EXAMPLES = examples(
    "align import old-memory.tmx --corpus speeches.db",
    "align import memory.tmx -c speeches.db --doc-id memory --src-lang ja-JP",
)


@cli_errors
def import_cmd(
    tmx_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="TMX file to import.")],
    corpus: Annotated[Path, typer.Option("--corpus", "-c", help="Corpus file (created if missing).")],
    doc_id: Annotated[
        Optional[str], typer.Option("--doc-id", help="Document id (default: the x-doc-id all units share, else the file name without .tmx).")
    ] = None,
    src_lang: Annotated[Optional[str], typer.Option("--src-lang", help="Source language in the TMX (default: header srclang).")] = None,
    tgt_lang: Annotated[Optional[str], typer.Option("--tgt-lang", help="Target language in the TMX (default: the other one).")] = None,
) -> None:
    """Import a TMX file: align's own export comes back as the same documents, beads and
    statuses; another tool's units become one document of confirmed beads."""
    from align.formats.tmx import read_tmx_header
    from align.store import Corpus, import_tmx
    from align.store.corpus import check_doc_id

    read_tmx_header(tmx_file)  # not TMX: fail before creating a corpus file
    if doc_id is not None:
        check_doc_id(doc_id)  # nor an empty --doc-id
    with Corpus(corpus, create=True) as c:
        results = import_tmx(c, tmx_file, doc_id=doc_id, src_lang=src_lang, tgt_lang=tgt_lang)
    for r in results:
        echo(f"{r.action} {r.doc_id}: {r.beads} beads")
