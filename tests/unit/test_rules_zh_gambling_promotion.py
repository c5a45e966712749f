"""zh_gambling_promotion: a gambling site named the way its promoters name it. The spam texts are
written for these tests after pages of the development corpus (HPLT Chinese: a site name
injected into a news story, a product page or word salad, once or twice); the site names in them
are made up. The texts that must be kept are the ordinary uses of the same words: Macau casino
news, lottery regulations, World Cup qualifiers, cash outlets, a car model, a video app."""
from __future__ import annotations

import pytest

import datacleaning as dc
from datacleaning.config import load_config
from datacleaning.document import Document
from datacleaning.rules.filters.zh_spam import ZhGamblingPromotion


def measured(text: str) -> dict:
    doc = Document("t", text)
    doc.lang = "zh"
    return ZhGamblingPromotion().score(doc)


NEWS_WITH_ONE_NAME = (
    "近日，人力资源社会保障部印发《关于进一步支持和鼓励事业单位科研人员创新创业的指导意见》，"
    "鑫旺娱乐官网事业单位人事管理司负责人就相关问题回答了记者提问。出台指导意见是贯彻落实创新驱动发展战略的重要举措，"
    "充分调动广大科研人员创新创业的积极性、主动性和创造性。")


@pytest.mark.parametrize("text, name", [
    (NEWS_WITH_ONE_NAME, "娱乐官网"),
    ("洗砂机作为石料厂常见的清洗设备，一般不是单独作业的。皇冠体育开户，而是由制砂机、破碎机、振动筛等多款设备联合作业。", "皇冠体育"),
    ("本会名称：www.example.com_金沙88娱乐；英译名称：China Example Association，缩写：CEA。", "金沙88娱乐"),
    ("北京快乐八外围投注网站，物业试水社区团购，计划在每一个小区开设一个体验店，通过去中间化为业主提供产地直供商品。", "外围投注"),
    ("黄大仙两肖四码中特图，据了解，这个落槌价在当时创下了艺术家的价格纪录，现在依然在拍卖的作品当中排名第四。", "两肖四码"),
    ("四川一家公司晚间披露业绩预告，一季度预盈1.55亿元。华发在线007bet在今日收盘后，社融数据披露出来，超预期。", "007bet"),
    ("重庆时时彩计划群，竹笛可以信赖，晨参暮省，液下泵骑兵登记日期，爱意一吐为快。", "时时彩"),
    ("近日，亚洲杯盘口保障部印发通知，就相关问题回答了记者提问。", "亚洲杯盘口"),
    ("新用户注册送彩金，这家公司的螺丝刀套装采用铬钒钢材质，经久耐用。", "送彩金"),
    ("腾讯分分彩开奖记录，今年一季度全市工业增加值同比增长百分之六。", "分分彩"),
    ("据报道，联邦认可北京赛车平台开户注册的部落希望在该县建立一个赌场。", "北京赛车平台"),
    ("真钱棋牌游戏下载，小区物业近日开展了消防安全演练活动。", "真钱棋牌"),
    ("亚洲最大博彩平台，春季是播种的好时节，农民们正在田里忙碌。", "博彩平台"),
    ("九号彩票平台登录，海关总署公布了今年前两个月的进出口数据。", "彩票平台登录"),
    ("彩票开户就上这里，今年夏天的降雨量比往年多出三成，各地防汛形势严峻。", "彩票开户"),
    ("现金棋牌天天送，本市今年新建公园绿地四十余处，市民休闲有了好去处。", "现金棋牌"),
    ("会员登录网址已更新，这款电饭煲采用了新的加热方式，米饭口感更好。", "会员登录网址"),
])
def test_a_gambling_site_named_once_is_rejected(text, name):
    """``first`` is the leftmost name found. One case at least for each construction: the rule
    searches a text only for the constructions whose strings a first scan found in it."""
    value = measured(text)
    assert value["hits"] >= 1 and value["first"] == name
    assert not ZhGamblingPromotion().keep(value)


def test_a_name_written_in_traditional_characters_is_found_as_well():
    """Taiwan and Hong Kong spam writes 娛樂官網, 皇冠體育開戶; the constructions are written in
    Simplified and read the text folded to it (``first`` names it in that form)."""
    import opencc

    to_traditional = opencc.OpenCC("s2t").convert
    for text, name in [(NEWS_WITH_ONE_NAME, "娱乐官网"),
                       ("洗砂机作为石料厂常见的清洗设备，一般不是单独作业的。皇冠体育开户，而是由多款设备联合作业。", "皇冠体育")]:
        value = measured(to_traditional(text))
        assert value["hits"] >= 1 and value["first"] == name


@pytest.mark.parametrize("text", [
    # Macau's casino industry in the news, and lottery and gambling law
    "受疫情影响，澳门博彩业收入同比下降七成，多家赌场暂停营业，特区政府宣布推出经济援助措施。",
    "第十二条 彩票发行机构、彩票销售机构应当公开彩票投注方式、开奖结果和中奖情况。",
    "开设赌场罪是指以营利为目的，为赌博提供场所，设定赌博方式，提供赌具、筹码、资金等组织赌博的行为。",
    # the same characters in other words
    "中国队在世界杯外围赛中以二比零战胜对手，取得了小组赛的首场胜利。",
    "该银行在全市设有现金网点三十余个，可办理存取款业务。",
    "新款丰田皇冠官网售价公布，搭载二点五升混合动力系统。",
    "天翼视讯客户端上线了新的频道，用户可以在手机上观看直播。",
    "程序返回错误码报告给调用者，并在日志中记录失败原因。",
    "他在西藏（Tibet）工作了十年，也学会了藏文字母（alphabet）。",
    "真人秀节目的第二季正在拍摄，预计明年春天播出。",
    # the new constructions' words in ordinary use
    "财政部通报，互联网彩票平台的销售自三月起暂停，销售机构应当整改。",
    "北京赛车场周末举办了一场业余卡丁车比赛，吸引了上百名车迷。",
    "这款游戏不用真钱也能玩，每天签到就能领取金币。",
    "这幅画十分彩色斑斓，孩子们很喜欢。婚礼前一天，两家人商量了三分彩礼留作小两口的积蓄。",
])
def test_ordinary_uses_of_the_same_words_are_kept(text):
    value = measured(text)
    assert value["hits"] == 0, value
    assert ZhGamblingPromotion().keep(value)


def test_the_threshold_can_ask_for_more_than_one_name():
    value = measured(NEWS_WITH_ONE_NAME)
    assert ZhGamblingPromotion(min_hits=2).keep(value)
    assert not ZhGamblingPromotion(min_hits=2).keep(measured(NEWS_WITH_ONE_NAME + NEWS_WITH_ONE_NAME))


def test_the_default_profile_rejects_the_page_naming_the_rule():
    cleaned = next(dc.Pipeline(load_config(None, profile="mixed_web")).clean([{"id": "p", "text": NEWS_WITH_ONE_NAME}]))
    assert cleaned.verdict is not None and cleaned.verdict.rejected_by == "zh_gambling_promotion"


def test_a_name_in_the_record_title_counts_with_the_text():
    article = "中国队在世界杯外围赛中以二比零战胜对手，取得了小组赛的首场胜利。主教练在赛后表示，球员们执行了赛前的部署。"
    doc = Document("t", article, lang="zh", meta='{"title": "鑫旺娱乐官网-球队取胜"}')
    assert measured(article)["hits"] == 0
    assert ZhGamblingPromotion().score(doc) == {"hits": 1, "first": "娱乐官网"}
    assert ZhGamblingPromotion(title_field="").score(doc)["hits"] == 0


def test_record_fields_are_read_from_meta_as_strings_only():
    doc = Document("t", "正文", meta='{"title": "标题", "url": "http://example.cn/a", "views": 12, "tags": ["x"]}')
    assert (doc.meta_string("title"), doc.meta_string("url")) == ("标题", "http://example.cn/a")
    assert doc.meta_string("views") is None and doc.meta_string("tags") is None
    assert doc.meta_string("author") is None and doc.meta_string("") is None
    # A key that appears only inside a value is not a field.
    assert Document("t", "正文", meta='{"note": "the \\"title\\" field"}').meta_string("title") is None


def test_english_text_is_not_judged_by_it():
    text = "Place your bets: bet365 and 888bet are betting sites, says this English article about gambling ads."
    cleaned = next(dc.Pipeline(load_config(None, profile="mixed_web")).clean([{"id": "e", "text": text * 3}]))
    assert "zh_gambling_promotion" not in cleaned.document.scores
