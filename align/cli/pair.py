"""`align pair SRC TGT`: align one document pair and write the beads."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Optional

import typer

from align.cli._common import cli_errors, echo, examples, warn, warn_report
from align.cli._options import Footnotes, IncludeUnaligned, Model, NoCache, Presegmented, SrcLang, TgtLang, Threads
from align.model import REVIEW_THRESHOLD

EXAMPLES = examples(
    "align pair corpora/cmac-2024/ja.md corpora/cmac-2024/en.md -o cmac-2024.jsonl",
    "align pair ja.md en.md -o speech.tmx                      # for a CAT tool",
    "align pair ja.md en.md --format tsv > speech.tsv          # to stdout",
    "align pair ja.sent en.sent --presegmented --format beads  # a line each",
    "align pair speech-ja.pdf speech-en.pdf -o speech.xlsx     # PDF/DOCX/SRT in",
    "align pair talk.ja.srt talk.en.srt --format moses -o talk # talk.ja, talk.en",
)


@cli_errors
def pair_cmd(
    src: Annotated[Path, typer.Argument(help="Source document (the Japanese original).")],
    tgt: Annotated[Path, typer.Argument(help="Target document (the translation).")],
    output: Annotated[
        Optional[Path],
        typer.Option("-o", "--output", help="Output file; its extension sets the format. Default (or -): stdout."),
    ] = None,
    fmt: Annotated[
        Optional[str],
        typer.Option(
            "--format",
            help="jsonl, csv, tsv, beads, tmx, parquet, xlsx, xliff or moses (-o PREFIX: PREFIX.ja, PREFIX.en); "
            "default: from -o, else jsonl.",
        ),
    ] = None,
    src_lang: SrcLang = "ja",
    tgt_lang: TgtLang = "en",
    model: Model = "use-m3",
    presegmented: Presegmented = False,
    footnotes: Footnotes = False,
    no_cache: NoCache = False,
    threads: Threads = 1,
    include_unaligned: IncludeUnaligned = None,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="No progress and no summary line on stderr.")] = False,
) -> None:
    """Align SRC with TGT: every bead with its texts, sentence ids, type and confidence."""
    from align.formats import check_output, choose_format, rows_from_alignment, write_rows
    from align.pipeline import align_files
    from align.store import default_doc_id

    from align.cli.progress import progress_reporter

    out_fmt = choose_format(fmt, output)
    check_output(output, fmt=out_fmt, protect=(src, tgt), src_lang=src_lang, tgt_lang=tgt_lang)
    with progress_reporter("pair", "encode", quiet=quiet) as progress:
        alignment = align_files(
            src, tgt, src_lang=src_lang, tgt_lang=tgt_lang, model=model, presegmented=presegmented,
            footnotes=footnotes, cache=not no_cache, threads=threads, progress=progress,
        )  # fmt: skip
    report = write_rows(
        rows_from_alignment(alignment, doc_id=default_doc_id(src, src_lang)),
        output,
        fmt=out_fmt,
        src_lang=src_lang,
        tgt_lang=tgt_lang,
        include_unaligned=include_unaligned,
        signature=str(alignment.signature) if alignment.signature else None,
        timed=alignment.timed,
        protect=(src, tgt),
    )
    from align.pipeline import pair_problems

    warnings = list(alignment.stats.get("warnings", []))
    for message in warnings + [p for p in pair_problems(alignment) if p not in warnings]:
        warn(message)
    warn_report(report)
    if not quiet:
        echo(summary_line(alignment), err=True)


def summary_line(alignment) -> str:  # noqa: ANN001 - Alignment, kept lazy
    """One line: sentences, beads by type, how many to review, time."""
    types = Counter(b.type for b in alignment.beads)
    by_type = ", ".join(f"{t}: {n}" for t, n in sorted(types.items(), key=lambda kv: -kv[1]))
    below = sum(1 for b in alignment.beads if b.confidence < REVIEW_THRESHOLD)
    total = alignment.stats.get("total_s")
    took = f", {total:.1f} s" if isinstance(total, float) else ""
    return (
        f"{len(alignment.src)} + {len(alignment.tgt)} sentences → {len(alignment.beads)} beads "
        f"({by_type}); {below} below {REVIEW_THRESHOLD} to review{took}"
    )
