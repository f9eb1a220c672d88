"""Sentence segmentation: rules on real sentences, Kyoto gold units, the MOFA seed, invariants."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.model import Block, Document
from align.segment import SEGMENTER_ID, segment_document, split_sentences
from data_paths import CLT, CMAC, DATA, EPR, needs_data

SEED = CMAC / "en.md"  # the MOFA speech as published (broken lines, markup)


def sents(text: str, lang: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text, lang)]


# --- Japanese rules --------------------------------------------------------------------------


def test_ja_splits_after_maru_and_keeps_brackets_whole() -> None:
    # Kyoto BDS00519: readings in （） stay inside their sentence.
    text = "真言宗泉涌寺派（しんごんしゅうせんにゅうじは）は、日本における真言系仏教宗派のひとつで、古義真言宗に属する。総本山は泉涌寺。"
    assert sents(text, "ja") == [
        "真言宗泉涌寺派（しんごんしゅうせんにゅうじは）は、日本における真言系仏教宗派のひとつで、古義真言宗に属する。",
        "総本山は泉涌寺。",
    ]


def test_ja_quote_with_two_sentences_before_to_is_one_sentence() -> None:
    # Kyoto CLT01161: 。 inside 「」 is no boundary, and 」と continues the sentence.
    text = (
        "福の神は「毎年参拝に来るお前達を金持ちにしてやろう。だから酒をくれ」と二人に要求する。"
        "男たちが福の神へ酒を奉げると、旨そうに飲みながら、福の神は歌いはじめる。"
    )
    assert sents(text, "ja") == [
        "福の神は「毎年参拝に来るお前達を金持ちにしてやろう。だから酒をくれ」と二人に要求する。",
        "男たちが福の神へ酒を奉げると、旨そうに飲みながら、福の神は歌いはじめる。",
    ]


def test_ja_splits_after_closing_quote_at_depth_zero() -> None:
    # Kyoto PNM03301 (ja.sent keeps the quoted order as a sentence of its own).
    text = "「恵尺は急いで近江（近江宮）に行き、高市皇子と大津皇子を連れ出し、伊勢で（私と）会え。」恵尺らは高坂王のもとにいって駅鈴を求めたが、得られなかった。"
    assert sents(text, "ja") == [
        "「恵尺は急いで近江（近江宮）に行き、高市皇子と大津皇子を連れ出し、伊勢で（私と）会え。」",
        "恵尺らは高坂王のもとにいって駅鈴を求めたが、得られなかった。",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "「行くぞ！」と言った。",
        "行くぞ！と叫んだ。",
        "本当か？って聞いた。",
        "幇間（ほうかん、または、たいこ、とも読む。）は、宴席で客の機嫌をとる。",
        "紀時文（き の ときぶみ、延喜22年（922年）？ - 長徳2年（996年）？）は、平安時代中期の歌人。",
        "佐伯 全成（さえき の またなり、? - 天平勝宝9歳（757年））は、奈良時代の貴族。",
        "『日本書紀』神功皇后52年（252年?）九月丙子の条に記される。",
        "圧力は３．５倍になった。",
        "１．日本の人道的地雷対策に係るこれまでの支援",  # a section number, not a sentence
        "極楽寺所化清心のち鬼薊清吉．．．．．市川小團次 (4代目)",  # leader dots in a cast list
    ],
)
def test_ja_no_boundary_inside(text: str) -> None:
    assert sents(text, "ja") == [text]


def test_ja_fullwidth_period_after_a_number() -> None:
    # A list number at the start is no sentence; an age at a sentence's end is (Kyoto 50k).
    assert sents("概要。2．支援の内容", "ja") == ["概要。", "2．支援の内容"]
    assert sents("享年21．法名：長興寺道音。", "ja") == ["享年21．", "法名：長興寺道音。"]


def test_ja_exclamation_and_question_runs() -> None:
    assert sents("本当か？！ そうだ。", "ja") == ["本当か？！", "そうだ。"]
    assert sents("行くぞ！！「はい。」", "ja") == ["行くぞ！！", "「はい。」"]


def test_ja_unclosed_bracket_does_not_stop_splitting() -> None:
    # A 「 that never closes must not glue the rest of a long paragraph into one sentence.
    text = "同窓会は「京都工大会と称する。旧制・新制合同の会である。" + "本山は泉涌寺。" * 200
    out = sents(text, "ja")
    assert out[:2] == ["同窓会は「京都工大会と称する。", "旧制・新制合同の会である。"]
    assert len(out) == 202


def test_ja_far_apart_stray_brackets_do_not_pair() -> None:
    # A missing 」 and a stray 」 far later would pair up and hide every boundary between.
    body = "総本山は泉涌寺。" * 100
    out = sents("「宗祖は俊芿。" + body + "別院は雲龍院。」", "ja")
    assert len(out) == 102


# --- English rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # Kyoto BDS00519: i.e. before a name.
        "The history began when Shunjo made Sennyu-ji a dojo of Shishu kengaku i.e. Mitsu (Tendai and Shingon), Zen, Ritsu and Jo and restored the temple.",
        # Kyoto PNM03301: Mt. before a name.
        "Prince Takeichi joined Prince Oama's party the next day on the 25th at the entrance of Mt. Tsumue in Iga.",
        # Kyoto PNM03913: approx. and decimals (the corpus itself wrongly splits after approx.).
        "It is said that in addition to the territory of 494 koku (1 koku [石] is approx. 180 liters), 6 sho (1 sho [升] is approx. 1.8 liters), and 7 go (1 go [合] is approx. 0.18 liters) they owned more.",
        # Kyoto SAT00056: No. before a number.
        "It belongs to the Daigo school of the Shingon Sect. It is No. 29 pilgrim stamp office of the pilgrimage.".split(
            ". ", 1
        )[1],
        "Remarks by Ms. KAMIKAWA Yoko, Minister for Foreign Affairs of Japan.",
        "The Lord of the Rings was written by J. R. R. Tolkien in England.",
        "Amb. Ito of the Dept. of State and H.E. Mr. Heng Ratana met Dr. Smith and Prof. Tanaka at 10 a.m. on Monday.",
        "The price rose to 1,000.50 dollars, i.e. 3.5 times more, e.g. in Kyoto.",
        "Sales of Nintendo Co. Ltd. rose in the U.S. market.",
        '"Where are you going?" she asked.',
        "\"Stop!\" he shouted, and ran.",
        "He bought apples, pears, etc. and went home.",
        "See Vol. 2, pp. 31-35 and Art. 9 of the constitution.",
        "Nakatsukasa (ca. 912-ca. 991) was a female poet.",
        "Toshimasu MAEDA (1553 or 1543? - 1612?) was a warlord.",
        "The founder of the sect is Shunjo (also known as Kazirin daishi.)",
    ],
)
def test_en_no_boundary_inside(text: str) -> None:
    assert sents(text, "en") == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Kyoto HST01253: etc. followed by a capitalised new sentence.
        (
            "It administered the translation of ordinances adopted in Western countries, etc. After combining with Danjodai, it was renamed.",
            [
                "It administered the translation of ordinances adopted in Western countries, etc.",
                "After combining with Danjodai, it was renamed.",
            ],
        ),
        # Kyoto CLT01161: a period inside the closing quote.
        (
            'He said, "I will make you rich." When they offer sake to Fuku no kami, he sings.',
            ['He said, "I will make you rich."', "When they offer sake to Fuku no kami, he sings."],
        ),
        # Kyoto BDS00519: a period inside the closing bracket.
        (
            "Head temple, Sennyu-ji Temple (Higashiyama Ward, Kyoto City.) Annexed temple, Unryu-in Temple.",
            ["Head temple, Sennyu-ji Temple (Higashiyama Ward, Kyoto City.)", "Annexed temple, Unryu-in Temple."],
        ),
        (
            "The company moved to the U.S. The new office opened in 1990. It is No. 1 in sales.",
            [
                "The company moved to the U.S.",
                "The new office opened in 1990.",
                "It is No. 1 in sales.",
            ],
        ),
        (
            "The meeting ends at 5 p.m. The next one starts tomorrow.",
            ["The meeting ends at 5 p.m.", "The next one starts tomorrow."],
        ),
        (
            "How should Japan help those countries? Today, I would like to present a vision!",
            ["How should Japan help those countries?", "Today, I would like to present a vision!"],
        ),
        (
            "He paused... Then he left. It was over…",
            ["He paused...", "Then he left.", "It was over…"],
        ),
        (
            "The work was written in 1935. 1936 saw its second edition.",
            ["The work was written in 1935.", "1936 saw its second edition."],
        ),
        (
            "He was a master of the art. Masaharu's pupils included Tsugumichi SAIGO.",
            ["He was a master of the art.", "Masaharu's pupils included Tsugumichi SAIGO."],
        ),
    ],
)
def test_en_boundaries(text: str, expected: list[str]) -> None:
    assert sents(text, "en") == expected


def test_en_list_numbers_stay_with_their_item() -> None:
    assert sents("1. Introduction of the new package", "en") == ["1. Introduction of the new package"]
    # Kyoto (the corpus itself splits after "1.": a quirk we do not copy).
    text = "There were four reasons for the law. 1. To brighten Japanese people. 2. Promotion of the correct registration of birth."
    assert sents(text, "en") == [
        "There were four reasons for the law.",
        "1. To brighten Japanese people.",
        "2. Promotion of the correct registration of birth.",
    ]
    # ...but a number after an abbreviation ends the sentence it closes.
    text = 'She published it in "Hojinkai-zasshi" No. 186. Also Sachiko was a model of Satoko.'
    assert sents(text, "en") == [
        'She published it in "Hojinkai-zasshi" No. 186.',
        "Also Sachiko was a model of Satoko.",
    ]


# --- other languages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Die Expedition begann am 3. Juli 1956 in Skardu. Im 19. Jahrhundert war das Gebiet unbekannt.",
            [
                "Die Expedition begann am 3. Juli 1956 in Skardu.",
                "Im 19. Jahrhundert war das Gebiet unbekannt.",
            ],
        ),
        (
            "Der Gipfel ist z.B. von Norden erreichbar, d.h. über den Gletscher. Dr. Dyhrenfurth kam mit.",
            [
                "Der Gipfel ist z.B. von Norden erreichbar, d.h. über den Gletscher.",
                "Dr. Dyhrenfurth kam mit.",
            ],
        ),
        (  # Text+Berg: numbered paragraphs.
            "Die Regierung kann diese Bewilligung jederzeit entziehen. 9. Die Expedition soll nichts tun.",
            [
                "Die Regierung kann diese Bewilligung jederzeit entziehen.",
                "9. Die Expedition soll nichts tun.",
            ],
        ),
        (
            "Siehe Nr. 293, S. 279-295. Das ist alles.",
            ["Siehe Nr. 293, S. 279-295.", "Das ist alles."],
        ),
    ],
)
def test_de_boundaries(text: str, expected: list[str]) -> None:
    assert sents(text, "de") == expected


def test_fr_boundaries() -> None:
    text = "M. Dupont est arrivé à 8125 m. La descente fut longue. Mme. Martin attendait au camp."
    assert sents(text, "fr") == [
        "M. Dupont est arrivé à 8125 m.",
        "La descente fut longue.",
        "Mme. Martin attendait au camp.",
    ]


def test_zh_uses_cjk_rules() -> None:
    assert sents("他说：“我们走吧。天黑了。”天气很好！你去吗？", "zh-Hans") == [
        "他说：“我们走吧。天黑了。”",
        "天气很好！",
        "你去吗？",
    ]


# --- Kyoto gold sentence units ---------------------------------------------------------------


def _nonspace_spans(texts: list[str]) -> list[tuple[int, int]]:
    """Spans of consecutive texts counted in non-space characters (white space ignored)."""
    out, pos = [], 0
    for t in texts:
        k = len(re.sub(r"\s", "", t))
        if k:
            out.append((pos, pos + k))
            pos += k
    return out


def unit_agreement(folder: str, lang: str) -> tuple[int, int]:
    """(gold units reproduced exactly, gold units) over every article of a Kyoto set."""
    hit = total = 0
    articles = sorted((DATA / folder).iterdir())
    assert len(articles) == 20
    for art in articles:
        gold = (art / f"{lang}.sent").read_text(encoding="utf-8").splitlines()
        pred = []
        for line in (art / f"{lang}.txt").read_text(encoding="utf-8").splitlines():
            pred += [line[a:b] for a, b in split_sentences(line, lang)]
        predicted = set(_nonspace_spans(pred))
        units = _nonspace_spans(gold)
        total += len(units)
        hit += sum(u in predicted for u in units)
    return hit, total


@pytest.mark.parametrize("folder", [CLT, EPR], ids=lambda p: p.name)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_bundled_kyoto_articles_reproduce_their_gold_sentences(folder: Path, lang: str) -> None:
    from align.read import read_document

    doc = segment_document(read_document(folder / f"{lang}.txt", lang=lang))
    assert list(doc.sentence_texts) == (folder / f"{lang}.sent").read_text(encoding="utf-8").splitlines()


@needs_data
def test_kyoto_clean_japanese_units() -> None:
    # Measured: 732/732. Every line of ja.txt is one block, as the reader gives them.
    hit, total = unit_agreement("kyoto-dev-clean", "ja")
    assert total == 732
    assert hit / total >= 0.99


@needs_data
def test_kyoto_clean_english_units() -> None:
    # Measured: 732/741; the 9 misses are corpus quirks: en.sent splits after "approx." (5
    # units), cuts a numbered list "28. | Nariai-dera Temple; 29. | …" (2), and splits before a
    # lower-case "(in Chinese characters)" (2; the 50k Kyoto sentences mostly keep those).
    hit, total = unit_agreement("kyoto-dev-clean", "en")
    assert total == 741
    assert hit / total >= 0.985


@needs_data
@pytest.mark.parametrize(("lang", "minimum"), [("ja", 0.99), ("en", 0.985)])
def test_kyoto_clean_end_to_end_through_the_reader(lang: str, minimum: float) -> None:
    read = pytest.importorskip("align.read")
    hit = total = 0
    for art in sorted((DATA / "kyoto-dev-clean").iterdir()):
        doc = segment_document(read.read_document(art / f"{lang}.txt", lang=lang))
        predicted = set(_nonspace_spans(list(doc.sentence_texts)))
        units = _nonspace_spans((art / f"{lang}.sent").read_text(encoding="utf-8").splitlines())
        total += len(units)
        hit += sum(u in predicted for u in units)
    assert hit / total >= minimum  # measured: ja 732/732, en 732/741 (as line by line)


@needs_data
def test_kyoto_hard_japanese_units() -> None:
    # The hard set joins some pairs of sentences into one .sent line on purpose (2-1 beads);
    # those, and only those, are missed. Measured: 695/700.
    hit, total = unit_agreement("kyoto-dev-hard", "ja")
    assert hit / total >= 0.98


# --- the MOFA seed speech --------------------------------------------------------------------

# Every sentence of the speech's bullets, checked by hand against the source (broken lines
# joined, markup removed). "Your Excellency." may be its own segment or lead the next one.
SEED_SENTENCES = [
    "Your Excellency.",
    "Heng Ratana, Director General of the Cambodia Mine Action Centre, ladies and gentlemen, it is a great pleasure for me to visit the CMAC today.",
    "I was just briefed extensively on CMAC's more than 30 years of humanitarian mine action, and am impressed by the tremendous efforts of the many people involved in this endeavour.",
    "The majority of victims of anti-personnel mines are civilians, including children.",
    "Based on the concept of “Human Security,” Japan has been pursuing diplomacy aimed at realizing a world where even vulnerable people can live safely and securely and where human dignity is protected.",
    "Anti-personnel mines are a threat to human dignity indeed.",
    "Japan places the utmost importance on this issue and has consistently cooperated with Cambodia’s humanitarian mine action.",
    "Cambodia is now one of the world leaders in humanitarian mine action, having made steady progress in mine clearance in its own territory.",
    "There are still many countries suffering from the damage caused by anti-personnel mines.",
    "How should Japan help those countries tackle with mines?",
    "Today, here in Cambodia, the starting point for Japan's cooperation in humanitarian mine action, I would like to present Japan's vision for humanitarian mine action.",
    "First, consistent and comprehensive efforts are essential for humanitarian mine action.",
    "It is important not only to detect and clear mines, but also to provide mine risk education to help people avoid the risk of mine damage and to provide victim assistance.",
    "The core of humanitarian mine action is, above all, the development of human resources.",
    "In order to utilize the technology and equipment safely, training of personnel based on thorough safety management is necessary.",
    "In providing these supports, it is also essential to involve a wide range of relevant stakeholders, making use of the technologies and know-how of the private sector and the knowledge of academia.",
    "Japan will continue to provide assistance in each of the phases of humanitarian mine action: mine risk education, mine detection and clearance, and victim assistance, in cooperation with stakeholders, and bearing in mind the perspective of Women, Peace, and Security (WPS) based on the United Nations Security Council Resolution 1325.",
    'While presenting this "Japan\'s Comprehensive Package of Assistance for Humanitarian Mine Action " to the affected countries, like-minded countries, and international organizations, we will work together with these partners to provide more effective support.',
    "We must not forget the problem of unexploded ordnance (UXO) used in war as well as mines.",
    "The technology for such weapons is constantly advancing, but the technology for protecting civilians is also in the process of developing.",
    "The latest technology is also being applied to the production of prosthetic and orthotics items needed by those who have lost limbs to mines.",
    "Development of mine detecting technology utilizing AI and others is also advancing.",
    "Japan, as a major technology power, will utilize ODA to promote the development of the latest science and technology, and its application to “monozukuri”, craftsmanship rooted in on-the-ground experience.",
    "When Japan tackles with mine around the world under the new vision, Cambodia has to be its indispensable partner.",
    "We will position Cambodia as a hub for international cooperation on humanitarian mine action, and aim to achieve zero mine victims in the world.",
    "Today, in cooperation with Cambodia, I am pleased to launch the “Japan-Cambodia Landmine Initiative.”",
    "This consists of four pillars.",
    "First, we are confident that Cambodia will contribute greatly to raising awareness of the inhumanity of anti-personnel mines since it is a country that has suffered from mines.",
    "During the 5th Review Conference of the Ottawa Convention, The Siem Reap-Angkor Summit on a Mine-Free World, scheduled to be held in Siem Reap in November of this year, Japan will work with Cambodia, Chair of the Conference, to raise awareness of the inhumanity of anti-personal mines and further universalize the Ottawa Convention toward a Mine-Free World, through introducing our joint efforts for a wide range of humanitarian mine action, including victim assistance.",
    "Second, Cambodia has accumulated mine action knowledge and has a well-developed professional human resource.",
    "Therefore, Japan will support the establishment of a new international cooperation team for a world free from landmines and assist in increasing the number of personnel working there.",
    "Third, our two countries will jointly provide humanitarian mine action to third countries, drawing on the expertise of the private sector and academia as well.",
    "As a concrete cooperation under the Japan-Cambodia Landmine Initiative, Japan will provide full-scale assistance to humanitarian mine action in Ukraine.",
    "Next week, we will provide Ukraine with large demining machine, and next month, here in Cambodia, we will train Ukrainian personnel on how to operate the machine.",
    'Fourth, both countries will cooperate and work with the private sector to promote science, technology, and innovation related to humanitarian mine action, rooted in the spirit of "monozukuri" (craftmanship).',
    'Our cooperation on humanitarian mine action is an important part of the "Comprehensive Strategic Partnership" between our two countries.',
    "Let's work hand in hand and promote our cooperation aiming to achieve zero mine victims in the world.",
    "SOUM • OKUN (joined hands)",
]


def _seed_bullets() -> list[str]:
    """The bullets of the seed as blocks: '- ' stripped, broken lines joined, markup removed."""
    bullets: list[str] = []
    for para in re.split(r"\n\s*\n", SEED.read_text(encoding="utf-8")):
        for line in para.splitlines():
            line = line.strip()
            if line.startswith("- "):
                bullets.append(line[2:])
            elif line and bullets and bullets[-1][-1] not in '.?!)"”':  # broken across a page
                bullets[-1] += " " + line
    return [re.sub(r"\*|</?sup>", "", b) for b in bullets]


def _normalised(segments: list[str]) -> list[str]:
    out = [re.sub(r"\s+", " ", s) for s in segments]
    if out and out[0].startswith("Your Excellency. Heng"):
        out[0:1] = ["Your Excellency.", out[0][len("Your Excellency. ") :]]
    return out


def test_seed_speech_every_sentence_alone() -> None:
    bullets = _seed_bullets()
    assert len(bullets) == 31
    got = [s for b in bullets for s in sents(b, "en")]
    assert _normalised(got) == SEED_SENTENCES


def test_seed_end_to_end_through_the_reader() -> None:
    read = pytest.importorskip("align.read")
    doc = segment_document(read.read_document(SEED, lang="en"))
    bullets = [i for i, b in enumerate(doc.blocks) if b.kind == "bullet"]
    got = [doc.sentence_text(k) for k, s in enumerate(doc.sentences) if s.block in bullets]
    assert _normalised(got) == SEED_SENTENCES
    # Titles, headings and "(End)" have no final period: each is a segment of its own.
    for i, block in enumerate(doc.blocks):
        if block.kind != "bullet":
            assert [doc.sentence_text(k) for k, s in enumerate(doc.sentences) if s.block == i] == [
                doc.block_text(i).strip()
            ]


def test_seed_title_lines() -> None:
    for line in ["Remarks by Ms. KAMIKAWA Yoko", "July 6th 2024", "(Translation)", "(End)"]:
        assert sents(line, "en") == [line]


# --- documents -------------------------------------------------------------------------------


def test_segment_document_offsets_blocks_and_lines() -> None:
    parts = [
        ("title", "真言宗泉涌寺派"),
        ("paragraph", "総本山は泉涌寺。 別院は雲龍院。"),
        ("bullet", "宗祖 俊芿（しゅんじょう）"),
        ("line", "一行目。二文目も同じ行。"),
    ]
    text = "\n".join(t for _, t in parts)
    blocks, pos = [], 0
    for kind, t in parts:
        blocks.append(Block(kind, pos, pos + len(t)))  # type: ignore[arg-type]
        pos += len(t) + 1
    doc = Document(text=text, lang="ja", blocks=tuple(blocks), source=None)
    out = segment_document(doc)
    assert out.text is doc.text and out.blocks == doc.blocks and doc.sentences == ()
    assert out.sentence_texts == (
        "真言宗泉涌寺派",
        "総本山は泉涌寺。",
        "別院は雲龍院。",
        "宗祖 俊芿（しゅんじょう）",
        "一行目。二文目も同じ行。",  # a pre-segmented line is never split
    )
    assert [s.block for s in out.sentences] == [0, 1, 1, 2, 3]


def test_segmenter_id_is_a_version() -> None:
    assert re.fullmatch(r"rules-\d+", SEGMENTER_ID)


# --- invariants and speed --------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("。！？!?．.…「」『』（）()\"'“”’ \n\u3000abcAB12あア漢-と")),
        st.characters(),
    ),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from(["ja", "en", "de", "fr", "zh", "xx"]))
def test_spans_partition_the_non_space_text(text: str, lang: str) -> None:
    spans = split_sentences(text, lang)
    prev = 0
    for a, b in spans:
        assert prev <= a < b <= len(text)
        piece = text[a:b]
        assert piece == piece.strip()
        assert text[prev:a].strip() == ""  # nothing but white space between spans
        prev = b
    assert text[prev:].strip() == ""


def test_linear_time_on_a_long_block() -> None:
    # ~1 M characters in one block (the worst case: no paragraph breaks) must take seconds.
    ja = "「同窓会は『京都工大会』と称する。」旧制・新制（旧工芸学部）合同の会である？ 本当だ！" * 25_000
    en = "Mr. Smith met H.E. Ms. Kamikawa at 10 a.m. on Jan. 5. They talked, etc. It was 3.5 km. " * 12_000
    for text, lang in ((ja, "ja"), (en, "en"), (en, "de")):
        t0 = time.perf_counter()
        n = len(split_sentences(text, lang))
        assert time.perf_counter() - t0 < 10
        assert n > len(text) // 100


@pytest.mark.parametrize(
    "text",
    [
        "." * 100_000 + "x",
        "?" * 100_000 + "a",
        "." + ")" * 100_000 + "x",
        "a. " + " " * 100_000 + "x",
        "「" * 100_000,
        "」" * 100_000,
        "「。」" * 30_000,
        '"。' * 50_000,
        ". \"" * 30_000,
        "A. " * 30_000,
        "！" + "\u3000" * 100_000 + "と",
    ],
    ids=lambda t: repr(t[:6]),
)
def test_no_quadratic_blow_up_on_degenerate_text(text: str) -> None:
    # Runs of marks, brackets or spaces once took minutes (a regex retried inside the run).
    for lang in ("ja", "en", "de"):
        t0 = time.perf_counter()
        split_sentences(text, lang)
        assert time.perf_counter() - t0 < 3, lang
