"""zh_unrelated_sentences: Chinese text whose sentences do not follow each other. The shuffles
are made here from real texts of the fixtures (Wikipedia paragraphs, CC-BY-SA): the same
sentences in their articles' order and dealt out one article at a time, the way SEO pages shuffle
news sentences from many stories. What must be kept is every real Chinese text of the fixtures."""
from __future__ import annotations

import re

import pytest
from helpers import fixture_records
from zh_quality_fixtures import CLEAN, judge

from datacleaning.rules.filters.zh_spam import ZhUnrelatedSentences

RULE = ZhUnrelatedSentences()
# Measures cohesion whatever the novelty: the order of the same sentences is all that differs.
EVERY_TEXT = ZhUnrelatedSentences(min_novelty=0.0)
WIKI = [r["text"] for r in fixture_records() if r["source"].startswith("github:ymcui/cmrc2018")]
SENTENCE = re.compile(r"[^。！？]{12,}[。！？]")
ARTICLES = [sentences for sentences in map(SENTENCE.findall, WIKI) if len(sentences) >= 4]


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_real_chinese_text_is_kept(name):
    value, kept, lang = judge(RULE, CLEAN[name])
    assert kept, (name, value)


@pytest.mark.parametrize("article", range(len(WIKI)))
def test_every_wikipedia_article_is_kept(article):
    value, kept, _ = judge(RULE, WIKI[article])
    assert kept, value


def test_a_sentence_from_each_article_in_turn_is_rejected():
    shuffle = "".join(sentences[len(sentences) // 2] for sentences in ARTICLES)
    value, kept, _ = judge(RULE, shuffle)
    assert value["novelty"] > RULE.min_novelty and value["cohesion"] < RULE.min_cohesion and not kept, value


def test_the_same_sentences_cohere_in_their_articles_order_and_not_dealt_out():
    in_order = "".join(sentence for sentences in ARTICLES for sentence in sentences[:4])
    dealt_out = "".join(sentences[i] for i in range(4) for sentences in ARTICLES)
    ordered, _, _ = judge(EVERY_TEXT, in_order)
    shuffled, _, _ = judge(EVERY_TEXT, dealt_out)
    assert ordered["cohesion"] > 2 * shuffled["cohesion"], (ordered, shuffled)


def test_cohesion_is_measured_only_where_the_text_keeps_bringing_new_words():
    # All the articles one after another come back to their words: not measured, kept.
    value, kept, _ = judge(RULE, "\n\n".join(WIKI))
    assert value["novelty"] <= RULE.min_novelty and value["cohesion"] is None and kept, value


def test_a_text_of_too_few_sentences_is_not_judged():
    few = "".join(sentences[0] for sentences in ARTICLES[:RULE.min_sentences - 1])
    value, kept, _ = judge(EVERY_TEXT, few)
    assert value["cohesion"] is None and kept, value


def _two_from_each_article() -> str:
    """Two sentences of each article in turn: each pair holds together, the text does not."""
    return "".join(sentence for sentences in ARTICLES for sentence in sentences[:2])


def test_a_casino_named_in_borrowed_sentences_is_rejected_and_the_sentences_alone_are_kept():
    pairs = _two_from_each_article()
    value, kept, _ = judge(RULE, pairs)
    assert value["terms"] == 0 and RULE.min_cohesion <= value["cohesion"] < RULE.min_cohesion_with_term, value
    assert kept
    sentences = SENTENCE.findall(pairs)
    injected = "".join(sentences[:3]) + "澳门金沙" + "".join(sentences[3:])
    value, kept, _ = judge(RULE, injected)
    assert value["terms"] == 1 and not kept, value
    assert RULE.failed_check(value) == "injected_term"


def test_an_article_that_names_a_casino_is_left_to_the_blacklist():
    article = max(WIKI, key=len)
    sentences = SENTENCE.findall(article)
    named = "".join(sentences[:2]) + "澳门金沙" + "".join(sentences[2:])
    value, kept, _ = judge(EVERY_TEXT, named)
    assert value["terms"] == 1 and value["cohesion"] >= RULE.min_cohesion_with_term and kept, value


def test_a_rejection_names_the_check():
    assert RULE.failed_check({"novelty": 0.95, "cohesion": 0.02, "terms": 3}) == "shuffled"
    assert RULE.failed_check({"novelty": 0.82, "cohesion": 0.02, "terms": 1}) == "injected_term"
    assert RULE.failed_check({"novelty": 0.82, "cohesion": 0.02, "terms": 0}) == ""
    assert RULE.failed_check({"novelty": 0.7, "cohesion": None, "terms": None}) == ""
