"""The Chinese quality filters on the development corpus: clean sources, Tang and Song poems and reviews are kept."""
from __future__ import annotations

import json

import pytest
from zh_quality_fixtures import example_pipeline

from datacleaning.rules.filters.garbled import AlnumAlternation, Mojibake
from datacleaning.rules.filters.layout import EnumeratedLines, SentenceMarks, ShortLines
from datacleaning.rules.filters.zh_quality import CommonHanzi, HanRatio, ZhSingleCharWords
from datacleaning.rules.filters.zh_spam import ZhContactSpam, ZhKeywordInjection, ZhSpamTemplate

# The filters of this topic as the report recommends them for a Chinese web profile.
WEB_PROFILE = [HanRatio(min_ratio=0.05), Mojibake(), AlnumAlternation(), CommonHanzi(), SentenceMarks(), ShortLines(),
               EnumeratedLines(), ZhContactSpam(), ZhSingleCharWords()]


def _texts(path, *, every: int = 1, source_contains: str = "") -> list[str]:
    with open(path, encoding="utf-8") as f:
        records = (json.loads(line) for i, line in enumerate(f) if i % every == 0)
        return [r["text"] for r in records if source_contains in r["source"]]


def _kept_share(texts: list[str]) -> tuple[float, list[tuple[str, str]]]:
    """The share of ``texts`` the web profile keeps, and (rule, start of text) of those it rejects."""
    pipe = example_pipeline(WEB_PROFILE)
    rejected = [(c.verdict.rejected_by, c.document.text[:60]) for c in pipe.clean(texts) if not c.kept]
    return 1 - len(rejected) / len(texts), rejected


@pytest.mark.parametrize("path, min_kept", [
    ("zh/zh_clean_wiki_cmrc2018.jsonl", 0.99),
    ("zh/zh_clean_tech_debian_reference.jsonl", 0.98),
    ("zh/zh_clean_tech_manpages_zh.jsonl", 0.98),
    ("en/en_clean_tech_debian_reference.jsonl", 0.98),
    ("en/en_clean_wiki_wikitext2.jsonl", 0.99),
])
def test_clean_reference_sources_are_kept(dev_data, path, min_kept):
    share, rejected = _kept_share(_texts(dev_data / path))
    assert share >= min_kept, rejected


def test_every_tang_poem_and_song_poem_is_kept(dev_data):
    texts = [t for name in ("tang300", "song100")
             for t in _texts(dev_data / "zh/zh_misc_fortunes_zh.jsonl", source_contains=name)]
    share, rejected = _kept_share(texts)
    assert len(texts) > 400 and share == 1.0, rejected


def test_colloquial_reviews_are_kept(dev_data):
    share, rejected = _kept_share(_texts(dev_data / "zh/zh_ugc_reviews_chinesenlpcorpus.jsonl", every=20))
    assert share >= 0.995, rejected


def test_long_reviews_typed_without_full_stops_are_kept(dev_data):
    """Every review of 200 Han characters or more: a reviewer who runs on from comma to comma is
    writing sentences (before clause commas counted, sentence_marks rejected 94 of the 2,617)."""
    texts = _texts(dev_data / "zh/zh_ugc_reviews_chinesenlpcorpus.jsonl")
    long = [c for c in example_pipeline([SentenceMarks()]).clean(texts)
            if c.document.scores.get("sentence_marks", {}).get("han", 0) >= 200]
    rejected = [c.document.text[:60] for c in long if not c.kept]
    assert len(long) > 2000 and len(rejected) <= 0.01 * len(long), rejected


STATUTES_MANUALS_REVIEWS = ["zh/zh_clean_law_lawrefbook.jsonl", "zh/zh_clean_help_libreoffice.jsonl",
                            "zh/zh_clean_tech_manpages_zh.jsonl", "zh/zh_clean_wiki_cmrc2018.jsonl",
                            "zh/zh_ugc_reviews_chinesenlpcorpus.jsonl"]


@pytest.mark.parametrize("path", STATUTES_MANUALS_REVIEWS)
@pytest.mark.parametrize("rule, most_rejected", [
    # Statutes repeat their penalty clauses and reviewers their refrains, with other words around them.
    (ZhKeywordInjection(), 0.005),
    # Manuals name their buttons and reviewers their shops' coupons; neither prints a generator's frame.
    (ZhSpamTemplate(), 0.0),
], ids=["keyword_injection", "spam_template"])
def test_statutes_manuals_and_reviews_are_not_spam_pages(dev_data, path, rule, most_rejected):
    every = 20 if "reviews" in path else 1
    texts = _texts(dev_data / path, every=every)
    rejected = [c.document.scores[rule.name] for c in example_pipeline([rule]).clean(texts) if not c.kept]
    assert len(rejected) <= most_rejected * len(texts), rejected
