"""The review editor in a real browser: Playwright driving Debian's Chromium (headless) against
`align serve`, with the keyboard only, checking the corpus file after each step."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from align.store import Corpus
from corpus_helpers import alignment_from_lines
from serve_helpers import CHROMIUM, CHROMIUM_ARGS, base, served

if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')")

JA = [f"文{i}です。" for i in range(12)]
EN = [f"Sentence {i}." for i in range(12)]
# conf: bead 1 (2-1) lowest, then bead 6 (1-2), then bead 3 (1-1)
BEADS = [((0,), (0,)), ((1, 2), (1,)), ((3,), (2,)), ((4,), (3,)), ((5,), (4,)), ((6,), (5, 6)),
         ((7,), (7,)), ((8,), (8,)), ((9, 10, 11), (9, 10, 11))]  # fmt: skip
CONF = [0.99, 0.10, 0.95, 0.30, 0.97, 0.20, 0.98, 0.96, 0.94]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "c.db"
    with Corpus(path, create=True) as c:
        c.add_alignment(alignment_from_lines(JA, EN, BEADS, conf=lambda k: CONF[k]), doc_id="d")
    return path


def stored(path: Path) -> list[tuple]:
    with Corpus(path) as c:
        return [(b.src_ids, b.tgt_ids, b.status) for b in c.beads("d")]


def selected(page) -> tuple[str, int]:  # noqa: ANN001
    row = page.locator("tr.bead.selected")
    return row.get_attribute("data-doc"), int(row.get_attribute("data-idx"))


def wait_reload(page, key: str) -> None:  # noqa: ANN001
    """Press a key that posts an operation; wait for the page it reloads into."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_selector("tr.bead.selected")


def screenshot(page, folder: Path, name: str) -> Path:  # noqa: ANN001
    """Save what the browser shows, for a person to look at: into $ALIGN_SCREENSHOTS if set
    (`ALIGN_SCREENSHOTS=shots pytest tests/test_browser.py`), else beside the test's corpus."""
    out = Path(os.environ.get("ALIGN_SCREENSHOTS") or folder)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path


def test_review_with_the_keyboard(browser, corpus: Path) -> None:  # noqa: ANN001
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    with served(corpus) as (url, _):
        page.goto(url)  # the printed address: the queue, lowest confidence first
        assert page.url == base(url) + "/queue"
        assert selected(page) == ("d", 1)
        screenshot(page, corpus.parent, "queue")
        wait_reload(page, "y")  # confirm bead 1; the queue moves on to bead 5
        assert stored(corpus)[1][2] == "confirmed"
        assert selected(page) == ("d", 5)
        assert page.locator("#status").inner_text() == "confirm: bead 1"

        page.keyboard.press("Enter")  # open bead 5 in its document
        page.wait_for_url("**/doc?id=d&sel=5")
        assert selected(page) == ("d", 5)
        page.keyboard.press("k")
        page.keyboard.press("j")
        page.keyboard.press("j")  # bead 6
        wait_reload(page, "m")  # merge 6 with 7
        assert stored(corpus)[6] == ((7, 8), (7, 8), "edited")
        assert selected(page) == ("d", 6)
        screenshot(page, corpus.parent, "document")

        page.keyboard.press("s")  # split dialog: the most balanced cut first
        page.wait_for_selector("#choose[open]")
        first = page.locator("#choose-list li").first.inner_text()
        assert first.startswith("ja 1 | 1") and "文7です。✂文8です。" in first and "Sentence 7.✂Sentence 8." in first
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_selector("tr.bead.selected")
        assert stored(corpus)[6:8] == [((7,), (7,), "edited"), ((8,), (8,), "edited")]

        wait_reload(page, "u")  # undo the split
        assert stored(corpus)[6] == ((7, 8), (7, 8), "edited")
        page.reload()
        assert page.locator('tr.bead[data-idx="6"] td.ja .sent').all_inner_texts() == ["文7です。", "文8です。"]

        page.keyboard.press("?")
        assert page.locator("#help").is_visible()
        page.keyboard.press("Escape")
        assert not page.locator("#help").is_visible()
    assert not errors, errors
    # the corpus file holds the result, read by a fresh process-independent connection
    assert stored(corpus)[1][2] == "confirmed" and stored(corpus)[6] == ((7, 8), (7, 8), "edited")
    page.close()


def test_shift_attach_detach_and_edit_from_the_keyboard(browser, corpus: Path) -> None:  # noqa: ANN001
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    with served(corpus) as (url, _):
        page.goto(url)
        page.goto(base(url) + "/doc?id=d&sel=1")
        wait_reload(page, "]")  # the last Japanese sentence of the 2-1 bead goes to bead 2
        assert stored(corpus)[1:3] == [((1,), (1,), "edited"), ((2, 3), (2,), "edited")]
        page.keyboard.press("j")
        page.keyboard.press("x")  # detach: choose the last Japanese sentence
        page.wait_for_selector("#choose[open]")
        labels = page.locator("#choose-list li").all_inner_texts()
        assert labels[1].startswith("last Japanese sentence")
        with page.expect_navigation():
            page.keyboard.press("2")
        page.wait_for_selector("tr.bead.selected")
        assert stored(corpus)[2:4] == [((2,), (2,), "edited"), ((3,), (), "edited")]
        page.keyboard.press("j")  # the new 1-0 bead
        wait_reload(page, "a")  # attach it back to the previous bead
        assert stored(corpus)[2] == ((2, 3), (2,), "edited")
        page.keyboard.press("e")
        page.wait_for_selector("#edit[open]")
        page.locator("#edit-tgt").fill("Fixed <b>by hand</b>.")
        with page.expect_navigation():
            page.keyboard.press("Control+Enter")
        page.wait_for_selector("tr.bead.selected")
        assert page.locator('tr.bead[data-idx="2"] td.en').inner_text() == "Fixed <b>by hand</b>."
    with Corpus(corpus) as c:
        assert c.beads("d")[2].tgt == "Fixed <b>by hand</b>."
    page.close()


def test_a_stale_tab_is_told_and_changes_nothing(browser, corpus: Path) -> None:  # noqa: ANN001
    with served(corpus) as (url, _):
        a, b = browser.new_page(), browser.new_page()
        for p in (a, b):
            p.goto(url)
            p.goto(base(url) + "/doc?id=d&sel=3")
        wait_reload(a, "m")  # tab a merges beads 3 and 4
        before = stored(corpus)
        b.keyboard.press("y")  # tab b still shows the old bead 3
        b.wait_for_selector("#status.error")
        assert "reload the page" in b.locator("#status").inner_text()
        assert stored(corpus) == before
        a.close()
        b.close()


def test_the_realign_button_realigns_between_reviewed_beads(browser, tmp_path: Path) -> None:  # noqa: ANN001
    from align.formats.beads import read_beads
    from data_paths import EPR as folder
    src = (folder / "ja.sent").read_text(encoding="utf-8").splitlines()
    tgt = (folder / "en.sent").read_text(encoding="utf-8").splitlines()
    gold = [(tuple(s), tuple(t)) for s, t in read_beads(folder / "gold.beads")]
    lump = (tuple(i for s, _ in gold[6:12] for i in s), tuple(j for _, t in gold[6:12] for j in t))
    path = tmp_path / "c.db"
    with Corpus(path, create=True) as c:
        c.add_alignment(alignment_from_lines(src, tgt, gold[:6] + [lump] + gold[12:], model="use-m3"), doc_id="d")
        c.set_statuses("d", [5, 7], "confirmed")
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.on("dialog", lambda d: d.accept())  # "Re-align the stretch around bead 6?"
    with served(path) as (url, _):
        page.goto(url)
        page.goto(base(url) + "/doc?id=d&sel=6")
        with page.expect_navigation(timeout=60_000):
            page.click("#realign")
        page.wait_for_selector("tr.bead.selected")
        assert "re-aligned beads 6-6" in page.locator("#status").inner_text()
    with Corpus(path) as c:
        assert [(b.src_ids, b.tgt_ids) for b in c.beads("d")][6:12] == gold[6:12]
        assert [b.status for b in c.beads("d")][5:13] == ["confirmed"] + ["auto"] * 6 + ["confirmed"]
    page.close()
