"""Memory bound of `align pair` (issue 12): peak RSS and wall time, measured with
/usr/bin/time -v around the real command line, on inputs made here in a temporary folder.

    .venv/bin/python bench/memory_bound.py              # the quick cases (a few minutes)
    .venv/bin/python bench/memory_bound.py --full       # also a pair at the size limits (about an hour)
    .venv/bin/python bench/memory_bound.py --check-cap  # the dev benchmark, recording the longest text encoded

Cases:
- a 200 MB pair (the bundled speech repeated): refused before it is read;
- a 5 MB line without punctuation on each side (one "sentence" of 5 MB), which took 135 s and
  17.5 GB before the encoder cap; now encoded in pieces of MAX_ENCODED_CHARS;
- `align segment` of one-line files without punctuation, 2, 4 and 8 MB: time linear in size;
- with --full: a pair of plain-text files at the limits (just under MAX_SENTENCES sentences a
  side and MAX_INPUT_BYTES; the scale-dev Kyoto articles repeated, each copy numbered so that
  every sentence is new to the encoder), read, segmented, encoded and aligned from scratch.

With --check-cap instead: bench/benchmark.py on the dev sets (F1 as the README's table),
recording every text that reaches the encoder (sentences, joined spans, end-to-end raw text):
when none is longer than MAX_ENCODED_CHARS, the cap changed no vector and no F1.

Each run gets an empty embedding cache of its own. Results also go to
bench/results/memory_bound.txt.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from align.encoders.base import MAX_ENCODED_CHARS  # noqa: E402
from align.pipeline import MAX_SENTENCES  # noqa: E402
from align.read.decode import MAX_INPUT_BYTES  # noqa: E402

ALIGN = str(Path(sys.executable).parent / "align")
CMAC = ROOT / "corpora" / "cmac-2024"
SCALE = ROOT.parent / "shared" / "data" / "scale-dev"
RESULTS = ROOT / "bench" / "results" / "memory_bound.txt"


def measured(args: list[str], folder: Path) -> tuple[int, float, float, str]:
    """(exit code, peak RSS in GiB, wall seconds, last stderr line) of `align ARGS`."""
    env = {**os.environ, "ALIGN_CACHE_DIR": str(folder / "cache")}
    r = subprocess.run(["/usr/bin/time", "-v", ALIGN, *args], capture_output=True, text=True, env=env, check=False)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1)) / 2**20
    clock = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", r.stderr).group(1)
    seconds = sum(float(x) * 60**i for i, x in enumerate(reversed(clock.split(":"))))
    said = [line for line in r.stderr.splitlines() if line.startswith(("error:", "warning:")) or "sentences →" in line]
    return r.returncode, rss, seconds, said[-1] if said else ""


def repeated(source: str, size: int) -> str:
    """`source` over and over until `size` bytes (UTF-8)."""
    unit = len(source.encode("utf-8"))
    return source * (size // unit + 1)


def report(lines: list[str], line: str) -> None:
    print(line, flush=True)
    lines.append(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also a pair at the size limits (slow)")
    parser.add_argument("--check-cap", action="store_true", help="only: the dev benchmark, recording text lengths")
    args = parser.parse_args()
    if args.check_cap:
        check_cap()
        return
    out: list[str] = []
    report(out, f"limits: {MAX_INPUT_BYTES / 2**20:.0f} MiB a file, {MAX_SENTENCES:,} sentences a side, "
                f"{MAX_ENCODED_CHARS:,} characters a piece to the encoder")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="align-memory-") as tmp:
        folder = Path(tmp)
        ja, en = folder / "big.ja.md", folder / "big.en.md"
        ja.write_text(repeated((CMAC / "ja.md").read_text(encoding="utf-8") + "\n", 200 * 10**6), encoding="utf-8")
        en.write_text(repeated((CMAC / "en.md").read_text(encoding="utf-8") + "\n", 200 * 10**6), encoding="utf-8")
        code, rss, secs, said = measured(["pair", str(ja), str(en), "-o", str(folder / "out.jsonl")], folder)
        report(out, f"200 MB pair: exit {code}, {rss:.2f} GiB peak, {secs:.1f} s; {said}")
        ja.unlink()
        en.unlink()

        ja_line = repeated("京都は日本の古都であり多くの寺社がある", 5 * 10**6)
        en_line = repeated("the quick brown fox jumps over the lazy dog ", 5 * 10**6)
        ja.write_text("長い行\n\n" + ja_line + "\n", encoding="utf-8")
        en.write_text("A long line\n\n" + en_line + "\n", encoding="utf-8")
        code, rss, secs, said = measured(["pair", str(ja), str(en), "-o", str(folder / "out.jsonl")], folder)
        report(out, f"5 MB line without punctuation a side: exit {code}, {rss:.2f} GiB peak, {secs:.1f} s; {said}")

        for mb in (2, 4, 8):
            for lang, unit in (("ja", "京都は日本の古都であり多くの寺社がある"), ("en", "the quick brown fox jumps over the lazy dog ")):
                one = folder / f"line.{lang}.txt"
                one.write_text(repeated(unit, mb * 10**6), encoding="utf-8")
                code, rss, secs, _ = measured(["segment", str(one), "--lang", lang], folder)
                report(out, f"segment a {mb} MB line without punctuation ({lang}): exit {code}, {rss:.2f} GiB peak, {secs:.1f} s")

        if args.full:
            full_pair(folder, out)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(out) + "\n", encoding="utf-8")


def full_pair(folder: Path, out: list[str]) -> None:
    """A pair at the limits: the scale-dev Kyoto articles repeated, each copy's sentences
    numbered (so that all are new to the encoder), one a line as plain text (read and
    segmented as any text file is), as many as fit in MAX_INPUT_BYTES and a little under
    MAX_SENTENCES; read, segmented, encoded and aligned from scratch."""
    if not SCALE.is_dir():
        report(out, f"full pair: skipped ({SCALE} not found)")
        return
    want = int(MAX_SENTENCES * 0.97)  # the segmenter may cut a line in two
    sides = {}
    for lang in ("ja", "en"):
        lines = (SCALE / f"50k.{lang}").read_text(encoding="utf-8").splitlines()
        picked, size, k = [], 0, 0
        while len(picked) < want:
            line = lines[k % len(lines)]
            line = f"（{k // len(lines)}）{line}" if lang == "ja" else f"({k // len(lines)}) {line}"
            size += len(line.encode("utf-8")) + 1
            if size >= MAX_INPUT_BYTES:
                break
            picked.append(line)
            k += 1
        sides[lang] = picked
    n = min(len(sides["ja"]), len(sides["en"]))
    paths = []
    for lang in ("ja", "en"):
        path = folder / f"limit.{lang}.txt"
        path.write_text("\n".join(sides[lang][:n]) + "\n", encoding="utf-8")
        paths.append(path)
    sizes = " + ".join(f"{p.stat().st_size / 2**20:.1f} MiB" for p in paths)
    code, rss, secs, said = measured(["pair", *map(str, paths), "-o", str(folder / "out.jsonl")], folder)
    report(out, f"pair at the limits ({n:,} lines a side, {sizes}): exit {code}, {rss:.2f} GiB peak, {secs:.0f} s; {said}")


def check_cap() -> None:
    """bench/benchmark.py on the dev sets, recording the longest text any encoder was given."""
    from align.encoders import base

    seen = {"texts": 0, "longest": 0, "over": 0}
    encode = base.ModelEncoder.encode

    def recording(self, texts):  # noqa: ANN001, ANN202
        lengths = list(map(len, texts))
        seen["texts"] += len(lengths)
        seen["longest"] = max([seen["longest"], *lengths])
        seen["over"] += sum(n > MAX_ENCODED_CHARS for n in lengths)
        return encode(self, texts)

    base.ModelEncoder.encode = recording  # type: ignore[method-assign]
    sys.path.insert(0, str(ROOT / "bench"))
    import benchmark

    with tempfile.TemporaryDirectory(prefix="align-cap-") as tmp:
        benchmark.CACHE = Path(tmp)  # encode everything: every text goes through the encoder
        benchmark.main([])
    line = (f"encoder cap check: {seen['texts']:,} texts encoded, the longest {seen['longest']:,} characters, "
            f"{seen['over']} over the cap of {MAX_ENCODED_CHARS:,}")  # fmt: skip
    print(line)
    RESULTS.parent.mkdir(exist_ok=True)
    with open(RESULTS, "a", encoding="utf-8") as f:
        f.write(line + "\n")


if __name__ == "__main__":
    main()
