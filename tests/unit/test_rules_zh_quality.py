"""Common-hanzi ratio, jieba single-character words and contact/lottery spam on real Chinese text,
and on mojibake made here."""
from __future__ import annotations

import time

import pytest
from zh_quality_fixtures import CLEAN, EXCERPTS, WRITTEN, judge, misdecoded

from datacleaning.document import Document
from datacleaning.rules.filters.zh_quality import (CommonHanzi, ZhSingleCharWords, common_hanzi, han_sample,
                                                   simplified_hanzi, single_char_share)
from datacleaning.rules.filters.zh_spam import ZhContactSpam
from datacleaning.cleaning.language import guess_language

ZH_CLEAN = {k: v for k, v in CLEAN.items() if guess_language(v) == "zh"}
MODERN = [CLEAN[k] for k in ("cmrc-DEV_578", "cmrc-DEV_1178", "news-with-contacts", "review-long")]


def _gb2312_level(leads: range) -> set[str]:
    return {bytes((lead, trail)).decode("gb2312") for lead in leads for trail in range(0xA1, 0xFF)
            if not (lead == 0xD7 and trail > 0xF9)}  # level 1 ends at D7F9


# --- common_hanzi -----------------------------------------------------------------------------

def test_common_hanzi_are_gb2312_level_1_and_big5_level_1():
    level1 = _gb2312_level(range(0xB0, 0xD8))
    assert len(level1) == 3755 and level1 <= common_hanzi()
    assert set("们国这说的是") <= common_hanzi() and set("們國這說") <= common_hanzi()
    assert not set("枃傝夋") & common_hanzi()  # UTF-8 read as GBK; jieba's dictionary has them
    assert len(simplified_hanzi()) == 6763 and set("們國") - simplified_hanzi() == set("們國")


def test_common_hanzi_value_by_hand():
    text = "中" * 15 + "枃" * 5
    assert judge(CommonHanzi(), text)[:2] == ({"han": 20, "common": 0.75}, True)
    assert judge(CommonHanzi(), "中" * 13 + "枃" * 7)[:2] == ({"han": 20, "common": 0.65}, False)
    assert judge(CommonHanzi(), "枃" * 19)[:2] == ({"han": 19, "common": 0.0}, True)  # too short to judge


@pytest.mark.parametrize("written_as, read_as", [("utf-8", "gbk"), ("utf-8", "gb2312"), ("gbk", "big5")])
def test_common_hanzi_rejects_chinese_read_as_another_chinese_charset(written_as, read_as):
    for text in MODERN:
        value, kept, lang = judge(CommonHanzi(), misdecoded(text, written_as, read_as))
        assert lang == "zh" and not kept, value


def test_common_hanzi_keeps_rare_characters_of_classics_and_traditional_script():
    for doc_id, text in ZH_CLEAN.items():
        value, kept, _ = judge(CommonHanzi(), text)
        assert kept, (doc_id, value)
    # The Book of Songs in traditional characters, with its horse names, is the lowest clean text.
    assert judge(CommonHanzi(), EXCERPTS["fortunes-zh-chinese-03155"])[0]["common"] < 0.8


# --- zh_single_char_words ---------------------------------------------------------------------

def test_single_char_share_by_hand():
    # jieba: 我们 / 喜欢 / 猫: one of five characters stands alone.
    assert single_char_share("我们\n喜欢\n猫") == 0.2
    assert single_char_share("") == 0.0


def test_han_sample_spans_the_document_in_whole_runs():
    runs = [f"{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{'子丑寅卯辰巳午未申酉戌亥'[i % 12]}天地" for i in range(200)]
    sample = han_sample("，".join(runs), 128).split("\n")
    assert set(sample) <= set(runs) and sum(map(len, sample)) == 128
    assert sample[0] == runs[0] and sample[-1] in runs[150:]


def test_han_sample_is_bounded_on_one_giant_line():
    started = time.perf_counter()
    assert judge(ZhSingleCharWords(), "的" * 100_000)[0]["han"] == 128
    assert time.perf_counter() - started < 2


def test_single_char_words_rejects_utf8_read_as_gb2312():
    # Pages that declare gb2312 but are UTF-8: every character is GB2312, many of them common.
    for text in MODERN:
        garbled = misdecoded(text, "utf-8", "gb2312")
        value, kept, _ = judge(ZhSingleCharWords(), garbled)
        assert value["simplified"] == 1.0 and value["single"] > 0.98 and not kept, value


def test_single_char_words_keeps_poems_ci_classics_and_reviews_even_when_all_are_segmented():
    for rule in (ZhSingleCharWords(), ZhSingleCharWords(max_common=1.0)):
        for doc_id, text in ZH_CLEAN.items():
            value, kept, _ = judge(rule, text)
            assert kept, (doc_id, value)
    # The Analects: classical prose, nearly all one-character words, still under the threshold.
    analects = judge(ZhSingleCharWords(max_common=1.0), EXCERPTS["fortunes-zh-chinese-01612"])[0]
    assert 0.9 < analects["single"] <= 0.98


def test_single_char_words_segments_only_samples_that_could_be_mojibake():
    cases = {
        "fortunes-zh-chinese-03155": "simplified",  # the Book of Songs, traditional script
        "traditional-taiwan": "simplified",
        "review-rice": "han",  # 15 Han characters
        "review-long": "common",  # all common characters
    }
    for doc_id, reason in cases.items():
        value, kept, _ = judge(ZhSingleCharWords(), CLEAN[doc_id])
        assert value["single"] is None and kept, (doc_id, value)
        assert {"simplified": value["simplified"] < 0.9, "han": value["han"] < 50,
                "common": value["common"] > 0.9}[reason], (doc_id, value)


# --- zh_contact_spam --------------------------------------------------------------------------

def test_contact_spam_counts_handles_and_draw_numbers():
    spam = WRITTEN["lottery-contact-spam"]
    # 加微信：ssc88888, QQ：123456789, 13912345678, three 第2024xxx期, VX：pk10vip
    value, kept, _ = judge(ZhContactSpam(), spam)
    assert value == {"hits": 7, "per_1k": round(7000 / len(spam), 3)} and not kept


@pytest.mark.parametrize("text, hits", [
    ("客服QQ：123456789，微信号: abc_2024", 2),
    ("客服QQ號：123456789，微信號: abc_2024", 2),  # in Traditional: read folded to Simplified
    ("热线 400-123-4567，手机 139 1234 5678", 2),
    ("2024-01-01 发布，订单号 20240101123456，价格 1380.00 元", 0),
    ("权限 drwxrwxr-x 表示目录可读可执行，wxrwxrwt 是带粘滞位的目录", 0),
    ("微信支付很方便，QQ音乐也不错", 0),
])
def test_contact_spam_patterns(text, hits):
    assert judge(ZhContactSpam(), text)[0]["hits"] == hits


def test_contact_spam_keeps_news_with_a_newsroom_footer_and_technical_text():
    value, kept, _ = judge(ZhContactSpam(), WRITTEN["news-with-contacts"])
    assert value["hits"] == 3 and kept
    for doc_id, text in ZH_CLEAN.items():
        assert judge(ZhContactSpam(), text)[1], doc_id


def test_contact_spam_is_judged_on_the_text_as_read():
    spam = WRITTEN["lottery-contact-spam"]
    doc = Document("spam", spam)
    doc.text = spam.replace("13912345678", "<PHONE>")  # as the PII edit rules leave it
    assert ZhContactSpam().score(doc)["hits"] == 7
