"""The on-disk embedding cache: vectors keyed by model and exact sentence text.

Aligning the same pair again, or a corrected copy of a document, re-encodes only the sentences
that changed. The store is one SQLite file in WAL mode (stdlib, safe with several processes).
A cache that cannot be opened, read or written never stops an alignment: it warns once and
the run goes on without it.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import warnings
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from align.encoders.base import Encoder, check_texts
from align.store.wal import switch_to_wal

DB_NAME = "embeddings.sqlite3"
TABLE = "vectors"
"""Rows of float32 bytes and their CRC-32. (The table `embeddings` of earlier versions held
vectors without a checksum; it is no longer read.)"""
_CRC = 4  # bytes of the CRC-32 (little-endian) after each vector
_CRC_RESIDUE = 0x2144DF1C  # zlib.crc32(data + crc32(data) as 4 little-endian bytes), for any data
_CHUNK = 500  # keys per SELECT ... IN (...), under SQLite's variable limit
_SAVE_EVERY = 2048  # sentences encoded between two cache writes


class CacheWarning(UserWarning):
    """The embedding cache is unusable; alignment goes on without it."""


def default_cache_dir() -> Path:
    """ALIGN_CACHE_DIR, else $XDG_CACHE_HOME/align, else ~/.cache/align."""
    if os.environ.get("ALIGN_CACHE_DIR"):
        return Path(os.environ["ALIGN_CACHE_DIR"]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "align"
    return Path.home() / ".cache" / "align"


def text_key(text: str) -> bytes:
    """16-byte hash of the exact text (no normalisation: any change is a new sentence)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


_OPEN_PATIENCE = 30.0  # seconds to wait for other processes using or creating the file


def _open(path: Path) -> sqlite3.Connection:
    """The store's connection, set up (page size, WAL, table); closed again if setup fails."""
    db = sqlite3.connect(path, timeout=_OPEN_PATIENCE, isolation_level=None)
    try:
        # 16 KiB pages hold seven 2 KiB vectors; 4 KiB pages hold one (half empty).
        # It only takes effect when the file is created.
        db.execute("PRAGMA page_size=16384")
        switch_to_wal(db, patience=_OPEN_PATIENCE)
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (model TEXT NOT NULL, key BLOB NOT NULL,"
            " vec BLOB NOT NULL, UNIQUE (model, key))"
        )
    except BaseException:
        db.close()
        raise
    return db


def _sealed(data: bytes) -> bytes:
    """A vector's bytes followed by their CRC-32, as stored."""
    return data + zlib.crc32(data).to_bytes(_CRC, "little")


def _verified(rows: Sequence[tuple[bytes, bytes]], dim: int | None) -> tuple[dict[bytes, np.ndarray], int]:
    """The vectors of stored (key, blob) rows whose CRC-32 matches and whose values are all
    finite, and how many rows were damaged (a blob of another length is another dim: left
    out, not counted)."""
    by_len: dict[int, tuple[list[bytes], list[bytes]]] = {}
    damaged = 0
    for key, blob in rows:
        n = len(blob)
        if n <= _CRC or n % 4 or (dim is not None and n != 4 * dim + _CRC):
            continue
        if zlib.crc32(blob) != _CRC_RESIDUE:  # the CRC of data + its CRC is this constant
            damaged += 1
            continue
        group = by_len.setdefault(n, ([], []))
        group[0].append(key)
        group[1].append(blob)
    out: dict[bytes, np.ndarray] = {}
    for n, (keys, blobs) in by_len.items():
        block = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), n // 4)[:, :-1]
        finite = np.isfinite(block).all(axis=1)
        damaged += len(keys) - int(finite.sum())
        out.update((key, row) for key, row, ok in zip(keys, block, finite, strict=True) if ok)
    return out, damaged


class EmbeddingStore:
    """float32 vectors in SQLite, keyed by (model cache key, text hash).

    float32, not float16: a cached run then gives bit for bit the alignment an uncached one
    does (float16 moves cosines by up to 6e-5, while top-two gaps on Kyoto go down to 3e-5).
    A rowid table with 16 KiB pages: 100k 512-d vectors take 240 MB, put 1.2-1.3 s, get 0.65 s
    on the shared 2-core machine (bench/cache_speed.py; 1.2 s and 0.6 s before rows carried a
    checksum). Each row carries a CRC-32 of its bytes, checked on every read.

    Opens on first use. Any SQLite or file-system error disables the store for the rest of
    the process, with one CacheWarning naming the file and the reason.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_dir()
        self.path = self.folder / DB_NAME
        self._db: sqlite3.Connection | None = None
        self.disabled = False
        self.warned_damage = False

    def _fail(self, action: str, error: Exception) -> None:
        self.disabled = True
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None
        warnings.warn(
            f"embedding cache {self.path} could not {action} ({error}); continuing without the "
            "cache (fix or delete the file, set ALIGN_CACHE_DIR, or use --no-cache)",
            CacheWarning,
            stacklevel=4,
        )

    def _connect(self) -> sqlite3.Connection | None:
        if self.disabled:
            return None
        if self._db is None:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._db = _open(self.path)
            except (sqlite3.Error, OSError) as e:
                self._fail("be opened", e)
                return None
        return self._db

    def get_many(self, model: str, keys: Sequence[bytes], dim: int | None) -> dict[bytes, np.ndarray]:
        """The stored vectors for `keys` (missing keys are left out).

        A stored blob of another length (another dim) counts as missing. A damaged one (its
        CRC-32 does not match, or a value is not finite) counts as missing too, so it is
        encoded again and replaced, with one CacheWarning per store: damaged bytes are never
        used.
        """
        db = self._connect()
        if db is None or not keys:
            return {}
        found: dict[bytes, np.ndarray] = {}
        damaged = 0
        try:
            for i in range(0, len(keys), _CHUNK):
                part = keys[i : i + _CHUNK]
                marks = ",".join("?" * len(part))
                rows = db.execute(
                    f"SELECT key, vec FROM {TABLE} WHERE model = ? AND key IN ({marks})",
                    (model, *part),
                ).fetchall()
                got, damaged_here = _verified(rows, dim)
                found.update(got)
                damaged += damaged_here
        except sqlite3.Error as e:
            self._fail("be read", e)
            return {}
        if damaged and not self.warned_damage:
            self.warned_damage = True
            warnings.warn(
                f"embedding cache {self.path}: {damaged} damaged vectors (checksum or non-finite values) "
                "were ignored and are encoded again",
                CacheWarning,
                stacklevel=4,
            )
        if dim is None and len({v.shape for v in found.values()}) > 1:
            return {}  # rows of different lengths: trust none of them
        return found

    def put_many(self, model: str, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        """Store rows of `vectors` under `keys` (replacing what was there) in one transaction,
        each with its CRC-32; rows with a non-finite value are not stored."""
        db = self._connect()
        if db is None or not keys:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        finite = np.isfinite(vectors).all(axis=1) if vectors.size else np.ones(len(vectors), dtype=bool)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                f"INSERT OR REPLACE INTO {TABLE} (model, key, vec) VALUES (?, ?, ?)",
                ((model, k, _sealed(v.tobytes())) for k, v, ok in zip(keys, vectors, finite, strict=True) if ok),
            )
            db.execute("COMMIT")
        except sqlite3.Error as e:
            try:
                db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            self._fail("be written", e)

    def close(self) -> None:
        """Close the database connection (reopened on next use)."""
        if self._db is not None:
            self._db.close()
            self._db = None


class CachedEncoder(Encoder):
    """An encoder that asks the store first and encodes only what it has not seen.

    `misses` counts the sentences actually sent to the model, `hits` those served without it
    (from the store, or a repeat within the same call); hits + misses = sentences asked for.
    The inner model is not even loaded when everything is a hit.
    """

    def __init__(self, inner: Encoder, store: EmbeddingStore) -> None:
        self.inner = inner
        self.store = store
        self.name = inner.name
        self.hits = 0
        self.misses = 0

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def cache_key(self) -> str:
        return self.inner.cache_key

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        items = check_texts(texts)
        if not items:
            return self.inner.encode([])
        keys = [text_key(t) for t in items]
        unique = list(dict.fromkeys(keys))
        found = self.store.get_many(self.cache_key, unique, self.inner.known_dim())
        todo = [k for k in unique if k not in found]
        first_text = dict(zip(keys, items, strict=True))
        for i in range(0, len(todo), _SAVE_EVERY):  # an interrupted long run keeps its work
            part = todo[i : i + _SAVE_EVERY]
            new = self.inner.encode([first_text[k] for k in part])
            self.store.put_many(self.cache_key, part, new)
            found.update(zip(part, new, strict=True))
        self.misses += len(todo)
        self.hits += len(items) - len(todo)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)
