"""Every output the aligner gives on every development set, written out and hashed.

A restructure must not change behaviour: run this before and after, then compare.

    .venv/bin/python bench/digest.py --out /tmp/digest-before
    ... change the code ...
    .venv/bin/python bench/digest.py --out /tmp/digest-after --compare /tmp/digest-before

It writes one text file a set (every bead's ids, type and confidence to full precision, per
pair), the end-to-end alignments from raw text, and the bundled speech through `align pair` in
every export format (TMX creation date masked), then prints a sha256 per file. With
--compare it exits 1 on any difference and names the files that differ.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchmark as B  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ALL_SETS = (
    "kyoto-dev-clean", "kyoto-dev-hard", "textberg-dev", "kyoto-synth-21",
    "wmtnews-dev-clean", "wmtnews-dev-hard", "lecture-dev-clean", "lecture-dev-subs",
)
FORMATS = ("jsonl", "csv", "tsv", "tmx", "parquet", "beads")


def bead_lines(beads) -> list[str]:
    return [f"{list(b.src)}:{list(b.tgt)} {b.type} {b.confidence!r}" for b in beads]


def dump_sets(out: Path, sets: list[str]) -> None:
    from align.aligner import AlignSettings, align_sentences

    enc = B.make_encoder("use-m3", True)
    for name in sets:
        lines: list[str] = []
        for p in B.load_set(name):
            sv, tv = enc.encode(p.src), enc.encode(p.tgt)
            r = align_sentences(p.src, p.tgt, enc.encode, src_lang=p.src_lang, tgt_lang=p.tgt_lang,
                                settings=AlignSettings(), src_vecs=sv, tgt_vecs=tv)
            lines.append(f"# {p.name}")
            lines += bead_lines(r.beads)
        (out / f"set-{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def dump_e2e(out: Path) -> None:
    from align.pipeline import align_documents, load_document

    enc = B.make_encoder("use-m3", True)
    lines: list[str] = []
    roots = [B.DATA / "kyoto-dev-hard", B.DATA / "wmtnews-dev-hard", ROOT / "corpora"]
    for base in roots:
        for d in sorted(p for p in base.iterdir() if p.is_dir()):
            ext = "txt" if (d / "ja.txt").exists() else "md"
            if not (d / f"ja.{ext}").exists() or not (d / f"en.{ext}").exists():
                continue
            ja = load_document(d / f"ja.{ext}", lang="ja")
            en = load_document(d / f"en.{ext}", lang="en")
            al = align_documents(ja, en, encoder=enc)
            lines.append(f"# {d.name} {al.signature}")
            lines += [f"{x} | {al.src_text(b)} | {al.tgt_text(b)}" for x, b in zip(bead_lines(al.beads), al.beads)]
    (out / "e2e.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def dump_cli(out: Path) -> None:
    exe = ROOT / ".venv" / "bin" / "align"
    d = ROOT / "corpora" / "cmac-2024"
    for fmt in FORMATS:
        target = out / f"cli-cmac.{fmt}"
        subprocess.run([str(exe), "pair", str(d / "ja.md"), str(d / "en.md"), "-o", str(target), "-q"], check=True)
        if fmt == "tmx":
            text = re.sub(r'creationdate="[^"]*"', 'creationdate="*"', target.read_text(encoding="utf-8"))
            target.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--sets", default=",".join(ALL_SETS))
    ap.add_argument("--compare", type=Path, help="a folder an earlier run wrote")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    dump_sets(args.out, args.sets.split(","))
    dump_e2e(args.out)
    dump_cli(args.out)
    differ = []
    for f in sorted(args.out.iterdir()):
        h = hashlib.sha256(f.read_bytes()).hexdigest()[:16]
        same = ""
        if args.compare is not None:
            old = args.compare / f.name
            ok = old.exists() and old.read_bytes() == f.read_bytes()
            same = "  same" if ok else "  DIFFERS"
            if not ok:
                differ.append(f.name)
        print(f"{h}  {f.name}{same}")
    if differ:
        print(f"{len(differ)} files differ: {', '.join(differ)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
