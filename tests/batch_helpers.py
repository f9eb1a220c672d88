"""Small collections of document pairs for the batch tests, cut from the bundled corpora/."""

from __future__ import annotations

import sqlite3
from itertools import permutations
from pathlib import Path

from corpus_helpers import gold_folders


def sentences(folder: Path) -> tuple[list[str], list[str]]:
    """The (ja, en) sentences of a bundled folder."""
    return [(folder / f"{lang}.sent").read_text(encoding="utf-8").splitlines() for lang in ("ja", "en")]  # type: ignore[return-value]


def collection(root: Path, *, mixed: bool = True) -> Path:
    """A folder of presegmented pairs NAME.ja.sent + NAME.en.sent: the three bundled documents,
    and (mixed) the six made of two of them one after the other; 9 pairs of 35 to 120 sentences."""
    root.mkdir(parents=True, exist_ok=True)
    docs = {f.name: sentences(f) for f in gold_folders()}
    pairs = {name: (ja, en) for name, (ja, en) in docs.items()}
    if mixed:
        for a, b in permutations(sorted(docs), 2):
            pairs[f"{a}+{b}"] = (docs[a][0] + docs[b][0], docs[a][1] + docs[b][1])
    for name, (ja, en) in pairs.items():
        (root / f"{name}.ja.sent").write_text("\n".join(ja) + "\n", encoding="utf-8")
        (root / f"{name}.en.sent").write_text("\n".join(en) + "\n", encoding="utf-8")
    return root


def corpus_content(path: Path) -> list[tuple]:
    """Every document (in stored order) with its sentences and beads: what two runs of the same
    batch must agree on (times and dates left out)."""
    con = sqlite3.connect(path)
    try:
        out = []
        for key, doc_id, src_sha, tgt_sha, signature in con.execute(
            "SELECT id, doc_id, src_sha256, tgt_sha256, signature FROM documents ORDER BY id"
        ).fetchall():
            sents = con.execute("SELECT side, idx, text FROM sentences WHERE doc = ? ORDER BY side, idx", (key,)).fetchall()
            beads = con.execute(
                "SELECT idx, src_ids, tgt_ids, confidence, type, status FROM beads WHERE doc = ? ORDER BY idx", (key,)
            ).fetchall()
            out.append((doc_id, src_sha, tgt_sha, signature, sents, beads))
        return out
    finally:
        con.close()
