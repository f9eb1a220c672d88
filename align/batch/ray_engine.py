"""The Ray engine: each pair's read → segment → encode → align is one Ray task, run on whatever
cluster `ray.init` connects to (`address`: None starts a local Ray with `workers` CPUs; "auto"
or "ray://head:10001" joins a running cluster); the driver alone writes the corpus or dataset.

A task gets the pair's bytes with it (the driver reads them), so the workers need no shared
file system: only align installed (`pip install 'align[ray]'`, the same version as the driver)
and a place for the embedding cache (ALIGN_CACHE_DIR on each worker, else ~/.cache/align of the
worker's user). Tasks run `align_job`, the function the local engine runs, so the beads are
the same. Ray is imported only here, when this engine is chosen.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from align.batch.jobs import PairJob, PairOutcome, align_job
from align.errors import UsageError

if TYPE_CHECKING:
    from align.pipeline import PairOptions

WINDOW_PER_CPU = 4
"""Tasks in flight per CPU of the cluster: workers never wait while the driver stores."""


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise UsageError("--engine ray needs Ray, which is not installed: pip install 'align[ray]'") from None
    return ray


class RayTasks:
    """Pairs as Ray tasks of `options.threads` CPUs each."""

    def __init__(self, ray: Any, options: PairOptions, cpus: int) -> None:
        self.ray = ray
        self.task = ray.remote(num_cpus=options.threads, max_retries=1)(align_job)
        self.options = ray.put(options)
        self.window = max(WINDOW_PER_CPU * cpus // options.threads, 2)

    def start(self, job: PairJob) -> Any:
        pair = job.pair
        try:
            data = (pair.src.read_bytes(), pair.tgt.read_bytes())
        except OSError:
            data = None  # the task reads the paths itself, and says what is wrong with them
        return job.index, self.task.remote(PairJob(job.index, pair, data), self.options)

    def result(self, handle: Any) -> PairOutcome:
        index, ref = handle
        try:
            return self.ray.get(ref)
        except self.ray.exceptions.RayError as e:  # a worker died (out of memory, a node lost)
            return PairOutcome(index, None, f"Ray task failed: {' '.join(str(e).split())[:300]}")


@contextlib.contextmanager
def engine(options: PairOptions, *, workers: int = 1, address: str | None = None) -> Iterator[RayTasks]:
    """Connect to Ray (a local instance of `workers` CPUs when `address` is None, unless this
    process has connected already), run the batch's tasks, and disconnect."""
    ray = _ray()
    started = False
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"logging_level": logging.ERROR, "log_to_driver": False}
        if address is None:
            kwargs.update(num_cpus=workers, include_dashboard=False)
        try:
            ray.init(address=address, **kwargs)
        except (ConnectionError, ValueError, RuntimeError) as e:
            raise UsageError(f"cannot connect to Ray at {address or 'a new local instance'}: {' '.join(str(e).split())[:300]}") from None
        started = True
    try:
        cpus = int(ray.cluster_resources().get("CPU", workers))
        yield RayTasks(ray, options, max(cpus, 1))
    finally:
        if started:
            ray.shutdown()
