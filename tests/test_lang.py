"""Language detection from script (and, for Latin script, from frequent words) on real texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from align.read.lang import detect_language
from data_paths import CMAC, CORPORA, DATA, data_glob, needs_data


@pytest.mark.parametrize(
    "path", sorted(CORPORA.glob("*/*.sent")) + data_glob("kyoto-dev-clean/*/*.sent"), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_sentence_files_by_side(path: Path) -> None:
    assert detect_language(path.read_text(encoding="utf-8")) == path.stem


@needs_data
def test_every_kyoto_english_line_of_some_length_is_english() -> None:
    """Frequent-word voting must not turn English into German or French on short texts."""
    checked = 0
    for path in data_glob("kyoto-dev-clean/*/en.sent"):
        for line in path.read_text(encoding="utf-8").split("\n"):
            if len(line) > 40:
                assert detect_language(line) == "en", line
                checked += 1
    assert checked > 500


@needs_data
def test_every_kyoto_japanese_line_with_kana_is_japanese() -> None:
    checked = 0
    for path in data_glob("kyoto-dev-clean/*/ja.sent"):
        for line in path.read_text(encoding="utf-8").split("\n"):
            if any("\u3041" <= c <= "\u30fa" for c in line):
                assert detect_language(line) == "ja", line
                checked += 1
    assert checked > 450


@needs_data
@pytest.mark.parametrize(("name", "lang"), [("dev.de", "de"), ("dev.fr", "fr")])
def test_textberg_german_and_french(name: str, lang: str) -> None:
    assert detect_language((DATA / "textberg-dev" / name).read_text(encoding="utf-8")) == lang


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_cmac_markdown(lang: str) -> None:
    assert detect_language((CMAC / f"{lang}.md").read_text(encoding="utf-8")) == lang


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("柬埔寨地雷行动中心成立三十多年来，在人道主义扫雷领域取得了显著成就。", "zh"),
        ("캄보디아 지뢰 대책 센터를 방문하게 되어 매우 기쁩니다.", "ko"),
        ("Japan supports “monozukuri” (ものづくり) and the spirit of craftsmanship in mine action.", "en"),
        ("日本はODAを活用し、AIやIoTなどのICT技術をCMACと共にUkraineへ展開します。", "ja"),
        ("Министр иностранных дел Японии посетила Камбоджу.", "ru"),
        ("", "en"),
        ("12345 — 2024-07-06", "en"),
    ],
)
def test_scripts(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_kanji_only_text_is_chinese_by_design() -> None:
    """Without kana there is no telling Japanese from Chinese by script: a Kyoto title alone is 'zh'.

    Whole documents have kana; for a kanji-only file the user passes --lang ja.
    """
    assert detect_language("真言宗泉涌寺派") == "zh"
    assert detect_language("真言宗泉涌寺派\n真言宗泉涌寺派（しんごんしゅうせんにゅうじは）は、日本における") == "ja"


def test_a_kanji_only_japanese_list_is_not_called_chinese() -> None:
    """A Kyoto article that is a list of paintings has no kana; declared Japanese it stays so (batch
    refused such a piece of scale-dev as 'reads as zh'), while Chinese declared Japanese, simplified
    or traditional, is still caught."""
    from align.read.lang import reads_as_other

    titles = "雪裡三友図\n湖山小景図\n四季花鳥図 六曲一双\n舟行送別図 伝周文\n古寺春雲図\n騎馬武者図（伝足利尊氏像）\n"
    assert detect_language(titles) == "zh" and reads_as_other(titles, "ja") is None
    assert reads_as_other("柬埔寨地雷行动中心成立三十多年来，在人道主义扫雷领域取得了显著成就。", "ja") == "zh"
    assert reads_as_other("他說：「我們走吧。天黑了。」這是一個很好的問題。", "ja") == "zh"


def test_language_facts_agree_on_every_spelling_of_a_code() -> None:
    """One base code for every consumer: the segmenter, the sentence joiner, the reader's line
    joiner and the aligner's swapped-languages check read 'ja', 'JA', 'ja-JP' and 'ja_JP' alike."""
    from align.read.lang import base_language, expected_script, join_sentences, joins_without_spaces
    from align.segment import split_sentences

    for code in ("ja", "JA", "ja-JP", "ja_JP"):
        assert base_language(code) == "ja" and joins_without_spaces(code) and expected_script(code) == "cjk"
        assert join_sentences(["雨が降った。", "寒い。"], code) == "雨が降った。寒い。"
        assert split_sentences("雨が降った。寒い。", code) == [(0, 6), (6, 9)]
    assert join_sentences(["It rained.", "Cold."], "en-GB") == "It rained. Cold."
    assert expected_script("ko") == "cjk" and not joins_without_spaces("ko")  # Korean: CJK script, spaces
    assert expected_script("de") == "latin" and not joins_without_spaces("de")


def test_dominant_script_reads_the_bundled_speech() -> None:
    from align.read.lang import dominant_script

    ja = (CMAC / "ja.md").read_text(encoding="utf-8").splitlines()
    en = (CMAC / "en.md").read_text(encoding="utf-8").splitlines()
    assert dominant_script(ja) == "cjk" and dominant_script(en) == "latin"
    assert dominant_script(["123 456", "—"]) == "other"
