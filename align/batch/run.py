"""Running a batch: plan (skip what is stored already), hand the pairs to an engine, store each
result in the batch's order as it comes back (the driver is the only writer), report.

The order of storing is the order of the pairs (sorted ids of a folder, rows of a manifest),
whatever engine and however many workers run them, so every run of the same batch gives the
same corpus. A kill at any moment loses only the pairs not yet stored; the next run skips
every stored pair (by the sha256 of its files' bytes and the alignment settings) and aligns the
rest.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from align.batch.discovery import Discovery, discover
from align.batch.engines import Engine, EngineName, check_engine, open_engine
from align.batch.jobs import Failure, PairJob, PairOutcome, PairSpec
from align.batch.sinks import Sink, open_sink
from align.errors import AlignError, UsageError
from align.model import Progress, ProgressCallback

if TYPE_CHECKING:
    from align.pipeline import PairOptions

WRITE_FAILURES_IN_A_ROW = 3
"""Store errors in a row after which the batch stops: the target itself is broken (disk full,
a locked or damaged corpus), not one pair."""
FAILURES_HEADER = ("doc_id", "src", "tgt", "reason")


@dataclass(frozen=True)
class BatchReport:
    """What a batch did: pairs stored by action (added, realigned, replaced), pairs skipped as
    stored already, failures with their reasons, sentences and beads stored, and the time."""

    pairs: int
    actions: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    failures: tuple[Failure, ...] = ()
    sentences: int = 0
    beads: int = 0
    seconds: float = 0.0
    ignored: int = 0
    failures_file: Path | None = None

    @property
    def stored(self) -> int:
        """Pairs written by this run."""
        return sum(self.actions.values())


def failures_path(target: Path) -> Path:
    """Where a batch lists its failures by default: beside its corpus or dataset."""
    return target.with_name(target.name + ".failures.tsv")


def write_failures(failures: Iterable[Failure], path: Path) -> None:
    """The failures as TSV (doc_id, src, tgt, reason; one line each), written atomically; a
    run without failures leaves the header alone, so an old list never outlives its fix."""
    from align.formats.rows import atomic_output

    def cell(value: str | None) -> str:
        return " ".join((value or "").split())

    with atomic_output(path, binary=False, newline="\n") as f:
        f.write("\t".join(FAILURES_HEADER) + "\n")
        for x in failures:
            f.write("\t".join(cell(v) for v in (x.doc_id, x.src, x.tgt, x.reason)) + "\n")


def ordered(engine: Engine, jobs: Iterable[PairJob]) -> Iterator[PairOutcome]:
    """The engine's outcomes in the jobs' order, at most `engine.window` jobs in flight (so
    memory stays bounded and the head's result is stored as soon as it is there)."""
    todo = iter(jobs)
    flight: deque = deque()
    for job in todo:
        flight.append(engine.start(job))
        if len(flight) >= engine.window:
            break
    while flight:
        outcome = engine.result(flight.popleft())
        job = next(todo, None)
        if job is not None:  # before the driver stores this outcome: the freed worker goes on
            flight.append(engine.start(job))
        yield outcome


def expected_signature(options: PairOptions) -> str:
    """The signature every pair of the batch will carry (raises ModelError for an unknown model)."""
    from align.encoders import get_encoder
    from align.pipeline import PRESEGMENTED, make_signature

    name = get_encoder(options.model, threads=options.threads, cache=False).name
    return str(make_signature(name, segmenter=PRESEGMENTED if options.presegmented else None))


class _Tally:
    """The running count of a batch: stores each outcome and reports progress after it."""

    def __init__(self, total: int, skipped: int, failures: list[Failure], progress: ProgressCallback | None) -> None:
        self.total, self.skipped, self.failures, self.progress = total, skipped, failures, progress
        self.actions: Counter[str] = Counter()
        self.done = self.sentences = self.beads = self.in_a_row = 0
        self.report(None)

    def report(self, item: str | None) -> None:
        if self.progress is not None:
            self.progress(Progress(
                "documents", self.done, self.total, self.sentences, len(self.failures), self.skipped, item
            ))  # fmt: skip

    def store(self, sink: Sink, pair: PairSpec, outcome: PairOutcome) -> None:
        """Write one outcome (or list its failure); a store error is the pair's failure, unless
        WRITE_FAILURES_IN_A_ROW of them say the target is broken: then it stops the batch."""
        self.done += 1
        if outcome.alignment is None:
            self.failures.append(Failure(pair.doc_id, str(pair.src), str(pair.tgt), outcome.error or "failed"))
        else:
            try:
                result = sink.write(pair, outcome.alignment)
            except AlignError as e:
                self.in_a_row += 1
                if self.in_a_row >= WRITE_FAILURES_IN_A_ROW:
                    raise
                self.failures.append(Failure(pair.doc_id, str(pair.src), str(pair.tgt), str(e)))
            else:
                self.in_a_row = 0
                self.actions[result.action] += 1
                self.sentences += outcome.sentences
                self.beads += result.beads
        self.report(pair.doc_id)


def _plan(sink: Sink, pairs: Iterable[PairSpec], failures: list[Failure]) -> tuple[list[PairSpec], int]:
    """The pairs still to align, and how many are stored already as they are."""
    todo, skipped = [], 0
    for pair in pairs:
        try:
            if sink.plan(pair):
                skipped += 1
            else:
                todo.append(pair)
        except AlignError as e:
            failures.append(Failure(pair.doc_id, str(pair.src), str(pair.tgt), str(e)))
    return todo, skipped


def run_batch(
    source: str | Path | Discovery,
    *,
    corpus: str | Path | None = None,
    out: str | Path | None = None,
    src_lang: str = "ja",
    tgt_lang: str = "en",
    options: PairOptions | None = None,
    workers: int = 1,
    engine: EngineName = "local",
    address: str | None = None,
    replace: bool = False,
    failures_file: str | Path | None = None,
    progress: ProgressCallback | None = None,
) -> BatchReport:
    """Align every pair of a folder or manifest (`source`, see align.batch.discovery) into a
    corpus (`corpus`) or a Parquet dataset (`out`), as `align add` would pair by pair.

    `workers` processes (or Ray tasks with engine="ray", on the cluster at `address`) read,
    encode and align; this process alone stores. A pair that fails (unreadable, not a
    translation unless options.force, an id that holds other files unless `replace`) is
    listed in the report and in `failures_file` (default: beside the target), and the batch
    goes on. `progress` hears documents done of those to do.
    """
    from align.pipeline import PairOptions

    options = options or PairOptions()
    t0 = time.perf_counter()
    if (corpus is None) == (out is None):
        raise UsageError("give either a corpus file or an output folder (a Parquet dataset)")
    check_engine(engine, workers=workers, address=address)
    target = Path(corpus if corpus is not None else out)  # type: ignore[arg-type]
    found = source if isinstance(source, Discovery) else discover(
        source, src_lang=src_lang, tgt_lang=tgt_lang, presegmented=options.presegmented
    )  # fmt: skip
    signature = expected_signature(options)
    failures = list(found.problems)
    listed = Path(failures_file) if failures_file else failures_path(target)
    if not listed.parent.is_dir() and (failures_file or target.parent.is_dir()):
        raise UsageError(f"{listed}: the folder {listed.parent} does not exist; create it first")
    with open_sink(corpus=Path(corpus) if corpus else None, out=Path(out) if out else None,
                   signature=signature, replace=replace) as sink:  # fmt: skip
        try:
            todo, skipped = _plan(sink, found.pairs, failures)
            tally = _Tally(len(todo), skipped, failures, progress)
            if todo:  # nothing to do starts no workers (nor a Ray instance)
                with open_engine(engine, options, workers=workers, address=address) as runner:
                    for outcome in ordered(runner, (PairJob(k, pair) for k, pair in enumerate(todo))):
                        tally.store(sink, todo[outcome.index], outcome)
        finally:  # also when stopped (Ctrl-C, a broken target): what failed so far is listed
            write_failures(failures, listed)
    return BatchReport(
        pairs=len(found.pairs), actions=dict(tally.actions), skipped=skipped, failures=tuple(failures),
        sentences=tally.sentences, beads=tally.beads, seconds=time.perf_counter() - t0, ignored=found.ignored,
        failures_file=listed,
    )  # fmt: skip
