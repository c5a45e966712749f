"""zh_keyword_injection: a comma-joined keyword list pasted into Chinese text again and again. The
pasted pages are made here the way the HPLT pages of the development corpus were made: a keyword
list (made up for the test, harmless words) cut into real Wikipedia paragraphs of the fixtures,
mid-word, once per paragraph. What must be kept is every real Chinese text of the fixtures."""
from __future__ import annotations

import pytest
from helpers import fixture_records
from zh_quality_fixtures import CLEAN, judge

from datacleaning.rules.filters.zh_spam import ZhKeywordInjection

RULE = ZhKeywordInjection()
KEYWORDS = "免费电影下载,美女图片大全,小说在线阅读"
WIKI = [r["text"] for r in fixture_records() if r["source"].startswith("github:ymcui/cmrc2018")]


def _pasted(paragraphs: list[str], keywords: str = KEYWORDS) -> str:
    """``keywords`` cut into the middle of each paragraph, between two of its characters."""
    return "\n".join(p[:len(p) // 2] + keywords + p[len(p) // 2:] for p in paragraphs)


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_real_chinese_text_is_kept(name):
    value, kept, _ = judge(RULE, CLEAN[name])
    assert kept, (name, value)


def test_wikipedia_paragraphs_are_kept_until_a_keyword_list_is_pasted_into_three():
    value, kept, _ = judge(RULE, "\n".join(WIKI[:6]))
    assert kept and value["repeats"] == 0, value
    value, kept, _ = judge(RULE, _pasted(WIKI[:2]) + "\n" + "\n".join(WIKI[2:6]))
    assert kept and value["repeats"] == 2, value
    value, kept, _ = judge(RULE, _pasted(WIKI[:3]) + "\n" + "\n".join(WIKI[3:6]))
    assert not kept and value["repeats"] == 3, value
    assert "美女图片大全" in value["top"]


def test_the_list_is_read_from_the_text_as_read():
    """Normalizers and edit rules run before filters; the list stays recognisable in what was read,
    fullwidth commas and all (a list joined by ，is prose's own punctuation and is not counted)."""
    value, kept, _ = judge(RULE, _pasted(WIKI[:5]))
    assert not kept and value["repeats"] == 5, value
    value, kept, _ = judge(RULE, _pasted(WIKI[:5], KEYWORDS.replace(",", "，")))
    assert kept and value["repeats"] == 0, value


def test_a_clause_repeated_with_other_words_around_it_is_kept():
    """A reporter quoting one man through an interview repeats ",吳先生說," with other neighbours."""
    text = ("記者昨日走訪市場,吳先生說,今年的菜價比去年高出不少。他表示,颱風過後,吳先生說,葉菜類最先漲價,"
            "根莖類則相對穩定。至於明年的行情,吳先生說,還要看天氣,很難預料。")
    value, kept, _ = judge(RULE, text)
    assert kept and value["repeats"] == 1, value


def test_items_need_two_han_characters():
    """Numbers and code between commas (1,000,000; option lists) are not keywords."""
    text = "\n".join(f"第{i}批貨物共計1,000,000,000件,已於本月{i}日運抵倉庫並完成入庫登記。" for i in range(1, 6))
    value, kept, _ = judge(RULE, text)
    assert kept and value["repeats"] == 0, value


def test_lines_a_page_repeats_whole_are_its_furniture():
    """A news site's carousel of question titles, typed with ASCII commas, shown three times around
    an article (made up here in the shape of the pages of the development corpus that went for
    it): the titles repeat with the same neighbours, but as whole lines, not pasted into text."""
    carousel = ["我在日本研究养老产业,即将进入超高龄社会的日本如何养老,问吧!",
                "我是科技自媒体人,如何选择适合自己的手机,问我吧!"]
    page = "\n".join([*carousel, *WIKI[:3], *carousel, *WIKI[3:6], *carousel])
    value, kept, _ = judge(RULE, page)
    assert kept and value["repeats"] == 0, value
    # The same titles pasted into three paragraphs are a list injected into borrowed text.
    value, kept, _ = judge(RULE, _pasted(WIKI[:3], carousel[0]))
    assert not kept and value["repeats"] == 3, value
