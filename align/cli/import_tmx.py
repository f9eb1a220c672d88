"""`align import FILE.tmx --corpus C`: bring a reviewed TMX back into a corpus as confirmed beads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from align.cli._common import cli_errors


@cli_errors
def import_cmd(
    tmx_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="TMX file to import.")],
    corpus: Annotated[Path, typer.Option("--corpus", "-c", help="Corpus file (created if missing).")],
    doc_id: Annotated[
        Optional[str], typer.Option("--doc-id", help="Document id (default: the units' x-doc-id, else the file name).")
    ] = None,
    src_lang: Annotated[Optional[str], typer.Option("--src-lang", help="Source language in the TMX (default: header srclang).")] = None,
    tgt_lang: Annotated[Optional[str], typer.Option("--tgt-lang", help="Target language in the TMX (default: the other one).")] = None,
) -> None:
    """Import every unit of a TMX file as one document whose beads are confirmed."""
    from align.formats.tmx import read_tmx_header
    from align.store import Corpus, import_tmx

    read_tmx_header(tmx_file)  # not TMX: fail before creating a corpus file
    with Corpus(corpus, create=True) as c:
        r = import_tmx(c, tmx_file, doc_id=doc_id, src_lang=src_lang, tgt_lang=tgt_lang)
    typer.echo(f"{r.action} {r.doc_id}: {r.beads} beads (confirmed)")
