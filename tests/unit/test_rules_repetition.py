"""The repetition editors: what they collapse, what they must leave exactly as it is (real poems,
manuals with tables and shell sessions, an encyclopedia paragraph), and that adversarial input
costs linear time. Expected texts are written by hand."""
from __future__ import annotations

import json
import random
import time

import helpers
import pytest

from datacleaning.errors import ConfigError
from datacleaning.rules.registry import build_rule

FIXTURES = helpers.FIXTURES / "rules" / "boilerplate"
REAL = {d["id"]: d["text"] for d in map(json.loads, (FIXTURES / "real_texts.jsonl").read_text("utf-8").splitlines())}
ELIOT = "fortunes-songs-poems-00586"


def rule(name: str, **params):
    """A rule built the way a config builds it, so parameter validation is exercised too."""
    return build_rule("edits", 0, {"name": name, **params})


def lines(*parts: str) -> str:
    return "\n".join(parts)


# --- collapse_repeated_lines -------------------------------------------------------------------

def test_title_rendered_twice_keeps_one_copy():
    page = lines("社区图书馆夜间开放满月 读者日均超三百人次",
                 "社区图书馆夜间开放满月 读者日均超三百人次",
                 "城东街道社区图书馆自10月起试行夜间开放，每天延长至晚上十点。")
    assert rule("collapse_repeated_lines").apply(page) == lines(
        "社区图书馆夜间开放满月 读者日均超三百人次",
        "城东街道社区图书馆自10月起试行夜间开放，每天延长至晚上十点。")


def test_paragraph_pasted_twice_keeps_one_copy_and_one_paragraph_break():
    text = lines("The first paragraph says what the library changed.", "",
                 "Night opening drew more readers than the day did.", "",
                 "Night opening drew more readers than the day did.", "",
                 "The last paragraph is about next year.")
    assert rule("collapse_repeated_lines").apply(text) == lines(
        "The first paragraph says what the library changed.", "",
        "Night opening drew more readers than the day did.", "",
        "The last paragraph is about next year.")


def test_block_of_two_lines_repeated_back_to_back_keeps_one_copy():
    quoted = ["恒星水手 [城东网友]", "只要图书馆晚上开着，我就不用去咖啡馆占座了。"]
    text = lines("网友评论", *quoted, *quoted, *quoted, "另一位网友：周末也想晚点关门。")
    assert rule("collapse_repeated_lines").apply(text) == lines(
        "网友评论", *quoted, "另一位网友：周末也想晚点关门。")


def test_spam_line_repeated_fifty_times_keeps_one():
    text = lines("Best deals on cheap flights, click now!", *["Best deals on cheap flights, click now!"] * 49,
                 "Contact us for group bookings.")
    assert rule("collapse_repeated_lines").apply(text) == lines(
        "Best deals on cheap flights, click now!", "Contact us for group bookings.")


@pytest.mark.parametrize("doc_id", sorted(set(REAL) - {ELIOT}))
def test_real_poems_manuals_and_encyclopedia_stay_intact(doc_id):
    # Among them: awk printing "January" twice in a row (Debian Reference 1.6.5), the same install
    # steps listed in two procedures (2.1.7), ASCII tables whose rows share cells, a C program,
    # and Tang poems whose lines run parallel (车辚辚，马萧萧).
    assert rule("collapse_repeated_lines").apply(REAL[doc_id]) == REAL[doc_id]


def test_verse_refrain_collapses_at_the_default_and_stays_for_a_literature_profile():
    eliot = REAL[ELIOT]
    assert rule("collapse_repeated_lines").apply(eliot) == lines(
        "This is the way the world ends,",
        "Not with a bang but with a whimper.",
        '\t\t-- T. S. Eliot, "The Hollow Men"')
    assert rule("collapse_repeated_lines", min_chars=40).apply(eliot) == eliot


def test_code_and_table_rules_repeated_back_to_back_stay():
    perl_format = lines("format STDOUT =",
                        "Subject: @<<<<<<<<<<<<<<<<<<<<<<<<<<<",
                        "         $subject",
                        "~        ^<<<<<<<<<<<<<<<<<<<<<<<<<<<",
                        "         $description",
                        "~        ^<<<<<<<<<<<<<<<<<<<<<<<<<<<",
                        "         $description",
                        ".")
    assert rule("collapse_repeated_lines").apply(perl_format) == perl_format
    table = lines("+-----+-----+", "| 是  | 是  |", "+-----+-----+", "| 是  | 是  |", "+-----+-----+")
    assert rule("collapse_repeated_lines").apply(table) == table


def test_block_repeated_later_stays_by_default_and_goes_when_asked():
    carousel = ["图片故事", "城东夜读灯下的城市书房", "老街改造后的第一场集市", "银杏大道迎来最佳观赏期"]
    page = lines(*carousel, "城东街道社区图书馆自10月起试行夜间开放，每天延长至晚上十点。", *carousel)
    assert rule("collapse_repeated_lines").apply(page) == page
    assert rule("collapse_repeated_lines", later_block_lines=3).apply(page) == lines(
        *carousel, "城东街道社区图书馆自10月起试行夜间开放，每天延长至晚上十点。")


def test_a_statute_listing_again_what_an_earlier_article_forbade_keeps_its_list():
    """A municipal regulation's penalty article restates, item for item, the acts an earlier
    article forbids (济南市市政设施管理条例, statute text): the list is the law, not a carousel."""
    acts = ["（一）损害、围圈、占压城市功能照明设施；", "（二）擅自在城市功能照明设施的供电线路上接线；",
            "（三）擅自迁移、拆除、改动城市功能照明设施；", "（四）在城市功能照明设施上涂写、刻画、张贴；"]
    statute = lines("第三十条 禁止下列行为：", *acts, "第七十六条 有下列行为之一的，由市政公用主管部门责令改正：", *acts,
                    "## 第十章 附则")
    assert rule("collapse_repeated_lines", later_block_lines=4).apply(statute) == statute



def test_a_tutorials_listing_that_starts_as_an_earlier_one_keeps_its_lines():
    """perlboot(7) in Chinese: the barnyard listing with arrows opens with the three subroutines of
    the first listing, which later_block_lines would cut out of it, leaving code that calls
    methods nobody defined."""
    excerpt = (FIXTURES / "perlboot_zh_excerpt.txt").read_text("utf-8")
    listing = '           sub Cow::speak {\n             print "a Cow goes moooo!\\n";'
    assert excerpt.count(listing) == 2
    # Its program output printing a line twice in a row is collapse_repeated_lines' documented cost.
    out = rule("collapse_repeated_lines", later_block_lines=6).apply(excerpt)
    assert out == rule("collapse_repeated_lines").apply(excerpt) and out.count(listing) == 2
    carousel = ["Most read", "Council votes to extend library opening hours", "Night market returns to the old town",
                "Ginkgo avenue at its best this week", "Subscribe to our newsletter", "Follow us"]
    page = lines(*carousel, "The city library will stay open until ten in the evening from October.", *carousel)
    assert rule("collapse_repeated_lines", later_block_lines=6).apply(page) == lines(
        *carousel, "The city library will stay open until ten in the evening from October.")

def test_parameters_are_validated_like_any_config():
    with pytest.raises(ConfigError, match="min_chars"):
        rule("collapse_repeated_lines", min_chars="ten")
    with pytest.raises(ValueError, match="max_block_lines"):
        rule("collapse_repeated_lines", max_block_lines=0)


# --- collapse_repeated_substrings --------------------------------------------------------------

@pytest.mark.parametrize("dirty, clean", [
    ("哈哈哈哈哈哈哈哈", "哈哈哈"),
    ("没有送水没有送水没有送水，差评", "没有送水没有送水，差评"),
    ("差评！差评！差评！差评！", "差评！差评！"),
    ("好吃好吃好吃好吃好吃好吃，下次还来", "好吃好吃，下次还来"),
    ("不错还成,不错还成,不错还成,", "不错还成,不错还成,"),
    ("送餐很快呜呜呜呜呜呜呜呜呜呜感动", "送餐很快呜呜呜感动"),
    ("Great night market 哈哈哈哈哈哈哈哈哈哈 would go again", "Great night market 哈哈哈 would go again"),
])
def test_runs_inside_a_line_keep_a_few_copies(dirty, clean):
    assert rule("collapse_repeated_substrings").apply(dirty) == clean


@pytest.mark.parametrize("text", [
    "Mississippi", "This is a test", "bookkeeper", "committee", "蛐蛐", "谢谢", "哈哈", "哈哈哈哈哈哈",
    "一一对应", "对对对", "寻寻觅觅，冷冷清清，凄凄惨惨戚戚。", "!!!!!!!!!!", "！！！！！！！！！！",
    "……………………", "100000000", "666666666", "0xFFFFFFFF", "ATATATATATATATATATAT",
    "| 是 | 是 | 是 | 是 | 是 | 是 |", "是\t是\t是\t是\t是\t是\t是\t是", "──────────────────",
])
def test_words_numbers_punctuation_and_table_cells_are_not_runs(text):
    assert rule("collapse_repeated_substrings").apply(text) == text


@pytest.mark.parametrize("doc_id", sorted(REAL))
def test_real_poems_manuals_and_encyclopedia_stay_intact_inside_lines(doc_id):
    assert rule("collapse_repeated_substrings").apply(REAL[doc_id]) == REAL[doc_id]


def test_how_many_copies_stay_is_a_parameter():
    assert rule("collapse_repeated_substrings", keep_copies=1).apply("没有送水没有送水没有送水") == "没有送水"
    three_copies = "没有送水没有送水没有送水"
    assert rule("collapse_repeated_substrings", min_copies=4).apply(three_copies) == three_copies
    with pytest.raises(ValueError, match="keep_copies"):
        rule("collapse_repeated_substrings", keep_copies=3, min_copies=3)


# --- linear time on adversarial input ----------------------------------------------------------

def _seconds(apply, text: str) -> float:
    started = time.perf_counter()
    apply(text)
    return time.perf_counter() - started


def test_lines_rule_is_linear_on_adversarial_documents():
    collapse = rule("collapse_repeated_lines", later_block_lines=4).apply
    rng = random.Random(7)
    same_line = lines(*["同一行内容在这里重复出现"] * 50_000)
    assert collapse(same_line) == "同一行内容在这里重复出现"
    period_ten = lines(*[f"第{i % 10}行：周期为十行的重复内容" for i in range(50_000)])
    assert collapse(period_ten) == lines(*[f"第{i}行：周期为十行的重复内容" for i in range(10)])
    distinct = lines(*[f"line {i} {rng.random()}" for i in range(50_000)])
    for text in (same_line, period_ten, distinct, "a\n" * 100_000):
        # A quadratic pass over 50,000 lines takes minutes; a linear one well under a second.
        assert _seconds(collapse, text) < 3


def test_substrings_rule_is_linear_on_adversarial_lines():
    collapse = rule("collapse_repeated_substrings").apply
    assert collapse("哈" * 100_000) == "哈哈哈"
    assert collapse("没有送水" * 25_000) == "没有送水没有送水"
    rng = random.Random(7)
    han = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(200_000))
    # Runs one character short of collapsing, between random characters so nothing is periodic.
    others = [chr(c) for c in range(0x4E00, 0x4F00)]
    near_runs = "".join("哈" * 7 + rng.choice(others) for _ in range(12_500))
    assert collapse(near_runs) == near_runs
    long_unit = "甲乙丙丁戊己庚辛壬癸子丑" * 8_000  # period 12, longer than max_unit_chars
    for text in ("哈" * 100_000, han, near_runs, long_unit, "！" * 100_000, "。哈" * 50_000):
        assert _seconds(collapse, text) < 3
