"""URL, Markdown image, e-mail, @mention, WeChat/QQ and personal-number rules on real excerpts
(tests/fixtures/rules/markup_pii) and on text written here.

Expected outputs are written by hand, as the original with the passages a careful editor would
change replaced. ID, bank-card and credit-code numbers are generated here from the published
check-digit algorithms (GB 11643, ISO/IEC 7812 Luhn, GB 32100), not with the code under test.
"""
from __future__ import annotations

import json
import time

import pytest
from helpers import FIXTURES

from datacleaning.errors import ConfigError
from datacleaning.rules.edits.pii import (RedactPii, RemoveEmails, RemoveMarkdownImages, RemoveMentions, RemoveUrls,
                                          RemoveWechatIds)
from datacleaning.rules.registry import build_rule

EXCERPTS = {record["id"]: record["text"] for record in map(
    json.loads, (FIXTURES / "rules" / "markup_pii" / "excerpts.jsonl").read_text(encoding="utf-8").splitlines())}


# --------------------------------------------------------------------------------------------
# number generators, from the standards
# --------------------------------------------------------------------------------------------

def prc_id(region: str, birth: str, sequence: str) -> str:
    """GB 11643-1999: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, remainder mod 11 indexes
    the check characters 1 0 X 9 8 7 6 5 4 3 2."""
    body = region + birth + sequence
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def with_luhn(body: str) -> str:
    """Append the Luhn check digit: double every second digit from the right of the body."""
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return body + str((10 - total % 10) % 10)


def uscc(body: str) -> str:
    """GB 32100-2015: 31-character alphabet, weights 3^(i) mod 31, check = 31 - sum mod 31."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    check = 31 - sum(alphabet.index(c) * w for c, w in zip(body, weights)) % 31
    return body + alphabet[0 if check == 31 else check]


def wrong_check(code: str) -> str:
    """The same number with another check character."""
    return code[:-1] + ("1" if code[-1] != "1" else "2")


ID_BEIJING = prc_id("110105", "19880317", "042")
ID_SHENZHEN_X = next(c for c in (prc_id("440305", "19920530", f"{n:03d}") for n in range(1000)) if c.endswith("X"))
UNIONPAY_19 = with_luhn("621700123456789012")
VISA_16 = with_luhn("411111111111111")
CREDIT_CODE = uscc("91350100M000100Y4")
CREDIT_CODE_DIGITS = next(c for c in (uscc(f"9111010855138{n:04d}") for n in range(10_000)) if c.isdigit())


def test_generators_agree_with_published_examples():
    # The example number of GB 11643, the usual Visa test card, the usual GB 32100 example.
    assert prc_id("110105", "19491231", "002") == "11010519491231002X"
    assert with_luhn("411111111111111") == "4111111111111111"
    assert uscc("91350100M000100Y4") == "91350100M000100Y43"


# --------------------------------------------------------------------------------------------
# remove_urls
# --------------------------------------------------------------------------------------------

remove_urls = RemoveUrls().apply
url_placeholder = RemoveUrls(mode="placeholder").apply


def test_url_followed_by_chinese_ends_at_the_first_cjk_character():
    assert remove_urls("详见https://news.sxgov-demo.cn/a?b=1。谢谢") == "详见。谢谢"
    assert url_placeholder("详见https://news.sxgov-demo.cn/a?b=1。谢谢") == "详见<URL>。谢谢"
    assert remove_urls("访问www.sxgov-demo.cn获取办事指南") == "访问获取办事指南"
    assert remove_urls("官网：http://www.taiyuan-demo.gov.cn/，欢迎访问") == "官网：，欢迎访问"


def test_sentence_punctuation_and_unopened_brackets_are_not_part_of_a_url():
    assert remove_urls("Read the report (https://reports.acme-demo.org/report.pdf).") == "Read the report."
    assert url_placeholder("Read the report (https://reports.acme-demo.org/report.pdf).") == "Read the report (<URL>)."
    assert remove_urls("See https://en.wikipedia.org/wiki/Fort_Scott_(Kansas), which has maps.") == \
        "See, which has maps."
    assert url_placeholder("See https://en.wikipedia.org/wiki/Fort_Scott_(Kansas), which has maps.") == \
        "See <URL>, which has maps."
    assert remove_urls("Mirrors: ftp://ftp.gnu.org/gnu/ and http://mirrors.kernel.org/gnu/; pick one.") == \
        "Mirrors: and; pick one."


def test_url_alone_on_its_line_takes_the_line_and_markdown_links_keep_their_text():
    assert remove_urls("原文链接：\nhttps://www.news-demo.cn/2019/09/07/516891.shtml\n责任编辑：小婷") == \
        "原文链接：\n责任编辑：小婷"
    assert remove_urls("请参考[安装指南](https://docs.example.cn/install)完成配置。") == "请参考安装指南完成配置。"
    assert url_placeholder("请参考[安装指南](https://docs.example.cn/install)完成配置。") == \
        "请参考[安装指南](<URL>)完成配置。"


def test_man_page_urls():
    biff = EXCERPTS["man_zh_biff"]
    assert remove_urls(biff) == (biff
                                 .replace("[中国Linux论坛man手册页翻译计划]\n     http://cmpp.linuxforum.net\n",
                                          "[中国Linux论坛man手册页翻译计划]\n")
                                 .replace("中文 man 手册页计划：https://github.com/man-pages-zh/manpages-zh",
                                          "中文 man 手册页计划："))


def test_hard_wrapped_url_in_prose_goes_and_urls_given_to_commands_stay():
    conventions = EXCERPTS["debref_zh_conventions"]
    assert '$ sensible-browser "https://www.debian.org"' in conventions
    assert url_placeholder(conventions) == conventions.replace("就像 https://\n    www.debian.org。", "就像 <URL>。")
    assert remove_urls(EXCERPTS["dolma_en_curl"]) == EXCERPTS["dolma_en_curl"]
    sources = "    deb https://deb.debian.org/debian/ bookworm main\n    $ git clone https://salsa.debian.org/x/y.git"
    assert remove_urls(sources) == sources
    # Commands quoted or run on in Chinese (written for this test); a command's name inside a word is none.
    for command in ["运行“git clone https://salsa.debian.org/x/y.git”即可。", "运行git clone https://salsa.debian.org/x/y.git",
                    "执行「wget https://deb.debian.org/debian/ls-lR.gz」下载。", "Run “git clone https://salsa.debian.org/x/y.git”."]:
        assert remove_urls(command) == command, command
    assert remove_urls("the legit clone https://salsa.debian.org/x/y.git is here") == "the legit clone is here"
    # A tool named in a sentence gives no address to what follows it.
    for prose, kept in [("我们公司使用git 管理代码，领取优惠请访问 https://spam.promo-demo.cn/promo 马上注册",
                         "我们公司使用git 管理代码，领取优惠请访问马上注册"),
                        ("本站支持pip 安装。更多福利请点击 https://casino-demo.cn 注册", "本站支持pip 安装。更多福利请点击注册"),
                        ("He said “git is great” and linked https://spam.promo-demo.cn in prose",
                         "He said “git is great” and linked in prose"),
                        ("关注我们:deb http://spam.promo-demo.cn 吧", "关注我们:deb吧")]:
        assert remove_urls(prose) == kept, prose



def test_urls_at_documentation_domains_and_this_machine_stay():
    # A manual's examples: LibreOffice help's HYPERLINK function and the Debian Reference's CUPS
    # address (as their text has them), and a container's view of its host in a command's options.
    examples = ['=HYPERLINK("http://www.example.org") displays the text "http://www.example.org" in the cell',
                '你可以让你的 web 浏览器访问 "http://localhost:631/" 来配置 CUPS',
                "  -e DEV_META=http://host.docker.internal:28080 \\",
                'fetch("http://127.0.0.1:8080/submit", {', "See https://www.example.com/a and https://site.test/b.",
                "Open http://localhost:3000/@vite/client or http://localhost:8080/login?user=me@example.com"]
    for text in examples:
        assert remove_urls(text) == text, text
    # A site whose name only holds those words is somebody's, and so is one hidden before them.
    assert remove_urls("见 https://example.com.promo-demo.cn/a 和 http://localhost-deals.cn 领取") == "见和领取"
    assert remove_urls("go http://casino-demo.cn,www.example.com or http://www.casino-demo.cn@example.com now") \
        == "go or now"
    # A Markdown link keeps its address where the address stays.
    assert remove_urls("[docs](http://localhost:8080/) and [shop](http://casino-demo.cn/)") \
        == "[docs](http://localhost:8080/) and shop"


def test_a_url_in_a_string_of_code_stays_and_one_quoted_in_prose_goes():
    # LWP's synopsis (lwpcook(3pm)) and os-release(5), as the Chinese man pages have them.
    code = ['$html = get("http://www.perl.com/");', 'HOME_URL="https://fedoraproject.org/"',
            "$handle = IO::Socket::INET->new('www.perl.com:80')"]
    for line in code:
        assert remove_urls(line) == line, line
    assert remove_urls('He said "https://spam.promo-demo.cn" is great.') == 'He said "" is great.'
    # Prose that ends like code, and markup, are no program.
    assert remove_urls('Best bonus at "https://spam.promo-demo.cn" today, odds = 100 to 1;') \
        == 'Best bonus at "" today, odds = 100 to 1;'
    assert remove_urls('<a href="https://spam.promo-demo.cn">Best bonus</a>') == '<a href="">Best bonus</a>'
    assert remove_urls('请访问"https://spam.promo-demo.cn"领取') == '请访问""领取'
    # Not at the string's start: a message that carries an address.
    assert remove_urls('x = "优惠 https://spam.promo-demo.cn";') == 'x = "优惠";'


def test_what_is_not_a_url_stays():
    for text in ["usage: ab [http://]hostname[:port]/path",
                 "Edit setup.py and index.html, then run version 1.3.7 on 192.168.1.1:8080.",
                 "Amazon.com reported higher sales; see also asp.net and Node.js.",
                 EXCERPTS["fortune_c_code"], EXCERPTS["wikitext_en_money"], EXCERPTS["wiki_zh_temple_ref"]]:
        assert remove_urls(text) == text


def test_bare_domains_only_when_asked():
    text = "更多信息请访问 sxgov-demo.cn/news 查看，或关注 Amazon.com 的公告。"
    assert remove_urls(text) == text
    assert RemoveUrls(bare_domains=True).apply(text) == "更多信息请访问查看，或关注的公告。"


# --------------------------------------------------------------------------------------------
# remove_markdown_images
# --------------------------------------------------------------------------------------------

def test_markdown_images():
    remove_images = RemoveMarkdownImages().apply
    assert remove_images("![架构图](https://cdn.example.cn/arch.png)\n系统分为三层。") == "系统分为三层。"
    assert remove_images('如图![流程图](img/flow.png "审批流程")所示。') == "如图所示。"
    assert remove_images("![]()\n正文") == "正文"  # what remove_urls leaves of an image
    assert RemoveMarkdownImages(keep_alt=True).apply("如图![流程图](img/flow.png)所示，![](img/a.png)完毕。") == \
        "如图流程图所示，完毕。"
    for text in ["[文档](https://docs.example.cn)", "注意！[重要]请先备份", "a![b] c"]:
        assert remove_images(text) == text


# --------------------------------------------------------------------------------------------
# remove_emails
# --------------------------------------------------------------------------------------------

remove_emails = RemoveEmails().apply
email_placeholder = RemoveEmails(mode="placeholder").apply


def test_man_page_and_signature_addresses():
    biff = EXCERPTS["man_zh_biff"]
    assert remove_emails(biff) == (biff.replace("请把错误报告给 netbug@ftp.uk.linux.org。", "请把错误报告给。")
                                   .replace("     唐友 <tony_ty@263.net>\n", "     唐友\n"))
    assert email_placeholder(biff) == (biff.replace("netbug@ftp.uk.linux.org", "<EMAIL>")
                                       .replace("<tony_ty@263.net>", "<EMAIL>"))
    apm = EXCERPTS["man_zh_apm"]
    assert email_placeholder(apm) == (apm.replace("(faith@cs.unc.edu)", "(<EMAIL>)")
                                      .replace("(apenwarr@worldvisions.ca)", "(<EMAIL>)"))
    signature = EXCERPTS["fortune_signature"]
    assert remove_emails(signature) == signature.replace("Lars Wirzenius <wirzeniu@cs.helsinki.fi>", "Lars Wirzenius")


def test_chinese_page_addresses_written_to_dodge_harvesters():
    assert email_placeholder("投稿邮箱：editor[at]xinmin-news.cn，来稿请注明作者") == "投稿邮箱：<EMAIL>，来稿请注明作者"
    assert email_placeholder("我的邮箱 8123456＠qq.com 欢迎交流") == "我的邮箱 <EMAIL> 欢迎交流"
    assert remove_emails("有问题发邮件到xiaowang2019@163.com，我会回复。") == "有问题发邮件到，我会回复。"
    assert remove_emails("Follow @alice@mastodon.social for updates.") == "Follow for updates."


def test_addresses_that_are_no_ones_mailbox_stay():
    for text in [EXCERPTS["debref_en_git_config"],  # yourname@example.com, a documentation domain
                 EXCERPTS["wikitext_en_money"],  # " @,@ " tokens
                 "@register(\"strip_html\")\n@dataclass\nclass StripHtml:",
                 "root@debian:~# apt update",
                 "git remote add origin git@github.com:someone/project.git",
                 "    $ ssh -p 2222 deploy@build.kernel-lab.cn\n"
                 "    $ scp report.pdf alice@files.univ-lyon.fr:/srv/inbox/",
                 "npm install @types/node@18.11.9 lodash@4.17.21",
                 # systemd template units, as loginctl and systemd-escape print them (man pages)
                 "├─user@1005.service\n  systemd-nspawn@container-III.service getty@tty1.service"]:
        assert remove_emails(text) == text
    assert remove_emails("部署出错请联系 deploy@build.kernel-lab.cn。") == "部署出错请联系。"


# --------------------------------------------------------------------------------------------
# remove_mentions
# --------------------------------------------------------------------------------------------

remove_mentions = RemoveMentions().apply


def test_weibo_mentions_and_repost_chains():
    assert remove_mentions("@人民日报 今天发布消息，全市中小学9月1日开学。") == "今天发布消息，全市中小学9月1日开学。"
    assert remove_mentions("转发微博//@张三:说得好//@李四：同意") == "转发微博说得好同意"
    assert remove_mentions("回复@abc_123:谢谢提醒") == "回复谢谢提醒"
    assert remove_mentions("说得好。@张三 你也看看\n转给 @李四 @王五") == "说得好。你也看看\n转给"
    assert RemoveMentions(mode="placeholder").apply("回复@abc_123:谢谢提醒。@李四 也看看") == \
        "回复<USER>:谢谢提醒。<USER> 也看看"


def test_a_name_inside_a_sentence_keeps_its_words_and_loses_its_at_sign():
    """Unspaced Chinese does not show where a name ends: taken to the next punctuation, the
    mention would take the rest of the clause with it ("我和，玩得很开心")."""
    assert remove_mentions("我和@李四一起去的北京，玩得很开心。") == "我和李四一起去的北京，玩得很开心。"
    assert remove_mentions("感谢@王五 的分享！还要感谢@蒙牛客服小美，回复好快") == "感谢王五 的分享！还要感谢蒙牛客服小美，回复好快"
    assert RemoveMentions(mode="placeholder").apply("推荐给@简桢，比你看的小说好看多了。") == "推荐给简桢，比你看的小说好看多了。"


def test_at_signs_that_are_not_mentions_stay():
    for text in [EXCERPTS["man_zh_perlboot_excerpt"],  # @ISA = qw(Animal); 数组 @ISA; @Cow::ISA
                 "邮件请发 abc@qq.com，或者用 dig @8.8.8.8 查询",
                 "@property\ndef name(self):",
                 "@register(\"x\")\nclass Rule:",
                 "安装 @types/node 之后再编译",
                 "在 Makefile 里 @echo 不会回显命令本身",
                 "ftp://<user>:<password>@hostname:<port>/path/to/package.rpm"]:
        assert remove_mentions(text) == text


# --------------------------------------------------------------------------------------------
# remove_wechat_ids
# --------------------------------------------------------------------------------------------

def test_wechat_and_qq_contacts():
    remove = RemoveWechatIds().apply
    assert remove("有意者加微信：abc_12345，非诚勿扰") == "有意者，非诚勿扰"
    assert remove("微信号：xinmin_news2019\n欢迎关注") == "欢迎关注"
    assert remove("学历提升，不限户籍，咨询+V：sxlt8899") == "学历提升，不限户籍，咨询"
    assert remove("专属客服经理VX: tea_shop_666 售后QQ：2802327246") == "专属客服经理售后"
    assert remove("有兴趣的朋友加qq 123456789交流") == "有兴趣的朋友交流"
    placeholder = RemoveWechatIds(mode="placeholder").apply
    assert placeholder("微信：wxid_2024abc，QQ群：987654321") == "微信：<WECHAT>，QQ群：<QQ>"
    assert RemoveWechatIds(include_qq=False).apply("QQ：123456789") == "QQ：123456789"


def test_words_around_wechat_that_are_not_contacts_stay():
    for text in ["微信支付很方便，扫码就行", "微信 Android 版本更新了", "他在村里很有威信",
                 "我常用QQ音乐听歌", "import wx\nframe = wx.Frame(None)", "关注微信公众号：人民日报",
                 # Key combinations in LibreOffice's help: a letter before "+" joins keys.
                 "Using CommandCtrl+V shortcut, the Paste icon", "Edit - Paste CommandCtrl+V pastes at the cursor"]:
        assert RemoveWechatIds().apply(text) == text


# --------------------------------------------------------------------------------------------
# redact_pii
# --------------------------------------------------------------------------------------------

redact = RedactPii().apply


def test_id_numbers_with_valid_check_and_real_birth_date():
    assert redact(f"本人张先生，身份证号{ID_BEIJING}，现居朝阳区。") == "本人张先生，身份证号<ID>，现居朝阳区。"
    assert redact(f"身份证：{ID_SHENZHEN_X.lower()}") == "身份证：<ID>"
    for kept in [wrong_check(ID_BEIJING), prc_id("110105", "19990231", "042"), prc_id("990105", "19880317", "042"),
                 prc_id("110105", "18500101", "042")]:
        assert redact(f"编码{kept}无效") == f"编码{kept}无效"


def test_mobile_numbers_in_their_usual_shapes():
    text = ("手机13912345678，或+86 139-1234-5678，或(+86)13912345678，或0086 139 1234 5678，"
            "或8613912345678。")
    assert redact(text) == "手机<PHONE>，或<PHONE>，或<PHONE>，或<PHONE>，或<PHONE>。"
    for kept in ["1391234567", "139123456789", "2013912345678999", "订单号：13912345678", "0.13912345678"]:
        assert redact(kept) == kept


def test_landlines_and_service_numbers():
    text = "座机010-62345678，分机0571-87654321-802，传真（0755）86001234，客服400-820-8820。"
    assert redact(text) == "座机<PHONE>，分机<PHONE>，传真<PHONE>，客服400-820-8820。"
    assert RedactPii(service_numbers=True).apply("客服热线 400-820-8820 或 800 810 8888") == "客服热线 <PHONE> 或 <PHONE>"


def test_bank_cards_grouped_or_named():
    grouped = " ".join(UNIONPAY_19[i:i + 4] for i in range(0, 19, 4))
    assert redact(f"转账请用 {grouped} 这张卡") == "转账请用 <BANKCARD> 这张卡"
    assert redact(f"银行卡号：{UNIONPAY_19}，户名王芳") == "银行卡号：<BANKCARD>，户名王芳"
    assert redact(f"card {VISA_16}") == "card <BANKCARD>"
    assert redact(f"物流单号{UNIONPAY_19}已发出") == f"物流单号{UNIONPAY_19}已发出"  # no card word before it
    assert redact(f"卡号{wrong_check(UNIONPAY_19)}") == f"卡号{wrong_check(UNIONPAY_19)}"


def test_unified_social_credit_codes():
    assert redact(f"统一社会信用代码：{CREDIT_CODE}") == "统一社会信用代码：<USCC>"
    assert redact(f"纳税人识别号 {CREDIT_CODE_DIGITS}") == "纳税人识别号 <USCC>"
    assert redact(f"流水号 {CREDIT_CODE_DIGITS}") == f"流水号 {CREDIT_CODE_DIGITS}"
    assert redact(f"代码{wrong_check(CREDIT_CODE)}") == f"代码{wrong_check(CREDIT_CODE)}"


def test_numbers_that_are_not_personal_stay():
    for text in ["2023年2月4日（20230204）下单，订单号：202302041234567890，价格¥1380.00，优惠价13800元。",
                 "ISBN 978-7-111-54742-6，ISBN 9787111547426，版本1.3.7，IP 192.168.1.1，邮编100101。",
                 "时间戳1675432123456，运单SF1234567890123，型号 ThinkPad X1。",
                 EXCERPTS["wiki_zh_temple_ref"], EXCERPTS["man_zh_apm"], EXCERPTS["debref_zh_conventions"]]:
        assert redact(text) == text


def test_each_kind_can_be_switched_off_and_remove_mode_cuts_cleanly():
    text = f"电话13912345678，身份证{ID_BEIJING}，卡号{UNIONPAY_19}，代码{CREDIT_CODE}"
    off = RedactPii(mobiles=False, ids=False, bank_cards=False, credit_codes=False)
    assert off.apply(text) == text
    assert RedactPii(mode="remove").apply("有事请打13912345678，谢谢。") == "有事请打，谢谢。"
    assert RedactPii(mode="remove").apply("联系人：王芳\n13912345678\n地址：朝阳区") == "联系人：王芳\n地址：朝阳区"


# --------------------------------------------------------------------------------------------
# config and languages
# --------------------------------------------------------------------------------------------

def test_config_tables_build_and_bad_values_are_named():
    rule = build_rule("edits", 0, {"name": "redact_pii", "mode": "remove", "service_numbers": True})
    assert (rule.mode, rule.service_numbers, rule.languages) == ("remove", True, frozenset({"zh"}))
    assert build_rule("edits", 1, {"name": "remove_urls", "bare_domains": True}).bare_domains
    with pytest.raises(ConfigError, match=r"clean\.edits\[2\]\.mode"):
        build_rule("edits", 2, {"name": "remove_emails", "mode": "mask"})
    assert RemoveUrls.languages == RemoveEmails.languages == RemoveMarkdownImages.languages == frozenset()
    assert RemoveMentions.languages == RemoveWechatIds.languages == frozenset({"zh"})


# --------------------------------------------------------------------------------------------
# linear time
# --------------------------------------------------------------------------------------------

ADVERSARIAL = ["1" * 100_000, "1 " * 50_000, "1-" * 50_000, "138 " * 25_000, "6222 " * 20_000,
               "a" * 100_000, "a@" * 50_000, "@" * 100_000, "@张" * 50_000, "x@" + "a." * 50_000 + "1",
               "http://" + "a" * 100_000, "http://a" + ")" * 100_000, "http://a" + "." * 100_000,
               " " * 100_000 + "http://a.cn" + " " * 100_000, "http://a.cn " * 7_000, "a.a." * 25_000 + "com",
               "www." * 25_000, "![a](" * 20_000, "[a](http://" * 10_000, "微信：" * 30_000, "加V" * 50_000,
               "QQ" * 50_000, "13912345678 " * 8_000]
RULES = [RemoveUrls(), RemoveUrls(bare_domains=True), RemoveMarkdownImages(), RemoveEmails(), RemoveMentions(),
         RemoveWechatIds(), RedactPii(service_numbers=True)]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_linear_time_on_adversarial_input(rule):
    for text in ADVERSARIAL:
        started = time.perf_counter()
        rule.apply(text)
        assert time.perf_counter() - started < 2.0, text[:20]


def test_labels_written_in_traditional_characters_count_as_their_simplified_forms():
    """微信號, QQ號, 賬戶 and 訂單編號 are the labels the patterns know as 微信号, QQ号, 账户 and 订单编号;
    the text keeps its own characters."""
    assert RemoveWechatIds().apply("請加微信號:cqbd120，謝謝") == "請，謝謝"
    assert RemoveWechatIds().apply("QQ號:12345678 歡迎來玩") == "歡迎來玩"
    redact = RedactPii(mode="placeholder").apply
    assert redact("轉到我的賬戶 6222021234567890128") == "轉到我的賬戶 <BANKCARD>"
    assert redact("我的訂單編號：13812345678") == "我的訂單編號：13812345678"
