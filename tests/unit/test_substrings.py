"""The one multi-string finder every word and phrase list is matched with: against a plain
scan of real text, and after a pickle round trip (how rules reach Ray workers)."""
from __future__ import annotations

import pickle
import random

import pytest

from datacleaning.substrings import EVERY, LONGEST, SubstringFinder
from zh_quality_fixtures import EXCERPTS


def every_occurrence(keys: list[str], text: str) -> list[tuple[int, int, int]]:
    found = []
    for index, key in enumerate(keys):
        start = text.find(key)
        while start >= 0:
            found.append((index, start, start + len(key)))
            start = text.find(key, start + 1)
    return sorted(found, key=lambda m: (m[2], m[1]))


def leftmost_longest(keys: list[str], text: str) -> list[tuple[int, int, int]]:
    found, pos = [], 0
    while pos < len(text):
        candidates = [(len(key), -index) for index, key in enumerate(keys) if text.startswith(key, pos)]
        if candidates:
            length, minus_index = max(candidates)
            found.append((-minus_index, pos, pos + length))
            pos += length
        else:
            pos += 1
    return found


def keys_from(text: str, rng: random.Random, n: int) -> list[str]:
    keys = set()
    while len(keys) < n:
        start = rng.randrange(len(text) - 4)
        keys.add(text[start:start + rng.randint(1, 4)])
    return sorted(keys)


@pytest.mark.parametrize("doc_id", ["cmrc-DEV_578", "wt2-test-0006", "manzh-unlink.1"])
def test_matches_equal_a_plain_scan_of_real_text(doc_id):
    text = EXCERPTS[doc_id].lower()
    rng = random.Random(doc_id)
    for _ in range(20):
        keys = keys_from(text, rng, rng.randint(1, 12))
        every = SubstringFinder(keys, EVERY).matches(text)
        assert sorted(every, key=lambda m: (m[2], m[1], m[0])) == \
            sorted(every_occurrence(keys, text), key=lambda m: (m[2], m[1], m[0]))
        # Keys here are distinct, so the longest at a position is one key.
        assert SubstringFinder(keys, LONGEST).matches(text) == leftmost_longest(keys, text)
        assert SubstringFinder(keys).occurs_in(text)
    assert not SubstringFinder(["不在文中的词组"]).occurs_in(text)
    assert SubstringFinder([]).matches(text) == []


def test_a_finder_pickles_as_its_keys_and_finds_the_same_after():
    finder = SubstringFinder(["验证码", "码", "click here"], LONGEST)
    text = "输入验证码后 click here，二维码"
    copy = pickle.loads(pickle.dumps(finder))
    assert copy.keys == finder.keys and copy.kind == LONGEST
    assert copy.matches(text) == finder.matches(text) == [(0, 2, 5), (2, 7, 17), (1, 20, 21)]


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        SubstringFinder(["a"], "shortest")


@pytest.mark.parametrize("kind", [EVERY, LONGEST])
def test_lines_holding_a_key_equal_a_line_by_line_check_of_real_text(kind):
    text = "\n".join(EXCERPTS[doc_id] for doc_id in ("debref-zh-cn-0534", "manzh-unlink.1", "wt2-test-0006")).lower()
    lines = text.split("\n")
    assert len(lines) > 20
    rng = random.Random(kind)
    for _ in range(20):
        keys = [key for key in keys_from(text, rng, rng.randint(1, 8)) if "\n" not in key]
        expected = [i for i, line in enumerate(lines) if any(key in line for key in keys)]
        assert SubstringFinder(keys, kind).lines_holding(text) == expected
