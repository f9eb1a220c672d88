"""Collections: many document pairs aligned in one run (`align batch`), each exactly as
`align add` aligns a pair, into a corpus or a Parquet dataset.

Modules: `discovery` (the pairs of a folder or a manifest), `jobs` (one pair as work, and the
function every worker runs), `engines` (the registry: `local` processes, `ray` tasks), `local`
and `ray_engine` (the engines), `sinks` (the corpus or dataset the driver alone writes, and
what it holds already) and `run` (plan, run, store in order, report).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from align.batch.discovery import LAYOUTS, Discovery, discover
    from align.batch.engines import ENGINES
    from align.batch.jobs import Failure, PairSpec
    from align.batch.run import BatchReport, run_batch

__all__ = ["ENGINES", "LAYOUTS", "BatchReport", "Discovery", "Failure", "PairSpec", "discover", "run_batch"]
_HOME = {"LAYOUTS": "discovery", "Discovery": "discovery", "discover": "discovery", "ENGINES": "engines",
         "Failure": "jobs", "PairSpec": "jobs", "BatchReport": "run", "run_batch": "run"}  # fmt: skip


def __getattr__(name: str) -> Any:
    # lazy, so `align --help` (which shows the layouts) does not import the runner
    if name in _HOME:
        import importlib

        return getattr(importlib.import_module(f"align.batch.{_HOME[name]}"), name)
    raise AttributeError(f"module 'align.batch' has no attribute {name!r}")
