"""Bounded memory (issue 12, finding 3): what reaches the encoder per sentence is capped (an
over-long "sentence" is encoded in pieces), a file or a side too big to align within the
memory bound is refused before the work with a clear limit and how to split it, and
segmentation stays linear on a long line without punctuation. The big inputs (200 MB, a 5 MB
line) are measured in bench/memory_bound.py; here smaller ones check that the cost is bounded."""

from __future__ import annotations

import os
import subprocess
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import align.errors
import align.pipeline
import align.read.decode
from align.encoders import get_encoder
from align.read.decode import read_bytes
from cli_helpers import ALIGN, one_line_error, run
from data_paths import CLT, CMAC, ROOT


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab 、,。\u3000京x\n")), max_size=400), limit=st.integers(8, 60))
def test_pieces_join_back_and_never_pass_the_limit(text: str, limit: int) -> None:
    from align.encoders.base import split_for_encoding

    pieces = split_for_encoding(text, limit)
    assert "".join(pieces) == text
    assert all(len(p) <= limit for p in pieces)
    assert all(p for p in pieces[:-1])


def test_pieces_end_at_a_clause_mark_or_a_space_where_there_is_one() -> None:
    from align.encoders.base import MAX_ENCODED_CHARS, split_for_encoding

    text = "「人道的地雷対策」に関する日本の支援、" * 400  # a clause mark every 19 characters
    assert all(p.endswith("、") for p in split_for_encoding(text)[:-1])
    words = "mine clearance saves lives " * 400
    assert all(p.endswith(" ") for p in split_for_encoding(words)[:-1])
    assert [len(p) for p in split_for_encoding("京" * 9000)] == [MAX_ENCODED_CHARS, MAX_ENCODED_CHARS, 1000]


@pytest.fixture(scope="module")
def use_m3():  # noqa: ANN201
    encoder = get_encoder("use-m3", cache=False)
    encoder.encode(["warm up"])
    return encoder


def _peak_mb(fn) -> float:  # noqa: ANN001
    """Peak memory Python and numpy allocate while fn() runs, in MB (tracemalloc sees numpy)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def test_encoding_a_long_line_without_punctuation_takes_bounded_memory(use_m3) -> None:  # noqa: ANN001
    """use-m3 needs ~18 KB a token: a 60 KB line (about 14,000 tokens) took ~250 MB at once;
    in pieces it takes what one piece does, whatever the length."""
    words = " ".join(f"mine clearance work number {k} saves many lives in the province" for k in range(1000))
    short, long = words[:15_000], words[:60_000]
    peaks = [_peak_mb(lambda t=t: use_m3.encode([t])) for t in (short, long)]
    assert peaks[1] < 100, peaks
    assert peaks[1] < 1.5 * peaks[0] + 20, peaks  # not 4x for 4x the text


def test_a_long_sentence_in_pieces_keeps_its_meaning(use_m3) -> None:  # noqa: ANN001
    """The vector of a text from its pieces stays close to the model's vector of the whole
    (here 5,600 characters of the speech run together without punctuation)."""
    from align.encoders.base import MAX_ENCODED_CHARS

    en = " ".join((CMAC / "en.sent").read_text(encoding="utf-8").replace(".", "").split())[:5600]
    assert len(en) > MAX_ENCODED_CHARS
    pieces = use_m3.encode([en])[0]
    whole = use_m3._encode_batch(use_m3._model, [en])[0]
    whole /= np.linalg.norm(whole)
    assert float(pieces @ whole) > 0.95
    other = use_m3.encode(["The weather in Kyoto was cold and rainy all week."])[0]
    assert float(pieces @ other) < 0.5


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """A 200 MB input ran past 11.6 GB; now it is refused at once, saying how to split it."""
    big = tmp_path / "book.en.txt"
    with open(big, "wb") as f:
        f.truncate(200 * 2**20)  # sparse: 200 MB that take no disk and would take long to read
    measured = (  # align, then its own peak memory (MB) as the last line on stderr
        "import atexit, resource, sys\n"
        "atexit.register(lambda: print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr))\n"
        "from align.cli import main\nmain()"
    )

    def peak(*args: object) -> tuple[subprocess.CompletedProcess, int]:
        r = subprocess.run([ALIGN[0], "-c", measured, *map(str, args)], capture_output=True, text=True, timeout=120,
                           cwd=ROOT, check=False)  # fmt: skip
        return r, int(r.stderr.strip().splitlines()[-1])

    _, baseline = peak("segment", CMAC / "ja.md")  # a forked child starts from the parent's peak: compare
    r, used = peak("pair", CMAC / "ja.md", big)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip().splitlines()[:-1] == [
        f"error: {big}: 200 MiB, over align's limit of 16 MiB a file (memory); split it into parts "
        "(by chapter or section) and align each part with the same part of the translation"
    ]
    assert used - baseline < 100, (used, baseline)  # the 200 MB were never read


def test_a_pipe_over_the_limit_is_refused_as_soon_as_it_has_given_more() -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"x" * 5000)
    os.close(write_end)
    with pytest.raises(align.errors.InputError, match="more than 0.0 MiB, over align's limit of 0.0 MiB"):
        read_bytes(f"/dev/fd/{read_end}", limit=4096)
    os.close(read_end)


def test_the_limits_apply_through_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(align.read.decode, "MAX_INPUT_BYTES", 1000)
    one_line_error(run("pair", CMAC / "ja.md", CMAC / "en.md"), "ja.md: 0.0 MiB, over align's limit of 0.0 MiB", "split it")
    monkeypatch.setattr(align.read.decode, "MAX_INPUT_BYTES", 1 << 24)
    monkeypatch.setattr(align.pipeline, "MAX_SENTENCES", 9)
    one_line_error(run("pair", CLT / "ja.sent", CLT / "en.sent", "--presegmented"),
                   "ja.sent: 10 sentences, over align's limit of 9 a side", "split it")  # fmt: skip


def _segment_seconds(text: str) -> float:
    """Best of three: reading (as plain text) and segmenting `text`."""
    from align.read import parse_document
    from align.segment import segment_document

    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        segment_document(parse_document(text, fmt="txt", lang=None))
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("unit", ["京都は日本の古都であり多くの寺社がある", "the quick brown fox jumps over the lazy dog "])
def test_segmenting_a_long_line_without_punctuation_is_linear(unit: str) -> None:
    small, big = unit * (250_000 // len(unit)), unit * (1_000_000 // len(unit))
    ratio = _segment_seconds(big) / _segment_seconds(small)
    assert ratio < 8, ratio  # 4x the text: about 4x the time (quadratic would be 16x)


def test_no_text_of_the_bundled_corpora_reaches_the_cap(use_m3) -> None:  # noqa: ANN001
    """So the cap changes no vector and no alignment there (the dev sets: bench/memory_bound.py
    --check-cap). Every text the aligner encodes is seen: sentences and joined spans."""
    from align.encoders.base import MAX_ENCODED_CHARS, Encoder
    from align.pipeline import align_documents, load_document
    from data_paths import CORPORA

    class Recording(Encoder):
        name = use_m3.name
        dim = use_m3.dim
        longest = 0

        def encode(self, texts):  # noqa: ANN001, ANN202
            Recording.longest = max([Recording.longest, *map(len, texts)])
            return use_m3.encode(texts)

    pairs = [(f / "ja.md", f / "en.md") for f in (CMAC,)] + [
        (f / "ja.txt", f / "en.txt") for f in sorted(CORPORA.glob("kyoto-*"))
    ] + [(f / "ja.sent", f / "en.sent") for f in sorted(CORPORA.iterdir()) if (f / "ja.sent").exists()]
    for src, tgt in pairs:
        seg = src.suffix == ".sent"
        align_documents(load_document(src, lang="ja", presegmented=seg), load_document(tgt, lang="en", presegmented=seg),
                        encoder=Recording())  # fmt: skip
    assert 0 < Recording.longest < MAX_ENCODED_CHARS


def test_a_pdf_or_docx_is_limited_by_the_text_it_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Their images may weigh far more than their text: the file may be big, its text may not."""
    import align.read.reader
    from doc_builders import build_docx

    docx = build_docx(tmp_path / "speech.docx", "en")
    md = tmp_path / "speech.md"
    md.write_bytes(b"x " * docx.stat().st_size)
    monkeypatch.setattr(align.read.decode, "MAX_INPUT_BYTES", docx.stat().st_size - 1)
    one_line_error(run("segment", md), "over align's limit")
    assert run("segment", docx).exit_code == 0
    monkeypatch.setattr(align.read.reader, "MAX_INPUT_BYTES", 1000)
    one_line_error(run("segment", docx), "characters of text, over align's limit of 1,000 a file", "split it")


def _vertical_band(n: int, m: int, W: int) -> np.ndarray:
    """A band's lo for a path that runs down one column for most of its rows (a long run of
    1-0 beads), then diagonally: its columns have thousands of rows."""
    lo = np.concatenate([np.zeros(n - m + W, dtype=np.int64), np.arange(1, m - W + 2, dtype=np.int64)])[: n + 1]
    return np.minimum(np.maximum.accumulate(lo), m + 1 - W)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 60), m=st.integers(1, 60), W=st.integers(1, 12), chunk=st.integers(1, 50), seed=st.integers(0, 9))
def test_column_reduce_in_blocks_equals_the_whole_view(n: int, m: int, W: int, chunk: int, seed: int) -> None:
    from align.aligner.band import column_reduce
    from align.aligner.stats import topk_mean

    W = min(W, m + 1)
    rng = np.random.default_rng(seed)
    lo = np.sort(rng.integers(0, m + 2 - W, n + 1))
    A = rng.standard_normal((n + 1, W)).astype(np.float32)
    A[rng.random(A.shape) < 0.2] = -np.inf

    def reduce(T: np.ndarray) -> np.ndarray:
        return np.column_stack([T.argmax(1), topk_mean(T, 3)])

    whole = column_reduce(A, lo, m, -np.inf, reduce, chunk_cells=None)
    np.testing.assert_array_equal(column_reduce(A, lo, m, -np.inf, reduce, chunk_cells=chunk), whole)


def test_a_nearly_vertical_band_is_reduced_in_bounded_memory() -> None:
    """Path margins and the per-sentence baselines view the band by columns: with a long run of
    1-0 beads a column has thousands of rows, and the whole view took gigabytes at 100k sentences."""
    from align.aligner.band import column_reduce

    n, m, W = 40_000, 4_000, 97
    lo = _vertical_band(n, m, W)
    A = np.zeros((n + 1, W), dtype=np.float64)
    top = lambda T: np.sort(T, axis=1)[:, -2:]  # noqa: E731
    whole_cells = (m + 1) * int((np.searchsorted(lo, np.arange(m + 1), side="right")
                                 - np.searchsorted(lo + W - 1, np.arange(m + 1), side="left")).max())  # fmt: skip
    assert whole_cells * 8 > 600e6  # the whole view alone: over 600 MB
    assert _peak_mb(lambda: column_reduce(A, lo, m, 0.0, top)) < 150
