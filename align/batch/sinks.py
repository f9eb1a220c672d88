"""Where a batch stores its pairs: a corpus (SQLite) or a Parquet dataset (a folder of one
Parquet file per document). Only the driver writes, one pair at a time, each all or nothing:
a corpus commits each document in one transaction, a dataset renames each file into place.

Both remember each pair by the sha256 of its two files' bytes and the alignment's signature,
so a rerun skips the pairs already stored as they are (`plan`) and aligns only the rest.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

from align.batch.jobs import PairSpec
from align.errors import CorpusError, UsageError

if TYPE_CHECKING:
    from align.model import Alignment
    from align.store import AddResult

BATCH_HINT = "give this pair its own id (a doc_id column in a manifest), or --replace to re-align it from these files"


class Sink(Protocol):
    """What a batch writes to."""

    target: Path

    def plan(self, pair: PairSpec) -> bool:
        """True when the pair is stored already from these very bytes and settings (skip it);
        raises AlignError when it cannot be stored (its id holds other files)."""

    def write(self, pair: PairSpec, alignment: Alignment) -> AddResult:
        """Store one aligned pair (all or nothing)."""

    def close(self) -> None:
        """Release the target."""


def _fingerprint(pair: PairSpec, signature: str) -> tuple[str, str, str]:
    from align.store.corpus import file_sha256

    try:
        return file_sha256(pair.src), file_sha256(pair.tgt), signature
    except OSError as e:
        raise UsageError(f"{e.filename}: cannot read ({e.strerror})") from None


class CorpusSink:
    """A corpus file (created if missing), written through `Corpus.add_alignment` exactly as
    `align add` writes: a changed pair is re-aligned keeping its reviewed beads."""

    def __init__(self, path: Path, *, signature: str, replace: bool = False) -> None:
        from align.store import Corpus

        self.target = Path(path)
        self.corpus = Corpus(self.target, create=True)
        self.signature, self.replace = signature, replace
        self.stored = self.corpus.fingerprints()

    def plan(self, pair: PairSpec) -> bool:
        # as add: an id that holds other files is refused first (even with the same bytes)
        if self.corpus.check_add(pair.doc_id, pair.src, pair.tgt, replace=self.replace, hint=BATCH_HINT):
            return False  # replacing it: re-aligned from the new files
        return self.stored.get(pair.doc_id) == _fingerprint(pair, self.signature)

    def write(self, pair: PairSpec, alignment: Alignment) -> AddResult:
        return self.corpus.add_alignment(
            alignment, doc_id=pair.doc_id, src_path=pair.src, tgt_path=pair.tgt, replace=self.replace
        )

    def close(self) -> None:
        self.corpus.close()


PART_KEYS = ("doc_id", "src_path", "tgt_path", "src_sha256", "tgt_sha256", "signature", "align_seconds")
"""What each Parquet file of a dataset records about its pair (footer metadata, `align.` keys)."""
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def part_name(doc_id: str) -> str:
    """A dataset file's name for a document: its id made safe for any file system, and a short
    hash of the exact id so that ids made alike (a/b, a_b) never share a file."""
    digest = hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
    return f"{_UNSAFE.sub('_', doc_id).strip('._')[:80] or 'doc'}-{digest}.parquet"


def part_metadata(path: Path) -> dict[str, str] | None:
    """The `align.` footer metadata of a dataset file, or None if it is not one of ours."""
    import pyarrow.parquet as pq

    try:
        raw = pq.read_schema(path).metadata or {}
    except Exception:  # noqa: BLE001 - unreadable or not Parquet: not a finished part
        return None
    meta = {k.decode()[6:]: v.decode() for k, v in raw.items() if k.startswith(b"align.")}
    return meta if "doc_id" in meta else None


class DatasetSink:
    """A folder of Parquet files, one per document (`pl.scan_parquet("DIR/*.parquet")` reads
    them as one table). Every file has the same columns, start/end included (empty but for
    subtitles). A lock file keeps a second batch out of the folder while this one runs."""

    def __init__(self, folder: Path, *, signature: str, replace: bool = False) -> None:
        self.target = folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"{folder}: is a file; --out takes a folder for the Parquet dataset")
        if not folder.parent.is_dir():
            raise UsageError(f"{folder}: the folder {folder.parent} does not exist; create it first")
        folder.mkdir(exist_ok=True)
        self._lock = _lock(folder / ".align-batch.lock")
        for stale in folder.glob(".*.parquet.*.part"):  # a file a killed run was writing
            stale.unlink(missing_ok=True)
        self.signature, self.replace = signature, replace
        self.stored: dict[str, dict[str, str]] = {}
        for path in sorted(folder.glob("*.parquet")):
            meta = part_metadata(path)
            if meta is not None and path.name == part_name(meta["doc_id"]):
                self.stored[meta["doc_id"]] = meta

    def plan(self, pair: PairSpec) -> bool:
        from align.store.corpus import owner_conflict

        old = self.stored.get(pair.doc_id)
        if old is None:
            return False
        why = owner_conflict(pair.doc_id, old.get("src_path"), old.get("tgt_path"), "align", pair.src, pair.tgt)
        if why:
            if not self.replace:
                raise CorpusError(f"{self.target}: {why}; {BATCH_HINT}")
            return False
        return (old.get("src_sha256"), old.get("tgt_sha256"), old.get("signature")) == _fingerprint(pair, self.signature)

    def write(self, pair: PairSpec, alignment: Alignment) -> AddResult:
        from align.formats import rows_from_alignment, write_rows
        from align.store import AddResult
        from align.store.corpus import document_sha256

        # the bytes that were aligned, as a corpus records them (not the files read again)
        src_sha, tgt_sha = document_sha256(alignment.src, pair.src), document_sha256(alignment.tgt, pair.tgt)
        signature = str(alignment.signature)
        seconds = alignment.stats.get("total_s")
        meta = dict(zip(PART_KEYS, (
            pair.doc_id, str(pair.src), str(pair.tgt), src_sha, tgt_sha, signature,
            f"{seconds:.3f}" if isinstance(seconds, float) else "",
        ), strict=True))  # fmt: skip
        rows = rows_from_alignment(alignment, doc_id=pair.doc_id)
        write_rows(rows, self.target / part_name(pair.doc_id), fmt="parquet", include_unaligned=True, timed=True,
                   metadata={f"align.{k}": v for k, v in meta.items()})  # fmt: skip
        action = "realigned" if pair.doc_id in self.stored else "added"
        self.stored[pair.doc_id] = meta
        return AddResult(action, pair.doc_id, len(alignment.beads))

    def close(self) -> None:
        self._lock.close()


def _lock(path: Path) -> IO[str]:
    """An exclusive lock on `path`, held while the returned file stays open."""
    import fcntl

    f = open(path, "a", encoding="utf-8")  # noqa: SIM115 - held open as the lock
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        raise CorpusError(f"{path.parent}: another align batch is writing this dataset; wait for it to end") from None
    return f


@contextlib.contextmanager
def open_sink(*, corpus: Path | None, out: Path | None, signature: str, replace: bool = False):  # noqa: ANN201
    """The corpus or the dataset a batch writes to (exactly one of them), closed afterwards."""
    if (corpus is None) == (out is None):
        raise UsageError("give either a corpus file or an output folder (a Parquet dataset)")
    sink: CorpusSink | DatasetSink = (
        CorpusSink(corpus, signature=signature, replace=replace) if corpus is not None
        else DatasetSink(out, signature=signature, replace=replace)  # type: ignore[arg-type]
    )  # fmt: skip
    try:
        yield sink
    finally:
        sink.close()
