"""Screenshots of the review editor (queue, document view, overview, the split dialog) on the
bundled gold alignments (corpora/), through `align serve` and headless Chromium, for looking at.

    .venv/bin/python bench/screenshots.py [--out bench/results]

Needs Debian's chromium (and fonts-noto-cjk for the Japanese to show as text).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from corpus_helpers import gold_alignment, gold_folders  # noqa: E402
from serve_helpers import CHROMIUM, CHROMIUM_ARGS, base, served  # noqa: E402

from align.store import Corpus, edits  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kyoto.db"
        with Corpus(path, create=True) as c:
            for folder in gold_folders():
                c.add_alignment(gold_alignment(folder), doc_id=folder.name)
            doc = c.doc_ids()[0]
            edits.set_statuses(c, doc, [0, 2], "confirmed")
            edits.set_statuses(c, doc, [4], "rejected")
            edits.edit_text(c, doc, 5, tgt="An edited translation, shown in italics.")
            edits.merge(c, doc, 7)
        with served(path) as (url, _), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.screenshot(path=a.out / "queue.png")
            page.goto(base(url) + f"/doc?id={doc}&sel=7")
            page.screenshot(path=a.out / "document.png")
            page.keyboard.press("s")
            page.wait_for_selector("#choose[open]")
            page.screenshot(path=a.out / "split-dialog.png")
            page.keyboard.press("Escape")
            page.keyboard.press("?")
            page.screenshot(path=a.out / "keys.png")
            page.goto(base(url) + "/overview")
            page.screenshot(path=a.out / "overview.png", full_page=True)
            browser.close()
    for name in ("queue", "document", "split-dialog", "keys", "overview"):
        print(a.out / f"{name}.png")


if __name__ == "__main__":
    main()
