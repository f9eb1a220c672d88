"""Cheap shared evidence: numbers and Latin-script names both sides of a bead mention."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

_NUM_RE = re.compile(r"\d+(?:[.,]\d+)*")
_LATIN_RE = re.compile(r"[A-Za-z][A-Za-z'\-]+")


def evidence_tokens(text: str) -> set[str]:
    """Numbers (full-width folded, thousands commas dropped) and capitalised Latin words/acronyms."""
    t = unicodedata.normalize("NFKC", text)
    out: set[str] = set()
    for m in _NUM_RE.finditer(t):
        s = m.group(0).replace(",", "")
        out.add("#" + s.lstrip("0") if s.strip("0") else "#0")
    for m in _LATIN_RE.finditer(t):
        w = m.group(0)
        if w[0].isupper() and len(w) >= 2:
            out.add(w.lower())
    return out


def shared_band(src: Sequence[frozenset[str]], tgt: Sequence[frozenset[str]], lo: np.ndarray, W: int) -> np.ndarray:
    """E[i, c] = number of evidence tokens shared by source i-1 and target lo[i]+c-1."""
    n = len(src)
    E = np.zeros((n + 1, W), dtype=np.float32)
    post_s: dict[str, list[int]] = defaultdict(list)
    post_t: dict[str, list[int]] = defaultdict(list)
    for i, toks in enumerate(src):
        for t in toks:
            post_s[t].append(i)
    for j, toks in enumerate(tgt):
        for t in toks:
            post_t[t].append(j)
    for tok, I in post_s.items():
        J = post_t.get(tok)
        if not J or len(I) * len(J) > 4000:
            continue
        ii = np.repeat(np.asarray(I) + 1, len(J))
        jj = np.tile(np.asarray(J) + 1, len(I))
        c = jj - lo[ii]
        ok = (c >= 0) & (c < W)
        np.add.at(E, (ii[ok], c[ok]), 1.0)
    return E
