"""zh_spliced_text: Chinese text machine-made from pieces. The spliced texts are made here from
real texts of the fixtures (one sentence from each of many Wikipedia articles, the way SEO pages
are pulled together from other pages; a Debian Reference section cut at raw-HTML offsets). What
must be kept is every real Chinese text of the fixtures."""
from __future__ import annotations

import re

import pytest
from helpers import fixture_records
from zh_quality_fixtures import CLEAN, EXCERPTS, judge

from datacleaning.rules.filters.zh_spam import ZhSplicedText

RULE = ZhSplicedText()
WIKI = [r["text"] for r in fixture_records() if r["source"].startswith("github:ymcui/cmrc2018")]
SENTENCE = re.compile(r"[^。！？]{12,}[。！？]")


def _spliced() -> str:
    """One sentence from the middle of each Wikipedia article, joined: fluent sentences, no topic."""
    picked = [SENTENCE.findall(text) for text in WIKI]
    return "".join(sentences[len(sentences) // 2] for sentences in picked if sentences)


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_real_chinese_text_is_kept(name):
    value, kept, lang = judge(RULE, CLEAN[name])
    assert kept, (name, value)


def test_whole_articles_are_kept_and_their_sentences_spliced_are_rejected():
    articles = "\n\n".join(WIKI)
    value, kept, _ = judge(RULE, articles)
    assert kept and value["novelty"] < RULE.max_novelty, value
    spliced = _spliced()
    value, kept, _ = judge(RULE, spliced)
    assert not kept and value["novelty"] > RULE.max_novelty, value
    # Every article alone repeats its words more than the splice of their sentences does.
    for article in WIKI:
        alone, _, _ = judge(RULE, article * 2)
        assert alone["novelty"] is None or alone["novelty"] < value["novelty"]


def test_a_text_too_short_to_tell_is_not_judged_by_novelty():
    value, kept, _ = judge(RULE, _spliced()[:300])
    assert value["novelty"] is None and kept


def test_tails_of_tags_cut_from_raw_html_are_counted_and_whole_tags_are_not():
    section = EXCERPTS["debref-zh-cn-0194"]
    paragraphs = [p.strip(" \xa0*") for p in section.split("\n") if len(p) > 20][:8]
    cut = "".join(f'{p} border="0" />' if i % 2 else f'{p}" style="font-family: sans-serif">'
                  for i, p in enumerate(paragraphs))
    value, kept, _ = judge(RULE, cut)
    assert value["markup_tails"] > RULE.max_markup_tails and not kept, value
    whole_tags = "".join(f'<img src="a.jpg" border="0" />{p}<span class="x">{p}</span>' for p in paragraphs)
    value, _, _ = judge(RULE, whole_tags)
    assert value["markup_tails"] == 0, value
    # Code that quotes the same characters, followed by more code, is not a cut page.
    code = "".join(f'{p}\n    open(FH, ">file") or die;\n    print "<b>bold</b>" . "/>x";\n' for p in paragraphs)
    value, kept, _ = judge(RULE, code)
    assert value["markup_tails"] == 0 and kept, value


def test_a_rejection_names_the_check():
    assert RULE.failed_check({"novelty": 0.99, "markup_tails": 9, "cut_openings": 9}) == "novelty"
    assert RULE.failed_check({"novelty": None, "markup_tails": 9, "cut_openings": 9}) == "markup_tails"
    assert RULE.failed_check({"novelty": None, "markup_tails": 0, "cut_openings": 9}) == "cut_openings"
    assert RULE.failed_check({"novelty": 0.5, "markup_tails": 0, "cut_openings": 0}) == ""
    # Scores stored by a run before cut openings were measured are judged on what they hold.
    assert RULE.failed_check({"novelty": 0.5, "markup_tails": 0}) == ""


# Bai Juyi's 长恨歌 (806; public domain), its first 96 lines: seven characters a line, a rich
# vocabulary that seldom comes back to a word, as verse does.
CHANGHEN_GE = (
    "汉皇重色思倾国，御宇多年求不得。杨家有女初长成，养在深闺人未识。天生丽质难自弃，一朝选在君王侧。"
    "回眸一笑百媚生，六宫粉黛无颜色。春寒赐浴华清池，温泉水滑洗凝脂。侍儿扶起娇无力，始是新承恩泽时。"
    "云鬓花颜金步摇，芙蓉帐暖度春宵。春宵苦短日高起，从此君王不早朝。承欢侍宴无闲暇，春从春游夜专夜。"
    "后宫佳丽三千人，三千宠爱在一身。金屋妆成娇侍夜，玉楼宴罢醉和春。姊妹弟兄皆列土，可怜光彩生门户。"
    "遂令天下父母心，不重生男重生女。骊宫高处入青云，仙乐风飘处处闻。缓歌慢舞凝丝竹，尽日君王看不足。"
    "渔阳鼙鼓动地来，惊破霓裳羽衣曲。九重城阙烟尘生，千乘万骑西南行。翠华摇摇行复止，西出都门百余里。"
    "六军不发无奈何，宛转蛾眉马前死。花钿委地无人收，翠翘金雀玉搔头。君王掩面救不得，回看血泪相和流。"
    "黄埃散漫风萧索，云栈萦纡登剑阁。峨嵋山下少人行，旌旗无光日色薄。蜀江水碧蜀山青，圣主朝朝暮暮情。"
    "行宫见月伤心色，夜雨闻铃肠断声。天旋地转回龙驭，到此踌躇不能去。马嵬坡下泥土中，不见玉颜空死处。"
    "君臣相顾尽沾衣，东望都门信马归。归来池苑皆依旧，太液芙蓉未央柳。芙蓉如面柳如眉，对此如何不泪垂。"
    "春风桃李花开日，秋雨梧桐叶落时。西宫南内多秋草，落叶满阶红不扫。梨园弟子白发新，椒房阿监青娥老。"
    "夕殿萤飞思悄然，孤灯挑尽未成眠。迟迟钟鼓初长夜，耿耿星河欲曙天。鸳鸯瓦冷霜华重，翡翠衾寒谁与共。"
    "悠悠生死别经年，魂魄不曾来入梦。临邛道士鸿都客，能以精诚致魂魄。为感君王辗转思，遂教方士殷勤觅。"
    "排空驭气奔如电，升天入地求之遍。上穷碧落下黄泉，两处茫茫皆不见。忽闻海上有仙山，山在虚无缥渺间。"
    "楼阁玲珑五云起，其中绰约多仙子。中有一人字太真，雪肤花貌参差是。")


def test_classical_verse_is_not_judged_for_novelty():
    """A long poem is not a splice though it keeps bringing new words (0.97 distinct bigrams)."""
    value, kept, _ = judge(RULE, CHANGHEN_GE)
    assert kept and value["novelty"] is None, value
    prose = "，".join(CHANGHEN_GE.split("，")[:3]) + "。" + _spliced()
    assert not judge(RULE, prose)[1], "a splice with a couplet in front is still judged"
    # An anthology page: a Chinese introduction, then the poem's couplets each with a note in
    # English (introduction and notes written for this test).
    couplets = CHANGHEN_GE.split("。")
    page = "这是白居易的长篇叙事诗，全诗共一百二十句，下面逐联抄录并附英文注释。\n" + "\n".join(
        f"{couplet}。\nNote {i}: a couplet of the Song of Everlasting Regret." for i, couplet in enumerate(couplets) if couplet)
    value, kept, _ = judge(RULE, page)
    assert kept and value["novelty"] is None, value


def test_novelty_is_the_same_for_a_text_in_either_script():
    """Function characters are no content in Traditional text either (這 們 為 對 還 過)."""
    import opencc

    from datacleaning.document import Document

    text = "这是我们的城市，我们对这座城市有很深的感情，这里的人们过着平静的生活，我们还将在这里继续生活。" * 20
    rule = ZhSplicedText()
    values = []
    for version in (text, opencc.OpenCC("s2t").convert(text)):
        doc = Document("t", version)
        doc.lang = "zh"
        values.append(rule.score(doc)["novelty"])
    assert values[0] == values[1]


def _windows(width: int = 40) -> list[str]:
    """A window of ``width`` characters from the middle of each Wikipedia article: the snippet a
    search engine shows of a page, cut on both sides around the query."""
    return [text[len(text) // 2 - width // 2:len(text) // 2 + width // 2] for text in WIKI if len(text) > 2 * width]


def test_search_snippets_cut_out_of_pages_on_one_subject_are_rejected():
    """A search-result page: each snippet opens and ends with a cut mark, after the cut end of
    the snippet before it. Its snippets are about one query, so they come back to its words: it
    is the cut openings, not novelty, that tell it."""
    article = max(WIKI, key=len)
    snippets = [article[at:at + 50] for at in range(0, len(article) - 50, len(article) // 16)]
    for mark in ("...", "…"):
        value, kept, _ = judge(RULE, " ".join(f"{mark}{snippet}{mark}" for snippet in snippets))
        assert not kept and RULE.failed_check(value) == "cut_openings", (mark, value)
        assert value["novelty"] < RULE.max_novelty and value["cut_openings"] >= len(snippets) // 2, value
    # The same snippets, each cut only at its end: a feed of leads, not a search page.
    value, kept, _ = judge(RULE, " ".join(f"{snippet}..." for snippet in snippets))
    assert kept and value["cut_openings"] == 0, value


def test_leads_cut_at_the_end_elisions_and_chinese_ellipses_open_nothing():
    windows = _windows()
    # A site's feed of its own articles: each lead from the article's start, cut at its end,
    # with or without a "read more" label; Traditional labels read as Simplified ones.
    for label in ("", "阅读全文", "…繼續閱讀", " [查看全文]"):
        feed = "\n".join(f"{text[:60]}...{label}" for text in WIKI)
        value, _, _ = judge(RULE, feed)
        assert value["cut_openings"] == 0, (label, value)
    # One article quoted with omissions between its sentences, and the doubled ellipsis of prose.
    article = WIKI[0]
    sentences = SENTENCE.findall(article)
    value, _, _ = judge(RULE, " ... ".join(sentences) + " …… ".join(windows))
    assert value["cut_openings"] == 0, value
    # Dialogue of a novel typed with six dots for the ellipsis (written for this test).
    value, _, _ = judge(RULE, "她看着窗外，说不出话来......\n......他终于开口了：“我们走吧。”\n第二章\n"
                              "......夜很深了，街上没有一个人。" + "".join(sentences))
    assert value["cut_openings"] == 0, value
    # A manual's list, an ellipsis standing for "and the rest".
    listing = "\n".join(f"* {window}\n* … 编辑器操作" for window in windows)
    value, _, _ = judge(RULE, listing)
    assert value["cut_openings"] == 0, value
