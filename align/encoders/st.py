"""Sentence-transformers models (e.g. LaBSE) as encoders (optional extra `st`).

A model is a local folder holding a complete saved model, or a hub id ("owner/name") found in
the Hugging Face cache. A hub id missing from the cache is downloaded into it by
sentence-transformers itself, as `SentenceTransformer(id)` would, unless HF_HUB_OFFLINE is set
or the hub cannot be reached: then a one-line ModelError names the id and how to get the model.
Once on disk every model loads with the hub switched offline. Importing sentence-transformers
takes seconds (torch), so it happens only when such a model is actually used (or downloaded).
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


def _offline() -> bool:
    return any(os.environ.get(v, "").strip().lower() in ("1", "true", "yes", "on")
               for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def _cached_snapshot(model_id: str) -> Path | None:
    """The model's folder in the Hugging Face cache, or None when it is not there."""
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(model_id, local_files_only=True))
    except Exception:  # noqa: BLE001 - every way of "not cached" (missing repo, revision, files)
        return None


def hub_folder(model_id: str) -> Path:
    """The folder of hub model `model_id`: from the cache, or downloaded by sentence-transformers
    (only the files it needs) when the hub is reachable and offline mode is off."""
    folder = _cached_snapshot(model_id)
    if folder is not None:
        return folder
    how = (f"download it where the hub is reachable (python -c \"from sentence_transformers import "
           f"SentenceTransformer; SentenceTransformer('{model_id}')\") and copy the Hugging Face cache, "
           f"or save it as a folder under models/ (see models/README.md)")
    if _offline():
        raise ModelError(f"model {model_id!r} is not in the Hugging Face cache and HF_HUB_OFFLINE is set: {how}")
    try:
        from huggingface_hub import HfApi
        from huggingface_hub.utils import logging as hf_logging

        hf_logging.set_verbosity_error()  # its retry warnings would bury the one-line error
        HfApi().model_info(model_id, timeout=15)  # one request: an unreachable hub answers at once
        from sentence_transformers import SentenceTransformer

        SentenceTransformer(model_id, device="cpu")
    except Exception as e:  # noqa: BLE001 - no network, no such repo, gated model...
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ModelError(f"model {model_id!r} is not in the Hugging Face cache and could not be "
                         f"downloaded ({first[:160]}): {how}") from None
    folder = _cached_snapshot(model_id)
    if folder is None:
        raise ModelError(f"model {model_id!r} loaded but left no snapshot in the Hugging Face cache: {how}")
    return folder


class SentenceTransformerEncoder(ModelEncoder):
    """A sentence-transformers model saved in a local folder, loaded offline on CPU."""

    batch_size = 64

    def __init__(self, folder: Path, *, threads: int = 1, name: str | None = None) -> None:
        super().__init__(threads=threads)
        if not available():
            raise ModelError(MISSING)
        problem = folder_problem(folder)
        if problem:
            raise ModelError(f"model folder {folder}: {problem}; see models/README.md")
        self.folder = folder.resolve()
        self.name = f"st:{name or folder.name}"
        self._cache_key = f"{self.name}@{fingerprint(self.folder)}"
        self._dim: int | None = None

    @classmethod
    def from_hub(cls, model_id: str, *, threads: int = 1) -> SentenceTransformerEncoder:
        """The hub model `model_id` from the Hugging Face cache, downloaded into it first when
        it is missing and the hub is reachable (not with HF_HUB_OFFLINE=1)."""
        if not available():
            raise ModelError(MISSING)
        return cls(hub_folder(model_id), threads=threads, name=model_id)

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
