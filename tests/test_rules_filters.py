"""The length filter (before and after cleaning) and the Chinese-character ratio, on real text
and on hand-counted small ones."""
from __future__ import annotations

import pytest

from datacleaning.document import Document
from datacleaning.rules.filters import HanRatio, Length
from datacleaning.rules.registry import ConfigError, build_rule
from zh_quality_fixtures import CLEAN, EXCERPTS, judge


def test_length_counts_characters_after_cleaning_and_as_read():
    # "ab", a zero-width space, "c", CRLF and three trailing spaces: 9 characters as read; the
    # normalizers drop the zero-width space, the CR and the trailing blanks, leaving "abc".
    value, kept, _ = judge(Length(min_chars=3), "ab\u200bc\r\n   ")
    assert value == {"chars": 3, "original_chars": 9}
    assert kept


def test_length_rejects_on_either_bound_before_or_after_cleaning():
    text = "短文本" + "\u200b" * 10  # 3 characters left after cleaning, 13 as read
    assert judge(Length(min_chars=3), text)[1]
    assert not judge(Length(min_chars=4), text)[1]
    assert not judge(Length(min_chars=1, max_chars=2), text)[1]
    assert judge(Length(min_chars=1, min_original_chars=13), text)[1]
    assert not judge(Length(min_chars=1, min_original_chars=14), text)[1]
    assert not judge(Length(min_chars=1, max_original_chars=12), text)[1]


def test_length_defaults_keep_real_paragraphs_and_drop_a_fragment():
    for doc_id in ("cmrc-DEV_578", "debref-zh-cn-0534", "manzh-unlink.1", "wt2-test-0006"):
        assert judge(Length(), EXCERPTS[doc_id])[1], doc_id
    value, kept, _ = judge(Length(), "好")
    assert value == {"chars": 1, "original_chars": 1} and not kept


def test_length_of_one_giant_line():
    value, kept, _ = judge(Length(max_chars=99_999), "字" * 100_000)
    assert value == {"chars": 100_000, "original_chars": 100_000} and not kept


def test_length_parameters_are_validated_from_config():
    with pytest.raises(ConfigError, match=r"clean\.filters\[0\]\.max_original_chars"):
        build_rule("filters", 0, {"name": "length", "max_original_chars": "a lot"})


@pytest.mark.parametrize("text, han, nonspace", [
    ("中文abc", 2, 5),
    ("第 1 章\u3000开始", 4, 5),  # the ideographic space is not counted
    ("2024-01-01 12:00 价格：100元", 3, 22),
])
def test_han_ratio_counts_han_over_non_space_characters(text, han, nonspace):
    assert HanRatio().score(Document("t", text)) == round(han / nonspace, 4)


def test_han_ratio_is_safe_on_empty_and_blank_text():
    assert HanRatio().score(Document("t", "")) == 0.0
    assert HanRatio().score(Document("t", " \n\t\u3000")) == 0.0


def test_han_ratio_keeps_chinese_technical_text_and_drops_a_number_table():
    for doc_id, text in CLEAN.items():
        value, kept, lang = judge(HanRatio(min_ratio=0.1), text)
        assert kept, (doc_id, value)
    # 2 Han characters, then 30 rows of 5 + 3 + 2 digits.
    table = "型号\n" + "\n".join(f"{i:05d} {i * 37 % 1000:03d} {i * 13 % 97:02d}" for i in range(30))
    value, kept, lang = judge(HanRatio(min_ratio=0.1), table)
    assert lang == "zh" and value == round(2 / (2 + 30 * 10), 4) and not kept
