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


MAX_ENCODED_CHARS = 4000
"""The most characters of one text an encoder is given at once.

A longer "sentence" (a paragraph without punctuation, a table or a list flattened into one
line, a whole file on one line) is split for encoding into pieces of at most this many
characters, cut at a clause mark or else at white space (`split_for_encoding`); each piece is
encoded and their vectors, weighted by length, summed into the sentence's vector. Split, not
truncated: use-m3 (the default) pools over every token with no window, so truncating would
throw away evidence it uses today, and a sum of piece vectors is the same kind of evidence
the aligner already scores multi-sentence spans with. What the cap bounds is memory: use-m3
needs about 18 KB per token, so a 5 MB line took 17.5 GB; now one piece at a time, at most
about 70 MB. No sentence of the development data or of a joined span the aligner encodes
reaches the cap, so alignments there are unchanged (bench/memory_bound.py checks).
"""
_CLAUSE_MARKS = "。．！？!?;；:：、，,"


def split_for_encoding(text: str, limit: int = MAX_ENCODED_CHARS) -> list[str]:
    """`text` in consecutive pieces of at most `limit` characters that join back into it, each
    cut after the last clause mark in the second half of its window, else after its last
    white space, else at `limit` (a script written without spaces and without punctuation)."""
    pieces: list[str] = []
    start, n = 0, len(text)
    while n - start > limit:
        end = start + limit
        floor = start + limit // 2
        cut = max(text.rfind(m, floor, end) for m in _CLAUSE_MARKS) + 1
        if cut <= floor:
            cut = max(text.rfind(" ", floor, end), text.rfind("\n", floor, end), text.rfind("\u3000", floor, end)) + 1
        if cut <= floor:
            cut = end
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


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
        """Embed `texts`; a text longer than MAX_ENCODED_CHARS is encoded as its pieces (see
        `split_for_encoding`), whose vectors, weighted by their length, make its vector."""
        items = check_texts(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.load()
        cut = [split_for_encoding(t) if len(t) > MAX_ENCODED_CHARS else None for t in items]
        flat = [p for t, c in zip(items, cut, strict=True) for p in (c if c is not None else (t,))]
        out = np.empty((len(flat), self.dim), dtype=np.float32)
        with thread_limit(self.threads):
            for i in range(0, len(flat), self.batch_size):
                batch = flat[i : i + self.batch_size]
                out[i : i + len(batch)] = self._encode_batch(self._model, batch)
        if len(flat) == len(items):
            return normalise_rows(out)
        whole = np.empty((len(items), self.dim), dtype=np.float32)
        k = 0
        for i, c in enumerate(cut):
            if c is None:
                whole[i] = out[k]
                k += 1
            else:
                weights = np.fromiter(map(len, c), dtype=np.float32, count=len(c))
                whole[i] = weights @ normalise_rows(out[k : k + len(c)])
                k += len(c)
        return normalise_rows(whole)
