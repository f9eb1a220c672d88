"""The local engine: pairs aligned in this process (one worker) or in N worker processes on
this machine (concurrent.futures, spawned: safe on every platform, no state shared by fork).

Each worker loads the encoder once and keeps it (the model is cached per process), runs
`align_job` with the encoder's threads (1 by default: two processes on two cores beat one
process with two threads), and sends the alignment back; the driver stores it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from align.batch.jobs import PairJob, PairOutcome, align_job
from align.errors import AlignError

if TYPE_CHECKING:
    from align.pipeline import PairOptions

WINDOW_PER_WORKER = 4
"""Pairs in flight per worker: enough that no worker waits while the driver stores."""


class InProcess:
    """One worker: this process aligns each pair when its result is asked for, its thread
    pools held to the encoder's threads as a worker process's are (one worker, one core)."""

    window = 1

    def __init__(self, options: PairOptions) -> None:
        self.options = options

    def start(self, job: PairJob) -> PairJob:
        return job

    def result(self, handle: PairJob) -> PairOutcome:
        from align.encoders.base import thread_limit

        with thread_limit(self.options.threads):
            return align_job(handle, self.options)


class Pool:
    """N worker processes."""

    def __init__(self, pool: ProcessPoolExecutor, options: PairOptions, workers: int) -> None:
        self.pool, self.options = pool, options
        self.window = WINDOW_PER_WORKER * workers

    def start(self, job: PairJob) -> Future[PairOutcome]:
        return self.pool.submit(align_job, job, self.options)

    def result(self, handle: Future[PairOutcome]) -> PairOutcome:
        try:
            return handle.result()
        except BrokenProcessPool:
            raise AlignError(
                "a worker process died (killed, or out of memory) while aligning; the pairs stored so far "
                "are kept: run the same batch again to go on (with fewer --workers if memory is short)"
            ) from None


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
"""What numpy's BLAS and OpenMP read when they load: held at the encoder's threads in a worker,
so N workers use N cores (the aligner's own matrix products would take every core each)."""


def _start_worker(threads: int) -> None:
    """A worker's setup, before it imports numpy: its thread pools sized, and Ctrl-C left to the
    driver, which stops the workers (no traceback from each of them)."""
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def engine(options: PairOptions, *, workers: int = 1, address: str | None = None) -> Iterator[Any]:
    """This machine's engine: in this process for one worker, else a pool of `workers`
    (`address` is for Ray; engines.check_engine refuses it here)."""
    if workers == 1:
        yield InProcess(options)
        return
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker, initargs=(options.threads,)
    )
    try:
        yield Pool(pool, options, workers)
    except BaseException:
        # stopped early (Ctrl-C, a broken target): end our workers now rather than after
        # the pairs they are aligning; nothing they would send back is wanted
        processes = list((pool._processes or {}).values())  # noqa: SLF001 - the pool's own workers
        pool.shutdown(wait=False, cancel_futures=True)
        for p in processes:
            p.terminate()
        for p in processes:
            p.join(timeout=5)  # reaped here, not left as zombies
        raise
    else:
        pool.shutdown(wait=True)
