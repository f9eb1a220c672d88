"""The Encoder interface every embedding model implements, and the batching they share.

An encoder turns sentences into L2-normalised float32 rows, so that a dot product is a cosine.
Models load lazily on the first encode that needs them: a run whose sentences are all in the
embedding cache never pays for loading a model.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from align.errors import UsageError

ModelKind = Literal["built-in", "sentence-transformers folder"]


@dataclass(frozen=True)
class ModelInfo:
    """One model `align models` lists: what it is, where, and whether it can be used now."""

    name: str
    kind: ModelKind
    path: str | None
    available: bool
    detail: str


class Encoder(ABC):
    """Sentences in, L2-normalised float32 rows out (one row per sentence, in order)."""

    name: str
    """Stable id recorded in the alignment signature, e.g. "use-m3" or "st:LaBSE"."""

    @property
    @abstractmethod
    def dim(self) -> int:
        """Length of each embedding row."""

    def known_dim(self) -> int | None:
        """`dim` if it is known without loading the model, else None."""
        return self.dim

    @property
    def cache_key(self) -> str:
        """What the embedding cache files vectors under: the name plus the model's version."""
        return self.name

    @abstractmethod
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed `texts`: float32 array of shape (len(texts), dim), rows of length 1."""


def check_texts(texts: Sequence[str]) -> list[str]:
    """The texts as a list, refusing anything that is not a list of strings.

    A bare string is refused because iterating it would embed single characters.
    """
    if isinstance(texts, str):
        raise UsageError("encode() takes a list of sentences, not one string: wrap it in [ ]")
    out = list(texts)
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise UsageError(f"encode(): item {i} is {type(t).__name__}, not str")
    return out


def normalise_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 in place (all-zero rows stay zero), as float32."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    norms = np.sqrt(np.einsum("ij,ij->i", x, x))
    norms[norms == 0] = 1.0
    x /= norms[:, None]
    return x


_threadpool_lock = threading.Lock()
_controller: Any = None
_loaded: dict[str, Any] = {}
_load_lock = threading.Lock()


def thread_limit(threads: int) -> Any:
    """A context manager holding BLAS/OpenMP pools at `threads` while encoding.

    With two cores and another busy process, two threads are slower than one, so the count
    is always explicit. The library scan is done once per process (it costs milliseconds).
    """
    global _controller
    from threadpoolctl import ThreadpoolController

    with _threadpool_lock:
        if _controller is None:
            _controller = ThreadpoolController()
        ctl = _controller
    return ctl.limit(limits=threads)


def refresh_thread_controller() -> None:
    """Forget the scanned thread pools: call after loading a library that brings its own."""
    global _controller
    with _threadpool_lock:
        _controller = None


class ModelEncoder(Encoder):
    """An encoder backed by a model that loads on first use and encodes in bounded batches."""

    batch_size: int = 256

    def __init__(self, *, threads: int = 1) -> None:
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise UsageError(f"threads must be a whole number >= 1, got {threads!r}")
        self.threads = threads
        self._model: Any = None

    @abstractmethod
    def _load(self) -> Any:
        """Load and return the model (raises ModelError when it cannot)."""

    @abstractmethod
    def _encode_batch(self, model: Any, texts: list[str]) -> np.ndarray:
        """Embed one batch with the loaded model."""

    def load(self) -> None:
        """Load the model now (otherwise the first encode does), e.g. to time it apart.

        A model is loaded once per process (keyed by `cache_key`) and shared by every
        encoder that names it.
        """
        if self._model is not None:
            return
        with _load_lock:
            model = _loaded.get(self.cache_key)
            if model is None:
                model = _loaded[self.cache_key] = self._load()
                refresh_thread_controller()
        self._model = model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        items = check_texts(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.load()
        out = np.empty((len(items), self.dim), dtype=np.float32)
        with thread_limit(self.threads):
            for i in range(0, len(items), self.batch_size):
                batch = items[i : i + self.batch_size]
                out[i : i + len(batch)] = self._encode_batch(self._model, batch)
        return normalise_rows(out)
