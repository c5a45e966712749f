"""zh_spliced_text: Chinese text machine-made from pieces. The spliced texts are made here from
real texts of the fixtures (one sentence from each of many Wikipedia articles, the way SEO pages
are pulled together from other pages; a Debian Reference section cut at raw-HTML offsets). What
must be kept is every real Chinese text of the fixtures."""
from __future__ import annotations

import re

import pytest
from helpers import fixture_records
from zh_quality_fixtures import CLEAN, EXCERPTS, judge

from datacleaning.rules.filters.zh_spam import ZhSplicedText

RULE = ZhSplicedText()
WIKI = [r["text"] for r in fixture_records() if r["source"].startswith("github:ymcui/cmrc2018")]
SENTENCE = re.compile(r"[^。！？]{12,}[。！？]")


def _spliced() -> str:
    """One sentence from the middle of each Wikipedia article, joined: fluent sentences, no topic."""
    picked = [SENTENCE.findall(text) for text in WIKI]
    return "".join(sentences[len(sentences) // 2] for sentences in picked if sentences)


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_real_chinese_text_is_kept(name):
    value, kept, lang = judge(RULE, CLEAN[name])
    assert kept, (name, value)


def test_whole_articles_are_kept_and_their_sentences_spliced_are_rejected():
    articles = "\n\n".join(WIKI)
    value, kept, _ = judge(RULE, articles)
    assert kept and value["novelty"] < RULE.max_novelty, value
    spliced = _spliced()
    value, kept, _ = judge(RULE, spliced)
    assert not kept and value["novelty"] > RULE.max_novelty, value
    # Every article alone repeats its words more than the splice of their sentences does.
    for article in WIKI:
        alone, _, _ = judge(RULE, article * 2)
        assert alone["novelty"] is None or alone["novelty"] < value["novelty"]


def test_a_text_too_short_to_tell_is_not_judged_by_novelty():
    value, kept, _ = judge(RULE, _spliced()[:300])
    assert value["novelty"] is None and kept


def test_tails_of_tags_cut_from_raw_html_are_counted_and_whole_tags_are_not():
    section = EXCERPTS["debref-zh-cn-0194"]
    paragraphs = [p.strip(" \xa0*") for p in section.split("\n") if len(p) > 20][:8]
    cut = "".join(f'{p} border="0" />' if i % 2 else f'{p}" style="font-family: sans-serif">'
                  for i, p in enumerate(paragraphs))
    value, kept, _ = judge(RULE, cut)
    assert value["markup_tails"] > RULE.max_markup_tails and not kept, value
    whole_tags = "".join(f'<img src="a.jpg" border="0" />{p}<span class="x">{p}</span>' for p in paragraphs)
    value, _, _ = judge(RULE, whole_tags)
    assert value["markup_tails"] == 0, value
    # Code that quotes the same characters, followed by more code, is not a cut page.
    code = "".join(f'{p}\n    open(FH, ">file") or die;\n    print "<b>bold</b>" . "/>x";\n' for p in paragraphs)
    value, kept, _ = judge(RULE, code)
    assert value["markup_tails"] == 0 and kept, value


def test_a_rejection_names_the_check():
    assert RULE.failed_check({"novelty": 0.99, "markup_tails": 9}) == "novelty"
    assert RULE.failed_check({"novelty": None, "markup_tails": 9}) == "markup_tails"
    assert RULE.failed_check({"novelty": 0.5, "markup_tails": 0}) == ""
