"""Does time overlap help when both sides are subtitles? lecture-dev-subs as SRT pairs.

lecture-dev-subs holds, per lecture, English sentences and the Japanese subtitle pieces of
each (1-9 pieces a sentence). This writes each lecture as two SRT files the way two subtitle
tracks of one video are timed: sentence k is spoken for a time proportional to its English
length (15 characters a second, 0.4 s pauses); English cues are cut at 42 characters,
Japanese cues are the pieces, sharing the sentence's time by length, shifted by a constant
0.3 s and by up to +-0.6 s of random jitter at each cue edge (another subtitler's timing).
Both files are read with the real reader (`align.read`), then aligned with time weight w; a
gold pair counts as found when a bead has exactly its two texts.

.venv/bin/python bench/subtitle_timing.py [--weights 0 0.1 0.2 0.3]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark import make_encoder  # noqa: E402

from align.aligner import AlignSettings, align_sentences  # noqa: E402
from align.aligner.refine import MAX_SIDE  # noqa: E402
from align.aligner.timing import timed_inputs  # noqa: E402
from align.model import join_sentences  # noqa: E402
from align.read import read_document  # noqa: E402
from align.segment import segment_document  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "lecture-dev-subs"


def stamp(t: float) -> str:
    ms = max(0, round(t * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def srt(cues: list[tuple[float, float, str]]) -> str:
    return "\n".join(f"{n}\n{stamp(a)} --> {stamp(b)}\n{t}\n" for n, (a, b, t) in enumerate(cues, 1))


def lecture_srts(folder: Path, rng: random.Random) -> tuple[str, str, list[tuple[str, str]]]:
    en = (folder / "en.sent").read_text("utf-8").splitlines()
    ja = (folder / "ja.sent").read_text("utf-8").splitlines()
    beads = [json.loads("[" + line.replace("]:[", "],[") + "]") for line in (folder / "gold.beads").read_text().splitlines()]
    en_cues, ja_cues, gold = [], [], []
    t = 0.0
    for src_ids, tgt_ids in beads:
        text = " ".join(en[j] for j in tgt_ids)
        dur = len(text) / 15
        words, line = text.split(" "), ""
        pieces = []
        for w in words:
            if line and len(line) + 1 + len(w) > 42:
                pieces.append(line)
                line = w
            else:
                line = f"{line} {w}" if line else w
        pieces.append(line)
        a = t
        for p in pieces:
            b = a + dur * len(p) / len(text)
            en_cues.append((a, b, p))
            a = b
        ja_pieces = [ja[i] for i in src_ids]
        total = sum(len(p) for p in ja_pieces)
        a = t
        for p in ja_pieces:
            b = a + dur * len(p) / total
            ja_cues.append((a + 0.3 + rng.uniform(-0.6, 0.6), b + 0.3 + rng.uniform(-0.6, 0.6), p))
            a = b
        gold.append(("".join(ja_pieces), text))
        t += dur + 0.4
    # a jittered cue may start before the one before it: keep the track in order
    ordered: list[tuple[float, float, str]] = []
    for a, b, p in ja_cues:
        a = max(a, ordered[-1][0] if ordered else 0.0)
        ordered.append((a, max(a, b), p))
    ja_cues = ordered
    return srt(ja_cues), srt(en_cues), gold


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", type=float, nargs="+", default=[0.0, 0.1, 0.2, 0.3])
    args = ap.parse_args()
    rng = random.Random(0)
    enc = make_encoder("use-m3", cache=True)
    settings = AlignSettings()
    found = dict.fromkeys(args.weights, 0)
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for folder in sorted(DATA.iterdir()):
            ja_srt, en_srt, gold = lecture_srts(folder, rng)
            (Path(tmp) / "ja.srt").write_text(ja_srt, "utf-8")
            (Path(tmp) / "en.srt").write_text(en_srt, "utf-8")
            src = segment_document(read_document(Path(tmp) / "ja.srt", lang="ja"))
            tgt = segment_document(read_document(Path(tmp) / "en.srt", lang="en"))
            gold_set = {(s.replace(" ", ""), t) for s, t in gold}
            total += len(gold_set)
            for w in args.weights:
                encode, sv, tv = timed_inputs(
                    enc.encode,
                    (src.sentence_texts, src.sentence_times, lambda t: join_sentences(t, "ja")),
                    (tgt.sentence_texts, tgt.sentence_times, lambda t: join_sentences(t, "en")),
                    max_len=MAX_SIDE,
                    weight=w,
                )
                res = align_sentences(src.sentence_texts, tgt.sentence_texts, encode, src_lang="ja", tgt_lang="en",
                                      settings=settings, src_vecs=sv, tgt_vecs=tv)
                got = {
                    (join_sentences([src.sentence_texts[i] for i in b.src], "ja").replace(" ", ""),
                     join_sentences([tgt.sentence_texts[j] for j in b.tgt], "en"))
                    for b in res.beads
                }
                found[w] += len(gold_set & got)
    for w in args.weights:
        print(f"weight {w:.2f}: {found[w]}/{total} gold pairs found ({found[w] / total:.1%})")


if __name__ == "__main__":
    main()
