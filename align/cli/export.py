"""`align export C -o OUT`: write a corpus (or part of it) as TMX, JSONL, CSV, TSV, Parquet or beads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from align.cli._common import cli_errors, echo, examples, warn_report
from align.cli._options import IncludeUnaligned
from align.errors import visible


EXAMPLES = examples(
    "align export speeches.db -o speeches.tmx --src-code ja-JP --tgt-code en-US",
    "align export speeches.db -o speeches.csv --excel --min-confidence 0.9",
    "align export speeches.db -o ok.parquet --status confirmed --status edited",
    "align export speeches.db --format jsonl --doc cmac-2024 | head",
)


@cli_errors
def export_cmd(
    corpus: Annotated[Path, typer.Argument(help="Corpus file.")],
    output: Annotated[
        Optional[Path], typer.Option("-o", "--output", help="Output file; its extension sets the format. Default (or -): stdout.")
    ] = None,
    fmt: Annotated[
        Optional[str], typer.Option("--format", help="tmx, jsonl, csv, tsv, parquet, beads, xlsx, xliff or moses (default: from -o).")
    ] = None,
    min_confidence: Annotated[
        Optional[float],
        typer.Option("--min-confidence", min=0.0, max=1.0, help="Leave out auto beads below this (confirmed and edited beads stay)."),
    ] = None,
    status: Annotated[
        Optional[list[str]],
        typer.Option("--status", help="Only beads with this status (repeatable; default: all but rejected)."),
    ] = None,
    doc: Annotated[Optional[list[str]], typer.Option("--doc", help="Only this document (repeatable).")] = None,
    include_unaligned: IncludeUnaligned = None,
    excel: Annotated[bool, typer.Option("--excel", help="CSV/TSV: add a BOM so Excel reads UTF-8.")] = False,
    src_code: Annotated[Optional[str], typer.Option("--src-code", help="TMX source language code, e.g. ja-JP.")] = None,
    tgt_code: Annotated[Optional[str], typer.Option("--tgt-code", help="TMX target language code, e.g. en-US.")] = None,
) -> None:
    """Export the corpus. Files are written atomically: a failed export leaves no partial file."""
    from align.formats import choose_format, is_stdout, write_rows
    from align.read.lang import check_language_code
    from align.store import Corpus, export_rows

    out_fmt = choose_format(fmt, output)
    for code, option in ((src_code, "--src-code"), (tgt_code, "--tgt-code")):
        if code is not None:
            check_language_code(code, what=option)
    protect = (corpus, Path(f"{corpus}-wal"), Path(f"{corpus}-shm"))  # the corpus and its WAL files
    with Corpus(corpus, readonly=True) as c:
        docs = doc or c.doc_ids()
        infos = [c.document(d) for d in docs]
        signatures = {i.signature for i in infos}
        rows = export_rows(c, doc_ids=doc, statuses=status)
        rejected = 0 if status else sum(d.statuses["rejected"] for d in c.summaries() if d.doc_id in docs)
        report = write_rows(
            rows, output, fmt=out_fmt, min_confidence=min_confidence,
            src_lang=src_code or (infos[0].src_lang if infos else "ja"),
            tgt_lang=tgt_code or (infos[0].tgt_lang if infos else "en"),
            excel=excel, include_unaligned=include_unaligned,
            signature=signatures.pop() if len(signatures) == 1 else None, timed=c.timed(doc), protect=protect,
        )  # fmt: skip
    warn_report(report)
    skipped = []
    if report.skipped_unaligned:
        skipped.append(f"{report.skipped_unaligned} unaligned (1-0/0-1; --include-unaligned keeps them)")
    if report.skipped_low_confidence:
        skipped.append(f"{report.skipped_low_confidence} auto below {min_confidence}")
    if rejected:
        skipped.append(f"{rejected} rejected (--status rejected includes them)")
    where = "stdout" if is_stdout(output) else visible(str(output))
    echo(f"exported {report.rows} units to {where} ({out_fmt})" + (f"; left out {', '.join(skipped)}" if skipped else ""), err=True)
