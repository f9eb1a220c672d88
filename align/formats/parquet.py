"""Parquet (zstd), written in batches so memory stays bounded; id lists as lists of int64."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO

from align.errors import UsageError
from align.formats.rows import FIELD_TYPES, IDS, TIME, ExportRow, WriteOptions, WriteResult, atomic_output, columns

PARQUET_BATCH = 50_000


BINARY = True
"""A binary format: never written to stdout."""

def _schema(names: tuple[str, ...]):  # noqa: ANN202
    import pyarrow as pa

    types = {str: pa.string(), int: pa.int64(), float: pa.float64(), IDS: pa.list_(pa.int64()), TIME: pa.float64()}
    return pa.schema([(name, types[FIELD_TYPES[name]]) for name in names])


def _write(rows: Iterable[ExportRow], f: IO[bytes], names: tuple[str, ...], metadata: tuple[tuple[str, str], ...] = ()) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("parquet export needs pyarrow: pip install pyarrow") from None
    schema = _schema(names)
    if metadata:
        schema = schema.with_metadata(dict(metadata))
    n = 0
    with pq.ParquetWriter(f, schema, compression="zstd") as writer:
        batch: list[ExportRow] = []

        def flush() -> None:
            cols = {name: [getattr(r, name) for r in batch] for name in names}
            writer.write_table(pa.table(cols, schema=schema))
            batch.clear()

        for row in rows:
            batch.append(row)
            n += 1
            if len(batch) >= PARQUET_BATCH:
                flush()
        if batch or n == 0:
            flush()
    return n


def write(rows: Iterable[ExportRow], out: Path | None, options: WriteOptions) -> WriteResult:
    """Write rows as Parquet (never to stdout: it is binary); returns (rows written, {})."""
    with atomic_output(out, binary=BINARY, protect=options.protect) as f:
        return _write(rows, f, columns(options), options.metadata), {}
