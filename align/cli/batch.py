"""`align batch INPUT --corpus C`: align every document pair of a folder or manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from align.batch.discovery import LAYOUTS
from align.cli._common import cli_errors, echo, examples
from align.cli._options import Footnotes, Force, Model, NoCache, Presegmented, Quiet, Replace, SrcLang, TgtLang, Threads

EXAMPLES = examples(
    "align batch speeches/ --corpus speeches.db       # NAME.ja.md + NAME.en.md",
    "align batch corpora/ -c samples.db --presegmented # DOC/ja.sent + DOC/en.sent",
    "align batch pairs.csv -c speeches.db --workers 2  # src,tgt[,doc_id] rows",
    "align batch speeches/ --out speeches-parquet/     # Parquet, a file a pair",
    "align batch speeches/ -c speeches.db --engine ray --ray-address auto",
)
MAX_LISTED = 20
"""Failures listed on stderr; the failures file holds them all."""


@cli_errors
def batch_cmd(
    source: Annotated[
        Path,
        typer.Argument(
            help=f"A folder of document pairs, or a manifest (.csv/.tsv/.jsonl). {LAYOUTS}",
        ),
    ],
    corpus: Annotated[Optional[Path], typer.Option("--corpus", "-c", help="Corpus file (created if missing).")] = None,
    out: Annotated[
        Optional[Path],
        typer.Option("--out", help="Instead of a corpus: a folder for a Parquet dataset, one file per pair."),
    ] = None,
    src_lang: SrcLang = "ja",
    tgt_lang: TgtLang = "en",
    model: Model = "use-m3",
    presegmented: Presegmented = False,
    footnotes: Footnotes = False,
    no_cache: NoCache = False,
    threads: Threads = 1,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, max=256, help="Processes (or Ray CPUs) that align pairs at once.")
    ] = 1,
    engine: Annotated[
        str, typer.Option("--engine", help="local (this machine's processes) or ray (Ray tasks; pip install 'align\\[ray]').")
    ] = "local",
    ray_address: Annotated[
        Optional[str],
        typer.Option("--ray-address", help="With --engine ray: the cluster (auto, ray://HOST:10001); default a local Ray."),
    ] = None,
    replace: Replace = False,
    force: Force = False,
    failures: Annotated[
        Optional[Path],
        typer.Option("--failures", help="Where to list failed pairs (TSV). Default: beside the corpus, C.failures.tsv."),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Align every pair of a folder or manifest into a corpus, each as `align add` would (same
    checks), WORKERS at a time; the corpus alone is written by this process. A rerun (after a
    crash or kill) skips the pairs stored already from the same bytes and settings. A pair that
    fails is listed in the failures file and the batch goes on; the exit code is 1 if any failed."""
    from align.batch import run_batch
    from align.cli.progress import progress_reporter
    from align.pipeline import PairOptions

    options = PairOptions(model, presegmented, footnotes, not no_cache, threads, force)
    with progress_reporter("batch", "documents", quiet=quiet) as progress:
        report = run_batch(
            source, corpus=corpus, out=out, src_lang=src_lang, tgt_lang=tgt_lang, options=options,
            workers=workers, engine=engine, address=ray_address, replace=replace, failures_file=failures,
            progress=progress,
        )  # fmt: skip
    for failure in report.failures[:MAX_LISTED]:
        echo(f"failed: {failure.doc_id or failure.src}: {failure.reason}", err=True)
    if len(report.failures) > MAX_LISTED:
        echo(f"… and {len(report.failures) - MAX_LISTED} more in {report.failures_file}", err=True)
    if not quiet or report.failures:
        echo(summary_line(report), err=True)
    if report.failures:
        raise typer.Exit(1)


def summary_line(report) -> str:  # noqa: ANN001 - BatchReport, kept lazy
    """One line: pairs stored by action, skipped, failed; sentences, beads, time and rate."""
    parts = [f"{n} {action}" for action, n in sorted(report.actions.items())] or ["nothing new stored"]
    if report.skipped:
        parts.append(f"{report.skipped} stored already")
    if report.failures:
        parts.append(f"{len(report.failures)} failed (listed in {report.failures_file})")
    took = report.seconds
    rate = f" ({report.stored / took * 60:,.1f} documents/min, {report.sentences / took:,.0f} sentences/s)" if report.stored else ""
    ignored = f"; {report.ignored} {'file names' if report.ignored > 1 else 'file name'} no language, left alone" if report.ignored else ""
    return (
        f"{report.pairs} {'pair' if report.pairs == 1 else 'pairs'}: {', '.join(parts)}; {report.sentences:,} sentences → {report.beads:,} beads "
        f"in {took:.1f} s{rate}{ignored}"
    )
