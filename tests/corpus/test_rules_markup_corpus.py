"""strip_html and remove_js_lines on the development corpus: technical text stays, escaped entities decode."""
from __future__ import annotations

import json

from markup_helpers import remove_js, strip


def _docs(dev_data, name: str) -> list[str]:
    with open(dev_data / name, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f]


def test_corpus_technical_text_is_left_alone(dev_data):
    for name in ["zh/zh_clean_tech_debian_reference.jsonl", "en/en_clean_tech_debian_reference.jsonl",
                 "zh/zh_clean_tech_manpages_zh.jsonl", "en/en_misc_fortunes.jsonl", "zh/zh_misc_fortunes_zh.jsonl"]:
        for text in _docs(dev_data, name):
            assert remove_js(text) == text, (name, text[:80])
    for name in ["zh/zh_clean_tech_debian_reference.jsonl", "en/en_clean_tech_debian_reference.jsonl"]:
        for text in _docs(dev_data, name):
            assert strip(text) == text, (name, text[:80])


def test_corpus_escaped_entities_and_review_entities_are_decoded(dev_data):
    pages = [strip(text) for text in _docs(dev_data, "zh/zh_web_news_html_gne.jsonl")]
    assert not [page for page in pages if "&amp;" in page or "&lt;" in page or "&quot;" in page]
    reviews = [text for text in _docs(dev_data, "zh/zh_ugc_reviews_chinesenlpcorpus.jsonl") if "&#" in text]
    assert len(reviews) > 20
    assert not [strip(text) for text in reviews if "&#" in strip(text)]
