"""Build the bundled word and domain lists in ``data/`` from the upstream lists.

    python -m datacleaning.blacklists.build_lists --wordlists ../shared/data/dev/wordlists

The upstream lists (LDNOOBW, konsheng/Sensitive-lexicon, fwwdn/sensitive-stop-words,
better_profanity, EasyList; ``MANIFEST.json`` in that folder names their repositories and commits)
were made to censor chat messages, not to judge documents: they hold ordinary words (网络, 招聘,
客服, 小姐, "god", "kill"), phrase dumps, wildcard syntax, one list's categories mixed into another,
and the same file twice under two names. This script turns them into one plain-text list per
language and category, each term put in one category only:

- every upstream term is normalised (NFKC, so full-width letters become ASCII; trailing ``*``
  wildcards dropped) and dropped when it is not a plain term (other wildcard or markup syntax,
  a space inside a Chinese term), a phrase dump (more than ``MAX_HAN`` Han characters or
  ``MAX_WORDS`` English words), a bare ASCII abbreviation inside a Chinese list ("QQ", "SM",
  "BT"), or an ordinary word (the ``*_GENERIC`` sets below, found by running the lists over the
  clean reference text of the development corpus, and for the ads and politics lists every
  word jieba's dictionary counts ``COMMON_WORD_FREQ`` times or more);
- a Chinese term is routed by what it says (``ROUTES``): insults to ``abuse``, drug and
  knock-out-drop sales to ``drugs``, weapon and explosive sales or recipes to ``violence``,
  gambling to ``gambling``; the rest keeps its upstream file's category. Drug and weapon nouns
  alone (冰毒, 炸药) are news words and are kept only with a trade or recipe word (出售, 配方);
- a term of one or two Han characters is written ``|term|``: the matcher counts it only where it
  stands on jieba word boundaries (性 not inside 性能, 他妈 not inside 其他妈妈). A single Han
  character is kept only if listed in ``SINGLE_HAN``.

Hand-made seed lists (``*_SEED`` below) were written for this project; their lists say so.
Run the script again after changing it; never edit the generated files by hand.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from datacleaning.blacklists.matcher import BOUNDARY_MARK, DATA_DIR
from datacleaning.charclasses import HAN_RUN
from datacleaning.script_chars import traditional_to_simplified
from datacleaning.zh_segmenter import load_segmenter

MAX_HAN = 8
MAX_WORDS = 4
COMMON_WORD_FREQ = 500
# Single characters that are vulgar wherever they stand alone; each still needs jieba word
# boundaries. 性, 淫, 妓 and 屌 are not among them: they stand alone in ordinary text too (the
# suffix of 亲核性 and 完备性, which jieba does not know; 淫 and 妓 in Tang poems; 屌 "cool").
SINGLE_HAN = {"porn": set("屄肏㞗𨳒𨳊𡳞𨶙𨳍閪")}
PROJECT_LICENCE = "Apache-2.0 (written for this project)"


@dataclass(frozen=True)
class Upstream:
    """One upstream file: where it is in the word-list folder, where it came from, its licence."""

    key: str
    origin: str
    licence: str


LDNOOBW = "github.com/LDNOOBW/List-of-Dirty-Naughty-Obscene-and-Otherwise-Bad-Words"
KONSHENG_LICENCE = "MIT (Copyright (c) 2024 Konsheng)"
FWWDN_LICENCE = "Apache-2.0"


def _upstreams(wordlists: Path) -> dict[str, Upstream]:
    manifest = json.loads((wordlists / "MANIFEST.json").read_text(encoding="utf-8"))
    found = {}
    for key, entry in manifest.items():
        licence = KONSHENG_LICENCE if key.startswith("konsheng") else FWWDN_LICENCE
        found[key] = Upstream(key, f"github.com/{entry['repo']}@{entry['commit'][:12]}:{entry['path']}", licence)
    commit = (wordlists / "ldnoobw" / "COMMIT").read_text(encoding="utf-8").strip()
    for lang in ("en", "zh"):
        found[f"ldnoobw/{lang}.txt"] = Upstream(f"ldnoobw/{lang}.txt", f"{LDNOOBW}@{commit[:12]}:{lang}",
                                                "CC-BY-4.0 (Shutterstock and contributors)")
    found["better_profanity/profanity_wordlist.txt"] = Upstream(
        "better_profanity/profanity_wordlist.txt",
        "github.com/snguyenthanh/better_profanity:better_profanity/profanity_wordlist.txt", "MIT")
    with gzip.open(wordlists / "easylist" / "easylist.txt.gz", "rt", encoding="utf-8-sig") as f:
        version = next(line.split(":", 1)[1].strip() for line in f if line.startswith("! Version:"))
    found["easylist/easylist.txt.gz"] = Upstream("easylist/easylist.txt.gz", f"easylist.to EasyList version {version}",
                                                 "GPL-3.0-or-later or CC-BY-SA-3.0 (EasyList authors)")
    return found


KONSHENG = [f"konsheng_sensitive_lexicon/{name}.txt" for name in (
    "porn", "porn_type", "ads", "guns_explosives", "violence_terror", "livelihood", "politics", "reactionary",
    "corruption", "covid19", "new_thought", "other", "supplement", "gfw_supplement", "netease_frontend_filter",
    "tencent_lingshi")]
FWWDN = [f"fwwdn_sensitive_stop_words/{name}.txt" for name in ("porn", "ads", "guns_explosives", "politics")]
ZH_SEXUAL = ["ldnoobw/zh.txt", "konsheng_sensitive_lexicon/porn.txt", "konsheng_sensitive_lexicon/porn_type.txt",
             "fwwdn_sensitive_stop_words/porn.txt"]
ZH_POLITICAL = ["konsheng_sensitive_lexicon/politics.txt", "konsheng_sensitive_lexicon/reactionary.txt",
                "konsheng_sensitive_lexicon/corruption.txt", "fwwdn_sensitive_stop_words/politics.txt"]
EN_SOURCES = ["ldnoobw/en.txt", "better_profanity/profanity_wordlist.txt"]

# --- Chinese routing ------------------------------------------------------------------------------
TRADE = (r"售|买|卖|批发|供应|出货|到货|订购|货到付款|见货付款|价格|多少钱|哪里|哪能|制作|制造|製作|製造|制法|制取|制备"
         r"|自制|合成|配方|工艺|工藝|技术|教程|手册|方法|DIY|diy|QQ|qq|电话|专营|直销|网购")
ABUSE = re.compile(
    r"(操|草|肏|艹|干|幹|日|懆|灨|赣|驶|塞|赛|贼|cao)(你|妳|您|他|她|死你|烂|机掰)|(你|妳|他|她|它|个老子)(妈|马|娘|奶奶|老母|老味|全家)"
    r"|傻[逼比bB]|煞[逼笔]|沙比|刹笔|[贱骚烂]货|[贱骚烂][逼比bB]|婊子|杂种|王八蛋|狗日|狗娘|狗杂种|狗狼|死全家|全家死|全家不得"
    r"|混蛋|人渣|白[痴癡]|笨蛋|贱人|妈[逼比的个了B]|麻痹|仆街|瘪三|龟儿子|瓜娃子|瓜婆娘|瓜批|下三烂|下贱|靠[北母爸背腰]"
    r"|冚家|咸家|躝癱|屎忽|粉腸|笨實|硬膠|你老闆|卧[槽艹]|我[操草日干]|sb|装b|大sb|欠干|吃屎|狗屁|鬼公|册那|你是[鸡鸭]")
DRUG_PRODUCT = r"迷药|迷藥|迷奸[药藥粉水]|迷幻[药藥水液粉]|催情|失身[粉水药]|蒙汗|春药|乖乖[水粉]|听话水|苍蝇[水粉]|迷情[粉水药]|迷魂[药藥香]|迷昏|GHB|ghb"
NARCOTIC = r"冰毒|[kK]粉|麻古|海洛因|摇头丸|氯胺酮|大麻|罂粟|鸦片|吗啡|可卡因|毒品|苯丙胺|三唑仑|麻黄素"
DRUGS = re.compile(rf"{DRUG_PRODUCT}|(?=.*(?:{NARCOTIC}))(?=.*(?:{TRADE}))")
WEAPON = r"枪|槍|弩|炸药|炸弹|雷管|火药|燃烧弹|燃烧瓶|原子弹|核弹|手雷|子弹|TNT|tnt|C4|硝酸甘油|硝化甘油|黑索金|军火|汽狗|气狗|手狗"
VIOLENCE = re.compile(rf"(?=.*(?:{WEAPON}))(?=.*(?:{TRADE}))")
GAMBLING = re.compile(
    r"六合|时时彩|百家乐|百家樂|博彩|赌球|投注|彩金|娱乐城|老虎机|葡京|太阳城|威尼斯人|真人(娱乐|视讯|荷官)|轮盘|赌具|赌博机"
    r"|赌博器|赌博游戏机|赌博透视|赛车|pk10|PK10|快三|11选5|幸运28|特码|码报|白小姐|曾道人|返水|首存|首充|注册送|骰宝|炸金花")
ADS = re.compile(
    r"代开|发票|办证|刻章|代办|代写|套现|网赚|刷单|刷钻|刷信誉|[日月]赚|在家赚钱|赚钱|贷款|侦探|窃听|针孔|代孕|借腹生子|售肾"
    r"|答案|替考|代考|隐形耳机|作弊器|假证|假文凭|假钞|仿真人民币|信用卡提现|点击进入|请进入|款到发货|销售热线|订购热线|回复可见|钱庄")
ROUTES = [("abuse", ABUSE), ("drugs", DRUGS), ("violence", VIOLENCE), ("gambling", GAMBLING), ("ads", ADS)]
# Prostitution and sex-show advertising (in the upstream ads list and the broad lists) is porn.
ZH_SEX_ADS = re.compile(r"包夜|楼凤|推油|胸推|毒龙|口爆|口暴|足交|口交|吞精|狼友|兼职(?:女|妹|mm|美女|少妇|上门|学生)|(?:女|妹|姐)兼职|上门服务|裸聊")

# Ordinary Chinese words the upstream sexual and abuse lists carry: body parts and medicine
# (乳房, 阴道, 精子), crime news (强奸, 卖淫, 嫖娼), kinship (妈妈的, 老母), everyday words
# (按摩, 激情, 成人, 刺激, 写真), classical words (吹箫, 后庭花), place names (六合, 太阳城), drug law
# (精神药品: psychotropic substances, in every drug statute), home visits (上门服务: plumbers and
# domestic help; 学生妹上门服务 and the like stay).
ZH_GENERIC = set("""
插进 被插 被操 被干 我干 干死 干你 日你 插你 射你 抽插 体位 成人 激情 刺激 写真 自拍 限量 铃声 和弦
兼职 按摩 桑拿 全套 技师 小姐 咪咪 网络 招聘 客服 到货 本店 代购 扣扣 微店 兼值 淘宝 全职 网购 代理 专业代理 有意者
乳房 乳头 乳沟 阴道 阴茎 阴部 阴毛 阴唇 阴蒂 阴核 阴阜 外阴 阴户 包皮 龟头 肛门 精子 卵子 精液 射精 月经 处女 处男 交配 性器 下体 屁股 屁眼 撒尿 放尿 内裤 丝袜 裤袜 美腿
强奸 强暴 轮奸 诱奸 迷奸 鸡奸 卖淫 嫖娼 嫖客 妓院 招妓 幼女 幼男 凌辱 猥亵 强奸处女 强奸你 性虐 阉割 兽性 奸情 偷拍 偷欢 乱伦
妈妈的 奶奶的熊 他奶奶 他奶奶的 你奶奶的 你娘 你全家 他娘 娘的 老母 你老母 老味 你老味 祖宗 老二 十三点 13点 13.
赤裸 全裸 裸露 不穿 一丝不挂 脱光 白嫩 粉嫩 火辣 猛男 少妇 熟女 美少妇 嫩女 学生妹 舞女 浑圆 大波 双臀 玉女心经 封面女郎 花花公子
快感 高潮 呻吟 发情 风骚 放荡 荡妇 调教 人妻 情色 色情 色色 色欲 淫秽 性感妖娆 性感诱惑 性息 性欲 性交 性爱 性伴侣 做爱 发生关系 一夜情 寂寞男 寂寞女
无耻 媚外 贱人 白痴 笨蛋 混蛋 人渣 狗屁 吃屎 烂货 私服 九游 刚度 口肯 玉杵 贝肉 肉壁 老瘪三 野鸡 花柳 杂种 靠背 马勒
吹箫 后庭 淫威 爱女人 色界 麻醉药 精神药品 上门服务 军妓 性服务 六合 太阳城
""".split())
# Ordinary words in the upstream ads and politics lists that jieba's dictionary counts too rarely
# to catch, or that are names of institutions and people in ordinary news.
ZH_ADS_GENERIC = set("""
在线播放 高清在线 全集在线 下载速度 视频来源 原音铃声 txt下载 免费使用 免费索取 免费二级域名 连锁加盟 加盟连锁 低价出售 资金周转 资金短缺
救市 崩盘 证监会 股市圈钱 质押贷款 小额贷款 周小川 刘明康 尚福林 孔丹 中国复兴党 阿波罗网 四海帮 改卷内幕 六位qq 个qb 送qb 位的qq 网络工作
广告代理 买小车 电脑传讯 玛雅网 婴儿汤 找个妈妈 找个爸爸 用刀横向切腹 完全自杀手册 私人侦探 私家侦探 答案 标准答案 参考答案 贷款 办理贷款
发票 开发票 代办 代开 窃听 窃听器 电话窃听 代孕 针孔 针孔摄像 针孔摄像机 针孔摄像头 假钞 替考 代考
""".split())
ZH_POLITICS_GENERIC = set("""
中南海 大陆当局 中国当局 北京当局 共产党 中共 政府 中央领导 国务院 十七大 四风 双规 维权 上访 请愿 公开信 平反 党章 宪政 宪章 特供
胡主席 江主席 华主席 胡总 老习 老江 江哥 老共 锦涛 紫阳 耀邦 国锋 国峰 华国 择民 则民 江派 胡派 江浙闽 改革历程 主席画像 新疆骚乱
腐败 贪污 落马 死刑 起诉 违纪 自杀 受贿罪 滥用职权 玩忽职守 有期徒刑 无期徒刑 严重违纪 开除党籍 撤销职务 徇私舞弊 以权谋私 留党察看
经济犯罪 官僚主义 形式主义 贪污腐败 强制拆除 政治风波 群体事件 群体性事件 异议人士 民运人士 宪法法院 截访 讨说法 请命 上中央 去中央
徐明 陈忠 塔利班 维基百科 双开 清真 民进党 钓鱼岛 恐怖份子 恐怖分子 回民 回回 回教 穆罕默德 血书 藏人 藏民 戒严 八九年 信访 纽约时报
中国时报 六氟化铀 青天白日 南京军区 北京军区 广州军区 台军 罢课 判处死刑 剥夺政治权利 新闻封锁 解放台湾 麻醉药 颜色革命
""".split())
# Traditional characters to Simplified, one for one: an upstream term in Traditional is as
# ordinary a word as its Simplified form in the sets above (陰道 as 阴道).
_SIMPLIFIED = str.maketrans(traditional_to_simplified())

# --- English --------------------------------------------------------------------------------------
EN_ABUSE = re.compile(
    r"fuck|fcuk|fuk|phuk|phuc|phuq|fux|shit|sh1t|bitch|biatch|bastard|asshole|arsehole|cunt|nigg|n1gg|niglet|nig nog"
    r"|fag|retard|r-tard|rtard|twat|wank|douche|dumbass|jackass|piss|prick|bollocks|bullshit|motherf|mothaf|muthaf"
    r"|mutherf|son-of-a-bitch|s-o-b|kike|kyke|spic|spick|chink|gook|wetback|beaner|towelhead|raghead|paki|jigaboo"
    r"|jiggaboo|jiggerboo|coon|darkie|wigger|whitey|honkey|honky|slanteye|dickhead|knobhead|knobend|nobhead|tosser"
    r"|shithead|shitface|scumbag|goddamn|god damn|goddam|godamn|white power|neonazi|pedobear|dyke|lezzie|tranny"
    r"|shemale|poof")
EN_ADS = re.compile(r"viagra|v1agra|v14gra|v1gra|cialis")
# Ordinary English in the upstream lists: anatomy and medicine, news and history (rape, nazi,
# negro and aryan in old texts), everyday words that are rude only in some uses (cock, screw,
# suck, nappy, cowgirl), a politician's surname (santorum).
EN_GENERIC_WORDS = set("""
anal anus ass asses arse butt boob boobs breasts breast bust busty nipple nipples penis vagina vulva clitoris
labia uterus womb ovary ovum ovums testes testis testicle testical scrotum semen sperm pubic pubis pubes
rectum rectal urethra genitals glans foreskin hymen menses menstruate menstruation tampon urine urinal pee
poop turd fart vomit crap damn hell god gay gays homo queer lesbians virgin erect erection sex sexual sexually
sexuality sexy nude nudes nudity naked topless erotic erotism orgasm intercourse lovemaking masturbation
seduce lust lusty lusting loin loins rape raped raper raping rapist molest incest sadism sadist masochist
voyeur escort hooker prostitute pimp strip stripclub playboy kinky bondage domination dominatrix slave spunk
snatch screw screwed screwing suck sucks sucked sucking cock cocks dick dong willy willies woody knob knockers
juggs hooter hooters tit tits titi teat teets pussy puss beaver muff hump humping humped thrust stroke kill
murder howtokill howtomurdep sniper napalm uzi nazi nazism hitler reich kkk klan swastika negro massa paddy
pollock polack jap japs kraut ruski gringo guido hebe heeb injun moolie slope dink dinks mong spastic spac
leper inbred drunk stoned junkie junky heroin meth opium opiate pcp peyote reefer weed pot hemp ganja hooch
hootch vodka rum toke scag skag snuff extacy extasy fat ugly stupid dummy dopey moron weirdo nimrod ninny
doofus prude prig tramp sissy sleaze sleazy trashy tawdry raunch racy steamy scantily vulgar organ maxi pawn
revue sandbar seaman seamen teste testee wad wang weiner weenie whiz wedgie undies unwed vixen wench floozy
hussy hoar hoare hore hoer hoor lech jerk jerked pms omg lmao lmfao wtf stfu gtfo foad foobar fubar gfy potty
tinkle weewee peepee pastie pasty xx xxx nsfw pornography adult amateur hardcore barenaked twinkie circlejerk
clusterfuck lolita shota bimbo bimbos fingering grope swinger threesome orgy orgies tied nympho len oral
orally penetrate penetration scum hiv herpes herp herpy facial scrot scrote crotch transsexual perversion
sodomy rump eunuch quicky fondle souse soused hookah tard bastinado octopussy penial penile phallic phalli
dvda bbw cum piss pissed pissing bastard bastardo dyke dykes coon coons retarded nappy arian aryan cowgirl
cowgirls deepthroat pedophile pedophilia paedophile fecal santorum
""".split())
# Phrases of ordinary words, film titles and news phrases in the upstream English lists.
EN_GENERIC_PHRASES = {
    "how to kill", "how to murder", "date rape", "strip club", "god damn", "jerk off", "nsfw images", "hard core",
    "tied up", "taste my", "tongue in a", "girl on", "girl on top", "hot chick", "huge fat", "big black", "tight white",
    "jelly donut", "pleasure chest", "dirty pillows", "yellow showers", "blue waffle", "tainted love", "menage a trois",
    "missionary position", "brown showers", "golden shower", "sultry women", "spread legs", "wet dream",
    "suicide girls", "booty call", "cow girl", "cow girls", "three some", "dog style", "wrapping men", "big breasts",
    "group sex", "gay sex", "phone sex", "foot fetish", "leather restraint", "deep throat"}
EN_GENERIC = EN_GENERIC_WORDS | EN_GENERIC_PHRASES

# --- hand-made seeds, written for this project ----------------------------------------------------
# The gambling seed's last line: casino brands that gambling pages of the training labels
# (bench/labels/train) put into borrowed text, each in no clean reference source, review or page
# labelled good of the development data (bench/mine_spam_terms.py finds only terms that occur beside
# listed ones; these occur alone).
ZH_GAMBLING_SEED = """
时时彩 重庆时时彩 北京赛车 北京PK10 幸运飞艇 六合彩 香港六合彩 六合宝典 特码 一码中特 三中三 杀码 开奖直播 计划群 返水 首充 彩金
注册送 存送 百家乐 真人娱乐 真人视讯 网上赌场 线上赌场 老虎机 电子游艺 棋牌娱乐 博彩 倍投 快三 11选5 幸运28 彩票平台 彩票代理
提款秒到 澳门新葡京 皇冠体育 体育投注
娱乐城 现金网 新葡京 澳门金沙 金沙娱乐 威尼斯人娱乐 银河娱乐 永利娱乐 太阳城娱乐 皇冠开户 皇冠网址 皇冠投注 皇冠代理
足球盘口 澳门盘口 外围投注 网投平台 网上投注 在线投注 投注平台 彩票计划 bet365 188bet 12bet 1xbet
永利贵宾会 澳门永利 AG环亚 AG亚游 fun88 m88asia 冠亚娱乐 盛京棋牌 太阳城app
""".split()
# Explicit terms of the porn strings pasted into product and industrial articles of the training
# labels (bench/labels/train) that the upstream lists lack, each in no clean reference source,
# review, SimChiCORE page or page labelled good; Traditional forms beside Simplified ones. Terms
# with innocent senses are left out (幼幼 in 幼幼班, 色即是空 in the Heart Sutra, 成人网 in 成人网络教育).
ZH_PORN_SEED = """
自拍偷拍 偷拍自拍 偷拍暗拍 色情短片 强奸乱伦 強姦亂倫 迷奸 迷姦 情色影院 情色幼女 成人av 成人影院 av女优 av女優 第一会所 第一會所
波多野结衣 波多野結衣 松野结衣 松野結衣 冲田杏梨 沖田杏梨 h小说 h小說 三级性感 三級性感 大胆人体 大膽人體
""".split()
ZH_ADS_SEED = """
代开发票 发票代开 办证刻章 代办证件 刷单 刷信誉 网赚 日赚 在家赚钱 兼职日结 信用卡套现 无抵押贷款 代写论文 加微信了解 加微信咨询
免费领取 点击领取 代刷
传奇私服 私服发布网 新开私服 私服网站 传奇sf 变态传奇 魔域私服 奇迹私服
""".split()
EN_GAMBLING_SEED = """
online casino|casino bonus|no deposit bonus|free spins|deposit bonus|welcome bonus|real money slots|online slots
|slot machines online|sports betting|betting tips|bet online|online betting|online poker|poker bonus|live casino
|casino games online|roulette online|blackjack online|sportsbook
""".replace("\n", "").split("|")
EN_ADS_SEED = """
buy viagra|cheap viagra|buy cialis|cheap cialis|without prescription|no prescription needed|online pharmacy
|replica watches|cheap replica|payday loans|payday loan|work from home|make money online|earn money online
|lose weight fast|weight loss pills|miracle cure|click here to buy|order now and|limited time offer|risk free
|money back guarantee|free trial|cheap pills|male enhancement|penis enlargement|enlarge your
""".replace("\n", "").split("|")


@dataclass
class OutputList:
    """One list file to write."""

    name: str
    title: str
    category: str
    terms: dict[str, str] = field(default_factory=dict)  # term -> upstream key it came from ("seed": hand-made)
    _seen: set[str] = field(default_factory=set)

    def add(self, term: str, key: str) -> None:
        """Keep the first spelling of a term; the matcher ignores case, so 好B and 好b are one term."""
        if term.lower() not in self._seen:
            self._seen.add(term.lower())
            self.terms[term] = key


def normalise(raw: str) -> str | None:
    term = unicodedata.normalize("NFKC", raw).strip().rstrip("*").strip()
    if not term or re.search(r"[{}\[\]()|\\/*?^$#=<>~\t]", term):
        return None
    return term


def han_count(term: str) -> int:
    return sum(len(run) for run in HAN_RUN.findall(term))


def plain_zh_term(term: str) -> bool:
    """A Chinese term worth matching: some Han in it (bare ASCII abbreviations such as QQ, SM and
    BT are dropped), no space or dot (phrase fragments, URLs), not a phrase dump."""
    han = han_count(term)
    return 0 < han <= MAX_HAN and " " not in term and "." not in term


def common_word(term: str) -> bool:
    return load_segmenter().frequency(term) >= COMMON_WORD_FREQ


def read_upstream(wordlists: Path, key: str) -> list[str]:
    with open(wordlists / key, encoding="utf-8-sig") as f:
        return [t for line in f if (t := normalise(line))]


def build_zh(wordlists: Path) -> list[OutputList]:
    lists = {c: OutputList(f"zh_{c}", title, c) for c, title in [
        ("porn", "Chinese pornography and sex-trade terms"),
        ("abuse", "Chinese insults and abuse"),
        ("drugs", "Chinese drug and knock-out-drop sales"),
        ("violence", "Chinese weapon and explosive sales and recipes"),
        ("gambling", "Chinese gambling and lottery spam"),
        ("ads", "Chinese advertising spam: fake invoices, certificates, loans, clicks"),
        ("politics", "Chinese politically sensitive terms (optional; off by default)")]}

    for term in ZH_GAMBLING_SEED:
        lists["gambling"].add(term, "seed")
    for term in ZH_PORN_SEED:
        lists["porn"].add(term, "seed")
    for term in ZH_ADS_SEED:
        lists["ads"].add(term, "seed")
    sexual = set(ZH_SEXUAL)
    political = set(ZH_POLITICAL)
    for key in ["ldnoobw/zh.txt", *KONSHENG, *FWWDN]:
        for term in read_upstream(wordlists, key):
            simplified = term.translate(_SIMPLIFIED)  # the generic sets are written in Simplified
            if not plain_zh_term(term) or simplified in ZH_GENERIC:
                continue
            category = next((c for c, pattern in ROUTES if pattern.search(term)), None)
            if category is None:
                if key in sexual or ZH_SEX_ADS.search(term):
                    category = "porn"
                elif key in political:
                    category = "politics"
                else:
                    continue  # the broad upstream lists contribute only what a route claims
            if category in ("ads", "politics") and (common_word(term) or simplified in ZH_ADS_GENERIC | ZH_POLITICS_GENERIC):
                continue
            if han_count(term) == 1 and term not in SINGLE_HAN.get(category, ()):
                continue
            lists[category].add(term, key)
    return list(lists.values())


def build_en(wordlists: Path) -> list[OutputList]:
    lists = {c: OutputList(f"en_{c}", title, c) for c, title in [
        ("porn", "English pornography terms"), ("abuse", "English profanity, slurs and abuse"),
        ("gambling", "English online-gambling spam"), ("ads", "English advertising spam: pharmacy, loans, get-rich")]}
    for term in EN_GAMBLING_SEED:
        lists["gambling"].add(term.strip(), "seed")
    for term in EN_ADS_SEED:
        lists["ads"].add(term.strip(), "seed")
    for key in EN_SOURCES:
        for term in read_upstream(wordlists, key):
            term = term.lower()
            if (not re.fullmatch(r"[a-z0-9]+(?:[ '&-][a-z0-9]+)*", term) or len(term.split()) > MAX_WORDS
                    or term in EN_GENERIC):
                continue
            category = "abuse" if EN_ABUSE.search(term) else "ads" if EN_ADS.search(term) else "porn"
            lists[category].add(term, key)
    return list(lists.values())


def build_domains(wordlists: Path) -> list[OutputList]:
    """EasyList's ad-server domains (``||domain^`` rules of its adservers sections, adult ones
    apart) and the konsheng list of spam, phishing and porn sites."""
    ads = OutputList("domains_easylist_ads", "Ad-server domains from EasyList", "ads")
    adult = OutputList("domains_easylist_adult", "Adult ad-server domains from EasyList", "porn")
    key = "easylist/easylist.txt.gz"
    section = ""
    with gzip.open(wordlists / key, "rt", encoding="utf-8-sig") as f:
        for line in f:
            if line.startswith("! *** "):
                section = line.split()[2]
                continue
            rule = re.fullmatch(r"\|\|([a-z0-9][a-z0-9.-]*\.[a-z]{2,})\^(?:\$(?:third-party|popup|,)+)?", line.strip())
            if rule is None or "adservers" not in section:
                continue
            (adult if "adult" in section else ads).add(rule.group(1), key)
    spam = OutputList("domains_zh_spam", "Spam, phishing and porn sites listed by Chinese lexicons", "ads")
    for key in ("konsheng_sensitive_lexicon/illegal_urls.txt", "fwwdn_sensitive_stop_words/urls.txt"):
        for term in read_upstream(wordlists, key):
            domain = term.lower().removeprefix("www.")
            if re.fullmatch(r"[a-z0-9][a-z0-9.-]*\.[a-z]{2,}", domain):
                spam.add(domain, key)
    return [ads, adult, spam]


HEADER_FORMAT = {
    "words": ["one term a line; lines starting with # are comments",
              "ASCII terms match case-insensitively as whole words; Chinese terms match as substrings,",
              f"except {BOUNDARY_MARK}term{BOUNDARY_MARK}, which must stand on jieba word boundaries"],
    "domains": ["one domain a line; matches the host of a document's URL and its subdomains"],
}


def write_list(out: OutputList, upstreams: dict[str, Upstream], kind: str, folder: Path) -> int:
    used = sorted({key for key in out.terms.values()})
    lines = [f"# {out.title}", f"# category: {out.category}"]
    for key in used:
        if key == "seed":
            lines.append(f"# source: hand-made seed; licence: {PROJECT_LICENCE}")
        else:
            lines.append(f"# source: {upstreams[key].origin}; licence: {upstreams[key].licence}")
    lines.append("# built by: python -m datacleaning.blacklists.build_lists (edit the script, not this file)")
    lines += [f"# {line}" for line in HEADER_FORMAT[kind]]

    def entry(term: str) -> str:
        short_han = kind == "words" and 0 < len(term) <= 2 and han_count(term) == len(term)
        return f"{BOUNDARY_MARK}{term}{BOUNDARY_MARK}" if short_han else term

    lines += sorted(entry(term) for term in out.terms)
    (folder / f"{out.name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(out.terms)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordlists", type=Path, required=True,
                        help="the upstream word-list folder (with MANIFEST.json)")
    parser.add_argument("--out", type=Path, default=DATA_DIR,
                        help="where to write the lists (default: the bundled data/)")
    args = parser.parse_args(argv)
    if not (args.wordlists / "MANIFEST.json").is_file():
        sys.exit(f"build_lists: no MANIFEST.json in {args.wordlists}")
    upstreams = _upstreams(args.wordlists)
    args.out.mkdir(parents=True, exist_ok=True)
    for out in build_zh(args.wordlists) + build_en(args.wordlists):
        print(f"{out.name:<28} {write_list(out, upstreams, 'words', args.out):>6} terms")
    for out in build_domains(args.wordlists):
        print(f"{out.name:<28} {write_list(out, upstreams, 'domains', args.out):>6} domains")
    return 0


if __name__ == "__main__":
    sys.exit(main())
