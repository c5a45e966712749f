"""zh_spam_template: the labels an SEO page generator prints on every page. The generated pages are
made here the way the HPLT pages labelled for training were made: the generator's frame (its
button and field labels, which are what the rule reads) around real Wikipedia paragraphs of the
fixtures, which stand for the product text and the news a generator pastes in. What must be kept
is every real Chinese text of the fixtures, and a page that names one label."""
from __future__ import annotations

import pytest
from helpers import fixture_records
from zh_quality_fixtures import CLEAN, judge

from datacleaning.document import Document
from datacleaning.rules.filters.zh_spam import ZhSpamTemplate

RULE = ZhSpamTemplate()
WIKI = [r["text"] for r in fixture_records() if r["source"].startswith("github:ymcui/cmrc2018")]


def _affiliate_page(product: str, pasted: list[str]) -> str:
    """The affiliate-blog generator's frame: a shopper's story around a product name, its coupon
    button and the shop's fields, then paragraphs pasted from elsewhere."""
    return (f"這幾天朋友來我家玩,看到{product}覺得很好用也想買一個,我就直接上網幫他下訂單啦~\n"
            f"{product}用過之後感覺真的很不賴!大力推薦!!!\n↓↓↓限量特惠的優惠按鈕↓↓↓\n"
            f"商品訊息功能 商品訊息描述 {pasted[0]}\n" + "\n".join(pasted[1:]))


def _aggregator_page(query: str, snippets: list[str]) -> str:
    """A search-result aggregator: each snippet cut short, with the source's "visit now" link."""
    return f"{query}(幫你找到了與{query}相關的資訊)\n" + "\n".join(
        f"{s[:80]}... zh.wikipedia.org 立即訪問 -" for s in snippets)


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_real_chinese_text_is_kept(name):
    value, kept, _ = judge(RULE, CLEAN[name])
    assert kept and (value is None or value["hits"] == 0), (name, value)


def test_wikipedia_paragraphs_framed_by_the_affiliate_generator_are_rejected():
    value, kept, _ = judge(RULE, "\n".join(WIKI[:4]))
    assert kept and value["hits"] == 0, value
    value, kept, _ = judge(RULE, _affiliate_page("【贈保溫杯】不鏽鋼真空燜燒罐 500ml", WIKI[:4]))
    assert not kept and value["hits"] == 3, value


def test_wikipedia_snippets_in_a_search_aggregator_are_rejected():
    value, kept, _ = judge(RULE, _aggregator_page("燜燒罐怎麼用", WIKI[:4]))
    assert not kept and value["hits"] == 5, value


def test_a_page_that_names_one_label_is_kept():
    """A blogger telling readers where the shop's button is prints its label once."""
    text = ("這家店的網站改版之後,結帳流程簡單多了。選好商品以後,頁面右邊會出現一個「立即訪問」的按鈕,"
            "按下去就會跳到付款頁,不用再重新登入一次。\n" + WIKI[0])
    value, kept, _ = judge(RULE, text)
    assert kept and value["hits"] == 1, value


def test_the_labels_are_counted_in_the_text_as_read():
    """Edit rules run before filters and may cut the frame's lines as boilerplate; the count is of
    what was read, so the page is still told apart."""
    doc = Document("p", "已清理的文字。")
    doc.original_text = _affiliate_page("手工皂禮盒", WIKI[:2])
    assert RULE.score(doc)["hits"] == 3
