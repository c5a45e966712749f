"""The function_words filter on real excerpts: listings rejected, prose and manuals kept."""
from __future__ import annotations

import helpers
import pytest

import datacleaning as dc
from datacleaning.config import load_config
from datacleaning.document import Document
from datacleaning.errors import ConfigError
from datacleaning.rules.filters.function_words import FunctionWords
from datacleaning.rules.registry import build_rule
from datacleaning.rules.word_lists import function_words

FIXTURES = helpers.FIXTURES / "rules"


def fixture(name: str) -> str:
    folder = "function_words" if name.startswith("en_") and "listing" in name else "web_quality"
    return (FIXTURES / folder / name).read_text(encoding="utf-8")


def judged(rule: FunctionWords, text: str, lang: str) -> tuple[str, dict]:
    doc = Document("t", text)
    doc.lang = lang
    value = rule.score(doc)
    return rule.failed_check(value), value


def test_english_fraction_is_counted_over_words_case_insensitively():
    text = "The cat and THE dog sat on a mat in Paris , with Anna ."
    check, value = judged(FunctionWords(min_words=1), text, "en")
    # words: The cat and THE dog sat on a mat in Paris with Anna (13); function words: The and THE on a
    # in with (7); in title case: The Paris Anna (3; THE is in capitals)
    assert value == {"fraction": round(7 / 13, 4), "title_case": round(3 / 13, 4), "words": 13}
    assert check == ""


def test_chinese_fraction_is_counted_over_han_characters_only():
    text = "我们在北京的Python大会上见面了。"
    _, value = judged(FunctionWords(), text, "zh")
    # Han characters: 我们在北京的大会上见面了 (12); function characters: 我 们 在 的 了
    assert value == {"fraction": round(5 / 12, 4), "words": 12}


def test_contractions_and_traditional_characters_are_function_words_too():
    """A pronoun or auxiliary with its clitic (it's, don’t) is one word, and a function word;
    Traditional text writes its function characters in their Traditional forms (我們, 這, 為)."""
    _, value = judged(FunctionWords(min_words=1), "It's fine. I don’t know why they're late.", "en")
    # words: It's fine I don’t know why they're late (8); function words: It's I don’t why they're (5)
    assert value["fraction"] == round(5 / 8, 4)
    _, simplified = judged(FunctionWords(), "我们这里为大家准备了午饭。", "zh")
    _, traditional = judged(FunctionWords(), "我們這裡為大家準備了午飯。", "zh")
    assert traditional == simplified


def test_chinese_words_in_english_text_are_not_english_words():
    english = "This manual explains how to install the package and how to configure it for a server."
    _, alone = judged(FunctionWords(), english, "en")
    _, with_han = judged(FunctionWords(), english + " 软件包的安装与配置说明书第一章概述", "en")
    assert with_han == alone


@pytest.mark.parametrize("name", ["en_tag_listing.txt", "en_download_listing.txt"])
def test_listings_of_titles_and_tags_are_rejected(name):
    check, value = judged(FunctionWords(), fixture(name), "en")
    assert check == "listing", value
    assert value["fraction"] < 0.2 and value["title_case"] > 0.4


def test_keyword_stuffing_without_capitals_needs_the_low_fraction_check():
    check, value = judged(FunctionWords(), fixture("en_keyword_spam.txt"), "en")
    assert value["title_case"] == 0.0 and value["fraction"] < 0.1
    assert check == "fraction"


@pytest.mark.parametrize("name", ["en_web_prose.txt", "en_debian_table.txt"])
def test_english_prose_and_manuals_with_tables_are_kept(name):
    check, value = judged(FunctionWords(), fixture(name), "en")
    assert check == "", value


def test_chinese_is_measured_but_not_judged_unless_asked():
    keywords = fixture("zh_keyword_list.txt")
    check, value = judged(FunctionWords(), keywords, "zh")
    assert check == "" and value["fraction"] < 0.05
    assert judged(FunctionWords(zh_min_fraction=0.05), keywords, "zh")[0] == "fraction"
    assert judged(FunctionWords(zh_min_fraction=0.05), fixture("zh_wiki.txt"), "zh")[0] == ""


def test_short_texts_are_not_judged():
    check, value = judged(FunctionWords(), "Home News Sports Weather Contact Login", "en")
    assert value["words"] == 6 and check == ""


def test_the_lists_hold_function_words_only():
    english, chinese = function_words("en"), function_words("zh")
    assert {"the", "of", "and", "not", "would"} <= english
    assert not {"music", "free", "download", "health"} & english
    assert all(len(c) == 1 for c in chinese) and {"的", "了", "是"} <= chinese


def test_unknown_parameters_are_refused():
    with pytest.raises(ConfigError):
        build_rule("filters", 0, {"name": "function_words", "min_fraction": 0.2})


def test_the_default_profile_rejects_listings_and_names_the_check():
    pipeline = dc.Pipeline(load_config(None, profile="mixed_web"))
    names = ["en_tag_listing.txt", "en_download_listing.txt", "en_web_prose.txt", "en_debian_table.txt"]
    verdicts = [None if c.kept else c.verdict.rejected_by
                for c in pipeline.clean([{"id": name, "text": fixture(name)} for name in names])]
    assert verdicts == ["function_words:listing", "function_words:listing", None, None]


def test_words_in_capitals_are_not_title_case():
    shouted = ("THE TEAM INVESTIGATES THE DEATH OF A REVEREND WHO WAS KILLED AT THE GRAVE SITE OF A "
               "FORMER COLLEAGUE, ON WEDNESDAY, NOVEMBER FOURTEENTH, AT TEN IN THE EVENING")
    check, value = judged(FunctionWords(), shouted, "en")
    assert value["title_case"] == 0.0 and check == ""
    # Written as a headline it is all title case, and still a sentence: its function words keep it.
    check, value = judged(FunctionWords(), shouted.title(), "en")
    assert value["title_case"] > 0.9 and value["fraction"] > 0.32 and check == ""


def test_other_latin_script_languages_routed_to_english_are_rejected_as_fraction():
    french = ("La ville de Lyon est située au confluent du Rhône et de la Saône. Elle est la troisième ville "
              "de France par sa population, après Paris et Marseille, et elle est connue pour sa gastronomie.")
    check, value = judged(FunctionWords(), french, "en")
    assert check == "fraction" and value["fraction"] < 0.05
