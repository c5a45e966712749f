"""Sentence ends, short lines and enumerated lines: keyword dumps, menus and chapter listings go;
poems set one clause a line, man pages, Debian Reference sections with tables and shell commands,
numbered how-tos and reviews stay."""
from __future__ import annotations

import pytest
from zh_quality_fixtures import CLEAN, EXCERPTS, WRITTEN, judge

from datacleaning.rules.filters.layout import EnumeratedLines, SentenceMarks, ShortLines, enumerated_lines

RULES = [SentenceMarks(), ShortLines(), EnumeratedLines()]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_clean_text_is_kept(rule):
    for doc_id, text in CLEAN.items():
        value, kept, _ = judge(rule, text)
        assert kept, (doc_id, value)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
@pytest.mark.parametrize("text", ["好", "Hi.", "字" * 100_000, "word " * 20_000, "\n".join(["第一章"] * 3)])
def test_edge_inputs_are_measured(rule, text):
    value, kept, _ = judge(rule, text)
    assert value is not None


# --- sentence_marks ---------------------------------------------------------------------------

def test_sentence_marks_by_hand():
    # 210 Han characters in three sentences: 70 per sentence end.
    text = "。".join(["天" * 70] * 3) + "。"
    assert judge(SentenceMarks(), text)[0] == {"han": 210, "han_per_mark": 70.0, "han_per_clause": 70.0}
    # The same characters with no mark at all score their full count.
    value, kept, _ = judge(SentenceMarks(), "天" * 210)
    assert value == {"han": 210, "han_per_mark": 210.0, "han_per_clause": 210.0} and not kept
    # Half-width marks typed in Chinese count; the dot of a version number does not.
    assert judge(SentenceMarks(), "版本3.14很好用.版本3.14很好用.")[0]["han_per_mark"] == 5.0
    assert judge(SentenceMarks(), "一般.服务好.早餐贵.")[0]["han_per_mark"] == round(8 / 3, 1)


def test_sentence_marks_keeps_chinese_that_runs_on_from_comma_to_comma():
    # 210 Han characters in seven clauses, six commas and not one full stop, as many reviews are typed.
    value, kept, _ = judge(SentenceMarks(), "，".join(["天" * 30] * 7))
    assert value == {"han": 210, "han_per_mark": 210.0, "han_per_clause": 35.0} and kept
    # An ASCII comma after a Han character is a clause end; one between Latin words or digits is not.
    assert judge(SentenceMarks(), ",".join(["天" * 30] * 7))[0]["han_per_clause"] == 35.0
    value, kept, _ = judge(SentenceMarks(), "天" * 210 + " a,b,c,d,e,f 1,000")
    assert value["han_per_clause"] == 210.0 and not kept
    # Long clauses are not enough: 210 characters in two, 105 per clause.
    assert not judge(SentenceMarks(), "，".join(["天" * 105] * 2))[1]


def test_sentence_marks_rejects_keyword_dumps():
    for doc_id in ("keyword-dump-zh", "keyword-dump-en"):
        value, kept, _ = judge(SentenceMarks(), WRITTEN[doc_id])
        assert not kept, (doc_id, value)
    assert judge(SentenceMarks(), WRITTEN["keyword-dump-en"])[0] == {"words": 214, "words_per_mark": 214.0}


def test_sentence_marks_leaves_short_unpunctuated_text_unjudged():
    value, kept, _ = judge(SentenceMarks(), WRITTEN["chapter-list-zh"])
    assert value["han"] < 200 and kept


# --- short_lines ------------------------------------------------------------------------------

def test_short_lines_share_by_hand():
    long_line = "这是一个很长的句子用来说明短行的比例怎么计算"  # 22 characters, no final mark
    text = "首页\n新闻\n体育\n娱乐\n" + long_line
    assert judge(ShortLines(), text)[0] == {"lines": 5, "short_share": round(8 / 30, 4)}
    # English counts words: 4 one-word menu items and a 6-word line with no final mark.
    text = "Home\nNews\nSports\nContact\nread the full story right here"
    assert judge(ShortLines(), text)[0] == {"lines": 5, "short_share": round(4 / 10, 4)}


def test_short_lines_rejects_navigation_pages():
    for doc_id in ("nav-page-zh", "nav-page-en", "chapter-list-zh"):
        value, kept, _ = judge(ShortLines(), WRITTEN[doc_id])
        assert not kept, (doc_id, value)


def test_short_lines_keeps_a_ci_set_one_clause_a_line():
    # 《念奴娇·昆仑》: 22 lines of 3 to 9 characters, each ending in a comma or a full stop.
    value, kept, _ = judge(ShortLines(), EXCERPTS["fortunes-zh-chinese-01707"])
    assert value["lines"] == 22 and value["short_share"] < 0.1 and kept


def test_short_lines_weighs_by_size_so_an_article_under_a_menu_stays():
    page = WRITTEN["nav-page-zh"] + "\n" + WRITTEN["news-with-contacts"]
    value, kept, _ = judge(ShortLines(), page)
    assert kept, value
    # ... while counting lines would have called it a menu: most of its lines are.
    lines = [line for line in page.split("\n") if line.strip()]
    assert sum(len(line) < 10 for line in lines) / len(lines) > 0.6


def test_short_lines_does_not_judge_few_lines():
    value, kept, _ = judge(ShortLines(), "首页\n新闻\n体育\n娱乐")
    assert value == {"lines": 4, "short_share": 1.0} and kept


# --- enumerated_lines -------------------------------------------------------------------------

def test_enumerated_lines_by_hand():
    text = "目录\n第一章 出山\n第二章 下山\n第三章 回山\n（四）尾声"
    assert judge(EnumeratedLines(), text)[0] == {"lines": 5, "enumerated": 0.8, "median_chars": 6}
    traditional = "目錄\n第一節 出山\n第二節 下山\n第三節 回山\n（四）尾聲"  # 節 is 节
    assert judge(EnumeratedLines(), traditional)[0] == {"lines": 5, "enumerated": 0.8, "median_chars": 6}


def test_enumerated_lines_rejects_chapter_listings_and_a_table_of_contents():
    for text in (WRITTEN["chapter-list-zh"], WRITTEN["chapter-list-en"], EXCERPTS["debref-zh-cn-0000"]):
        value, kept, _ = judge(EnumeratedLines(), text)
        assert not kept, value


def test_enumerated_lines_keeps_numbered_steps_that_are_sentences():
    steps = WRITTEN["howto-numbered-steps"]
    assert enumerated_lines(steps) > 0.8 * len([line for line in steps.split("\n") if line.strip()])
    value, kept, _ = judge(EnumeratedLines(), steps)
    assert value["enumerated"] < 0.7 and kept


def test_enumerated_lines_keeps_short_numbered_sentences():
    # BSD fortunes (fortunes 1:1.99.1, definitions): numbered rules of a few words each, every one
    # a sentence; a chapter listing's entries of the same length are titles.
    rules = ("The five rules of Socialism:\n\t(1) Don't think.\n\t(2) If you do think, don't speak.\n"
             "\t(3) If you think and speak, don't write.\n\t(4) If you think, speak and write, don't sign.\n"
             "\t(5) If you think, speak, write and sign, don't be surprised.\n\t\t-- being told in Poland, 1987")
    value, kept, _ = judge(EnumeratedLines(), rules)
    assert value["median_words"] < 8 and kept, value
    titles = "\n".join(line.rstrip(".") for line in rules.split("\n")[:6])
    assert not judge(EnumeratedLines(), titles)[1]


def test_enumerated_lines_median_is_not_fooled_by_one_giant_line():
    listing = WRITTEN["chapter-list-zh"] + "\n" + "简介" * 50_000
    value, kept, _ = judge(EnumeratedLines(), listing)
    assert value["median_chars"] < 10 and not kept
