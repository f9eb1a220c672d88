"""The engines that run a batch's pairs, registered by name as the export formats are
(align.formats.FORMATS): each module is imported only when its engine is chosen, so Ray is
never imported unless `--engine ray` asks for it.

An engine module has `engine(options, *, workers, address)`, a context manager giving an
Engine: `start(job)` hands a pair to a worker and returns a handle, `result(handle)` waits for
that pair's PairOutcome; `window` is how many pairs may be in flight at once.
"""

from __future__ import annotations

import importlib
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Literal, Protocol

from align.batch.jobs import PairJob, PairOutcome
from align.errors import UsageError

if TYPE_CHECKING:
    from align.pipeline import PairOptions

EngineName = Literal["local", "ray"]
ENGINES: dict[str, str] = {
    "local": "align.batch.local",
    "ray": "align.batch.ray_engine",
}
"""Engine name → the module that implements it; imported on first use."""


class Engine(Protocol):
    """A running engine: pairs in, outcomes out (in any order; the caller restores it)."""

    window: int

    def start(self, job: PairJob) -> Any:
        """Hand `job` to a worker; a handle to its result."""

    def result(self, handle: Any) -> PairOutcome:
        """Wait for the outcome of a started job."""


def check_engine(name: str, *, workers: int = 1, address: str | None = None) -> None:
    """UsageError unless `name` is an engine and `workers` and `address` fit it (checked before
    a batch touches its target)."""
    if name not in ENGINES:
        raise UsageError(f"unknown engine {name!r}; use one of {', '.join(ENGINES)}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise UsageError(f"workers must be a whole number >= 1, got {workers!r}")
    if address is not None and name != "ray":
        raise UsageError("--ray-address needs --engine ray")


def open_engine(name: str, options: PairOptions, *, workers: int = 1, address: str | None = None) -> AbstractContextManager[Engine]:
    """The engine called `name`, started (and stopped when the block ends)."""
    check_engine(name, workers=workers, address=address)
    return importlib.import_module(ENGINES[name]).engine(options, workers=workers, address=address)
