"""One pair of a batch as work: what a worker is given (PairJob, AlignOptions), what it does
(`align_job`: read, segment, encode, align and check, exactly as `align add`), and what it gives
back (PairOutcome). Every engine runs this same function, so their results are the same.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from align.errors import AlignError

if TYPE_CHECKING:
    from align.model import Alignment
    from align.pipeline import PairOptions


@dataclass(frozen=True)
class PairSpec:
    """A document pair of a batch: its id, its two files and their languages."""

    doc_id: str
    src: Path
    tgt: Path
    src_lang: str = "ja"
    tgt_lang: str = "en"


@dataclass(frozen=True)
class Failure:
    """A pair (or a file) the batch could not store, with the one-line reason."""

    doc_id: str | None
    src: str | None
    tgt: str | None
    reason: str


@dataclass(frozen=True)
class PairJob:
    """A pair to align, with its place in the batch (results are stored in that order).

    `data` carries the two files' bytes for workers that may not see the driver's files (Ray
    on a cluster); without it the worker reads the paths.
    """

    index: int
    pair: PairSpec
    data: tuple[bytes, bytes] | None = None


@dataclass(frozen=True)
class PairOutcome:
    """What aligning one pair gave: the alignment, or the one-line reason it failed."""

    index: int
    alignment: Alignment | None
    error: str | None = None
    seconds: float = 0.0

    @property
    def sentences(self) -> int:
        """Sentences of both sides (0 for a failed pair)."""
        a = self.alignment
        return len(a.src) + len(a.tgt) if a is not None else 0


def align_job(job: PairJob, options: PairOptions) -> PairOutcome:
    """Align one pair as `align add` does; any error becomes the outcome's reason, so one bad
    pair never stops a batch (a KeyboardInterrupt still does)."""
    t0 = time.perf_counter()
    try:
        if job.data is None:
            alignment = _align(job.pair.src, job.pair.tgt, job.pair, options)
        else:
            alignment = _align_bytes(job, options)
    except AlignError as e:
        return PairOutcome(job.index, None, str(e), time.perf_counter() - t0)
    except MemoryError:
        return PairOutcome(job.index, None, "out of memory", time.perf_counter() - t0)
    except Exception as e:  # noqa: BLE001 - reported as this pair's failure, the batch goes on
        return PairOutcome(job.index, None, f"internal error: {type(e).__name__}: {e}", time.perf_counter() - t0)
    return PairOutcome(job.index, alignment, None, time.perf_counter() - t0)


def _align(src: Path, tgt: Path, pair: PairSpec, options: PairOptions) -> Alignment:
    from align.pipeline import align_for_corpus

    return align_for_corpus(src, tgt, src_lang=pair.src_lang, tgt_lang=pair.tgt_lang, options=options)


def _align_bytes(job: PairJob, options: PairOptions) -> Alignment:
    """Align the bytes a job carries: written under their own names (the extension says the
    format) into a temporary folder; messages and documents name the driver's paths."""
    import tempfile

    assert job.data is not None  # noqa: S101 - the caller checked
    pair = job.pair
    with tempfile.TemporaryDirectory(prefix="align-batch-") as tmp:
        src, tgt = Path(tmp) / "src" / pair.src.name, Path(tmp) / "tgt" / pair.tgt.name
        for path, data in ((src, job.data[0]), (tgt, job.data[1])):
            path.parent.mkdir()
            path.write_bytes(data)
        try:
            alignment = _align(src, tgt, pair, options)
        except AlignError as e:
            raise type(e)(str(e).replace(str(src), str(pair.src)).replace(str(tgt), str(pair.tgt))) from None
    return replace(
        alignment, src=replace(alignment.src, source=str(pair.src)), tgt=replace(alignment.tgt, source=str(pair.tgt))
    )
