"""The boilerplate editors on the development corpus: news pages lose their furniture, clean text stays."""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from boilerplate_helpers import clean, rule, web_profile
from resiliparse.extract.html2text import extract_plain_text


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


SPACE = re.compile(r"\s+")


def test_main_blocks_drop_teasers_of_real_article_pages_and_keep_their_articles(dev_data):
    """magic-html's article pages (Chinese and English) as a crawl's extracted text holds them,
    every line of the page: of the characters the classifier rule keeps, more are the article's
    (a line counts as the article's where the human-extracted text holds it) when lines must also
    stand in the page's main blocks, and hardly any of the article is lost for it."""
    with_blocks = rule("remove_boilerplate_by_classifier")
    line_by_line = rule("remove_boilerplate_by_classifier", min_block_share=0.0)
    kept = {"blocks": [0, 0], "lines": [0, 0]}  # characters kept that are the article's, all kept
    article = 0
    with gzip.open(dev_data / "boilerplate" / "magic_html_benchmark.jsonl.gz", "rt", encoding="utf-8") as f:
        for record in map(json.loads, f):
            if record["kind"] != "article" or record["lang"] not in ("zh", "en"):
                continue
            gold = SPACE.sub("", record["gold"])
            text = extract_plain_text(record["html"])
            is_article = {line: SPACE.sub("", line) in gold for line in map(str.strip, text.split("\n")) if line}
            article += sum(len(line) for line, yes in is_article.items() if yes)
            for name, editor in (("blocks", with_blocks), ("lines", line_by_line)):
                for line in filter(None, map(str.strip, editor.apply(text).split("\n"))):
                    kept[name][0] += len(line) * is_article.get(line, False)
                    kept[name][1] += len(line)
    precision = {name: article_chars / chars for name, (article_chars, chars) in kept.items()}
    recall = {name: article_chars / article for name, (article_chars, _) in kept.items()}
    assert precision["blocks"] > precision["lines"] + 0.02, precision
    assert recall["blocks"] > recall["lines"] - 0.01, recall
