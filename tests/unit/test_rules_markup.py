"""strip_html and remove_js_lines on real excerpts (tests/fixtures/rules/markup_pii) and on dirty
web text written here. Every expected output is written by hand: the edits a careful editor makes,
spelled out as the original with those passages replaced."""
from __future__ import annotations

import json
import time

import pytest
from helpers import FIXTURES
from markup_helpers import remove_js, strip

from datacleaning.cleaning.rule_chain import RuleChain
from datacleaning.document import Document
from datacleaning.errors import ConfigError
from datacleaning.rules.edits.code_lines import RemoveJsLines
from datacleaning.rules.normalizers.html import StripHtml
from datacleaning.rules.registry import build_rule

EXCERPTS = {record["id"]: record["text"] for record in map(
    json.loads, (FIXTURES / "rules" / "markup_pii" / "excerpts.jsonl").read_text(encoding="utf-8").splitlines())}


# --------------------------------------------------------------------------------------------
# strip_html: entities
# --------------------------------------------------------------------------------------------

def test_entities_escaped_several_times_decode_to_the_tag_and_the_tag_goes():
    forum = ("版块：&amp;amp;amp;lt;b class=&amp;amp;amp;quot;icon&amp;amp;amp;quot;&amp;amp;amp;gt;"
             "摄影天地&amp;amp;amp;lt;/b&amp;amp;amp;gt; 今日新帖 35")
    assert strip(forum) == "版块：摄影天地 今日新帖 35"
    assert strip("满100减20，价格 &amp;lt; 100元的商品不参加") == "满100减20，价格 < 100元的商品不参加"
    assert strip("AT&amp;amp;amp;T 与 Q&amp;amp;A 栏目") == "AT&T 与 Q&A 栏目"


def test_entity_escaped_seven_times_as_found_on_a_forum_page():
    assert strip("&amp;amp;amp;amp;amp;amp;lt;") == "<"
    assert strip("&amp;amp;amp;amp;amp;amp;quot;大宋映画&amp;amp;amp;amp;amp;amp;quot;") == '"大宋映画"'


def test_numeric_named_and_space_entities():
    review = "&#35828;&#23454;&#35805;，&#x9152;&#x5E97;不错&#65281;彼得&#183;林奇&mdash;&mdash;推荐"
    assert strip(review) == "说实话，酒店不错！彼得·林奇——推荐"
    assert strip("&emsp;&emsp;第一段开始。价格&nbsp;128&nbsp;元") == "  第一段开始。价格 128 元"
    assert strip("六个字来评价&rdquo;非常好&rdquo;&hellip;") == "六个字来评价”非常好”…"


def test_what_only_looks_like_an_entity_stays():
    for text in ["https://example.com/list?id=3&para=2&copy=1&lang=zh",  # no semicolon: a query string
                 "AT&T and Q&A, R&D; Tom & Jerry",
                 "&foo; &TIOCGWINSZ; &some-tag;",
                 EXCERPTS["man_zh_perlfunc_exists_excerpt"]]:  # "exists &sub;" is Perl, not ⊂
        assert strip(text) == text


# --------------------------------------------------------------------------------------------
# strip_html: tags, blocks, comments
# --------------------------------------------------------------------------------------------

def test_page_remnant_with_style_script_comment_and_tags():
    page = ('<!DOCTYPE html>\n'
            '<style type="text/css">.nav{color:#333}</style>\n'
            '<div class="article"><h1>社区菜市场今天开业</h1>\n'
            '<p>上午九点，新建的社区菜市场正式开门迎客。<br/>不少居民一早就来排队。</p>\n'
            '<script type="text/javascript">var _hmt = _hmt || [];</script>\n'
            '<!-- 广告位 -->\n'
            '<p>摊主王师傅说，蔬菜价格比超市便宜<b>两成</b>左右。</p></div>')
    assert strip(page) == ("社区菜市场今天开业\n"
                           "上午九点，新建的社区菜市场正式开门迎客。\n"
                           "不少居民一早就来排队。\n"
                           "摊主王师傅说，蔬菜价格比超市便宜两成左右。")


def test_lists_tables_links_and_images():
    assert strip('<ul><li>白菜 2.5元</li><li><a href="/veg/2">萝卜</a> 1.8元</li></ul>') == "白菜 2.5元\n萝卜 1.8元"
    assert strip("<table><tr><th>品名</th><th>单价</th></tr><tr><td>鸡蛋</td><td>6.8</td></tr></table>") == \
        "品名 单价\n鸡蛋 6.8"
    assert strip('点击<img src="/i/hot.gif" alt="">查看<A HREF="/more">更多</A>') == "点击查看更多"
    assert strip("It was <em>very</em> cold in <span class=\"city\">Harbin</span>.") == "It was very cold in Harbin."


def test_wikipedia_paragraphs_with_br_ref_and_nowiki():
    temple = EXCERPTS["wiki_zh_temple_ref"]
    assert strip(temple) == temple.replace(
        "<ref name=百载𬬻峰1982/11/12>《百载𬬻峰》1982年第十一集·民间信仰</ref>", "")
    nowiki = EXCERPTS["wiki_zh_nowiki"]
    assert strip(nowiki) == nowiki.replace("诸葛亮南<nowiki>征</nowiki>，", "诸葛亮南征，")
    manifesto = EXCERPTS["wiki_zh_br"]
    assert strip(manifesto) == manifesto.replace("<br>", "\n")


def test_unclosed_script_keeps_the_text_after_it():
    assert strip("<script>x()</script>正文一<script>y()") == "正文一<script>y()"
    assert strip('<script src="/a.js">正文二') == "正文二"
    assert strip("<!-- 注释 -->正文三<!-- 没有结尾") == "正文三<!-- 没有结尾"


@pytest.mark.parametrize("text", [
    "if a < b and c > d then swap them",
    "x<y and y>z, so i<5 holds",
    "std::vector<int> v; std::map<std::string, int> m; List<A> items;",
    "cat <<EOF > app.conf",
    "a <b and c> d",  # bare words, no name="value": not a tag
    "usage: ab -x <table>-attributes -y <tr>-attributes [http://]hostname[:port]/path",
    "<distribution>_<area>_binary-<architecture>_Packages",
    "mount <source> <target>; git clone <url>",
    "价格<100元，数量>5件",
    "<<<<<<<< HEAD",
])
def test_what_only_looks_like_a_tag_stays(text):
    assert strip(text) == text


def test_technical_text_stays_whole():
    for name in ["debref_en_regex_substitution", "debref_zh_conventions", "man_zh_perlboot_excerpt",
                 "fortune_c_code", "wikitext_en_money", "dolma_en_curl"]:
        assert strip(EXCERPTS[name]) == EXCERPTS[name], name


def test_a_document_about_markup_keeps_its_comments_entities_and_tags():
    xml_hints = EXCERPTS["debref_en_xml_hints"]
    assert "<!-- comment -->" in xml_hints and "|&lt;             |< : less-than" in xml_hints
    assert strip(xml_hints) == xml_hints


def test_decoding_can_be_switched_off():
    assert StripHtml(decode_entities=False).apply("价格&nbsp;<b>128</b>元") == "价格&nbsp;128元"


# --------------------------------------------------------------------------------------------
# remove_js_lines
# --------------------------------------------------------------------------------------------

NEWS_WITH_TRACKER = """本报讯 昨天上午，市图书馆新馆正式对外开放，首日接待读者超过五千人次。
var _hmt = _hmt || [];
(function() {
  var hm = document.createElement("script");
  hm.src = "https://hm.baidu.com/hm.js?8f2a1c0de3b4";
  var s = document.getElementsByTagName("script")[0];
  s.parentNode.insertBefore(hm, s);
})();

新馆共有阅览座位一千二百个，开放时间为每天九点至二十一点。
document.write('<a href="/app">下载客户端</a>');
馆方提醒，节假日人流较大，请读者错峰前往。
window.dataLayer = window.dataLayer || [];
function gtag(){dataLayer.push(arguments);}
gtag('js', new Date());
责任编辑：李明"""


def test_tracker_snippet_and_page_script_lines_go():
    assert remove_js(NEWS_WITH_TRACKER) == """本报讯 昨天上午，市图书馆新馆正式对外开放，首日接待读者超过五千人次。

新馆共有阅览座位一千二百个，开放时间为每天九点至二十一点。
馆方提醒，节假日人流较大，请读者错峰前往。
责任编辑：李明"""


def test_english_page_with_an_analytics_snippet():
    page = ("Volunteers planted 400 trees along the river on Saturday.\n"
            "window.dataLayer = window.dataLayer || [];\n"
            "function gtag(){dataLayer.push(arguments);}\n"
            "gtag('config', 'G-7QX2N1');\n"
            "The city will water them through the first summer.")
    assert remove_js(page) == ("Volunteers planted 400 trees along the river on Saturday.\n"
                               "The city will water them through the first summer.")


def test_a_prose_line_that_starts_like_code_stays():
    text = ("window.open弹出的窗口被浏览器拦截了，怎么办？\n"
            "var _hmt = _hmt || [];\n"
            "请在浏览器设置里允许本站弹出窗口。")
    assert remove_js(text) == ("window.open弹出的窗口被浏览器拦截了，怎么办？\n"
                               "请在浏览器设置里允许本站弹出窗口。")


def test_code_in_a_tutorial_stays():
    tutorial = """下面的 JavaScript 代码在页面加载后修改标题：
document.getElementById("title").innerHTML = "你好";
window.alert("加载完成");
把它放在 body 的末尾即可。"""
    assert remove_js(tutorial) == tutorial
    short = "在页面中使用脚本：\ndocument.getElementById('demo').innerHTML = 'Hello';\n即可显示 Hello。"
    assert remove_js(short) == short
    traditional = "在頁面中使用腳本：\ndocument.getElementById('demo').innerHTML = 'Hello';\n即可顯示 Hello。"
    assert remove_js(traditional) == traditional  # 腳本 is 脚本: the tutorial's code stays


def test_a_script_file_is_left_for_a_filter():
    script = """var count = 0;
function tick() {
  count += 1;
  document.title = count;
}
// refresh every second
setInterval(tick, 1000);"""
    assert remove_js(script) == script


def test_c_perl_shell_and_sql_in_technical_text_stay():
    sql = ("INSERT INTO films\n"
           "    VALUES ('T_601', 'Yojimbo', 106, '1961-06-16', 'Drama');\n"
           "这条语句向表中插入一行。")
    for text in [EXCERPTS["fortune_c_code"], EXCERPTS["man_zh_perlboot_excerpt"],
                 EXCERPTS["debref_en_regex_substitution"], EXCERPTS["debref_zh_conventions"], sql]:
        assert remove_js(text) == text


def test_page_script_in_a_document_with_a_shell_prompt_stays():
    text = "安装后运行：\n$ npm start\nwindow.location.href = '/home';\n服务启动在 3000 端口。"
    assert remove_js(text) == text


# --------------------------------------------------------------------------------------------
# config, pipeline, linear time
# --------------------------------------------------------------------------------------------

def test_rules_build_from_config_tables_and_reject_bad_parameters():
    assert build_rule("normalizers", 0, {"name": "strip_html", "max_decode_rounds": 2}).max_decode_rounds == 2
    assert build_rule("edits", 1, {"name": "remove_js_lines", "max_code_fraction": 0.1}).max_code_fraction == 0.1
    with pytest.raises(ConfigError, match=r"clean\.normalizers\[0\]\.max_decode_rounds"):
        build_rule("normalizers", 0, {"name": "strip_html", "max_decode_rounds": "3"})
    with pytest.raises(ConfigError, match="is a normalizer"):
        build_rule("edits", 0, {"name": "strip_html"})


def test_in_the_pipeline_markup_goes_before_the_language_guess():
    # Tag attributes outnumber the Chinese characters four to one: left in, they would route
    # the page to English and keep it from the Chinese rules.
    nav = '<a class="nav-link external" href="/channel/society/index">社会</a>'
    pipeline = RuleChain([StripHtml()], [], [])
    doc = Document("n0", nav * 3)
    assert pipeline.process(doc) is None
    assert (doc.lang, doc.text) == ("zh", "社会社会社会")


def test_in_the_pipeline_edits_are_counted_per_rule():
    pipeline = RuleChain([StripHtml()], [RemoveJsLines()], [])
    doc = Document("n1", "<p>市图书馆新馆今天开放，首日接待读者五千人次。</p>\nvar _hmt = _hmt || [];\n"
                         "<p>开放时间为每天九点至二十一点。</p>")
    assert pipeline.process(doc) is None
    assert doc.text == "市图书馆新馆今天开放，首日接待读者五千人次。\n开放时间为每天九点至二十一点。"
    assert doc.edits == {"strip_html": 14, "remove_js_lines": 23}


ADVERSARIAL = ["<" * 100_000, "<a " * 33_000, "<p x=" * 20_000, "<!--" * 25_000, "<script>" * 12_000,
               "&amp;" * 20_000 + "lt;", "&#" * 50_000, "&" * 100_000, "<br>" * 25_000,
               " " * 100_000 + "var a = 1;", "\t" * 100_000 + "(function(){", "var a = " + "x" * 100_000,
               "document." * 11_000, "}\n" * 50_000, "$(\n" * 33_000, "a.b(" * 25_000, "x = a" + ".b" * 50_000]


@pytest.mark.parametrize("rule", [StripHtml(), RemoveJsLines()], ids=lambda r: r.name)
def test_linear_time_on_adversarial_input(rule):
    for text in ADVERSARIAL:
        started = time.perf_counter()
        rule.apply(text)
        assert time.perf_counter() - started < 2.0, text[:20]
