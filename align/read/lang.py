"""Every language fact in one place: which languages join without spaces, which are segmented
by CJK punctuation, which are written in CJK script, and guessing a document's language from
its script, so users rarely have to say it.

Japanese is told from Chinese by kana, Korean by Hangul. Among Latin-script languages a few
common European ones are told apart by their most frequent words (the Text+Berg data is
German-French); anything else in Latin script is 'en'. The CLI lets the user override.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Literal

from align.errors import UsageError

# written without spaces between words: sentences of one bead join with "" (reader.separator
# also joins a wrapped line without a space in them)
NO_SPACE_LANGS = frozenset({"ja", "zh", "th", "lo", "km", "my"})
# sentences end at 。！？ outside brackets: segmented by align/segment/ja.py
CJK_PUNCT_LANGS = frozenset({"ja", "zh"})
# written in kana/kanji/hanzi/hangul: a source in one of these and a target not (or the other
# way round) should read as different scripts (the aligner's "languages look swapped" check)
CJK_SCRIPT_LANGS = frozenset({"ja", "zh", "ko"})


_LANG_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*", re.IGNORECASE)


def check_language_code(code: str, *, what: str = "language") -> str:
    """`code` if it is a BCP 47-like language code (ja, en-US, zh-Hant-TW, es-419), else a
    UsageError naming `what` (the option it came from)."""
    if not _LANG_CODE.fullmatch(code):
        raise UsageError(f"{what} {code!r} is not a language code; use e.g. ja, en or ja-JP")
    return code


def normalise_language(lang: str | None) -> str | None:
    """A language code as documents carry it ('ja_JP ' -> 'ja-jp'); UsageError if it is not one."""
    if lang is None:
        return None
    return check_language_code(lang.strip().lower().replace("_", "-"))


def base_language(lang: str) -> str:
    """The primary subtag of a language code: 'ja-JP', 'ja_JP' and 'JA' give 'ja'."""
    return lang.replace("_", "-").split("-")[0].lower()


LANGUAGE_TAG_SEPARATORS = (".", "_", "-")
"""What stands between a file's name and its language tag: speech.ja, speech_ja, speech-ja."""


def strip_language_tag(stem: str, lang: str) -> str | None:
    """NAME of a file stem `NAME.lang` / `NAME_lang` / `NAME-lang` (any case; NAME may be
    empty), else None: how `align add` names a document and `align batch` pairs its files."""
    for sep in LANGUAGE_TAG_SEPARATORS:
        tail = sep + lang
        if stem.lower().endswith(tail.lower()):
            return stem[: -len(tail)]
    return None


def joins_without_spaces(lang: str) -> bool:
    """True for languages written without spaces between words (Japanese, Chinese, Thai, ...)."""
    return base_language(lang) in NO_SPACE_LANGS


def join_sentences(texts: list[str], lang: str) -> str:
    """Join sentences as the language writes them: no space for Japanese, one space otherwise."""
    return ("" if joins_without_spaces(lang) else " ").join(texts)


Script = Literal["cjk", "latin", "other"]


def expected_script(lang: str) -> Script:
    """'cjk' for a language written in CJK script, else 'latin'."""
    return "cjk" if base_language(lang) in CJK_SCRIPT_LANGS else "latin"


def dominant_script(texts: Sequence[str]) -> Script:
    """'cjk' if most letters of a sample (200 characters of each of the first 200 texts) are
    kana/kanji, 'latin' if ASCII letters, else 'other'. A quick look for the swapped-languages
    check, not a language guess (that is detect_language)."""
    cjk = lat = 0
    for t in texts[:200]:
        for ch in t[:200]:
            o = ord(ch)
            if 0x3040 <= o <= 0x30FF or 0x4E00 <= o <= 0x9FFF:
                cjk += 1
            elif ch.isascii() and ch.isalpha():
                lat += 1
    if cjk + lat == 0:
        return "other"
    return "cjk" if cjk > lat else "latin"

_SAMPLE = 200_000
_SCRIPTS: dict[str, re.Pattern[str]] = {
    "kana": re.compile(r"[\u3041-\u309f\u30a1-\u30fa\u30fc\u31f0-\u31ff\uff66-\uff9d]"),
    "han": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"),
    "hangul": re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]"),
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f]"),
    "cyrillic": re.compile(r"[\u0400-\u04ff]"),
    "greek": re.compile(r"[\u0370-\u03ff]"),
    "arabic": re.compile(r"[\u0600-\u06ff]"),
    "hebrew": re.compile(r"[\u0590-\u05ff]"),
    "thai": re.compile(r"[\u0e00-\u0e7f]"),
    "devanagari": re.compile(r"[\u0900-\u097f]"),
}
_OTHER_SCRIPT_LANG = {
    "cyrillic": "ru",
    "greek": "el",
    "arabic": "ar",
    "hebrew": "he",
    "thai": "th",
    "devanagari": "hi",
}
# The most frequent short words of each language, chosen to overlap little between them.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the of and to in is that was for with as by on are this from which be".split()),
    "de": frozenset("der die und den das von zu mit ist im dem nicht ein eine des auf sich wird".split()),
    "fr": frozenset("le la les et des du est une que dans pour au sur qui par pas avec ce".split()),
    "es": frozenset("el la los las y del que en por con una para es se su al como".split()),
    "it": frozenset("il di che la per del della sono un una con non gli nel alla".split()),
    # Not "no", "o", "da", "do": romanised Japanese names are full of them (OKIDA no Esaka).
    "pt": frozenset("os das dos que em um uma para com não por pelo pela ao às foi".split()),
    "nl": frozenset("de het een van en in is op te dat met voor zijn niet aan er".split()),
}
_WORD = re.compile(r"[^\W\d_]+")


def detect_language(text: str) -> str:
    """An ISO 639-1 code for the text's language, judged from its script.

    'ja' when there is kana (at least 1% of the CJK characters), 'zh' for Han without kana,
    'ko' for Hangul; Latin script gives 'en' unless another common European language's
    frequent words clearly dominate. Text without letters gives 'en'.
    """
    sample = text[:_SAMPLE]
    counts = {script: len(rx.findall(sample)) for script, rx in _SCRIPTS.items()}
    kana, han, hangul = counts["kana"], counts["han"], counts["hangul"]
    cjk = kana + han + hangul
    # A CJK character carries about a word; Latin needs several letters for one.
    if cjk and cjk * 3 >= counts["latin"]:
        if hangul >= kana + han or (hangul > kana and hangul * 4 >= han):
            return "ko"
        if kana and kana >= 0.01 * (kana + han):  # Chinese text has no kana at all
            return "ja"
        return "zh"
    other = max(_OTHER_SCRIPT_LANG, key=lambda s: counts[s])
    if counts[other] > counts["latin"]:
        return _OTHER_SCRIPT_LANG[other]
    return _latin_language(sample)


_DETECTABLE = frozenset(_STOPWORDS) | {"ja", "zh", "ko"} | frozenset(_OTHER_SCRIPT_LANG.values())


def reads_as_other(text: str, lang: str) -> str | None:
    """The language `text` clearly reads as when that is not `lang`, else None.

    Only what detect_language can tell: a language it cannot detect is never contradicted,
    and as it answers 'en' for any Latin-script text it cannot place, a text that reads as
    'en' contradicts another Latin-script language only when its English words clearly
    dominate (at least 5 of the frequent ones, three times that language's).
    """
    want = base_language(lang)
    if want not in _DETECTABLE or not text.strip():
        return None
    got = detect_language(text)
    if got == want:
        return None
    if got == "zh" and want == "ja" and _chinese_share(text) < 0.05:
        return None  # kanji without kana (a list of titles) is Japanese too, unless it reads as Chinese
    if got == "en" and want in _STOPWORDS:
        distinct, scores = _stopword_scores(text)
        if distinct["en"] < 5 or scores["en"] <= 3 * scores[want]:
            return None
    return got


# Frequent in Chinese prose, rare in Japanese written in kanji alone.
_CHINESE_MARKS = frozenset("的是了這們說麼嗎沒呢吧")


def _chinese_share(text: str) -> float:
    """Share of Han characters that only Chinese writes: outside Japanese's character set (cp932:
    simplified forms) or Chinese function characters. Chinese prose: 0.18-0.48; Japanese, kana
    and all, at most 0.026 on 502 scale-dev pieces; a kanji-only Kyoto list of paintings 0.0015."""
    han = _SCRIPTS["han"].findall(text[:_SAMPLE])
    if not han:
        return 0.0
    marked = 0
    for ch in han:
        if ch in _CHINESE_MARKS:
            marked += 1
            continue
        try:
            ch.encode("cp932")
        except UnicodeEncodeError:
            marked += 1
    return marked / len(han)


def _stopword_scores(text: str) -> tuple[dict[str, int], dict[str, int]]:
    """Per language: how many of its frequent words occur in the text, and how often in all."""
    words = Counter(w.lower() for w in _WORD.findall(text[:50_000]))
    scores = {lang: sum(words[w] for w in stop) for lang, stop in _STOPWORDS.items()}
    distinct = {lang: sum(1 for w in stop if words[w]) for lang, stop in _STOPWORDS.items()}
    return distinct, scores


def _latin_language(text: str) -> str:
    """The Latin-script language whose frequent words dominate, or 'en' when none clearly does."""
    distinct, scores = _stopword_scores(text)
    best = max(scores, key=lambda lang: scores[lang])
    if best != "en" and distinct[best] >= 3 and scores[best] > 1.5 * scores["en"]:
        return best
    return "en"
