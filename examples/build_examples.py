#!/usr/bin/env python3
"""Rebuild the bundled example corpus in ``examples/data`` and its ``examples/NOTICE.md``.

Usage (from the repository root)::

    python examples/build_examples.py --dev-data ../shared/data/dev
    DATACLEANING_DEV_DATA=../shared/data/dev python examples/build_examples.py
    python examples/build_examples.py --dev-data ../shared/data/dev --check   # verify, write nothing

What it does:

- Excerpts whole documents (text byte-for-byte unchanged, ``id`` and ``source`` kept, a ``license``
  field added naming the licence) from the licence-compatible items of the development corpus. The
  selection is deterministic: candidates are ranked by a keyed BLAKE2 hash of their id (a seeded
  sample that does not depend on the Python version or on the order of the input file), with a few
  strata so that the demo has some of everything (short fortunes that the length filter rejects, man
  pages with tables, Common Crawl pages with navigation menus, cross-source near-duplicates).
- Writes the selection in the formats the readers support: ``.jsonl``, ``.jsonl.gz``, ``.jsonl.zst``,
  ``.parquet``, plain ``.txt`` and a WARC file copied unchanged.
- Writes two files authored for this project, whose content lives in this script as literal data
  (``AUTHORED_ZH_WEB`` and ``BROKEN_INPUT_LINES`` below): dirty Chinese web pages, and a tiny file of
  good and broken lines that shows quarantine. They are released under the project's licence
  (Apache-2.0).
- Writes ``examples/NOTICE.md`` with the source, licence and document count of every file.

Nothing but the standard library, ``zstandard`` and ``pyarrow`` (both dependencies of the package)
is used. Compressed outputs are written reproducibly (gzip without a timestamp, fixed zstd level).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SEED = "datacleaning-examples-v1"
EXAMPLES_DIR = Path(__file__).resolve().parent
PROJECT_LICENSE = "Apache-2.0"
AUTHORED_SOURCE = "authored:datacleaning/examples"

# ----------------------------------------------------------------------------------------------
# Licences of the excerpted development items (from the dev corpus README).
# ----------------------------------------------------------------------------------------------

LICENSES = {
    "zh/zh_clean_wiki_cmrc2018.jsonl": "CC-BY-SA-4.0",
    "zh/zh_clean_tech_debian_reference.jsonl": "GPL-2.0-or-later",
    "zh/zh_clean_tech_manpages_zh.jsonl": "GFDL-1.2-or-later",
    "zh/zh_misc_fortunes_zh.jsonl": "GPL-3.0-or-later",
    "en/en_clean_wiki_wikitext2.jsonl": "CC-BY-SA-3.0",
    "en/en_clean_tech_debian_reference.jsonl": "GPL-2.0-or-later",
    "en/en_misc_fortunes.jsonl": "BSD",
    "en/en_web_cc_dolma_testdata.jsonl": "Apache-2.0",
    "raw/tests__data__warc__sample-0000.warc.gz": "Apache-2.0",
}
WARC_IN = "raw/tests__data__warc__sample-0000.warc.gz"
WARC_OUT = "dolma_warc_sample-0000.warc.gz"
# The pages of the WARC above are also rendered in the dolma jsonl: leave those out of the jsonl
# so that the example holds each page once.
WARC_RENDERED_SOURCE = "github:allenai/dolma@669f534823b0:tests/data/warc/sample-0000.warc.gz"
# The Debian Reference section "1.3.7 Auto-start features of MC" (with an ASCII table), English
# and Simplified Chinese, become the two plain-text documents.
TXT_SECTIONS = {
    "en/en_clean_tech_debian_reference.jsonl": ("debref-en-0212", "debian_reference_en_1.3.7.txt"),
    "zh/zh_clean_tech_debian_reference.jsonl": ("debref-zh-cn-0212", "debian_reference_zh-cn_1.3.7.txt"),
}


def rank(key: str) -> str:
    """The seeded, order-independent sort key of a candidate."""
    return hashlib.blake2b(key.encode(), key=SEED.encode(), digest_size=16).hexdigest()


def pick(records: list[dict], n: int, where=lambda r: True, exclude: set[str] = frozenset(), salt: str = "") -> list[dict]:
    candidates = [r for r in records if where(r) and r["id"] not in exclude]
    if len(candidates) < n:
        raise SystemExit(f"only {len(candidates)} candidates for a sample of {n} ({salt})")
    return sorted(candidates, key=lambda r: rank(f"{salt}:{r['id']}"))[:n]


def load(dev: Path, rel: str) -> list[dict]:
    path = dev / rel
    if not path.exists():
        raise SystemExit(f"missing {path}: is --dev-data the development corpus folder?")
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def with_license(record: dict, license: str) -> dict:
    out = dict(record)
    out["license"] = license
    return out


def by_id(records: list[dict]) -> dict[str, dict]:
    return {r["id"]: r for r in records}


def in_original_order(records: list[dict], chosen: list[dict]) -> list[dict]:
    ids = {r["id"] for r in chosen}
    return [r for r in records if r["id"] in ids]


# ----------------------------------------------------------------------------------------------
# Selection
# ----------------------------------------------------------------------------------------------

_TABLE_BOX = re.compile(r"[┌├│┼└]")
_COLUMNS = re.compile(r"\S {3,}(?=\S)")


def has_table(text: str) -> bool:
    """A man page with a box-drawn table or with several lines of three or more aligned columns."""
    if _TABLE_BOX.search(text):
        return True
    return sum(1 for line in text.split("\n") if len(_COLUMNS.findall(line.strip())) >= 2) >= 5


@dataclass
class OutFile:
    name: str
    records: list[dict] = field(default_factory=list)
    fmt: str = "jsonl"  # jsonl | jsonl.gz | jsonl.zst | parquet | txt | copy
    dev_item: str = ""
    note: str = ""
    raw: bytes = b""     # for txt / copy / authored files
    docs: int | None = None  # document count when not len(records)


def select(dev: Path) -> list[OutFile]:
    files: list[OutFile] = []

    # Chinese Wikipedia (CMRC 2018): a plain seeded sample.
    rel = "zh/zh_clean_wiki_cmrc2018.jsonl"
    wiki = load(dev, rel)
    chosen = pick(wiki, 60, salt=rel)
    files.append(OutFile("zh_clean_wiki_cmrc2018.jsonl", [with_license(r, LICENSES[rel]) for r in in_original_order(wiki, chosen)],
                         "jsonl", rel, "Chinese Wikipedia paragraphs, seeded sample"))

    # Chinese fortunes and the Debian Reference sections some of them copy word for word.
    rel_fz = "zh/zh_misc_fortunes_zh.jsonl"
    rel_dz = "zh/zh_clean_tech_debian_reference.jsonl"
    fortunes_zh = load(dev, rel_fz)
    debref_zh = load(dev, rel_dz)
    txt_id_zh = TXT_SECTIONS[rel_dz][0]
    prefix = {r["text"][:60]: r for r in debref_zh if len(r["text"]) <= 4000 and r["id"] != txt_id_zh}
    pairs = [(f, prefix[f["text"][:60]]) for f in fortunes_zh if f["text"][:60] in prefix]
    pairs = sorted(pairs, key=lambda p: rank(f"pair:{p[0]['id']}"))[:2]
    pair_fortunes = [p[0] for p in pairs]
    pair_sections = [p[1] for p in pairs]

    # Debian Reference (zh-cn), gzip-compressed: sections up to 6,000 characters.
    chosen = pair_sections + pick(debref_zh, 30, lambda r: len(r["text"]) <= 6000,
                                  exclude={txt_id_zh} | {r["id"] for r in pair_sections}, salt=rel_dz)
    files.append(OutFile("zh_clean_tech_debian_reference.jsonl.gz",
                         [with_license(r, LICENSES[rel_dz]) for r in in_original_order(debref_zh, chosen)],
                         "jsonl.gz", rel_dz, "Debian Reference sections, seeded sample (≤ 6,000 chars) "
                         "plus the sections that two of the chosen fortunes-zh entries copy"))

    # Fortunes (zh): short ones the length filter rejects, classical poems and modern quotes.
    chosen = list(pair_fortunes)
    for n, where, salt in (
        (15, lambda r: len(r["text"]) < 30, "short"),
        (8, lambda r: "/tang300" in r["source"] and 30 <= len(r["text"]) <= 3000, "tang"),
        (5, lambda r: "/song100" in r["source"] and 30 <= len(r["text"]) <= 3000, "song"),
        (30, lambda r: r["source"].endswith("/chinese") and 30 <= len(r["text"]) <= 3000, "chinese"),
    ):
        chosen += pick(fortunes_zh, n, where, {r["id"] for r in chosen}, salt=f"{rel_fz}:{salt}")
    files.append(OutFile("zh_misc_fortunes_zh.jsonl", [with_license(r, LICENSES[rel_fz]) for r in in_original_order(fortunes_zh, chosen)],
                         "jsonl", rel_fz, "15 entries under 30 chars, 8 Tang poems, 5 Song ci, 30 other entries, "
                         "and 2 entries that copy a Debian Reference section (cross-source near-duplicates)"))

    # Chinese man pages, zstd-compressed: half with tables; two identical pages (bzip2 / bunzip2).
    rel = "zh/zh_clean_tech_manpages_zh.jsonl"
    man = load(dev, rel)
    dup_ids = ["manzh-bzip2.1", "manzh-bunzip2.1"]
    tabled = pick(man, 14, lambda r: len(r["text"]) <= 12000 and has_table(r["text"]), set(dup_ids), salt=rel + ":tables")
    plain = pick(man, 14, lambda r: len(r["text"]) <= 12000 and not has_table(r["text"]), set(dup_ids), salt=rel + ":plain")
    chosen = [by_id(man)[i] for i in dup_ids] + tabled + plain
    files.append(OutFile("zh_clean_tech_manpages_zh.jsonl.zst", [with_license(r, LICENSES[rel]) for r in in_original_order(man, chosen)],
                         "jsonl.zst", rel, "16 pages with tables (among them bzip2.1 and bunzip2.1, identical: "
                         "natural exact duplicates) and 14 without, each ≤ 12,000 chars"))

    # WikiText-2 as parquet (one row per document, same fields).
    rel = "en/en_clean_wiki_wikitext2.jsonl"
    wt = load(dev, rel)
    chosen = pick(wt, 12, lambda r: len(r["text"]) <= 20000, salt=rel)
    files.append(OutFile("en_clean_wiki_wikitext2.parquet", [with_license(r, LICENSES[rel]) for r in in_original_order(wt, chosen)],
                         "parquet", rel, "WikiText-2 articles (≤ 20,000 chars), tokenized as upstream"))

    # Debian Reference (en).
    rel_de = "en/en_clean_tech_debian_reference.jsonl"
    debref_en = load(dev, rel_de)
    txt_id_en = TXT_SECTIONS[rel_de][0]
    chosen = pick(debref_en, 30, lambda r: len(r["text"]) <= 6000, {txt_id_en}, salt=rel_de)
    files.append(OutFile("en_clean_tech_debian_reference.jsonl", [with_license(r, LICENSES[rel_de]) for r in in_original_order(debref_en, chosen)],
                         "jsonl", rel_de, "Debian Reference sections, seeded sample (≤ 6,000 chars)"))

    # Two Debian Reference sections as plain text files (the reader makes one document per file).
    for rel_d, records in ((rel_de, debref_en), (rel_dz, debref_zh)):
        doc_id, name = TXT_SECTIONS[rel_d]
        text = by_id(records)[doc_id]["text"]
        files.append(OutFile(name, fmt="txt", dev_item=rel_d, raw=text.encode("utf-8"), docs=1,
                             note=f"the text of `{doc_id}` (section 1.3.7, with an ASCII table), unchanged"))

    # Fortunes (en).
    rel = "en/en_misc_fortunes.jsonl"
    fe = load(dev, rel)
    short = pick(fe, 20, lambda r: len(r["text"]) < 30, salt=rel + ":short")
    rest = pick(fe, 60, lambda r: 30 <= len(r["text"]) <= 2000, salt=rel)
    files.append(OutFile("en_misc_fortunes.jsonl", [with_license(r, LICENSES[rel]) for r in in_original_order(fe, short + rest)],
                         "jsonl", rel, "20 entries under 30 chars and 60 longer ones"))

    # Common Crawl pages from the dolma test data: every page rendered from the second WARC
    # (menus and navigation kept), and a sample of the Common Crawl jsonl documents.
    rel = "en/en_web_cc_dolma_testdata.jsonl"
    dolma = load(dev, rel)
    warc_pages = [r for r in dolma if r["source"].endswith("tests/data/warc/sample-0001.warc.gz")]
    cc = pick(dolma, 15, lambda r: "/multiple_files/" in r["source"] and len(r["text"]) <= 20000, salt=rel + ":cc")
    provided = pick(dolma, 5, lambda r: "/provided/" in r["source"] and len(r["text"]) <= 20000, salt=rel + ":provided")
    assert not any(r["source"] == WARC_RENDERED_SOURCE for r in warc_pages + cc + provided)
    files.append(OutFile("en_web_cc_dolma_testdata.jsonl",
                         [with_license(r, LICENSES[rel]) for r in in_original_order(dolma, warc_pages + cc + provided)],
                         "jsonl", rel, "all 15 pages rendered from dolma's sample-0001.warc.gz (menus kept), "
                         "15 cc_en_head documents and 5 'provided' documents"))

    # One real WARC file, copied unchanged.
    warc = (dev / WARC_IN).read_bytes()
    types = Counter(m.decode() for m in re.findall(rb"\r\nWARC-Type: (\w+)\r\n", gzip.decompress(warc)))
    files.append(OutFile(WARC_OUT, fmt="copy", dev_item=WARC_IN, raw=warc,
                         docs=types["response"] + types["resource"],
                         note=f"copied unchanged; {sum(types.values())} WARC records "
                              f"({', '.join(f'{v} {k}' for k, v in types.most_common())}): the response "
                              "(HTML pages) and resource (text) records become documents, the others "
                              "are counted as skipped"))
    return files


# ----------------------------------------------------------------------------------------------
# Authored data (released under the project's licence, Apache-2.0). Names of sites, people,
# numbers, e-mail addresses and ICP numbers are made up; escapes (\u200b, \ufeff, \r) are written
# out so the invisible characters are visible here.
# ----------------------------------------------------------------------------------------------

def _web(n: int, url: str, text: str, note: str) -> dict:
    return {"id": f"zh-web-authored-{n:02d}", "text": text, "source": AUTHORED_SOURCE, "license": PROJECT_LICENSE,
            "url": url, "note": note}


AUTHORED_ZH_WEB = [
    _web(1, "https://news.qinghe.example.com/local/2023/0928/1024.html", """首页 | 新闻 | 财经 | 科技 | 体育 | 娱乐 | 汽车 | 房产 | 教育 | 健康 | 视频
您当前的位置：首页 > 新闻 > 本地新闻 > 正文
城北地铁新线今日开通 沿线居民出行时间缩短近半
2023-09-28 08:30:12　来源：青禾新闻网　作者：本网记者　编辑：小林
分享到：微信 微博 QQ空间 复制链接
字号：大 中 小
　　本报讯 9月28日上午，城北地铁新线正式开通试运营。新线全长约二十一公里，共设车站十五座，串联起城北多个大型居住区和两处产业园区。
　　据运营方介绍，开通初期列车最小行车间隔为六分钟，早晚高峰将视客流情况加开临时列车。市民可使用交通卡、手机扫码等多种方式乘车。
　　“以前坐公交到单位要一个多小时，现在换乘一次地铁，四十分钟就能到。”家住城北的一位市民在首班车上告诉记者。
　　交通部门表示，新线开通后，将同步优化沿线二十余条公交线路，做好地铁与公交的接驳，方便市民“最后一公里”出行。
（责任编辑：小林）
【打印】【关闭窗口】【收藏本页】
相关阅读
· 城北地铁新线完成空载试运行
· 我市公交线路优化调整方案公示
· 国庆假期地铁运营时间延长
· 城北两处产业园区今年新增就业岗位三千个
热门推荐
网友评论
已有0条评论，点击查看
用户名：　密码：　登录　注册
关于我们 | 联系我们 | 广告服务 | 网站地图 | 法律声明 | 招聘信息
Copyright © 2008-2023 青禾新闻网 版权所有 未经授权禁止转载
京ICP备00000000号-1　京公网安备11000000000000号
违法和不良信息举报电话：000-00000000　举报邮箱：jubao@qinghe.example.com""",
         "news article inside navigation, share buttons, related reading and an ICP footer"),

    _web(2, "https://bbs.yunfan.example.com/thread-20417-1-1.html", """云帆论坛 - 数码交流区
首页 论坛 群组 排行榜 搜索 帮助
登录 | 立即注册
云帆论坛 » 数码交流区 » 新买的路由器信号不稳定，求助
查看: 1523|回复: 6
[求助] 新买的路由器信号不稳定，求助
楼主
发表于 2023-5-6 10:12 | 只看该作者 | 倒序浏览 | 阅读模式
刚换了一个双频路由器，卧室里5G信号时有时无，2.4G倒是正常。路由器放在客厅电视柜里面，请问各位是位置问题还是设置问题？
回复
支持 反对
沙发
发表于 2023-5-6 10:20 | 只看该作者
放柜子里肯定不行，拿出来放高一点试试。
回复
支持 反对
板凳
发表于 2023-5-6 10:35 | 只看该作者
5G穿墙能力本来就差，卧室隔两堵墙的话建议加个中继或者上mesh。
回复
支持 反对
地板
发表于 2023-5-6 11:02 | 只看该作者
顶一下
回复
支持 反对
5#
发表于 2023-5-6 12:47 | 只看该作者
信道也可以改改，自动选的不一定好。
回复
支持 反对
6#
发表于 2023-5-6 20:03 | 只看该作者
谢谢各位，拿出柜子放到书架顶上以后好多了。
回复
支持 反对
返回列表
发新帖
回复
您需要登录后才可以回帖 登录 | 立即注册
Archiver|手机版|小黑屋|云帆论坛
GMT+8, 2023-5-7 09:15 , Processed in 0.052 second(s), 24 queries .""",
         "Discuz-style forum thread: every post wrapped in the same reply/vote lines"),

    _web(3, "https://www.jiuyou-bet.example.com/", """九游会官网-九游娱乐登录入口-九游会(中国)官方网站
九游会官方网站欢迎您，新用户注册即送88元体验金！
真人视讯 体育投注 电子游艺 彩票 棋牌 捕鱼
九游娱乐：百家乐、龙虎斗、牛牛，24小时在线，秒存秒取，大额无忧
最新优惠：首存100送100，每日签到领红包，流水一倍即可提款
官方客服微信：jy888xxxx（长按复制添加）　备用网址：www.jiuyou-bet.example.com
九游老玩家都在这里，安全稳定十年信誉平台，手机APP下载扫码即玩
免责声明：本站内容仅供娱乐，未满18岁请勿参与""",
         "gambling spam page (word-list hits)"),

    _web(4, "https://house.qinghe.example.com/ershoufang/list_3.html", """【最新】二手房出售信息 第3页
精装两居室 南北通透 满五唯一 点击查看详情
暂无图片
联系电话：请登录后查看
精装两居室 南北通透 满五唯一 点击查看详情
暂无图片
联系电话：请登录后查看
精装两居室 南北通透 满五唯一 点击查看详情
暂无图片
联系电话：请登录后查看
精装两居室 南北通透 满五唯一 点击查看详情
暂无图片
联系电话：请登录后查看
精装两居室 南北通透 满五唯一 点击查看详情
暂无图片
联系电话：请登录后查看
上一页 1 2 3 4 5 下一页""",
         "templated listing page: mostly repeated lines"),

    _web(5, "https://tech.qinghe.example.com/2023/1012/5521.html", """智能手机新品发布：支持５Ｇ双卡、ＷＩＦＩ６和ＮＦＣ
２０２３年１０月１２日　科技频道
　　１１日晚，一款新机型在发布会上亮相。新机搭载６．７英寸ＯＬＥＤ屏幕，刷新率最高１２０Ｈｚ，电池容量为５０００ｍＡｈ，支持１００Ｗ有线快充和５０Ｗ无线快充。
　　影像方面，新机后置三摄，主摄为５０００万像素，支持ＯＩＳ光学防抖和４Ｋ视频录制。厂商表示，新机将于１０月２０日起陆续开售，起售价为３９９９元。
　　业内人士认为，今年第四季度手机市场竞争将更加激烈，各厂商在续航、影像和系统体验上的差距正在缩小。""",
         "full-width letters and digits throughout"),

    _web(6, "https://mp.example.com/s/Xq7d0mRk2", """\ufeff点击上方蓝字\u200b关注我们
秋天来了，\u200b这份\u200b家庭\u200b收纳\u200b指南\u200b请收好
　　换季的时候，衣柜总是最乱的地方。\u200b其实只要掌握三个原则，\u200b收纳就会轻松很多。
　　第一，先清理再收纳。\u200d一年都没有穿过的衣服，可以捐赠或回收。
　　第二，按使用频率分区。\u200b常穿的放在伸手可及的位置，换季衣物放在高处或床底收纳箱里。
　　第三，统一衣架和收纳盒。\u200c同样的衣架能让衣柜看起来整齐很多，也更省空间。
　　加\u200b微\u200b信\u200b领取\u200b收纳\u200b清单\u200b（备注：收纳）
长按识别二维码关注
阅读原文　　在看　　点赞""",
         "WeChat-style article with zero-width characters and a BOM"),

    _web(7, "https://health.qinghe.example.com/yangsheng/2023/1103.html", """&amp;nbsp;&amp;nbsp;秋季养生小常识&lt;br&gt;
&nbsp;&nbsp;&nbsp;&nbsp;入秋以后，早晚温差加大，空气也变得干燥。专家提醒，秋季养生要注意&quot;润燥&quot;和&quot;保暖&quot;两件事。&lt;/p&gt;&lt;p&gt;
&nbsp;&nbsp;&nbsp;&nbsp;饮食上可以适当多吃梨、百合、银耳等食物，少吃辛辣油炸食品；每天保证充足饮水。&lt;/p&gt;&lt;p&gt;
&nbsp;&nbsp;&nbsp;&nbsp;作息上要早睡早起，早晚出门适当添衣，运动以散步、慢跑、太极拳等温和项目为主，避免大汗淋漓。&lt;/p&gt;
&amp;copy;2023 青禾健康频道 &amp;amp; 青禾新闻网""",
         "HTML entity remnants (&amp;nbsp; &nbsp; &lt;br&gt; &quot;)"),

    _web(8, "https://www.qinghe.example.com/404.html", "404 页面不存在，返回首页", "very short page"),
    _web(9, "https://m.qinghe.example.com/article/77321", "正在加载中……", "very short page"),
    _web(10, "https://bbs.yunfan.example.com/thread-19002-1-1.html", "抱歉，该帖子已被删除或正在审核中。", "very short page"),

    _web(11, "https://finance.qinghe.example.com/hq/20231012.html", """沪深行情 2023-10-12 15:00
代码 名称 最新价 涨跌幅 成交量(手) 成交额
600001 示例A 12.35 +1.23% 35,612 4,390.2万
600002 示例B 8.07 -0.49% 120,338 9,712.6万
600003 示例C 25.60 +3.01% 18,904 4,838.1万
000004 示例D 4.51 0.00% 76,120 3,433.0万
000005 示例E 16.88 -2.14% 41,007 6,921.9万
300006 示例F 31.02 +0.65% 9,850 3,055.5万
300007 示例G 7.73 +10.01% 254,661 19,685.3万
数据来源：示例数据 仅供参考""",
         "quote table: mostly digits, few Han characters"),

    _web(12, "https://news.qinghe.example.com/society/2023/1015/2208.html", """　　本报讯 记者从市文化部门获悉，从本月起，城区十二家社区图书馆将把闭馆时间从晚上六点推迟到九点，周末和节假日照常开放。
　　调整开放时间的想法来自读者的反馈。不少上班族表示，下班赶到图书馆时往往已经闭馆，只能在周末借书。延长开放后，社区图书馆还将增加自习座位，并在晚间安排志愿者值守。
　　文化部门相关负责人介绍，今年以来，全市社区图书馆共接待读者四十余万人次，借阅图书六十多万册。下一步，还将推动更多社区图书馆与市图书馆实现通借通还。""",
         "clean news paragraphs"),

    _web(13, "https://news.qinghe.example.com/agri/2023/1020/3107.html", """秋粮收获进度过半 各地抢抓晴好天气机收
　　眼下正是秋收的关键时节。记者在城郊多个乡镇看到，大型收割机在田间来回作业，成熟的稻谷被收割、脱粒后直接装车运往烘干中心。
　　农业部门介绍，今年全市秋粮播种面积稳中有增，目前收获进度已经过半。为防止连阴雨影响粮食品质，各地提前调配烘干设备，引导农户错峰收获、及时晾晒。
　　在一家农机合作社，负责人算了一笔账：机收每亩只要几十元，比人工收割省时省力，损失率也更低。今年合作社还新添了两台烘干机，可以为周边农户提供代烘服务。""",
         "clean news article"),

    _web(14, "https://blog.example.com/posts/weekend-hiking.html", """周末去爬了城西的那座小山。山不高，从山脚到山顶慢慢走也就一个半小时，但一路上有溪水、竹林，还有几处能看到整个城区的观景台。
早上七点出发，山路上已经有不少晨练的人。半山腰有一家小茶摊，老板用山泉水泡茶，十块钱一壶，坐下来歇脚正合适。
下山时走了另一条路，台阶比较陡，建议穿防滑的鞋。回到家翻看照片，发现最喜欢的还是山顶那张云海，虽然只维持了不到十分钟。
下次打算带上帐篷，试试在山顶看日出。""",
         "clean personal blog post"),

    _web(15, "https://www.chenguang.example.com/about/contact.html",
         "联系我们\r\n\r\n\r\n\r\n地址：某某市某某区示例路1号　\r\n邮编：000000  \r\n电话：000-00000000\t\r\n"
         "传真：000-00000001\r\n电子邮箱：contact@chenguang.example.com\r\n\r\n\r\n"
         "Copyright © 2023 晨光日报社 版权所有\r\n京ICP备00000000号-2　京公网安备11000000000001号\r\n"
         "本网站所刊登的各种新闻、信息和各种专题专栏资料，均为晨光日报社版权所有，未经协议授权，禁止下载使用。",
         "contact/footer page with CRLF line ends, trailing spaces and blank-line runs"),

    _web(16, "https://news.qinghe.example.com/weather/2023/1108.html", """冷空气来袭 本周后半段气温明显下降
　　气象部门预计，受新一股冷空气影响，本周四至周六我市将出现明显降温，最低气温将降至五摄氏度左右，并伴有四到五级偏北风。
　　气象专家提醒，降温期间昼夜温差较大，市民要及时添衣保暖；老人和儿童尽量减少夜间外出。设施农业要提前做好防风保温措施，户外广告牌等临时设施要注意加固。
分享到：微信 微博 QQ空间
上一篇：市区部分路段今晚起施工封闭　下一篇：周末各大公园菊花展开幕""",
         "short clean news item with share buttons and prev/next links"),
]

# A tiny file of good and broken lines: 5 lines are quarantined, 2 are rejected as empty.
BROKEN_INPUT_LINES: list[bytes] = [
    json.dumps({"id": "broken-demo-01", "text": "这是一条正常的记录：同一个文件里的坏行被单独隔离，好记录照常清洗。",
                "source": AUTHORED_SOURCE, "license": PROJECT_LICENSE}, ensure_ascii=False).encode(),
    b'{"id": "broken-demo-02", "text": "\xe7\xbc\xba\xe5\xb0\x91\xe5\x8f\xb3\xe5\xbc\x95\xe5\x8f\xb7\xe5\x92\x8c\xe5\x8f\xb3\xe6\x8b\xac\xe5\x8f\xb7',  # malformed JSON
    b'{"id": "broken-demo-03", "text": "GBK bytes in a UTF-8 file: \xd6\xd0\xce\xc4 \xff\xfe"}',  # invalid UTF-8
    json.dumps(["broken-demo-04", "一个 JSON 数组，不是对象"], ensure_ascii=False).encode(),
    json.dumps({"id": "broken-demo-05", "title": "只有标题，没有正文字段", "source": AUTHORED_SOURCE,
                "license": PROJECT_LICENSE}, ensure_ascii=False).encode(),
    json.dumps({"id": "broken-demo-06", "text": 12345, "source": AUTHORED_SOURCE, "license": PROJECT_LICENSE}).encode(),
    json.dumps({"id": "broken-demo-07", "text": "", "source": AUTHORED_SOURCE, "license": PROJECT_LICENSE}).encode(),
    json.dumps({"id": "broken-demo-08", "text": " \n\t\u3000 ", "source": AUTHORED_SOURCE, "license": PROJECT_LICENSE}).encode(),
    json.dumps({"id": "broken-demo-09", "content": "A well-formed record whose text is in a `content` field: "
                "the reader goes on after the bad lines above and this record is cleaned as usual.",
                "source": AUTHORED_SOURCE, "license": PROJECT_LICENSE}).encode(),
]
BROKEN_EXPECTED = {"quarantined": 5, "empty": 2, "documents": 4}


def authored_files() -> list[OutFile]:
    web = OutFile("zh_web_authored.jsonl", AUTHORED_ZH_WEB, "jsonl", "",
                  "dirty and clean Chinese web pages written for this project")
    broken = OutFile("broken_input.jsonl", fmt="raw", raw=b"\n".join(BROKEN_INPUT_LINES) + b"\n",
                     docs=len(BROKEN_INPUT_LINES),
                     note="good lines mixed with a malformed JSON line, invalid UTF-8, a JSON array, a record "
                          "without a text field and one whose text is a number (quarantined), and an empty and "
                          "a whitespace-only text (rejected as `empty`)")
    return [web, broken]


# ----------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------

def jsonl_bytes(records: list[dict]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in records)


def gzip_bytes(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(data)
    return buf.getvalue()


def zstd_bytes(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor(level=19, write_checksum=True).compress(data)


def parquet_bytes(records: list[dict]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = list(dict.fromkeys(k for r in records for k in r))
    table = pa.table({k: pa.array([r.get(k) for r in records], type=pa.string()) for k in names})
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", row_group_size=4)
    return buf.getvalue()


def render(f: OutFile) -> bytes:
    if f.fmt == "jsonl":
        return jsonl_bytes(f.records)
    if f.fmt == "jsonl.gz":
        return gzip_bytes(jsonl_bytes(f.records))
    if f.fmt == "jsonl.zst":
        return zstd_bytes(jsonl_bytes(f.records))
    if f.fmt == "parquet":
        return parquet_bytes(f.records)
    return f.raw


def debian_package(source: str) -> str:
    """``debian:manpages-zh=1.6.4.0-1:/usr/...`` → ``manpages-zh 1.6.4.0-1``."""
    m = re.match(r"debian:([^=]+)=(.+?):/", source)
    return f"{m.group(1)} {m.group(2)}" if m else source


def upstream(f: OutFile, dev: Path) -> str:
    if not f.dev_item:
        return "written for this project"
    if f.fmt == "copy":
        return ("`raw/tests__data__warc__sample-0000.warc.gz` of the development corpus = "
                "github.com/allenai/dolma @ 669f534823b0, `tests/data/warc/sample-0000.warc.gz`")
    sources = Counter(r["source"] for r in (f.records or load(dev, f.dev_item)))
    parts = []
    debian = sorted({debian_package(s) for s in sources if s.startswith("debian:")})
    if debian:
        parts.append("Debian package " + ", ".join(f"`{d}`" for d in debian))
    github = sorted({s for s in sources if s.startswith("github:")})
    for s in github:
        repo, _, path = s.removeprefix("github:").partition(":")
        name, _, commit = repo.partition("@")
        parts.append(f"github.com/{name} @ {commit}, `{path}` ({sources[s]})")
    return "; ".join(parts)


LICENSE_NOTES = {
    "CC-BY-SA-4.0": "CC-BY-SA-4.0 (text from Chinese Wikipedia, via the CMRC 2018 data set)",
    "CC-BY-SA-3.0": "CC-BY-SA-3.0 (text from English Wikipedia, via WikiText-2)",
    "GPL-2.0-or-later": "GPL-2.0-or-later (Debian Reference © 2013-2021 Osamu Aoki)",
    "GFDL-1.2-or-later": "GFDL-1.2-or-later (Chinese man pages, manpages-zh project)",
    "GPL-3.0-or-later": "GPL-3.0-or-later",
    "BSD": "BSD (Debian `fortunes` data files)",
    "Apache-2.0": "Apache-2.0 (the allenai/dolma repository's licence; the page text belongs to its owners)",
}


def notice(files: list[OutFile], sizes: dict[str, int], dev: Path) -> str:
    total_docs = sum(f.docs if f.docs is not None else len(f.records) for f in files)
    lines = [
        "# Example corpus: sources and licences",
        "",
        "`examples/data/` is the input of `configs/example.toml`. It is rebuilt by",
        "`python examples/build_examples.py --dev-data ../shared/data/dev` (or with",
        "`DATACLEANING_DEV_DATA` set); this file is written by the same script.",
        "",
        "Every excerpted document is a whole document of the named source with its text unchanged",
        "(byte for byte), its original `id`, `source` and other fields kept, and a `license` field added",
        "that names its licence. The selection is a seeded sample (see the script).",
        "",
        f"{total_docs} records in {len(files)} files, {sum(sizes.values()) / 1e6:.2f} MB.",
        "",
        "| file | records | bytes | what | upstream source | licence |",
        "|---|---:|---:|---|---|---|",
    ]
    for f in files:
        n = f.docs if f.docs is not None else len(f.records)
        n_text = str(n)
        if f.dev_item:
            lic = LICENSE_NOTES[LICENSES[f.dev_item]]
            what = f"from `{f.dev_item}` of the development corpus: {f.note}"
        else:
            lic = f"{PROJECT_LICENSE} (authored for this project, released under the project's licence)"
            what = f"**authored for this project**: {f.note}"
        lines.append(f"| `{f.name}` | {n_text} | {sizes[f.name]:,} | {what} | {upstream(f, dev)} | {lic} |")
    lines += [
        "",
        "Notes:",
        "",
        "- The Common Crawl pages (`en_web_cc_dolma_testdata.jsonl`, `dolma_warc_sample-0000.warc.gz`)",
        "  are test data of the Apache-2.0 licensed allenai/dolma repository; the text of each page",
        "  belongs to its publisher and is included here, as there, as a sample of crawled web text.",
        "  The pages rendered in dolma's jsonl from `sample-0000.warc.gz` are left out of the jsonl,",
        "  since the WARC file itself is included.",
        "- `zh_web_authored.jsonl` and `broken_input.jsonl` were written for this project and are",
        "  released under the project's licence (Apache-2.0). Site names, URLs (`*.example.com`),",
        "  phone, ICP and security-registration numbers in them are made up; they name no real person.",
        "  Dirty Chinese web text could not be excerpted: the Chinese news pages of the development",
        "  corpus have no licence allowing redistribution.",
        "- Not used: `zh/zh_web_news_html_gne.jsonl`, `raw/html_zh_news/` and",
        "  `zh/zh_ugc_reviews_chinesenlpcorpus.jsonl` (no licence allowing redistribution).",
        "",
    ]
    return "\n".join(lines)


def build(dev: Path) -> tuple[dict[str, bytes], str]:
    files = select(dev) + authored_files()
    outputs = {f.name: render(f) for f in files}
    sizes = {name: len(data) for name, data in outputs.items()}
    return outputs, notice(files, sizes, dev)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev-data", type=Path, default=os.environ.get("DATACLEANING_DEV_DATA"),
                        help="the development corpus folder (default: $DATACLEANING_DEV_DATA)")
    parser.add_argument("--out", type=Path, default=EXAMPLES_DIR / "data", help="where to write (default: examples/data)")
    parser.add_argument("--notice", type=Path, default=EXAMPLES_DIR / "NOTICE.md", help="NOTICE file to write")
    parser.add_argument("--check", action="store_true", help="compare with what is there; write nothing")
    args = parser.parse_args(argv)
    if args.dev_data is None:
        parser.error("give --dev-data or set DATACLEANING_DEV_DATA")
    outputs, notice_text = build(Path(args.dev_data))
    if args.check:
        problems = [name for name, data in outputs.items()
                    if not (args.out / name).exists() or (args.out / name).read_bytes() != data]
        extra = sorted(p.name for p in args.out.iterdir() if p.name not in outputs) if args.out.is_dir() else []
        if not args.notice.exists() or args.notice.read_text(encoding="utf-8") != notice_text:
            problems.append(str(args.notice))
        for name in problems:
            print(f"differs: {name}", file=sys.stderr)
        for name in extra:
            print(f"not built by this script: {name}", file=sys.stderr)
        return 1 if problems or extra else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in outputs.items():
        tmp = args.out / f".tmp-{name}"
        tmp.write_bytes(data)
        os.replace(tmp, args.out / name)
    args.notice.write_text(notice_text, encoding="utf-8")
    total = sum(len(d) for d in outputs.values())
    print(f"wrote {len(outputs)} files ({total / 1e6:.2f} MB) to {args.out} and {args.notice}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
