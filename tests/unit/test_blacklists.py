"""The bundled word lists, the one-pass matcher and the blacklist filter, on real lists and text.

Spam pages written for these tests and real reference text (tests/fixtures/blacklists/NOTICE.md);
the development corpus' lists, reviews and news pages are checked in corpus/test_blacklists_corpus.py.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import datacleaning as dc
from blacklist_helpers import profile_blacklist, verdict
from datacleaning.blacklists.matcher import DATA_DIR, DomainMatcher, TermMatcher, WordList
from datacleaning.config import load_config
from datacleaning.errors import ConfigError
from datacleaning.rules.registry import build_rule
from datacleaning.script_chars import simplified_form
from helpers import FIXTURES, http_response, warc_record

HERE = FIXTURES / "blacklists"
WORD_LISTS = sorted(p for p in DATA_DIR.glob("*.txt") if not p.name.startswith("domains_"))
DOMAIN_LISTS = sorted(DATA_DIR.glob("domains_*.txt"))
HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f]")


def real_texts() -> dict[str, str]:
    with open(HERE / "real_texts.jsonl", encoding="utf-8") as f:
        return {record["id"]: record["text"] for record in map(json.loads, f)}


# --- the lists ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", WORD_LISTS + DOMAIN_LISTS, ids=lambda p: p.stem)
def test_every_list_names_its_category_source_and_licence(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("#")]
    assert any(line.startswith("# category: ") for line in header)
    sources = [line for line in header if line.startswith("# source: ")]
    assert sources and all("; licence: " in line for line in sources)
    terms = WordList.load(path).terms
    assert terms and len(terms) == len(set(terms)), "duplicates"
    assert len(terms) == len(lines) - len(header), "a header line was loaded as a term, or a term dropped"


def test_word_lists_hold_no_generic_words_no_phrase_dumps_and_no_term_twice():
    owner: dict[str, str] = {}
    for path in WORD_LISTS:
        for raw in WordList.load(path).terms:
            term = raw.strip("|").lower()
            assert term not in owner, f"{term!r} in both {owner[term]} and {path.stem}"
            owner[term] = path.stem
            han = len(HAN.findall(term))
            assert han <= 8 and len(term.split()) <= 4, f"phrase dump {raw!r} in {path.stem}"
            if 0 < han == len(term) <= 2:
                assert raw == f"|{term}|", f"{raw!r} in {path.stem}: short Chinese terms need word boundaries"
    # Ordinary words the upstream lists carry (the issue names 网络, 招聘 and QQ); 性 and 码 stand
    # alone in ordinary Chinese (可靠性, 38码) where jieba cannot tell them apart.
    for generic in ["网络", "招聘", "qq", "客服", "小姐", "兼职", "发票", "按摩", "性", "码", "god", "kill", "sex", "gay"]:
        assert generic not in owner, f"generic word {generic!r} in {owner[generic]}"
    # The ordinary words written in Traditional, as the upstream lists carry them too: a health
    # article in Traditional names 陰道 as one in Simplified names 阴道.
    for generic in ["陰道", "陰莖", "白癡"]:
        assert generic not in owner, f"generic word {generic!r} in {owner[generic]}"


# --- matching -------------------------------------------------------------------------------------

def test_ambiguous_chinese_terms_count_only_on_jieba_word_boundaries(tmp_path):
    """A user's list with 性 and 码 marked ambiguous, on real technical text full of 性能, 密码 and 验证码."""
    own = tmp_path / "ambiguous.txt"
    own.write_text("# category: test\n|性|\n|码|\n", encoding="utf-8")
    marked = TermMatcher([WordList.load(own)])
    plain = TermMatcher([WordList("test", ["性", "码"])])
    texts = real_texts()
    for doc_id in ("cmrc-TRIAL_426", "debref-zh-cn-0339", "manzh-ssh.1:excerpt"):
        assert plain.find(texts[doc_id]), doc_id  # the characters are there, inside words
        assert marked.find(texts[doc_id]) == {}, doc_id
    assert marked.find("他对性的看法很开放")["test"]["性"] == 1
    assert marked.find("平时穿38码，这双要买39码")["test"]["码"] == 2


def test_ascii_terms_match_whole_words_case_insensitively_also_between_han():
    matcher = TermMatcher([WordList("porn", ["ass", "porn", "a片"])])
    assert matcher.find("first-class passes assume nothing; Classy Assam tea") == {}
    assert matcher.find("Kiss my ASS, ass-hat")["porn"]["ass"] == 2
    assert matcher.find("他在看porn视频，还有a片")["porn"] == {"porn": 1, "a片": 1}
    assert matcher.find("metadata片段与java片") == {}, "a片 after a letter is inside a word"


def test_every_list_is_matched_in_one_pass_and_counted_per_category():
    lists = [WordList.load(p) for p in WORD_LISTS]
    matcher = TermMatcher(lists)
    # A term the lists give in both scripts (百家乐, 百家樂) is one term.
    assert matcher.n_terms == len({simplified_form(t.strip("|").lower()) for w in lists for t in w.terms})
    text = "\n".join((HERE / name).read_text(encoding="utf-8") for name in ("zh_gambling_page.txt", "en_porn_page.txt"))
    found = matcher.find(text)
    assert {"gambling", "porn"} <= set(found)
    assert found["porn"]["blowjob"] == 2, "case-insensitive: blowjob and Blowjob"
    # The page names 重庆时时彩 once: one hit, leftmost-longest, not a second one for 时时彩 in it.
    assert found["gambling"]["重庆时时彩"] == 1 and "时时彩" not in found["gambling"]


def test_a_page_in_traditional_characters_is_matched_as_its_simplified_twin():
    """The lists are mostly written in Simplified; a Taiwan or Hong Kong spam page is read
    folded to Simplified, one character for one."""
    import opencc

    matcher = TermMatcher([WordList.load(p) for p in WORD_LISTS])
    page = (HERE / "zh_gambling_page.txt").read_text(encoding="utf-8")
    assert matcher.find(opencc.OpenCC("s2t").convert(page)) == matcher.find(page)


def test_domains_match_the_host_and_its_subdomains_only():
    ads = WordList.load(DATA_DIR / "domains_easylist_ads.txt")
    assert "doubleclick.net" in ads.terms
    domains = DomainMatcher([ads])
    assert domains.find("https://ad.doubleclick.net/ddm/trackclk/N123") == ("ads", "doubleclick.net")
    assert domains.find("HTTP://DoubleClick.net") == ("ads", "doubleclick.net")
    assert domains.find("https://notdoubleclick.net/") is None
    assert domains.find("https://example.org/doubleclick.net") is None
    assert domains.find("not a url") is None


# --- the filter -----------------------------------------------------------------------------------

@pytest.mark.parametrize("page, category", [
    ("zh_gambling_page", "gambling"), ("zh_porn_page", "porn"), ("zh_ads_page", "ads"),
    ("en_porn_page", "porn"), ("en_ads_page", "ads")])
def test_spam_pages_are_rejected_naming_the_category_and_terms(page, category):
    value = verdict(profile_blacklist(), (HERE / f"{page}.txt").read_text(encoding="utf-8"))
    assert value["flagged"] == [category]
    found = value["categories"][category]
    assert found["hits"] >= 5 and len(found["terms"]) >= 5 and found["per_1k"] > 10


@pytest.mark.parametrize("doc_id", list(real_texts()))
def test_reference_text_that_mentions_sex_gambling_or_swears_is_kept(doc_id):
    for profile in ("mixed_web", "mixed_web_strict", "zh_book"):
        assert verdict(profile_blacklist(profile), real_texts()[doc_id])["flagged"] == [], profile


def test_one_spam_line_in_a_long_article_is_not_enough():
    rule = profile_blacklist()
    line = "注册送彩金，重庆时时彩、北京赛车。"
    assert verdict(rule, line)["flagged"] == ["gambling"]
    article = "\n".join(text for doc_id, text in real_texts().items() if doc_id.startswith("cmrc"))
    value = verdict(rule, article + "\n" + line)
    assert value["flagged"] == [] and value["categories"]["gambling"]["hits"] >= 5


def test_one_term_repeated_is_not_enough():
    value = verdict(profile_blacklist(), "六合彩开奖了！六合彩开奖了！六合彩开奖了！六合彩开奖了！", lang="zh")
    assert value["flagged"] == [] and value["categories"]["gambling"]["hits"] == 4


def test_one_explicit_chinese_porn_term_repeated_decides_in_chinese_documents_only():
    """mixed_web lets one Chinese porn term decide (zh_min_terms), the way spam pages paste one into
    borrowed text again and again; English words stay two terms or more ("smut" is also a wheat
    disease)."""
    rule = profile_blacklist()
    article = next(text[:400] for doc_id, text in real_texts().items()
                   if doc_id.startswith("cmrc") and not verdict(rule, text[:400], lang="zh")["categories"])
    pasted = "色电影".join(article[i:i + 100] for i in range(0, 400, 100))
    value = verdict(rule, pasted, lang="zh")
    assert value["flagged"] == ["porn"] and value["categories"]["porn"]["distinct"] == 1
    assert verdict(rule, pasted, lang="en")["flagged"] == []
    assert verdict(profile_blacklist("zh_book"), pasted, lang="zh")["flagged"] == []
    wheat = "Wheat smut spreads in wet years. Farmers treat seed against smut, and smut losses fell. " * 3
    assert verdict(rule, wheat, lang="en")["flagged"] == []


def test_thresholds_are_set_per_category_and_checked_against_the_loaded_lists(tmp_path):
    page = (HERE / "zh_gambling_page.txt").read_text(encoding="utf-8")
    lenient = build_rule("filters", 0, {"name": "blacklist", "min_hits": {"gambling": 100}})
    lenient.prepare(tmp_path)
    assert verdict(lenient, page)["flagged"] == []
    config = tmp_path / "pipeline.toml"
    config.write_text('[[clean.filters]]\nname = "blacklist"\nmin_hits_per_1k = {gambling = 1.0, crypto = 2.0}\n',
                      encoding="utf-8")
    with pytest.raises(ConfigError, match=r"clean\.filters\[0\].*crypto.*categories: abuse, ads"):
        dc.Pipeline(load_config(config))


def test_users_add_their_own_list_by_path_in_the_config(tmp_path):
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "crypto_scam.txt").write_text(
        "# Crypto giveaway scams, written for this test\n# category: scam\n"
        "double your bitcoin\nsend 1 btc\nelon giveaway\n", encoding="utf-8")
    config = tmp_path / "pipeline.toml"
    config.write_text('[[clean.filters]]\nname = "blacklist"\nlists = ["en_ads", "lists/crypto_scam.txt"]\n'
                      'min_hits = {scam = 2}\n', encoding="utf-8")
    pipe = dc.Pipeline(load_config(config))
    scam = "Elon giveaway! Send 1 BTC, double your bitcoin. Elon giveaway ends today."
    result = next(pipe.clean([scam, "Bitcoin fell by 4% today as traders sold."]))
    assert result.verdict.rejected_by == "blacklist:scam" and result.verdict.value["categories"]["scam"]["distinct"] == 3
    assert result.verdict.value["categories"]["scam"]["terms"]["elon giveaway"] == 2


def test_a_list_saved_with_a_byte_order_mark_keeps_its_header_and_first_term(tmp_path):
    (tmp_path / "scam.txt").write_bytes("# category: scam\r\ndouble your bitcoin\r\n".encode("utf-8-sig"))
    (tmp_path / "bare.txt").write_bytes("double your bitcoin\r\n".encode("utf-8-sig"))
    for name, category in (("scam.txt", "scam"), ("bare.txt", "bare")):
        [word_list] = [WordList.load(tmp_path / name)]
        assert (word_list.category, word_list.terms) == (category, ["double your bitcoin"])
        found = TermMatcher([word_list]).find("Double your bitcoin today.")
        assert found == {category: {"double your bitcoin": 1}}


def test_a_list_that_is_not_utf8_is_a_config_error_naming_the_file(tmp_path):
    (tmp_path / "gbk.txt").write_bytes("赌场\n".encode("gbk"))
    with pytest.raises(ConfigError, match=r"gbk\.txt: a word list must be UTF-8"):
        WordList.load(tmp_path / "gbk.txt")


def test_terms_written_full_width_or_with_ascii_commas_match_text_as_the_normalizers_leave_it():
    """Lists copied from elsewhere write ＱＱ号 and 返利,日结; the text the matcher reads has been
    through fullwidth_alnum (ＱＱ → QQ) and zh_fullwidth_punctuation (, → ，). A hit counts
    under the term as listed."""
    terms = ["ＱＱ号出售", "ｃｒｙｐｔｏｓｃａｍ", "刷单返利,日结"]
    text = "出售：ＱＱ号出售，cryptoscam 平台。刷单返利,日结，联系我。"
    cleaned = next(dc.Pipeline(load_config(None, profile="mixed_web"), filters=[]).clean([text])).document.text
    assert "QQ号出售" in cleaned and "刷单返利，日结" in cleaned
    found = TermMatcher([WordList("scam", terms)]).find(cleaned)
    assert found == {"scam": {"ｑｑ号出售": 1, "ｃｒｙｐｔｏｓｃａｍ": 1, "刷单返利,日结": 1}}
    assert TermMatcher([WordList("scam", terms)]).find(text) == found, "the text as written matches too"


def test_the_url_field_is_read_from_meta_and_its_name_is_configurable():
    rule = profile_blacklist()
    text = "An ordinary page about the weather in the harbour this week."
    listed = verdict(rule, text, meta=json.dumps({"url": "https://ad.doubleclick.net/landing"}))
    assert listed["flagged"] == ["ads"] and listed["url"] == {"category": "ads", "domain": "doubleclick.net"}
    assert verdict(rule, text, meta=json.dumps({"url": "https://www.debian.org/doc/"}))["flagged"] == []
    assert verdict(rule, text)["flagged"] == []
    own_field = build_rule("filters", 0, {"name": "blacklist", "url_field": "page_url"})
    own_field.prepare(Path("."))
    assert verdict(own_field, text, meta=json.dumps({"page_url": "http://doubleclick.net/"}))["flagged"] == ["ads"]
    assert verdict(own_field, text, meta=json.dumps({"url": "http://doubleclick.net/"}))["flagged"] == []


def test_brand_names_injected_into_the_title_are_judged_with_the_text():
    rule = profile_blacklist()
    article = real_texts()["cmrc-DEV_483"]
    # A title in the shape spam sites give their pages (written for this test) over an ordinary text.
    title = json.dumps({"title": "澳门金沙娱乐城-皇冠开户-足球盘口-时时彩计划"}, ensure_ascii=False)
    assert verdict(rule, article)["flagged"] == []
    assert verdict(rule, article, meta=title)["flagged"] == ["gambling"]
    untitled = build_rule("filters", 0, {"name": "blacklist", "title_field": ""})
    untitled.prepare(Path("."))
    assert verdict(untitled, article, meta=title)["flagged"] == []


def test_a_warc_page_from_an_ad_server_is_rejected_by_its_target_uri(tmp_path, clean_run):
    body = ("<html><body><h1>Harbour news</h1><p>The harbour will be dredged this autumn so that larger ships "
            "can berth at the new quay, the port authority said on Monday.</p></body></html>").encode()
    response = http_response("text/html", body)
    kind = "application/http; msgtype=response"
    warc = tmp_path / "pages.warc"
    warc.write_bytes(warc_record("response", 1, response, kind, uri="https://pubads.g.doubleclick.net/gampad/ads?iu=1")
                     + warc_record("response", 2, response, kind, uri="https://news.example.org/harbour"))
    overrides = [(["clean", "filters"], [{"name": "blacklist"}])]
    run = clean_run([warc], workers=1, overrides=overrides)
    run.assert_totals(2)
    rejected_urls = [json.loads(r["reject_value"])["url"] for r in run.rejected]
    assert rejected_urls == [{"category": "ads", "domain": "doubleclick.net"}]
    assert [json.loads(r["meta"])["url"] for r in run.kept] == ["https://news.example.org/harbour"]


def test_a_private_game_server_keyword_page_is_rejected_as_ads():
    # Written for this test after the 传奇私服 pages of the HPLT Chinese crawl (a keyword string,
    # then a borrowed game description); the site name is made up.
    page = ("传奇私服专业分享传奇私服发布网及新开传奇私服网站，最新传奇私服客户端，刚开传奇私服等版本。"
            "致力为玩家及时收集传奇私服，传奇sf发布网信息。传奇私服第一门户：为传奇玩家提供最新传奇私服。"
            "《热血传奇》是一款大型多人在线角色扮演游戏，自二〇〇一年引入中国以来，在玩家中影响很大。")
    assert verdict(profile_blacklist(), page)["flagged"] == ["ads"]
    news = "警方近日破获一起架设网络游戏私服牟利的案件，涉案金额逾百万元，三名犯罪嫌疑人已被刑事拘留。"
    assert verdict(profile_blacklist(), news)["flagged"] == []
