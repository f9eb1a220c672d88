"""Local sentence-transformers folders (e.g. LaBSE) as encoders (optional extra `st`).

Nothing is downloaded: the folder must hold a complete saved model, and the hub is switched
offline before sentence-transformers is imported. The import alone takes seconds (torch), so
it happens only when such a model is actually used.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from align.encoders.base import ModelEncoder
from align.errors import ModelError

MISSING = (
    "sentence-transformers models need the st extra: "
    "pip install torch==2.13.0 && pip install 'align[st]'"
)
WEIGHT_PATTERNS = ("*.safetensors", "pytorch_model*.bin", "*.onnx")


def available() -> bool:
    """Whether sentence-transformers and torch can be imported (without importing them)."""
    return all(importlib.util.find_spec(m) is not None for m in ("sentence_transformers", "torch"))


def folder_problem(folder: Path) -> str | None:
    """Why `folder` is not a loadable sentence-transformers model, or None if it looks fine.

    Checks files only (modules.json and the weights its modules point at); loads nothing.
    """
    if not folder.is_dir():
        return "no such folder"
    modules_file = folder / "modules.json"
    if not modules_file.is_file():
        return "no modules.json, so not a sentence-transformers model"
    try:
        modules = json.loads(modules_file.read_text(encoding="utf-8"))
        paths = {folder / str(m.get("path", "")) for m in modules}
    except (OSError, ValueError, TypeError, AttributeError) as e:
        return f"modules.json is unreadable ({e})"
    if not any(any(p.glob(pat)) for p in paths | {folder} for pat in WEIGHT_PATTERNS):
        return "no weights (*.safetensors or pytorch_model.bin)"
    return None


def fingerprint(folder: Path) -> str:
    """A short hash of the model's configuration and weight sizes, for the embedding cache.

    Two copies of the same model share it; a retrained model under the same name does not.
    """
    h = hashlib.blake2b(digest_size=6)
    for f in sorted(folder.rglob("*")):
        if not f.is_file():
            continue
        rel = f.relative_to(folder).as_posix()
        if f.suffix == ".json":
            h.update(rel.encode() + f.read_bytes())
        elif any(f.match(p) for p in WEIGHT_PATTERNS):
            h.update(f"{rel}:{f.stat().st_size}".encode())
    return h.hexdigest()


class SentenceTransformerEncoder(ModelEncoder):
    """A sentence-transformers model saved in a local folder, loaded offline on CPU."""

    batch_size = 64

    def __init__(self, folder: Path, *, threads: int = 1) -> None:
        super().__init__(threads=threads)
        if not available():
            raise ModelError(MISSING)
        problem = folder_problem(folder)
        if problem:
            raise ModelError(f"model folder {folder}: {problem}; see models/README.md")
        self.folder = folder.resolve()
        self.name = f"st:{folder.name}"
        self._cache_key = f"{self.name}@{fingerprint(self.folder)}"
        self._dim: int | None = None

    @property
    def dim(self) -> int:
        if self._dim is None:
            self.load()
            model = self._model
            get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
            self._dim = int(get())
        return self._dim

    def known_dim(self) -> int | None:
        return self._dim

    @property
    def cache_key(self) -> str:
        return self._cache_key

    def _load(self) -> Any:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no "Loading weights" bar
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ModelError(f"{MISSING} ({e})") from None
        try:
            return SentenceTransformer(str(self.folder), device="cpu", local_files_only=True)
        except Exception as e:  # noqa: BLE001 - any failure here means a bad folder
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ModelError(
                f"model folder {self.folder} did not load as a sentence-transformers model: {first}"
            ) from None

    def _encode_batch(self, model: Any, texts: list[str]) -> np.ndarray:
        import torch

        torch.set_num_threads(self.threads)
        return model.encode(
            texts,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
