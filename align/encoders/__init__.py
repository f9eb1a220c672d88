"""Sentence encoders (the `embed` step): a name in, an Encoder out.

Names: "use-m3" (default, built in), "e5-small" (extra `e5`), local sentence-transformers
folders (extra `st`) given as `st:PATH`, a PATH, or a NAME meaning the folder models/NAME, and
model ids on the Hugging Face hub such as "sentence-transformers/LaBSE", loaded the way
sentence-transformers loads them: from the hub's cache, downloading into it first only when the
model is not cached and the hub is reachable (never with HF_HUB_OFFLINE=1).
The models directory is $ALIGN_MODELS_DIR, else ./models.

Importing this package imports no model library; each loads on the first encode that needs it.
"""

from __future__ import annotations

import importlib
import os
import re
import time
from pathlib import Path

from align.encoders.base import Encoder, ModelInfo, ModelKind
from align.encoders.cache import CachedEncoder, CacheWarning, EmbeddingStore, default_cache_dir
from align.errors import ModelError, UsageError

__all__ = [
    "BUILT_INS",
    "CacheWarning",
    "CachedEncoder",
    "DEFAULT_MODEL",
    "EmbeddingStore",
    "Encoder",
    "ModelInfo",
    "ModelKind",
    "default_cache_dir",
    "default_models_dir",
    "get_encoder",
    "list_models",
]

DEFAULT_MODEL = "use-m3"
BUILT_INS: dict[str, tuple[str, str, str]] = {
    # name: (module, class, what it is)
    "use-m3": ("align.encoders.use_m3", "UseM3Encoder", "USE multilingual v3 (numpy)"),
    "e5-small": ("align.encoders.e5", "E5SmallEncoder", "multilingual-e5-small, 4-bit"),
}


def default_models_dir() -> Path:
    """$ALIGN_MODELS_DIR, else ./models (relative to the current directory)."""
    env = os.environ.get("ALIGN_MODELS_DIR")
    return Path(env).expanduser() if env else Path("models")


# owner/name as the hub spells model ids; anything else with a slash is a path
_HUB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*")


def _model_folder(spec: str, models_dir: Path | None) -> Path | str:
    """Where a non-built-in model name points: a folder (a path, or a name under models/), or
    a hub model id (returned as the string) when it has the hub's owner/name form and no such
    folder exists here."""
    path = Path(spec).expanduser()
    if path.is_dir():
        return path
    if _HUB_ID.fullmatch(spec) and not spec.startswith("."):
        return spec
    looks_like_path = os.sep in spec or "/" in spec or spec.startswith((".", "~"))
    if looks_like_path:
        return path
    folder = (models_dir if models_dir is not None else default_models_dir()) / spec
    if not folder.exists():
        raise ModelError(
            f"unknown model {spec!r}: not one of {', '.join(BUILT_INS)}, no folder {folder}, "
            "and not a hub id such as sentence-transformers/LaBSE (run `align models`)"
        )
    return folder


def _make_encoder(
    name: str, *, threads: int, models_dir: Path | None, cache_dir: Path | None = None
) -> Encoder:
    """The bare encoder for `name`; `cache_dir` (None: no disk cache) also holds model snapshots."""
    if name == "use-m3":
        from align.encoders.use_m3 import UseM3Encoder

        return UseM3Encoder(threads=threads, snapshot_dir=cache_dir)
    if name in BUILT_INS:
        module, cls, _ = BUILT_INS[name]
        return getattr(importlib.import_module(module), cls)(threads=threads)
    spec = name.removeprefix("st:")
    if not spec:
        raise UsageError("model name is empty: use use-m3, e5-small, st:PATH or a folder name")
    from align.encoders.st import SentenceTransformerEncoder

    where = _model_folder(spec, models_dir)
    if isinstance(where, str):
        return SentenceTransformerEncoder.from_hub(where, threads=threads)
    return SentenceTransformerEncoder(where, threads=threads)


def get_encoder(
    name: str = DEFAULT_MODEL,
    *,
    threads: int = 1,
    cache: bool = True,
    cache_dir: Path | None = None,
    models_dir: Path | None = None,
) -> Encoder:
    """The encoder called `name`, wrapped in the embedding cache unless cache=False.

    The cache folder is `cache_dir`, else default_cache_dir(); cache=False also skips the
    use-m3 load snapshot kept there. Checks cheaply that the model can be found (raises
    ModelError if not); the model itself loads on the first encode that misses the cache.
    """
    models_dir = Path(models_dir) if models_dir is not None else None
    if not cache:
        return _make_encoder(name, threads=threads, models_dir=models_dir)
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    encoder = _make_encoder(name, threads=threads, models_dir=models_dir, cache_dir=folder)
    return CachedEncoder(encoder, EmbeddingStore(folder))


def list_models(*, models_dir: Path | None = None, check: bool = False) -> list[ModelInfo]:
    """The built-in models and every folder under the models directory, with availability.

    By default only files and importability are checked (fast). With check=True each
    available model is loaded and encodes one sentence, and detail gives dim and load time.
    """
    infos: list[ModelInfo] = []
    for name, (_, _, what) in BUILT_INS.items():
        infos.append(_info(name, "built-in", None, what, check))
    folder = models_dir if models_dir is not None else default_models_dir()
    if folder.is_dir():
        for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
            infos.append(_info(sub.name, "sentence-transformers folder", sub, "", check, folder))
    return infos


def _info(
    name: str, kind: ModelKind, path: Path | None, what: str, check: bool, models_dir: Path | None = None
) -> ModelInfo:
    where = str(path) if path is not None else None
    try:
        encoder = _make_encoder(name, threads=1, models_dir=models_dir)
    except ModelError as e:
        return ModelInfo(name, kind, where, False, str(e))
    dim = encoder.known_dim()
    parts = [what] if what else []
    if not check:
        parts.append(f"{dim}-d" if dim else "files present (not loaded)")
        return ModelInfo(name, kind, where, True, ", ".join(parts))
    start = time.perf_counter()
    try:
        dim = encoder.encode(["check"]).shape[1]
    except ModelError as e:
        return ModelInfo(name, kind, where, False, str(e))
    parts += [f"{dim}-d", f"loaded in {time.perf_counter() - start:.1f} s"]
    return ModelInfo(name, kind, where, True, ", ".join(parts))
