"""The embedding cache: same vectors back, only changed sentences encoded, never fatal."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.encoders import CachedEncoder, CacheWarning, EmbeddingStore, get_encoder
from align.encoders.base import Encoder
from align.encoders.cache import DB_NAME, default_cache_dir, text_key
from data_paths import CMAC


class Recording(Encoder):
    """Wraps an encoder and records every text that reaches it."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.name = inner.name
        self.seen: list[str] = []

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def cache_key(self) -> str:
        return self.inner.cache_key

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.seen += list(texts)
        return self.inner.encode(texts)


class HashEncoder(Encoder):
    """A deterministic stand-in model (vectors from a hash of the text), for cache logic only."""

    name = "hash-test"
    dim = 8  # type: ignore[assignment]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest(), dtype=np.uint8)[:8] for t in texts]
        v = np.array(rows, dtype=np.float32).reshape(len(texts), 8) + 1.0
        return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def use_m3() -> Encoder:
    return get_encoder("use-m3", cache=False)


@pytest.fixture(scope="module")
def speech() -> list[str]:
    return (CMAC / "ja.sent").read_text(encoding="utf-8").splitlines()


def test_cache_returns_identical_vectors_and_counts(use_m3: Encoder, speech: list[str], tmp_path: Path) -> None:
    first = CachedEncoder(use_m3, EmbeddingStore(tmp_path))
    a = first.encode(speech)
    assert (first.hits, first.misses) == (0, len(set(speech)))
    assert first.hits + first.misses == len(speech)
    np.testing.assert_array_equal(a, use_m3.encode(speech))

    again = CachedEncoder(Recording(use_m3), EmbeddingStore(tmp_path))
    b = again.encode(speech)
    assert b.dtype == np.float32 and b.shape == a.shape
    np.testing.assert_array_equal(a, b)
    assert (again.hits, again.misses) == (len(speech), 0)
    assert again.inner.seen == []  # type: ignore[attr-defined]


def test_only_changed_sentences_are_encoded(use_m3: Encoder, speech: list[str], tmp_path: Path) -> None:
    CachedEncoder(use_m3, EmbeddingStore(tmp_path)).encode(speech)
    corrected = list(speech)
    corrected[2] = corrected[2] + "（訂正）"
    corrected.insert(5, "新しく加えた文です。")
    recorder = Recording(use_m3)
    cached = CachedEncoder(recorder, EmbeddingStore(tmp_path))
    v = cached.encode(corrected)
    assert recorder.seen == [corrected[2], "新しく加えた文です。"]
    assert cached.misses == 2 and cached.hits == len(corrected) - 2
    np.testing.assert_allclose(v, use_m3.encode(corrected), atol=1e-6)


def test_models_do_not_share_vectors(use_m3: Encoder, tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path)
    CachedEncoder(use_m3, store).encode(["同じ文。"])
    other = CachedEncoder(HashEncoder(), store)
    other.encode(["同じ文。"])
    assert other.misses == 1


def test_get_encoder_caches_in_the_given_folder(tmp_path: Path) -> None:
    encoder = get_encoder("use-m3", cache_dir=tmp_path)
    assert isinstance(encoder, CachedEncoder) and encoder.name == "use-m3"
    encoder.encode(["a", "b"])
    assert (tmp_path / DB_NAME).is_file()
    assert not isinstance(get_encoder("use-m3", cache=False), CachedEncoder)


def test_default_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("ALIGN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "align"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / ".cache" / "align"


def test_two_cached_encoders_on_one_folder(tmp_path: Path) -> None:
    one = CachedEncoder(HashEncoder(), EmbeddingStore(tmp_path))
    two = CachedEncoder(HashEncoder(), EmbeddingStore(tmp_path))
    one.encode(["a", "b"])
    two.encode(["b", "c"])
    one.encode(["c", "d"])
    assert (one.hits, one.misses) == (1, 3)
    assert (two.hits, two.misses) == (1, 1)


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    code = (
        "import sys, warnings\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from test_cache import HashEncoder\n"
        "from align.encoders import CachedEncoder, CacheWarning, EmbeddingStore\n"
        "warnings.simplefilter('error', CacheWarning)\n"
        "enc = CachedEncoder(HashEncoder(), EmbeddingStore(sys.argv[2]))\n"
        "for r in range(40):\n"
        "    enc.encode([f'shared {r} {i}' for i in range(200)] + [f'{sys.argv[3]} {r}'])\n"
        "print(enc.hits + enc.misses)\n"
    )
    here = str(Path(__file__).parent)
    procs = [
        subprocess.Popen([sys.executable, "-c", code, here, str(tmp_path), tag], stdout=subprocess.PIPE, text=True)
        for tag in ("left", "right")
    ]
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0 and out.strip() == str(40 * 201)
    after = CachedEncoder(HashEncoder(), EmbeddingStore(tmp_path))
    texts = [f"shared {r} {i}" for r in range(40) for i in range(200)] + ["left 39", "right 0"]
    np.testing.assert_array_equal(after.encode(texts), HashEncoder().encode(texts))
    assert after.misses == 0


def test_unwritable_cache_warns_once_and_aligns_anyway(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    cached = CachedEncoder(HashEncoder(), EmbeddingStore(blocker / "cache"))
    with pytest.warns(CacheWarning, match="continuing without the cache") as record:
        a = cached.encode(["x", "y"])
        b = cached.encode(["x", "z"])
    assert len(record) == 1 and str(blocker / "cache") in str(record[0].message)
    np.testing.assert_array_equal(a, HashEncoder().encode(["x", "y"]))
    np.testing.assert_array_equal(b, HashEncoder().encode(["x", "z"]))
    assert cached.misses == 4


def test_corrupt_cache_file_warns_and_aligns_anyway(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"this is not an SQLite database" * 100)
    cached = CachedEncoder(HashEncoder(), EmbeddingStore(tmp_path))
    with pytest.warns(CacheWarning, match=DB_NAME):
        v = cached.encode(["x"])
    np.testing.assert_array_equal(v, HashEncoder().encode(["x"]))


def test_a_damaged_row_is_encoded_again(tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path)
    store.put_many(HashEncoder.name, [text_key("x")], np.ones((1, 3)))
    cached = CachedEncoder(HashEncoder(), store)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = cached.encode(["x"])
    assert cached.misses == 1
    np.testing.assert_array_equal(v, HashEncoder().encode(["x"]))
    assert CachedEncoder(HashEncoder(), store).encode(["x"]).shape == (1, 8)


def test_empty_input(tmp_path: Path) -> None:
    cached = CachedEncoder(HashEncoder(), EmbeddingStore(tmp_path))
    assert cached.encode([]).shape == (0, 8)
    assert (cached.hits, cached.misses) == (0, 0)


@settings(max_examples=60, deadline=None)
@given(batches=st.lists(st.lists(st.sampled_from(["a", "b", "c", "日本", "", " ", "a "]), max_size=8), max_size=4))
def test_cache_is_invisible_except_for_the_counters(batches: list[list[str]], tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("prop")
    cached = CachedEncoder(HashEncoder(), EmbeddingStore(folder))
    seen: set[str] = set()
    for texts in batches:
        before = cached.misses
        np.testing.assert_array_equal(cached.encode(texts), HashEncoder().encode(texts).reshape(len(texts), 8))
        assert cached.misses - before == len(set(texts) - seen)
        seen |= set(texts)
    assert cached.hits + cached.misses == sum(map(len, batches))


def test_an_interrupted_run_keeps_what_it_encoded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import align.encoders.cache as cache_module

    monkeypatch.setattr(cache_module, "_SAVE_EVERY", 3)

    class Interrupted(HashEncoder):
        calls = 0

        def encode(self, texts: Sequence[str]) -> np.ndarray:
            self.calls += 1
            if self.calls == 2:
                raise KeyboardInterrupt
            return super().encode(texts)

    texts = [f"s{i}" for i in range(7)]
    with pytest.raises(KeyboardInterrupt):
        CachedEncoder(Interrupted(), EmbeddingStore(tmp_path)).encode(texts)
    resumed = CachedEncoder(HashEncoder(), EmbeddingStore(tmp_path))
    resumed.encode(texts)
    assert (resumed.hits, resumed.misses) == (3, 4)

