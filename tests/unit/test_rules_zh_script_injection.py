"""zh_script_injection: a phrase of the other script repeated through a Chinese page. Texts written
for these tests after pages of the development corpus (HPLT: Traditional product pages with a
Simplified porn or gambling phrase in every paragraph); the names in them are made up."""
from __future__ import annotations

import pytest

import datacleaning as dc
from datacleaning.config import load_config
from datacleaning.document import Document
from datacleaning.rules.filters.zh_spam import ZhScriptInjection
from datacleaning.script_chars import script_only_chars

INJECTED = "澳门新葡京娱乐城真人百家乐开户"
PRODUCT_PAGE = (
    "本公司專業生產各類乾燥設備，產品廣泛應用於農業、化工與環保領域。" + INJECTED + "，"
    "適用範圍：可對自由流動的粉狀、顆粒、片狀、纖維等物料進行乾燥處理，適合農場、糧站與種糧專業戶使用。"
    + INJECTED + "。乾燥溫度可從六十度到六百度範圍內調節，操作簡單，維護方便，節能環保。"
    "歡迎各界朋友來電洽談合作，我們將竭誠為您服務。" + INJECTED + "。")
BLOG_QUOTING_ONCE = (
    "上個禮拜和朋友們去了一趟新加坡牛車水，那是第一次臨近新年時到那裡去，擠在人潮中連相機都提不起來。"
    "街邊的招牌寫著「欢迎光临新春大促销」，看一夥兒多開心，新年即將來臨，真的是好開心。")


def measured(text: str) -> dict:
    doc = Document("t", text)
    doc.lang = "zh"
    return ZhScriptInjection().score(doc)


def test_the_bundled_script_table_is_what_the_installed_opencc_gives():
    # The rows only: the header names the OpenCC version that wrote them, which may differ.
    from datacleaning.script_chars import TABLE, table_from_opencc
    def rows(lines):
        return [line for line in lines if not line.startswith("#")]
    assert rows(TABLE.read_text(encoding="utf-8").splitlines()) == rows(table_from_opencc())


def test_the_script_only_characters_are_those_one_script_alone_writes():
    traditional, simplified = script_only_chars()
    assert traditional.fullmatch("們") and traditional.fullmatch("說") and not traditional.fullmatch("们")
    assert simplified.fullmatch("们") and simplified.fullmatch("说") and not simplified.fullmatch("說")
    for both in "人大中天":  # written alike in both scripts
        assert not traditional.fullmatch(both) and not simplified.fullmatch(both)


@pytest.mark.parametrize("repeat", [1, 40])  # a line, and a text long enough for the array lookup
def test_the_simplified_form_folds_one_character_for_one(repeat):
    """What the rules written in Simplified read: the same length, so offsets carry over; text
    with nothing to fold comes back as the same object; characters outside the table (Latin,
    Extension B) stay."""
    import opencc

    from datacleaning.script_chars import simplified_form

    simplified = "这座城市的图书馆为读者准备了说明书，Library 𠀀。" * repeat
    traditional = opencc.OpenCC("s2t").convert(simplified)
    assert traditional != simplified
    assert simplified_form(traditional) == simplified and len(simplified_form(traditional)) == len(traditional)
    assert simplified_form(simplified) is simplified


def test_a_simplified_phrase_repeated_in_a_traditional_page_is_rejected():
    value = measured(PRODUCT_PAGE)
    # The phrase runs from its first character only Simplified writes to its last: 澳 and 户 are
    # written alike in both scripts.
    assert value == {"minority_phrases": 3, "repeated": 3, "top": "门新葡京娱乐城真人百家乐开"}
    assert not ZhScriptInjection().keep(value)


def test_the_same_in_the_other_direction():
    simplified_page = ("本公司专业生产各类干燥设备，产品广泛应用于农业、化工与环保领域。" "澳門賭場線上開戶，"
                       "适用范围：可对自由流动的粉状、颗粒等物料进行干燥处理。" "澳門賭場線上開戶，"
                       "欢迎各界朋友来电洽谈合作，我们将竭诚为您服务。" "澳門賭場線上開戶。")
    value = measured(simplified_page)
    assert value["repeated"] == 3 and value["top"] == "門賭場線上開戶"  # 澳: both scripts


def test_a_phrase_pasted_into_words_is_counted_whatever_characters_stand_beside_it():
    """No punctuation between the injected string and the host text: each copy's run of Han
    characters takes different neighbours (用, 的, a Traditional-only 軸), and the phrase is still
    one phrase three times."""
    pasted = "学生运动会开幕词"
    page = ("本系列水表選用特殊耐磨材料，特別適宜在國內供水管網上使" + pasted + "用。"
            "主要是替代平衡滑輪、定滑輪" + pasted + "的軸或其他形式的銷軸，常用于啟閉機。"
            "傳感器為平板式雙剪切結構，過載能" + pasted + "力強，受力狀態穩定，橫向干擾小。")
    value = measured(page)
    assert value["repeated"] == 3 and value["top"] == pasted
    assert not ZhScriptInjection().keep(value)


@pytest.mark.parametrize("text", [
    BLOG_QUOTING_ONCE,                                   # a quotation in the other script, once
    PRODUCT_PAGE.replace(INJECTED, "", 2),                # one injection is not a pattern
    "我们在北京的图书馆里读书，后来又去了公园。" * 5,       # one script only
    "我們在臺北的圖書館裡讀書，後來又去了公園。" * 5,
])
def test_text_in_one_script_or_quoting_the_other_once_is_kept(text):
    assert ZhScriptInjection().keep(measured(text))


def test_the_default_profile_rejects_the_page_naming_the_rule():
    cleaned = next(dc.Pipeline(load_config(None, profile="mixed_web")).clean([{"id": "p", "text": PRODUCT_PAGE}]))
    assert cleaned.verdict is not None and cleaned.verdict.rejected_by == "zh_script_injection"
