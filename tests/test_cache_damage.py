"""Damaged bytes in the embedding cache or the use-m3 snapshot are never used: a cached row
carries a CRC-32 and must hold finite values, the snapshot a CRC-32 per array; damage is
warned about once and the vectors or the model are made again (issue 12, finding 7)."""

from __future__ import annotations

import json
import sqlite3
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest

from align.encoders import CachedEncoder, CacheWarning, EmbeddingStore, get_encoder
from align.encoders.cache import DB_NAME, text_key
from cli_helpers import run
from data_paths import CMAC
from test_cache import HashEncoder

TEXTS = ["x", "y", "z", "日本"]


def _cached(folder: Path) -> CachedEncoder:
    return CachedEncoder(HashEncoder(), EmbeddingStore(folder))


def _vector_rows(folder: Path) -> sqlite3.Connection:
    """A connection to the cache file."""
    return sqlite3.connect(folder / DB_NAME)


def _table(con: sqlite3.Connection) -> str:
    """The table that holds the vectors (`embeddings` before rows had checksums)."""
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return "vectors" if "vectors" in names else "embeddings"


def _poke_nan(folder: Path, texts: list[str]) -> None:
    """Write NaN over the first value of each text's stored vector, as a careless tool would."""
    con = _vector_rows(folder)
    table = _table(con)
    for t in texts:
        (blob,) = con.execute(f"SELECT vec FROM {table} WHERE key = ?", (text_key(t),)).fetchone()
        damaged = struct.pack("<f", float("nan")) + blob[4:]
        con.execute(f"UPDATE {table} SET vec = ? WHERE key = ?", (damaged, text_key(t)))
    con.commit()
    con.close()


def test_nans_written_into_cached_vectors_are_warned_once_and_encoded_again(tmp_path: Path) -> None:
    _cached(tmp_path).encode(TEXTS)
    _poke_nan(tmp_path, ["x", "z"])
    again = _cached(tmp_path)
    with pytest.warns(CacheWarning, match="2 damaged vectors") as record:
        v = again.encode(TEXTS)
        again.encode(TEXTS)
    assert len(record) == 1
    np.testing.assert_array_equal(v, HashEncoder().encode(TEXTS))
    assert (again.misses, again.hits) == (2, 6)
    healed = _cached(tmp_path)  # the damaged rows were replaced
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        healed.encode(TEXTS)
    assert (healed.misses, healed.hits) == (0, 4)


def test_a_non_finite_vector_is_never_used_even_with_a_right_checksum(tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path)
    bad = np.full((1, 8), np.nan, dtype=np.float32)
    store.put_many(HashEncoder.name, [text_key("x")], bad)  # refused: nothing stored
    from align.encoders.cache import _sealed

    con = _vector_rows(tmp_path)
    assert con.execute("SELECT count(*) FROM vectors").fetchone()[0] == 0
    con.execute("INSERT INTO vectors VALUES (?, ?, ?)", (HashEncoder.name, text_key("x"), _sealed(bad.tobytes())))
    con.commit()
    con.close()
    cached = _cached(tmp_path)
    with pytest.warns(CacheWarning, match="1 damaged"):
        v = cached.encode(["x"])
    np.testing.assert_array_equal(v, HashEncoder().encode(["x"]))


def test_pair_with_a_damaged_cache_gives_the_clean_alignment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tester's case: NaNs in cached vectors changed 44 beads into 43, silently."""
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path))
    clean = run("pair", CMAC / "ja.md", CMAC / "en.md", "-q")
    assert clean.exit_code == 0, clean.output
    con = _vector_rows(tmp_path)
    keys = [r[0] for r in con.execute(f"SELECT key FROM {_table(con)}")]
    table = _table(con)
    for k in keys[::3]:
        (blob,) = con.execute(f"SELECT vec FROM {table} WHERE key = ?", (k,)).fetchone()
        con.execute(f"UPDATE {table} SET vec = ? WHERE key = ?", (struct.pack("<f", float("nan")) * 4 + blob[16:], k))
    con.commit()
    con.close()
    damaged = run("pair", CMAC / "ja.md", CMAC / "en.md", "-q")
    assert damaged.exit_code == 0, damaged.output
    assert damaged.stdout == clean.stdout
    warned = [line for line in damaged.stderr.splitlines() if "damaged vectors" in line]
    assert len(warned) == 1 and warned[0].startswith("warning: embedding cache")


def _snapshot(folder: Path) -> Path:
    """A use-m3 snapshot written from the model loaded in this process."""
    from align.encoders.use_m3 import _PROBE, UseM3Encoder, save_snapshot

    encoder = get_encoder("use-m3", cache=False)
    encoder.load()
    model = encoder._model
    path = UseM3Encoder(snapshot_dir=folder).snapshot_path()
    assert path is not None
    save_snapshot(model, path, model.encode(_PROBE))
    return path


def _damage_table(path: Path) -> None:
    """Flip bytes in the middle of the embedding table: rows no probe sentence touches."""
    data = bytearray(path.read_bytes())
    (n,) = struct.unpack("<Q", data[8:16])
    header = json.loads(data[16 : 16 + n])
    start = -(-(16 + n) // 64) * 64
    offset = header["be.table"][2]
    middle = start + offset + 40_000_000
    data[middle : middle + 512] = bytes(255 - b for b in data[middle : middle + 512])
    path.write_bytes(bytes(data))


def test_damage_to_the_snapshot_outside_the_probe_rows_is_caught(tmp_path: Path) -> None:
    from align.encoders.use_m3 import UseM3Encoder, load_snapshot

    path = _snapshot(tmp_path)
    load_snapshot(path, threads=1)  # sound
    _damage_table(path)
    with pytest.raises(ValueError, match="checksum"):
        load_snapshot(path, threads=1)
    encoder = UseM3Encoder(snapshot_dir=tmp_path)
    with pytest.warns(CacheWarning, match="unreadable.*checksum"):
        model = encoder._load()  # the slow way, and the snapshot written again
    assert encoder.snapshot_writer is not None
    encoder.snapshot_writer.join(60)
    reference = get_encoder("use-m3", cache=False).encode(["京都は日本の古都である。"])
    np.testing.assert_allclose(model.encode(["京都は日本の古都である。"]), reference, atol=1e-5)
    load_snapshot(path, threads=1)  # rewritten whole
