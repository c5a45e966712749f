"""The boilerplate editors on the development corpus: news pages lose their furniture, clean text stays."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from boilerplate_helpers import clean, web_profile


def _records(path: Path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


PROSE_ZH = re.compile(r"。.*。")


def test_real_news_pages_lose_most_lines_and_keep_their_paragraphs(dev_data):
    rules = web_profile()
    total = removed = 0
    lost_paragraphs = []
    for record in _records(dev_data / "zh" / "zh_web_news_html_gne.jsonl"):
        before = [line.strip() for line in record["text"].split("\n") if line.strip()]
        after = set(clean(record["text"], rules).split("\n"))
        total += len(before)
        removed += sum(line not in after for line in before)
        lost_paragraphs += [line for line in before
                            if len(line) >= 60 and PROSE_ZH.search(line) and line not in after]
    assert removed / total > 0.5, removed / total
    # The only long prose lines that go are the sites' disclaimers.
    assert all(re.match(r"\W*免责声明", line) for line in lost_paragraphs), lost_paragraphs


@pytest.mark.parametrize("corpus", ["zh/zh_clean_wiki_cmrc2018.jsonl", "zh/zh_clean_tech_debian_reference.jsonl",
                                    "en/en_clean_tech_debian_reference.jsonl", "en/en_clean_wiki_wikitext2.jsonl"])
def test_clean_text_is_left_almost_untouched(dev_data, corpus):
    rules = web_profile()
    before = after = 0
    for record in _records(dev_data / corpus):
        before += len(record["text"])
        after += len(clean(record["text"], rules))
    # What goes is a book's own copyright line ("版权 © 2013-2021 青木修") and the like.
    assert 1 - after / before < 0.001, 1 - after / before
