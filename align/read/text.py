"""Text primitives every reader shares: cleaning characters, collapsing white space, and what
joins two pieces of one sentence. Kept apart from `reader` so that the format modules (pdf,
docx, subtitles), which `reader` dispatches to, can use them without an import cycle.
"""

from __future__ import annotations

import re
import unicodedata

from align.read.lang import joins_without_spaces

_NEWLINES = re.compile(r"\r\n?|[\x0b\x85\u2028]")
# Controls, soft hyphens, zero-width spaces, BOMs and bidirectional marks: invisible, and they
# would keep equal sentences from matching. Joiners (ZWJ/ZWNJ) and variation selectors stay.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
# CJK compatibility ideographs: NFC would replace them by their unified look-alikes, which
# changes characters that Japanese texts use on purpose (e.g. in names).
_CJK_COMPAT = re.compile(r"([\uf900-\ufaff\U0002f800-\U0002fa1f]+)")


def clean_text(text: str) -> str:
    """Newlines made '\\n', invisible and control characters removed (form feed kept as a page
    break), and NFC normalisation that leaves CJK compatibility ideographs as written.
    Full-width characters are kept: no NFKC."""
    text = _NEWLINES.sub("\n", text).replace("\u2029", "\n\n")
    text = _INVISIBLE.sub("", text)
    if not unicodedata.is_normalized("NFC", text):
        text = "".join(
            part if i % 2 else unicodedata.normalize("NFC", part)
            for i, part in enumerate(_CJK_COMPAT.split(text))
        )
    return text


# Runs of white space other than a single plain space (those need no change).
_WHITESPACE = re.compile(r"\s{2,}|[^\S ]")
# Characters written without spaces between them (CJK, kana, full-width forms, Thai).
NO_SPACE_CHAR = re.compile(
    r"[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f\u0e00-\u0e7f]"
)


def collapse(line: str) -> str:
    """Runs of white space as one space (one ideographic space if the run was only those)."""
    return _WHITESPACE.sub(lambda m: "\u3000" if set(m.group()) == {"\u3000"} else " ", line).strip()


def separator(before: str, after: str, lang: str) -> str:
    """What joins two pieces of one sentence: nothing between Japanese characters (or a
    hyphenated English word), one space otherwise."""
    if not before or not after:
        return ""
    a, b = before[-1], after[0]
    if a == "-" and len(before) > 1 and before[-2].isalpha() and b.isalpha():
        return ""  # well-⏎developed, Mine-⏎Free: keep the hyphen, no space
    cjk_a, cjk_b = bool(NO_SPACE_CHAR.match(a)), bool(NO_SPACE_CHAR.match(b))
    if cjk_a and cjk_b:
        return ""
    if (cjk_a or cjk_b) and joins_without_spaces(lang):
        return ""
    return " "
