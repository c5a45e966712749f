"""The PII rules on the development corpus: web news loses its URLs and contacts, reference text keeps its numbers."""
from __future__ import annotations

import json
from pathlib import Path

from datacleaning.rules.edits.pii import (RedactPii, RemoveEmails, RemoveMarkdownImages, RemoveMentions, RemoveUrls,
                                          RemoveWechatIds)


def _docs(dev_data: Path, name: str) -> list[str]:
    with open(dev_data / name, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f]


def test_corpus_technical_and_encyclopedic_text_keeps_its_numbers_and_at_signs(dev_data):
    untouched = [RemoveMentions(), RemoveWechatIds(), RedactPii(), RemoveMarkdownImages()]
    for name in ["zh/zh_clean_tech_debian_reference.jsonl", "en/en_clean_tech_debian_reference.jsonl",
                 "zh/zh_clean_wiki_cmrc2018.jsonl", "en/en_clean_wiki_wikitext2.jsonl"]:
        for text in _docs(dev_data, name):
            for rule in untouched:
                assert rule.apply(text) == text, (name, rule.name, text[:80])


def test_corpus_web_news_loses_its_urls_and_contacts(dev_data):
    pages = _docs(dev_data, "zh/zh_web_news_html_gne.jsonl")
    rules = [RemoveUrls(), RemoveEmails(), RemoveWechatIds(), RedactPii()]
    cleaned = []
    for text in pages:
        for rule in rules:
            text = rule.apply(text)
        cleaned.append(text)
    assert sum(page.count("http") for page in pages) > 200
    assert not [page for page in cleaned if "http://" in page or "https://" in page]
    assert not [page for page in cleaned if "@qq.com" in page or "@vip.sina.com" in page]
    assert sum(page.count("<PHONE>") for page in cleaned) >= 20
