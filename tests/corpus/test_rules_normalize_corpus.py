"""The character-level rules on the development corpus: marks and spaces change, never a letter or a digit."""
from __future__ import annotations

import json
from pathlib import Path

import regex
from normalize_helpers import build

# Rules that change marks and spaces only: the letters and digits of a text must come out the same.
LETTER_KEEPING = [("normalizers", "normalize_spaces", {}), ("normalizers", "collapse_punctuation", {}),
                  ("normalizers", "normalize_newlines", {}), ("normalizers", "strip_edge_punctuation", {}),
                  ("edits", "zh_fullwidth_punctuation", {}), ("edits", "remove_cjk_spaces", {})]
WORD_CHAR = regex.compile(r"[\p{L}\p{N}]")


def _texts(path: Path, limit: int) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for _, line in zip(range(limit), f)]


def test_rules_keep_every_letter_and_digit_of_the_dev_corpus(dev_data):
    # remove_invisible (backspaces erase letters) and remove_junk_chars (private-use glyphs are
    # letters to ``regex``) run first; the mark and space rules after them must not lose a letter.
    first = [build("remove_invisible"), build("remove_junk_chars")]
    rest = [build(name, section, **params) for section, name, params in LETTER_KEEPING]
    texts = (_texts(dev_data / "zh" / "zh_clean_wiki_cmrc2018.jsonl", 400)
             + _texts(dev_data / "zh" / "zh_clean_tech_debian_reference.jsonl", 150)
             + _texts(dev_data / "zh" / "zh_ugc_reviews_chinesenlpcorpus.jsonl", 5000)
             + _texts(dev_data / "zh" / "zh_web_news_html_gne.jsonl", 30)
             + _texts(dev_data / "en" / "en_misc_fortunes.jsonl", 2000))
    for text in texts:
        for rule in first:
            text = rule.apply(text)
        cleaned = text
        for rule in rest:
            cleaned = rule.apply(cleaned)
        assert WORD_CHAR.findall(cleaned) == WORD_CHAR.findall(text), text[:80]
