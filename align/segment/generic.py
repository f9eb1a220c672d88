"""Sentence boundaries for languages written with spaces and . ! ? (English rules build on it).

One pass over the candidate marks (a run of . ! ? … plus closing quotes/brackets, followed by
white space): each is judged from the word before it and the word after it only, so the cost
is linear in the text. A boundary needs a next word that does not start in lower case; after a
single period the word before must not be a known abbreviation, an initial, or (in languages
that write ordinals with a period, such as German) a number of up to three digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

_CLOSERS = "\"'”’»)]}›」』"
_OPENERS = "\"'“‘«([{‹「『"
# A closing straight quote set off by a space ('…sect. " After') still belongs to the sentence.
# The look-behind and possessive runs keep a long run of marks linear (no retry inside it).
_CANDIDATE = re.compile(
    rf"(?<![.!?…])(?P<marks>[.!?…]++)[{re.escape(_CLOSERS)}]*+(?:\s+[\"'](?=\s))?(?=\s)"
)
_NEXT = re.compile(rf"\s+([{re.escape(_OPENERS)}]*)(\S)")
# The word before a period: letters, digits, inner periods, apostrophes and hyphens.
_WORD_BEFORE = re.compile(r"[\w.'’\-]{1,40}$")
_ACRONYM = re.compile(r"(?:[^\W\d_]\.){2,}$")  # U.S., e.g., H.E., z.B., d.h.
_DIGITS = re.compile(r"\d{1,3}$")
_NUMBER = re.compile(r"\d|[IVXLC]+\b")  # 5, 12, II, XIV
_DASHES = "-‐‑–—―~〜"

# Words that commonly start a sentence, for abbreviations that may also end one (Inc., U.S.).
STARTERS = frozenset(
    """the a an this that these those it its he she they we i you his her their our my there
    in on at after before during since as when while however but and also although though if
    for from with by to today then thus therefore furthermore moreover of one some many most all
    each both later currently according because such what where who how why
    der die das ein eine er sie es wir ich im in am nach vor seit als wenn aber und auch dann
    so da dort hier heute le la les un une il elle ils elles nous je on en au aux après avant
    depuis mais et puis ce cette ces""".split()
)


@dataclass(frozen=True)
class Rules:
    """Abbreviation classes of one language, without the final period.

    A word matches an entry written as it is or in lower case: "Art" matches Art. but not the
    word art., "e.g" matches e.g. and E.g.

    `titles` never end a sentence (Dr., e.g.); `before_number` do not before a digit (No. 5);
    `end_if_upper` end one when an upper-case word follows (etc., p.m.); `end_if_starter` only
    when a common sentence-starting word follows (Inc. The…); acronyms with inner periods
    (U.S.) count as `end_if_starter`. `ordinals`: "3. Juli" is not a boundary.
    """

    titles: frozenset[str]
    before_number: frozenset[str] = frozenset()
    end_if_upper: frozenset[str] = frozenset()
    end_if_starter: frozenset[str] = frozenset()
    ordinals: bool = False

    def kind(self, word: str) -> str | None:
        """Which class the abbreviation `word` (no final period) is in, or None."""
        low = word.lower()
        for name in ("titles", "before_number", "end_if_upper", "end_if_starter"):
            entries: frozenset[str] = getattr(self, name)
            if word in entries or low in entries:
                return name
        return None


def _words(s: str) -> frozenset[str]:
    return frozenset(w.rstrip(".") for w in s.split())


_MONTHS = "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec janv févr avr juil sept oct nov déc"

GENERIC = Rules(
    titles=_words(
        """Mr Mrs Ms Dr Prof St Mt Hr Fr Frl Mme Mlle MM Me Ste Mgr z.B d.h u.a u.ä vgl bzw ca
        evtl ggf inkl sog resp geb gest s p.ex cf env av apr ü e.g i.e vs"""
    ),
    before_number=_words(f"Nr No no n° S p pp Art art Bd Vol vol Abb Fig Kap chap éd {_MONTHS}"),
    end_if_upper=_words("usw etc"),
    end_if_starter=_words("Co Inc Ltd Str AG GmbH"),
)

ORDINAL_LANGS = frozenset("de da no nb nn fi cs sk sl hr sr bs pl hu et lv is tr eu".split())
"""Languages that write ordinal numbers with a period (3. Juli, 19. Jahrhundert)."""


def cuts_with(text: str, rules: Rules) -> list[int]:
    """Positions in `text` where a sentence ends under `rules`, in order."""
    out: list[int] = []
    first = len(text) - len(text.lstrip())
    for m in _CANDIDATE.finditer(text):
        s, e = m.span()
        nm = _NEXT.match(text, e)
        if nm is None:  # only white space follows: the block's end
            break
        nxt = nm.group(2)
        if nxt.islower() or nxt in _DASHES:
            continue  # "Where?" she asked; (1553? - 1612?)
        marks = m.group("marks")
        if "!" in marks or "?" in marks:
            cut = True
        elif marks != ".":  # an ellipsis: a boundary before an upper-case word only
            cut = nxt.isupper() and not (s > 0 and text[s - 1] in "([")  # not (...)
        elif m.end("marks") < e:  # '…end." Next', '…end.) Next'
            cut = True
        else:
            cut = _ends_sentence(text, s, nm, rules, first)
        if cut:
            out.append(e)
    return out


def _ends_sentence(text: str, dot: int, nm: re.Match[str], rules: Rules, first: int) -> bool:
    """Whether the single period at `dot`, followed by the word matched by `nm`, ends a sentence.

    `first` is where the text's first word starts (for list numbers such as "1. Introduction").
    """
    wm = _WORD_BEFORE.search(text, max(0, dot - 40), dot)
    if wm is None:  # after a quote, bracket or symbol
        return True
    full = wm.group().lstrip("'’")
    word = full.rpartition("-")[2]  # 'Mt. → Mt, 912-ca. → ca
    if not word:
        return True
    nxt = nm.group(2)
    kind = rules.kind(word)
    if kind == "titles":
        return False
    if kind == "before_number":
        return not _NUMBER.match(text, nm.start(2)) and _next_word(text, nm) in STARTERS
    if kind == "end_if_upper":
        return nxt.isupper()
    if kind == "end_if_starter" or _ACRONYM.search(word + "."):
        return _next_word(text, nm) in STARTERS
    if len(word) == 1 and word.isalpha():  # an initial (J. R. R. Tolkien) or s. (siehe)
        return _next_word(text, nm) in STARTERS
    if full.isdigit():
        if wm.start() == first or (len(full) <= 3 and _after_sentence(text, wm.start(), rules)):
            return False  # a list number: "1. Introduction", "…reasons. 2. Promotion of…"
        if rules.ordinals and _DIGITS.fullmatch(full) and nxt.isupper():  # 19. Jahrhundert
            return _next_word(text, nm) in STARTERS  # but "…S. 295. Das ist…"
    return True


def _after_sentence(text: str, pos: int, rules: Rules) -> bool:
    """Whether `pos` follows a sentence's final mark: "reasons. |2." but not "No. |186."."""
    before = text[max(0, pos - 8) : pos].rstrip()
    if before.endswith(("!", "?")):
        return True
    if not before.endswith("."):
        return False
    end = pos - (len(text[max(0, pos - 8) : pos]) - len(before)) - 1
    wm = _WORD_BEFORE.search(text, max(0, end - 40), end)
    if wm is None:
        return True
    word = wm.group()
    return len(word) > 1 and rules.kind(word) in (None, "end_if_upper")


_NEXT_WORD = re.compile(r"\w+")


def _next_word(text: str, nm: re.Match[str]) -> str:
    """The lower-cased word that starts at the next sentence's first letter."""
    wm = _NEXT_WORD.match(text, nm.start(2))
    return wm.group().lower() if wm else ""


_GENERIC_ORDINALS = replace(GENERIC, ordinals=True)


def cuts(text: str, lang: str) -> list[int]:
    """Sentence ends in `text` for a language without its own rules (German, French, …)."""
    return cuts_with(text, _GENERIC_ORDINALS if lang in ORDINAL_LANGS else GENERIC)
