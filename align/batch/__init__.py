"""Collections: many document pairs aligned in one run (`align batch`), each exactly as
`align add` aligns a pair, into a corpus or a Parquet dataset.

Modules: `discover` (the pairs of a folder or a manifest), `jobs` (one pair as work, and the
function every worker runs), `engines` (the registry: `local` processes, `ray` tasks), `local`
and `ray_engine` (the engines), `sinks` (the corpus or dataset the driver alone writes, and
what it holds already) and `run` (plan, run, store in order, report).
"""

from __future__ import annotations

from align.batch.discover import LAYOUTS, Discovery, discover
from align.batch.engines import ENGINES
from align.batch.jobs import Failure, PairSpec
from align.batch.run import BatchReport, run_batch

__all__ = ["ENGINES", "LAYOUTS", "BatchReport", "Discovery", "Failure", "PairSpec", "discover", "run_batch"]
