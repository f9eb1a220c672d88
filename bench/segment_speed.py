"""Time the segmenter on book-sized text: the Kyoto raw texts repeated to ~1 M and ~10 M chars.

Run: .venv/bin/python bench/segment_speed.py  (prints characters per second per language)
"""

from __future__ import annotations

import time
from pathlib import Path

from align.segment import split_sentences

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def corpus(lang: str) -> str:
    """All Kyoto dev raw texts of one language, one paragraph a line."""
    return "\n".join(
        p.read_text(encoding="utf-8") for p in sorted(DATA.glob(f"kyoto-dev-*/*/{lang}.txt"))
    )


def main() -> None:
    for lang in ("ja", "en", "de"):
        base = corpus("en" if lang == "de" else lang)
        for target in (1_000_000, 10_000_000):
            text = base * (target // len(base) + 1)
            paragraphs = text.split("\n")
            for mode, blocks in (("paragraphs", paragraphs), ("one block", [text])):
                t0 = time.perf_counter()
                n = sum(len(split_sentences(b, lang)) for b in blocks)
                dt = time.perf_counter() - t0
                print(
                    f"{lang} {len(text):>10,} chars {mode:<10}: {dt:6.2f} s, "
                    f"{len(text) / dt:>12,.0f} chars/s, {n:,} sentences"
                )


if __name__ == "__main__":
    main()
