"""`align export C -o OUT`: write a corpus (or part of it) as TMX, JSONL, CSV, TSV, Parquet or beads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from align.cli._common import cli_errors, warn_report
from align.cli._options import IncludeUnaligned


@cli_errors
def export_cmd(
    corpus: Annotated[Path, typer.Argument(help="Corpus file.")],
    output: Annotated[
        Optional[Path], typer.Option("-o", "--output", help="Output file; its extension sets the format. Default: stdout.")
    ] = None,
    fmt: Annotated[
        Optional[str], typer.Option("--format", help="tmx, jsonl, csv, tsv, parquet or beads (default: from -o).")
    ] = None,
    min_confidence: Annotated[
        Optional[float], typer.Option("--min-confidence", min=0.0, max=1.0, help="Leave out beads below this.")
    ] = None,
    status: Annotated[
        Optional[list[str]], typer.Option("--status", help="Only beads with this status (repeatable).")
    ] = None,
    doc: Annotated[Optional[list[str]], typer.Option("--doc", help="Only this document (repeatable).")] = None,
    include_unaligned: IncludeUnaligned = None,
    excel: Annotated[bool, typer.Option("--excel", help="CSV/TSV: add a BOM so Excel reads UTF-8.")] = False,
    src_code: Annotated[Optional[str], typer.Option("--src-code", help="TMX source language code, e.g. ja-JP.")] = None,
    tgt_code: Annotated[Optional[str], typer.Option("--tgt-code", help="TMX target language code, e.g. en-US.")] = None,
) -> None:
    """Export the corpus. Files are written atomically: a failed export leaves no partial file."""
    from align.formats import choose_format, write_rows
    from align.store import Corpus, export_rows

    out_fmt = choose_format(fmt, output)
    with Corpus(corpus) as c:
        docs = doc or c.doc_ids()
        infos = [c.document(d) for d in docs]
        signatures = {i.signature for i in infos}
        rows = export_rows(c, doc_ids=doc, statuses=status, min_confidence=min_confidence)
        report = write_rows(
            rows, output, fmt=out_fmt,
            src_lang=src_code or (infos[0].src_lang if infos else "ja"),
            tgt_lang=tgt_code or (infos[0].tgt_lang if infos else "en"),
            excel=excel, include_unaligned=include_unaligned,
            signature=signatures.pop() if len(signatures) == 1 else None,
        )  # fmt: skip
    warn_report(report)
    skipped = []
    if report.skipped_unaligned:
        skipped.append(f"{report.skipped_unaligned} unaligned (1-0/0-1; --include-unaligned keeps them)")
    if report.skipped_low_confidence:
        skipped.append(f"{report.skipped_low_confidence} below {min_confidence}")
    where = output if output else "stdout"
    typer.echo(f"exported {report.rows} units to {where} ({out_fmt})" + (f"; left out {', '.join(skipped)}" if skipped else ""), err=True)
