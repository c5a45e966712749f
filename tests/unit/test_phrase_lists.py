"""The phrase matcher behind the boilerplate rules, against the obvious way of doing the same."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from datacleaning.rules.phrase_lists import DATA_DIR, DECORATION, PhraseMatcher, load_phrase_lists, matching_form

LISTS = sorted(p.stem for p in DATA_DIR.glob("*.txt") if not p.stem.startswith("stopwords"))


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def reference_matches(phrases: list[str], unit: str) -> bool:
    """Every occurrence of every phrase tried in turn, anchors and word boundaries as the module
    docstring states them."""
    lead = len(unit) - len(unit.lstrip(DECORATION))
    tail = len(unit.rstrip(DECORATION))
    for phrase in phrases:
        at_start = phrase.startswith("^")
        at_end = phrase.endswith("$") and len(phrase) > 1
        key = phrase[1 if at_start else 0: -1 if at_end else None].strip().lower()
        if not key:
            continue
        if at_start and at_end:
            if unit.strip(DECORATION) == key.strip(DECORATION):
                return True
            continue
        start = unit.find(key)
        while start >= 0:
            stop = start + len(key)
            glued = key.isascii() and (
                (_word_char(key[0]) and start > 0 and _word_char(unit[start - 1]))
                or (_word_char(key[-1]) and stop < len(unit) and _word_char(unit[stop])))
            if not glued and (not at_start or start <= lead) and (not at_end or stop >= tail):
                return True
            start = unit.find(key, start + 1)
    return False


@pytest.mark.parametrize("unit, expected", [
    ("（责任编辑：张三）", True),          # ^责任编辑 looks past the bracket
    ("本报讯，来源：新华社", False),        # ^来源： is not at the start
    ("share", True),
    ("shareholder meeting", False),      # an ASCII phrase stands as a word
    ("share:", True),
    ("_share: now", False),              # "_" is decoration but also a word character
    ("【登录】", True),
    ("请登录后评论", False),
    ("posted on 2019-05-01 by admin", True),
    ("all rights reserved.", True),
    ("we reserved all rights", False),
])
def test_matches_by_hand(unit, expected):
    phrases = load_phrase_lists(["boilerplate_lines_zh", "boilerplate_lines_en", "edge_phrases_zh", "edge_phrases_en"],
                                Path.cwd())
    assert PhraseMatcher(phrases).matches(unit) is expected
    assert reference_matches(phrases, unit) is expected


@pytest.mark.parametrize("list_name", LISTS)
def test_matches_agrees_with_the_obvious_way_on_every_bundled_list(list_name):
    phrases = load_phrase_lists([list_name], Path.cwd())
    matcher = PhraseMatcher(phrases)
    keys = [p.strip("^$").strip() for p in phrases if p.strip("^$").strip()]
    filler = ["", "a", "z", "_", "1", "新闻", "今天天气很好", "the quick fox", "。", "，"]
    rng = random.Random(list_name)
    for _ in range(1500):
        parts = [rng.choice(filler), rng.choice(keys), rng.choice(filler)]
        if rng.random() < 0.3:
            parts.insert(rng.randrange(4), rng.choice(keys))
        unit = "".join(rng.choice(["", " ", rng.choice(DECORATION)]) + part for part in parts)
        unit += rng.choice(["", " ", rng.choice(DECORATION)])
        unit = matching_form(unit)
        assert matcher.matches(unit) == reference_matches([matching_form(p) for p in phrases], unit), (list_name, unit)


def test_phrases_starting_or_ending_in_decoration_still_match_where_anchored():
    phrases = ["^【独家】", "：完$", "^:start"]
    matcher = PhraseMatcher(phrases)
    for unit in ["【独家】消息", "  【独家】", "全文：完", "全文：完 ", ":start here", "x:start", "完：完"]:
        assert matcher.matches(unit) == reference_matches(phrases, unit), unit
