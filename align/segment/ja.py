"""Japanese (and Chinese) sentence boundaries: after 。！？ outside brackets and quotes.

A boundary falls after a run of sentence-final marks (。！？．｡ and half-width ! ?) plus the
closing brackets/quotes that directly follow it, when no bracket or quote is still open there.
So 「行くぞ。」彼は… splits after 」, while 「A。B」 and （…。…） stay whole. Brackets are
paired per kind in one pass; an opening bracket that never closes in the block is ignored, so a
missing 」 cannot stop splitting for the rest of a long paragraph. No boundary falls before a
quoting particle (「行くぞ！」と言った, 行くぞ！と叫んだ).
"""

from __future__ import annotations

import re
from bisect import bisect_right

# Pairs of opening and closing brackets/quotes; straight quotes open and close alternately.
_PAIRS = {
    "「": "」", "『": "』", "（": "）", "(": ")", "【": "】", "〈": "〉", "《": "》",
    "［": "］", "[": "]", "｛": "｝", "{": "}", "〔": "〕", "〖": "〗", "〘": "〙",
    "“": "”", "‘": "’", "｢": "｣", "«": "»",
}  # fmt: skip
_TOGGLES = '"＂'
_CLOSE_TO_OPEN = {c: o for o, c in _PAIRS.items()}
_CLOSERS = "".join(_PAIRS.values()) + _TOGGLES + "'’"

_BRACKET = re.compile("[" + re.escape("".join(_PAIRS) + "".join(_PAIRS.values()) + _TOGGLES) + "]")
MAX_BRACKET = 500
"""Longest bracket or quote (in characters) that suppresses boundaries: real ones in Kyoto
Wikipedia articles are under 200; longer 'pairs' are a missing close meeting a stray one."""
_TERMS = "。！？．｡!?‼⁇⁈⁉"
_CANDIDATE = re.compile(f"[{re.escape(_TERMS)}]+[{re.escape(_CLOSERS)}]*")

# After ！？ (or a closing quote) these continue the sentence: 「行くぞ！」と言った, …！って, …？など.
# と is a particle unless it starts a sentence-opening word (ところが, とにかく, ともかく, とはいえ).
_PARTICLE = re.compile(r"[ \u3000]*(?:と(?!ころ|にかく|もかく|はいえ)|って|っと|など|なんて|の(?!ち)|[、，,])")
# After a closing bracket or quote, any case particle continues the sentence (（…？）は、…).
_PARTICLE_AFTER_CLOSE = re.compile(
    r"[ \u3000]*(?:と(?!ころ|にかく|もかく|はいえ)|って|っと|など|なんて|の(?!ち)|は(?!じめ)|が|を"
    r"|に|で(?!は|も)|も(?!し|っとも|ちろん)|へ|や|から|より|まで|[、，,])"
)
_DASH = re.compile(r"[ \u3000]*[-‐‑–—―－~〜～]")
# Half-width marks and the full-width period inside Latin words or numbers (３．５, Yahoo!JAPAN).
_LATIN_INNER = re.compile(r"[0-9０-９A-Za-zＡ-Ｚａ-ｚ]")
_LIST_NUMBER = re.compile(rf"(?:^|[\s{re.escape(_TERMS + _CLOSERS)}])[0-9０-９]{{1,3}}\Z")


def _matched_brackets(text: str) -> dict[int, int]:
    """Position of each closing bracket/quote in `text` that pairs up -> its opening position.

    Pairs longer than MAX_BRACKET characters are not pairs: they come from a missing close
    that met a stray close much later, and would hide every boundary in between.
    """
    stacks: dict[str, list[int]] = {}
    pairs: dict[int, int] = {}
    for m in _BRACKET.finditer(text):
        ch, pos = m.group(), m.start()
        if ch in _TOGGLES:
            stack = stacks.setdefault(ch, [])
            if stack and pos - stack[-1] <= MAX_BRACKET:
                pairs[pos] = stack.pop()
            else:
                stack[:] = [pos]
        elif ch in _PAIRS:
            stacks.setdefault(ch, []).append(pos)
        else:
            opened = stacks.get(_CLOSE_TO_OPEN[ch])
            if opened:
                if pos - opened[-1] <= MAX_BRACKET:
                    pairs[pos] = opened.pop()
                else:
                    opened.clear()  # every open bracket of this kind is too far back
    return pairs


def cuts(text: str) -> list[int]:
    """Positions in `text` where a sentence ends (exclusive end offsets), in order."""
    pairs = _matched_brackets(text)
    opens = sorted(pairs.values())
    closes = sorted(pairs)
    out: list[int] = []
    n = len(text)
    for m in _CANDIDATE.finditer(text):
        s, e = m.span()
        if e >= n:
            break
        # Depth at e: brackets opened before e and not closed before e.
        if opens and bisect_right(opens, e - 1) - bisect_right(closes, e - 1) > 0:
            continue
        marks = m.group().rstrip(_CLOSERS)
        t = s + len(marks)
        if marks[-1] in "．!?" and e == t and s > 0 and _LATIN_INNER.match(text, s - 1):
            # ３．５, Yahoo!JAPAN: a half-width mark or ． between Latin letters or digits;
            # １．概要: ． after a number that starts the text or a sentence is a list number.
            if _LATIN_INNER.match(text, e):
                continue
            if marks == "．" and _LIST_NUMBER.search(text, max(0, s - 4), s):
                continue
        if _DASH.match(text, e):  # （922年）？ - 996年
            continue
        if len(marks) > 1 and marks.strip("．｡") == "":  # leader dots: 清心．．．．．市川小團次
            continue
        if e > t:
            # Closed by a bracket or quote: not before a particle (幇間（…とも読む。）は),
            # and a ？ closed by a bracket marks a doubt, not a question: （252年?）九月.
            if _PARTICLE_AFTER_CLOSE.match(text, e):
                continue
            if marks.strip("？?") == "" and text[t:e].strip("）)］]") == "":
                continue
        elif marks[-1] != "。" and _PARTICLE.match(text, e):
            continue
        out.append(e)
    return out
