"""remove_inline_pinyin: the bracketed pinyin spam writes after each character goes, readings and
puns stay, and the word lists see the words again. Texts written for these tests."""
from __future__ import annotations

import pytest

import datacleaning as dc
from datacleaning.config import load_config
from datacleaning.rules.edits.zh_inline_pinyin import RemoveInlinePinyin
from datacleaning.rules.registry import build_rule

SPAM = ("今天的比赛结果已经公布，欢迎大家前来查看。重(chong)庆(qing)时(shi)时(shi)彩(cai)，北(bei)京(jing)赛(sai)车(che)，"
        "注(zhu)册(ce)送(song)彩(cai)金(jin)，重(chong)庆(qing)时(shi)时(shi)彩(cai)天天开奖，欢迎加入我们的大家庭。")


@pytest.mark.parametrize("text, expected", [
    ("六(liu)合(he)彩(cai)开(kai)奖(jiang)结果", "六合彩开奖结果"),
    ("北 (bei)京（jīng）欢(huān)迎(ying2)你", "北京欢迎你"),
    ("重(chong)庆(qing)时(shi)时(shi)彩(cai)和北(bei)京(jing)赛(sai)车(che)", "重庆时时彩和北京赛车"),
])
def test_pinyin_after_each_character_of_a_run_goes(text, expected):
    assert RemoveInlinePinyin().apply(text) == expected


@pytest.mark.parametrize("text", [
    "这个字读行(xíng)，不读行(háng)。",           # the reading of one character
    "北京(Beijing)是中国的首都。",                # a gloss of a word
    "良（keng）心（die）商家，下次不来了。",       # a pun on two characters
    "函数返回值(int)和参数(char)。",              # code types, no Han before each
    "见附录(a)和附录(b)。",                      # enumerations
])
def test_readings_glosses_and_puns_stay(text):
    assert RemoveInlinePinyin().apply(text) == text


def test_the_run_length_is_a_parameter():
    pun = "良（keng）心（die）商家"
    assert build_rule("edits", 0, {"name": "remove_inline_pinyin", "min_run": 2}).apply(pun) == "良心商家"


def test_the_default_profile_sees_the_hidden_gambling_words():
    cleaned = next(dc.Pipeline(load_config(None, profile="mixed_web")).clean([{"id": "spam", "text": SPAM}]))
    assert cleaned.verdict is not None and cleaned.verdict.rejected_by == "blacklist:gambling"
    assert cleaned.document.edits["remove_inline_pinyin"] > 0
    bare = load_config(None, profile="mixed_web")
    bare.clean.edits = [e for e in bare.clean.edits if e["name"] != "remove_inline_pinyin"]
    assert next(dc.Pipeline(bare).clean([{"id": "spam", "text": SPAM}])).kept
