"""The boilerplate editors on pages rendered to text: what each removes, what it must leave
exactly as it is (article bodies, poems, manuals, an encyclopedia paragraph on copyright law),
and linear time on adversarial input. Expected texts are written by hand."""
from __future__ import annotations

import json
import time

import pytest
from boilerplate_helpers import FIXTURES, clean, rule, web_profile

from datacleaning.cleaning.rule_chain import RuleChain
from datacleaning.document import Document

REAL = {d["id"]: d["text"] for d in map(json.loads, (FIXTURES / "real_texts.jsonl").read_text("utf-8").splitlines())}
ZH_PAGE = (FIXTURES / "zh_news_page.txt").read_text("utf-8").rstrip("\n")
EN_PAGE = (FIXTURES / "en_cc_blog_page.txt").read_text("utf-8").rstrip("\n")
ELIOT = "fortunes-songs-poems-00586"
MAN_PAGES = {doc_id for doc_id in REAL if doc_id.startswith("manzh-")}


def lines(*parts: str) -> str:
    return "\n".join(parts)


BODY_ZH = [  # the article paragraphs of the Chinese page, copied from the fixture by hand
    "城东街道社区图书馆自10月起试行夜间开放，每天延长至晚上十点。一个月下来，夜间时段的读者日均超过三百人次，比白天还多出近四成。",
    "“下班以后终于有地方可以安静看书了。”在附近写字楼工作的李女士说，她几乎每周都来两三次，最常坐的是靠窗的长桌。",
    "夜间开放怎么管",
    "除了纸质书，图书馆还新增了电子书借阅终端。王先生说，馆里与出版社逐一签订授权协议，只有取得版权所有人的许可，电子书才能上架；没有授权的作品，哪怕读者呼声再高也不能提供下载。",
    "读者可以用借书证登录终端，每人每次最多借阅五本电子书，借期二十一天。",
]


# --- the whole chain ---------------------------------------------------------------------------

def test_chinese_news_page_comes_out_as_a_careful_editor_would_leave_it():
    # The <title> line stays: it is the headline with the site's name, not page furniture.
    expected = (FIXTURES / "zh_news_page.clean.txt").read_text("utf-8").rstrip("\n")
    assert clean(ZH_PAGE, web_profile()) == expected


def test_the_same_page_in_traditional_characters_loses_the_same_furniture():
    """Word lists, phrase lists and the line classifier are written and trained in Simplified:
    they read a Traditional page (a Taiwan or Hong Kong site) folded to Simplified, and the page
    loses what its Simplified twin loses (before, its menus, credits and 相關閱讀 list stayed)."""
    import opencc

    to_traditional = opencc.OpenCC("s2t").convert
    expected = (FIXTURES / "zh_news_page.clean.txt").read_text("utf-8").rstrip("\n")
    assert clean(to_traditional(ZH_PAGE), web_profile()) == to_traditional(expected)


EN_ARTICLE = [  # lines of the blog post's own text, in order, copied from the fixture by hand
    "CC at WIPO: Slow progress on copyright exceptions for cultural heritage institutions",
    "Last week, Creative Commons (CC) participated in the",
    "of the World Intellectual Property Organization (WIPO) Standing Committee on Copyright and Related Rights "
    "(SCCR). In this post, we briefly report on the session discussions on exceptions and limitations for "
    "cultural heritage institutions (CHIs), a topic of utmost relevance to our",
    "As in previous SCCR sessions, our main objective was to drive copyright reform towards",
    "You can read more about the meeting",
    "We look forward to participating in the Committee’s next session to contribute to creating a fairer and "
    "more balanced international copyright system in the public interest.",
]
EN_FURNITURE = ["Skip to content", "Menu", "Who We Are", "What We Do", "Blog", "Support Us", "Search",
                "Donate", "Related posts", "Celebrating the Public Domain in the Capital of Europe",
                "Getty Museum releases 88K+ images of artworks with CC0", "Contact", "Newsletter", "Privacy",
                "Policies", "Terms", "Contact Us", "Twitter", "Mastodon", "Facebook", "LinkedIn",
                "Subscribe to our Newsletter"]


def test_english_blog_page_loses_menus_related_posts_and_footer_and_keeps_the_post():
    out = clean(EN_PAGE, web_profile()).split("\n")
    positions = [out.index(line) for line in EN_ARTICLE]
    assert positions == sorted(positions)
    assert not set(EN_FURNITURE) & set(out)


@pytest.mark.parametrize("doc_id", sorted(set(REAL) - {ELIOT} - MAN_PAGES))
def test_poems_manuals_and_encyclopedia_pass_the_whole_chain_intact(doc_id):
    # Eliot's refrain is collapse_repeated_lines' documented cost: see test_rules_repetition.py.
    assert clean(REAL[doc_id], web_profile()) == REAL[doc_id]


@pytest.mark.parametrize("doc_id", sorted(MAN_PAGES))
def test_man_pages_lose_only_their_copyright_lines_to_the_whole_chain(doc_id):
    out = clean(REAL[doc_id], web_profile()).split("\n")
    lost = [line for line in REAL[doc_id].split("\n") if line.strip() and line not in out]
    assert all("Copyright" in line for line in lost)


# --- remove_boilerplate_lines ------------------------------------------------------------------

def test_statement_lines_go_wherever_they_stand():
    page = lines("（原标题：夜读灯下的城市书房）",
                 "城东街道社区图书馆自10月起试行夜间开放，每天延长至晚上十点。",
                 "分享到：",
                 "责任编辑：陈晓",
                 "本文版权所有，转载请注明出处。",
                 "网友评论仅供其表达个人看法，并不表明晨星网立场。",
                 "登录",
                 "回复",
                 "Copyright © 2008-2023 晨星网 版权所有",
                 "沪ICP备00000000号-1",
                 "沪公网安备 31000000000000号",
                 "违法和不良信息举报电话：000-00000000",
                 "All Rights Reserved",
                 "读者可以用借书证登录终端，每人每次最多借阅五本电子书。")
    assert rule("remove_boilerplate_lines").apply(page) == lines(
        "城东街道社区图书馆自10月起试行夜间开放，每天延长至晚上十点。",
        "读者可以用借书证登录终端，每人每次最多借阅五本电子书。")


def test_seo_keyword_tag_and_permalink_lines_go_and_sentences_about_keywords_stay():
    # The label lines are shaped after real content-farm pages of the development corpus (HPLT,
    # SimChiCORE); the words in them are made up.
    article = "夜间开放以后，图书馆把热门关键词做成了检索推荐，读者搜索时会先看到它们。"
    page = lines(article,
                 "本文关键词：夜读，城市书房，图书馆开放时间",
                 "热门关键词: 温泉 北京 海南",
                 "相关关键词：seo教程,网站教程,seo视频培训",
                 "本文标签：",
                 "本文链接：https://example.com/archives/581/",
                 "相关搜索：夜读 书房")
    assert rule("remove_boilerplate_lines").apply(page) == article


def test_sentences_that_only_mention_the_words_stay():
    body = lines("只有取得版权所有人的许可，电子书才能上架。",
                 "网站必须完成ICP备案后才能上线。",
                 "他把视频分享到了朋友圈，很快有了上千条评论。",
                 "读者需要先登录，再回复馆员的消息。",
                 "该公司随后发布了一份免责声明，称不对延误负责。",
                 "上一篇文章中，我们介绍了如何安装，这一篇讲配置。",
                 # iptables(8) in Chinese (manpages-zh, GFDL-1.2+), a line as the man page wraps it
                 "       下一条规则检查；如果匹配,那么下一条规则由目标值确定.该目标值可以是",
                 "The company said all rights to the film were sold in 1998.",
                 "Copyright law protects the expression of an idea, not the idea itself.")
    assert rule("remove_boilerplate_lines").apply(body) == body



def test_a_copyright_sign_that_is_half_of_a_misdecoded_letter_is_not_a_copyright_line():
    # UTF-8 é read as cp1252 is "Ã©": a page of names so decoded holds © in every line; the ©
    # sign itself so decoded is "Â©", and a footer still.
    names = lines("Members present: André Kvakkestad, Geert Lambert, José Vera Jardim,",
                  "Mrs Terezija Stoisits, Mr Sérgio Vieira and Mrs Ruth-Gaby Vermot-Mangold.")
    misdecoded = names.encode("utf-8").decode("cp1252")
    assert misdecoded.count("Ã©") == 3
    twice = misdecoded.encode("utf-8").decode("cp1252")  # ÃƒÂ©
    assert rule("remove_boilerplate_lines").apply(twice) == twice
    assert rule("remove_boilerplate_lines").apply(lines(twice, "© 2019 Acme".encode().decode("cp1252").encode()
                                                        .decode("cp1252"))) == twice  # Ã‚Â© 2019
    page = lines(misdecoded, "© 2019 Acme Media Group".encode("utf-8").decode("cp1252"),
                 "© 2002, 2003 Jamie Zawinski", "版权所有©2019 晨星网")
    assert rule("remove_boilerplate_lines").apply(page) == misdecoded

def test_a_statutes_articles_stay_though_they_name_licences_and_reprints():
    """Articles of the 互联网上网服务营业场所管理条例 and the 著作权法 (statutes, not subject to
    copyright in China) say what a footer says, as law."""
    articles = lines("第十二条 互联网上网服务营业场所经营单位不得涂改、出租、出借或者以其他方式转让《网络文化经营许可证》。",
                     "第十三条 互联网上网服务营业场所经营单位变更营业场所地址的，应当依法办理变更登记。",
                     "第35条 作品刊登后，除著作权人声明不得转载、摘编的外，其他报刊可以转载。")
    assert rule("remove_boilerplate_lines").apply(articles) == articles
    footer = lines("网络文化经营许可证：京网文〔2019〕1234-123号", "未经授权不得转载")
    assert rule("remove_boilerplate_lines").apply(lines("正文。", footer)) == "正文。"
    # Clauses and sentences of the same statute that do not open with their article's number.
    clauses = lines("（五）未悬挂《网络文化经营许可证》或者未成年人禁入标志的。",
                    "经实地检查并审核合格的，发给《网络文化经营许可证》。",
                    "被告如有侵权行为，应当承担停止侵害、赔偿损失等民事责任。")
    assert rule("remove_boilerplate_lines").apply(clauses) == clauses


def test_a_review_that_mentions_qr_codes_or_a_client_app_is_no_prompt():
    """Short reviews are one line each: a phrase of a prompt inside a sentence took the review."""
    reviews = lines("后置摄像头常常无法对焦，连扫描二维码都是个头痛的问题。",
                    "京东客户端下载的优惠券很好用，已经买了两次了。")
    assert rule("remove_boilerplate_lines").apply(reviews) == reviews
    prompts = lines("扫描下方二维码关注我们的公众号", "新闻客户端下载", "该论文为收费论文，请扫描二维码添加客服人员购买全文。")
    assert rule("remove_boilerplate_lines").apply(lines("正文。", prompts)) == "正文。"


def test_a_bare_previous_or_next_marker_takes_its_title_line_along():
    page = lines("下一步，街道计划在另外两个社区推广夜间开放模式。",
                 "上一篇",
                 "城西新建三座口袋公园 年底前全部开放",
                 "下一篇：地铁九号线南延段完成试运行",
                 "Previous post",
                 "Night markets return to the old town",
                 "下一條",  # Traditional, as a Taiwanese or Hong Kong site writes it
                 "城東圖書館夜間開放 每晚延長至十點",
                 "上一篇杭州楼市新政出台，首付比例下调",  # the label and its link run together once tags are stripped
                 "The council will review the trial in spring.")
    assert rule("remove_boilerplate_lines").apply(page) == lines(
        "下一步，街道计划在另外两个社区推广夜间开放模式。",
        "The council will review the trial in spring.")


def test_lines_longer_than_the_limit_are_never_removed():
    long_notice = "免责声明：" + "本站所载文章仅代表作者本人观点，不构成任何投资建议，读者据此操作风险自担。" * 3
    assert rule("remove_boilerplate_lines", max_line_chars=60).apply(long_notice) == long_notice
    assert rule("remove_boilerplate_lines", max_line_chars=200).apply(long_notice) == ""


def test_a_config_can_bring_its_own_list(tmp_path):
    (tmp_path / "chenxing.txt").write_text("# 晨星网 comment widget\n^目前没有跟贴\n去跟贴广场看看$\n", "utf-8")
    page = lines("下一步，街道计划推广夜间开放模式。", "目前没有跟贴，欢迎你发表观点", "去跟贴广场看看")
    site_rule = rule("remove_boilerplate_lines", base_dir=tmp_path, lists=["chenxing.txt"])
    assert site_rule.apply(page) == "下一步，街道计划推广夜间开放模式。"


def test_a_missing_list_is_reported_by_name():
    with pytest.raises(FileNotFoundError, match="no_such_list"):
        rule("remove_boilerplate_lines", lists=["no_such_list"])


def test_per_source_rules_apply_only_to_their_sources(tmp_path):
    (tmp_path / "chenxing.txt").write_text("^目前没有跟贴\n", "utf-8")
    site_rule = rule("remove_boilerplate_lines", base_dir=tmp_path, lists=["chenxing.txt"],
                     sources=["web/chenxing", "web/xinchen-news"])
    pipeline = RuleChain(edits=[site_rule])
    body = "下一步，街道计划推广夜间开放模式，让更多居民受益。"
    page = lines(body, "目前没有跟贴，欢迎你发表观点")
    for source, expected in [("web/chenxing/2023-11.jsonl", body), ("web/xinchen-news", body),
                             ("web/other-site/2023-11.jsonl", page)]:
        doc = Document("d", page, source=source)
        assert pipeline.process(doc) is None
        assert doc.text == expected, source


# --- remove_navigation -------------------------------------------------------------------------

def test_portal_menus_breadcrumbs_and_share_strips_go_and_the_headline_stays():
    page = lines("晨星网首页", "新闻", "国内", "国际", "财经", "体育", "登录", "注册",
                 "首页 > 本地新闻 > 正文",
                 "社区图书馆夜间开放满月 读者日均超三百人次",
                 "2023-11-08 09:12:45", "来源：晨星日报", "分享到：", "微信", "微博", "QQ空间",
                 "城东街道社区图书馆自10月起试行夜间开放，每天延长至晚上十点。")
    assert rule("remove_navigation").apply(page) == lines(
        "社区图书馆夜间开放满月 读者日均超三百人次",
        "城东街道社区图书馆自10月起试行夜间开放，每天延长至晚上十点。")


def test_comment_widget_strip_goes():
    page = lines("所谓的精装修就是一个坑，收房时一定要验仔细。",
                 "+1", "顶", "67", "|", "+1", "踩", "0", "|", "回复", "|", "分享",
                 "楼上说得对，我们小区也是这样，维权一年多了还没有结果。")
    assert rule("remove_navigation").apply(page) == lines(
        "所谓的精装修就是一个坑，收房时一定要验仔细。",
        "楼上说得对，我们小区也是这样，维权一年多了还没有结果。")


def test_a_menu_bar_on_one_line_goes_even_alone():
    page = lines("首页 | 新闻 | 体育 | 财经", "The library opened late every night in October.",
                 "Home | About | Contact", "首页 新闻 体育 娱乐")
    assert rule("remove_navigation").apply(page) == "The library opened late every night in October."


def test_english_site_menu_goes():
    menu = lines("Skip to content", "Creative Commons", "Menu", "Who We Are", "What We Do", "Licenses and Tools",
                 "Blog", "Support Us", "Search", "Donate")
    assert menu in EN_PAGE
    page = lines("CC at WIPO - Creative Commons", menu, "Join a global community working to strengthen the Commons")
    assert rule("remove_navigation").apply(page) == lines(
        "CC at WIPO - Creative Commons", "Join a global community working to strengthen the Commons")


def test_short_lines_without_menu_words_stay():
    recipe = lines("材料：", "鸡蛋", "面粉", "牛奶", "白糖", "做法：先把鸡蛋打散，再加入面粉和牛奶。")
    numbers = lines("$ seq 1 5", "1", "2", "3", "4", "5")
    poem = lines("So much", "depends", "upon", "a red wheel", "barrow")
    one_word_heading = lines("体育", "中国女排三比零战胜对手，提前一轮卫冕。", "财经", "央行宣布下调存款准备金率。")
    for text in (recipe, numbers, poem, one_word_heading):
        assert rule("remove_navigation").apply(text) == text


# --- remove_related_lists ----------------------------------------------------------------------

def test_related_list_goes_with_its_heading_and_the_article_after_it_stays():
    page = lines("下一步，街道计划在另外两个社区推广夜间开放模式。",
                 "【相关阅读】",
                 "城西新建三座口袋公园 年底前全部开放",
                 "",
                 "全民阅读周启幕 二十家书店推出夜读活动",
                 "热门推荐 >>",
                 "1",
                 "本周末气温回升 最高可达二十度",
                 "夜读活动的报名将在本月底截止，名额有限。")
    assert rule("remove_related_lists").apply(page) == lines(
        "下一步，街道计划在另外两个社区推广夜间开放模式。",
        "夜读活动的报名将在本月底截止，名额有限。")


def test_related_posts_on_the_english_page_go_up_to_the_next_sentence():
    start = EN_PAGE.index("Related posts")
    end = EN_PAGE.index("Our work relies on you!")
    out = rule("remove_related_lists").apply(EN_PAGE)
    assert out == EN_PAGE[:start] + EN_PAGE[end:]


def test_headings_inside_sentences_and_unlisted_headings_stay():
    text = lines("详见相关阅读。", "相关新闻报道称，夜间开放将在全市推广。", "See also", "Related Rights",
                 "Multilink is recommended.", "MULTILINK", "It combines two links into one bundle.")
    assert rule("remove_related_lists").apply(text) == text


# --- trim_boilerplate_edges --------------------------------------------------------------------

def test_tail_credits_go_with_a_short_line_between_them():
    text = lines("下一步，街道计划在另外两个社区推广夜间开放模式，并根据读者反馈调整开放时长。",
                 "责任编辑：陈晓",
                 "关键词：图书馆",
                 "晨星网公众号",
                 "扫描二维码关注晨星网官方微信")
    assert rule("trim_boilerplate_edges").apply(text) == (
        "下一步，街道计划在另外两个社区推广夜间开放模式，并根据读者反馈调整开放时长。")


def test_a_gap_longer_than_allowed_stops_the_trimming():
    text = lines("下一步，街道计划推广夜间开放模式。",
                 "责任编辑：陈晓",
                 "图书馆还将在寒假期间为中小学生开设专场阅读活动",
                 "扫描二维码关注晨星网官方微信")
    assert rule("trim_boilerplate_edges").apply(text) == lines(
        "下一步，街道计划推广夜间开放模式。",
        "责任编辑：陈晓",
        "图书馆还将在寒假期间为中小学生开设专场阅读活动")


def test_head_and_tail_sentences_inside_the_first_and_last_line_go():
    text = lines("（原标题：夜读灯下的城市书房）城东街道社区图书馆自10月起试行夜间开放。",
                 "一个月下来，夜间时段的读者日均超过三百人次。（责任编辑：陈晓）")
    assert rule("trim_boilerplate_edges").apply(text) == lines(
        "城东街道社区图书馆自10月起试行夜间开放。",
        "一个月下来，夜间时段的读者日均超过三百人次。")


def test_head_lines_go_but_a_title_before_them_is_not_a_gap():
    assert rule("trim_boilerplate_edges").apply(lines(
        "原标题：夜读灯下的城市书房", "来源：晨星日报", "城东街道社区图书馆自10月起试行夜间开放。")) == (
        "城东街道社区图书馆自10月起试行夜间开放。")
    titled = lines("城市书房夜读观察", "来源：晨星日报", "城东街道社区图书馆自10月起试行夜间开放。")
    assert rule("trim_boilerplate_edges").apply(titled) == titled


def test_english_bylines_and_reprint_notes_go():
    text = lines("Posted on March 3, 2024 by Jane Doe",
                 "The night market returned to the old town this weekend.",
                 "This article was originally published on Example News.",
                 "All rights reserved.")
    assert rule("trim_boilerplate_edges").apply(text) == "The night market returned to the old town this weekend."


def test_a_reviews_first_or_last_sentence_that_recommends_or_speaks_of_the_author_stays():
    text = lines("经师哥推荐阅读此书，受益匪浅。此书的整体框架是以人权开头，独具匠心。",
                 "这本书的故事很吸引人，插图也非常漂亮。本文作者的观点很新颖，值得一读。")
    assert rule("trim_boilerplate_edges").apply(text) == text
    credits = lines("推荐阅读：", "本文作者：陈晓")
    assert rule("trim_boilerplate_edges").apply(lines("城东街道社区图书馆自10月起试行夜间开放。", credits)) == \
        "城东街道社区图书馆自10月起试行夜间开放。"


def test_an_initial_in_a_byline_ends_no_sentence():
    text = "Written by: Vincent R. Vinci. One would not pick this restaurant from the street, but the food is excellent."
    assert rule("trim_boilerplate_edges").apply(text) == \
        "One would not pick this restaurant from the street, but the food is excellent."


def test_the_same_words_inside_or_in_a_long_last_sentence_stay():
    text = lines("本报讯 晨星日报记者从图书馆了解到，夜间读者的来源以附近写字楼的上班族为主。",
                 "馆里与出版社逐一签订授权协议，只有取得版权所有人的许可，电子书才能上架，这也是不少读者没想到的一点。")
    assert rule("trim_boilerplate_edges").apply(text) == text


def test_a_document_of_nothing_but_boilerplate_comes_out_empty():
    assert rule("trim_boilerplate_edges").apply(lines("责任编辑：陈晓", "转载请注明出处")) == ""


# --- linear time on adversarial input ----------------------------------------------------------

def _seconds(apply, text: str) -> float:
    started = time.perf_counter()
    apply(text)
    return time.perf_counter() - started


@pytest.mark.parametrize("name", ["remove_boilerplate_lines", "remove_navigation", "remove_related_lists",
                                  "trim_boilerplate_edges"])
def test_boilerplate_rules_are_linear_on_adversarial_documents(name):
    apply = rule(name).apply
    adversarial = [
        "没有标点的一整行" * 120_000,  # one line of 960,000 characters
        lines(*["责任编辑：陈晓"] * 50_000),  # boilerplate from end to end
        lines(*["新闻", "|"] * 25_000),  # one menu 50,000 lines long
        lines(*["相关阅读"] + ["城西新建三座口袋公园"] * 50_000),  # a related list with no end
        "。" * 500_000,  # sentence ends only
    ]
    for text in adversarial:
        assert _seconds(apply, text) < 3
