"""Accuracy, confidence calibration and speed of the aligner on the shared development data.

Run from the repo root:  .venv/bin/python bench/benchmark.py [--sets kyoto-dev-hard,...]
Sentence embeddings are cached in /tmp/align-emb (use --no-cache to encode afresh).
Results are printed and written to bench/results/latest.txt.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from align.aligner import AlignSettings, align_sentences
from align.beads import read_beads
from align.evaluate import score

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CACHE = Path("/tmp/align-emb")
SETS = ("kyoto-dev-clean", "kyoto-dev-hard", "textberg-dev", "kyoto-synth-21")


@dataclass
class Pair:
    """One pre-segmented document pair with its gold beads."""

    name: str
    src: list[str]
    tgt: list[str]
    gold: list[tuple[tuple[int, ...], tuple[int, ...]]]
    src_lang: str = "ja"
    tgt_lang: str = "en"


def _lines(p: Path) -> list[str]:
    return p.read_text(encoding="utf-8").split("\n")[:-1] if p.read_text(encoding="utf-8").endswith("\n") else p.read_text(encoding="utf-8").split("\n")


def load_kyoto(name: str) -> list[Pair]:
    out = []
    for d in sorted((DATA / name).iterdir()):
        if (d / "gold.beads").exists():
            out.append(Pair(f"{name}/{d.name}", _lines(d / "ja.sent"), _lines(d / "en.sent"), read_beads(d / "gold.beads")))
    return out


def load_textberg() -> list[Pair]:
    d = DATA / "textberg-dev"
    return [Pair("textberg-dev", _lines(d / "dev.de"), _lines(d / "dev.fr"), read_beads(d / "dev.defr"), "de", "fr")]


def synth_21(seed: int = 13, p21: float = 0.25, p12: float = 0.08) -> list[Pair]:
    """Lecture-like pairs from the clean Kyoto articles: adjacent 1-1 units merged on one side.

    With probability p21 two consecutive English sentences become one line (a 2-1 bead),
    with probability p12 two consecutive Japanese sentences do (a 1-2 bead).
    """
    rng = random.Random(seed)
    out = []
    for pair in load_kyoto("kyoto-dev-clean"):
        units = [([pair.src[i] for i in s], [pair.tgt[j] for j in t]) for s, t in pair.gold]
        merged: list[tuple[list[str], list[str]]] = []
        k = 0
        while k < len(units):
            s, t = units[k]
            if k + 1 < len(units) and len(s) == len(t) == 1 and len(units[k + 1][0]) == len(units[k + 1][1]) == 1:
                r = rng.random()
                s2, t2 = units[k + 1]
                if r < p21:
                    merged.append((s + s2, [t[0] + " " + t2[0]]))
                    k += 2
                    continue
                if r < p21 + p12:
                    merged.append(([s[0] + s2[0]], t + t2))
                    k += 2
                    continue
            merged.append((s, t))
            k += 1
        src: list[str] = []
        tgt: list[str] = []
        gold = []
        for s, t in merged:
            gold.append((tuple(range(len(src), len(src) + len(s))), tuple(range(len(tgt), len(tgt) + len(t)))))
            src += s
            tgt += t
        out.append(Pair(pair.name.replace("kyoto-dev-clean", "kyoto-synth-21"), src, tgt, gold))
    return out


def load_set(name: str) -> list[Pair]:
    if name == "textberg-dev":
        return load_textberg()
    if name == "kyoto-synth-21":
        return synth_21()
    return load_kyoto(name)


def make_encoder(name: str, cache: bool):
    from align.encoders import get_encoder

    return get_encoder(name, threads=1, cache=cache, cache_dir=CACHE if cache else None)


def run_set(pairs: list[Pair], enc, settings: AlignSettings) -> tuple[list, dict]:
    """Align every pair; returns per-pair (pair, beads) and summed timings."""
    results = []
    timing = {"encode_s": 0.0, "align_s": 0.0, "sentences": 0}
    for p in pairs:
        t0 = time.perf_counter()
        sv = enc.encode(p.src)
        tv = enc.encode(p.tgt)
        timing["encode_s"] += time.perf_counter() - t0
        r = align_sentences(p.src, p.tgt, enc.encode, src_lang=p.src_lang, tgt_lang=p.tgt_lang, settings=settings, src_vecs=sv, tgt_vecs=tv)
        timing["align_s"] += r.stats["align_s"]
        timing["sentences"] += len(p.src) + len(p.tgt)
        results.append((p, r))
    return results, timing


def reliability(rows: list[tuple[float, bool]]) -> str:
    """Confidence bins -> share exactly right and count."""
    edges = [0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 1.0001]
    lines = ["confidence bin   beads  exactly right"]
    for lo_, hi_ in zip(edges[:-1], edges[1:]):
        sel = [ok for c, ok in rows if lo_ <= c < hi_]
        if sel:
            lines.append(f"[{lo_:.2f}, {min(hi_, 1):.2f})   {len(sel):5d}  {np.mean(sel):.3f}")
    hi = [ok for c, ok in rows if c >= 0.9]
    if rows:
        lines.append(
            f">= 0.9: {len(hi)}/{len(rows)} beads ({len(hi) / len(rows):.1%}), "
            f"{(np.mean(hi) if hi else 0):.3f} exactly right"
        )
    return "\n".join(lines)


def end_to_end(name: str, enc, settings: AlignSettings) -> str:
    """Pair F1 from raw ja.txt/en.txt through the reader and segmenter."""
    try:
        from align.read import read_document
        from align.segment import segment_document
    except ImportError as e:
        return f"end-to-end {name}: skipped ({e})"
    found = gold_n = out_n = 0
    t_seg = t_enc = t_al = 0.0
    for d in sorted((DATA / name).iterdir()):
        if not (d / "ja.txt").exists():
            continue
        t0 = time.perf_counter()
        ja = segment_document(read_document(d / "ja.txt", lang="ja"))
        en = segment_document(read_document(d / "en.txt", lang="en"))
        t1 = time.perf_counter()
        sv, tv = enc.encode(list(ja.sentence_texts)), enc.encode(list(en.sentence_texts))
        t2 = time.perf_counter()
        r = align_sentences(
            ja.sentence_texts, en.sentence_texts, enc.encode, settings=settings, src_vecs=sv, tgt_vecs=tv,
            src_blocks=[s.block for s in ja.sentences], tgt_blocks=[s.block for s in en.sentences],
            src_block_kinds=[ja.blocks[s.block].kind for s in ja.sentences],
            tgt_block_kinds=[en.blocks[s.block].kind for s in en.sentences],
        )
        t_seg += t1 - t0
        t_enc += t2 - t1
        t_al += r.stats["align_s"]
        nows = lambda s: "".join(s.split())  # noqa: E731
        outp = {
            (nows("".join(ja.sentence_texts[i] for i in b.src)), nows(" ".join(en.sentence_texts[j] for j in b.tgt)))
            for b in r.beads if b.src and b.tgt
        }
        gold = [json.loads(x) for x in (d / "gold.pairs.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
        gset = {(nows(g["src"]), nows(g["tgt"])) for g in gold}
        found += len(gset & outp)
        gold_n += len(gset)
        out_n += len(outp)
    p = found / out_n if out_n else 0.0
    rec = found / gold_n if gold_n else 0.0
    f = 2 * p * rec / (p + rec) if p + rec else 0.0
    return (
        f"end-to-end {name}: pair P {p:.3f} R {rec:.3f} F1 {f:.3f}  "
        f"(read+segment {t_seg:.2f}s, encode {t_enc:.2f}s, align {t_al:.2f}s)"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--encoder", default="use-m3")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--no-e2e", action="store_true")
    ap.add_argument("--set", action="append", default=[], help="override a setting, e.g. --set knn=3")
    args = ap.parse_args(argv)
    kw = {}
    for s in args.set:
        k, v = s.split("=", 1)
        cur = getattr(AlignSettings(), k)
        kw[k] = (v.lower() in ("1", "true", "yes")) if isinstance(cur, bool) else type(cur)(v)
    settings = AlignSettings(**kw)
    enc = make_encoder(args.encoder, not args.no_cache)
    out: list[str] = [f"encoder {args.encoder}; settings {dict(settings.items())}"]
    rel: list[tuple[float, bool]] = []
    for name in args.sets.split(","):
        pairs = load_set(name)
        results, tm = run_set(pairs, enc, settings)
        sc = score([p.gold for p, _ in results], [[(b.src, b.tgt) for b in r.beads] for _, r in results])
        for p, r in results:
            g = {(tuple(s), tuple(t)) for s, t in p.gold}
            rel += [(b.confidence, (b.src, b.tgt) in g) for b in r.beads]
        sps = tm["sentences"] / tm["align_s"] if tm["align_s"] else float("inf")
        out.append(f"== {name}: {len(pairs)} pairs, {tm['sentences']} sentences")
        out.append(sc.format())
        out.append(f"time: encode {tm['encode_s']:.2f}s (cached unless --no-cache), align {tm['align_s']:.2f}s ({sps:.0f} sentences/s)")
        print("\n".join(out[-4:]), flush=True)
    out.append("== reliability (all sets)")
    out.append(reliability(rel))
    if not args.no_e2e:
        for name in ("kyoto-dev-hard", "kyoto-dev-clean"):
            out.append(end_to_end(name, enc, settings))
    text = "\n".join(out)
    print("\n".join(out[-(len(out) - 1):]) if False else text.split("== reliability", 1)[1].join(["== reliability", ""]))
    res = Path(__file__).resolve().parent / "results"
    res.mkdir(exist_ok=True)
    (res / "latest.txt").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
