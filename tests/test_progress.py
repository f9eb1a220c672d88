"""Progress: the library reports through a callback (never printing), cutting long encodes into
chunks without changing a single vector; the CLI renders a rich bar on a terminal, plain lines
in a log, nothing with -q."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import align.pipeline
from align.cli import app
from align.cli.progress import plain_line
from align.encoders import get_encoder
from align.model import Progress
from align.pipeline import align_files
from corpus_helpers import many_lines
from data_paths import CMAC, EPR


def run(*args: object, env: dict[str, str] | None = None):  # noqa: ANN201
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def test_reporting_in_chunks_leaves_every_batch_and_vector_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    from align.encoders.use_m3 import UseM3Encoder
    from align.pipeline import _reporting

    monkeypatch.setattr(UseM3Encoder, "batch_size", 8)  # the model's batches, scaled down with the chunks
    texts = many_lines(100)[1]
    encoder = get_encoder("use-m3", cache=False)
    events: list[Progress] = []
    chunked = _reporting(encoder.encode, len(texts), events.append)
    monkeypatch.setattr(align.pipeline, "ENCODE_CHUNK", 32)
    assert np.array_equal(chunked(texts), encoder.encode(texts))  # bit for bit
    assert [e.done for e in events] == [32, 64, 96, 100]


def test_align_files_reports_sentences_encoded_and_gives_the_same_alignment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(align.pipeline, "ENCODE_CHUNK", 16)  # many reports (and other batches) for a small pair
    for src, tgt in ((CMAC / "ja.md", CMAC / "en.md"), (EPR / "ja.txt", EPR / "en.txt")):
        events: list[Progress] = []
        quiet = align_files(src, tgt, cache=False)
        loud = align_files(src, tgt, cache=False, progress=events.append)
        assert loud.beads == quiet.beads
        total = events[-1].total  # the sentences encoded (a translator's note is left out)
        assert len(loud.src) + len(loud.tgt) - 2 <= total <= len(loud.src) + len(loud.tgt)
        assert {e.stage for e in events} == {"encode"} and {e.total for e in events} == {total}
        done = [e.done for e in events]
        assert done == sorted(done) and done[-1] == total and len(set(done)) >= total // 16


def test_two_subtitle_files_report_their_sentences_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from doc_builders import build_subtitles

    monkeypatch.setattr(align.pipeline, "ENCODE_CHUNK", 16)
    build_subtitles(tmp_path / "ja.srt", 0)
    build_subtitles(tmp_path / "en.srt", 1)
    events: list[Progress] = []
    loud = align_files(tmp_path / "ja.srt", tmp_path / "en.srt", cache=False, progress=events.append)
    assert loud.timed and len(events) > 3 and events[-1].done == events[-1].total
    assert loud.beads == align_files(tmp_path / "ja.srt", tmp_path / "en.srt", cache=False).beads


def test_plain_lines_say_counts_rate_and_eta() -> None:
    line = plain_line("pair", Progress("encode", 1500, 6000), 3.0)
    assert line == "pair: 1,500/6,000 sentences encoded (25%), 500 sentences/s, ETA 9 s"
    line = plain_line("batch", Progress("documents", 120, 500, sentences=36_000, failed=2, skipped=30), 60.0)
    assert line == ("batch: 120/500 documents (24%), 120.0 documents/min, 600 sentences/s, 2 failed, "
                    "30 already done, ETA 3 min 10 s")  # fmt: skip


def test_pair_and_add_print_progress_lines_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    env = {"ALIGN_PROGRESS_EVERY": "0"}  # a line at every report (default: every 10 s)
    r = run("pair", EPR / "ja.sent", EPR / "en.sent", "--presegmented", "-o", tmp_path / "a.jsonl", env=env)
    assert r.exit_code == 0, r.output
    lines = r.stderr.strip().splitlines()
    assert lines[-2].startswith("pair: 51/51 sentences encoded (100%), ") and lines[-1].startswith("25 + 26 sentences")
    r = run("pair", EPR / "ja.sent", EPR / "en.sent", "--presegmented", "-o", tmp_path / "a.jsonl", "-q", env=env)
    assert r.exit_code == 0 and r.stderr == ""
    r = run("add", EPR / "ja.sent", EPR / "en.sent", "--presegmented", "-c", tmp_path / "c.db", env=env)
    assert r.exit_code == 0 and "add: 51/51 sentences encoded" in r.stderr
    r = run("add", EPR / "ja.sent", EPR / "en.sent", "--presegmented", "-c", tmp_path / "d.db", "-q", env=env)
    assert r.exit_code == 0 and r.stderr == ""
    r = run("pair", EPR / "ja.sent", EPR / "en.sent", "--presegmented", "-o", tmp_path / "a.jsonl")
    assert "sentences encoded" not in r.stderr  # a short job says nothing before its summary


def test_batch_shows_a_rich_bar_on_a_terminal(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    for lang in ("ja", "en"):
        (root / f"epr.{lang}.sent").write_bytes((EPR / f"{lang}.sent").read_bytes())
    r = run("batch", root, "-c", tmp_path / "c.db", "--presegmented", env={"TTY_COMPATIBLE": "1", "FORCE_COLOR": "1"})
    assert r.exit_code == 0, r.output
    assert "\x1b[" in r.stderr and "documents" in r.stderr and "docs/min" in r.stderr and "ETA" in r.stderr
    assert "1 pair: 1 added; 51 sentences → 25 beads" in r.stderr.strip().splitlines()[-1]
