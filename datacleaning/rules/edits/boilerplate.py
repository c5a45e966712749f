"""Edit rules that remove web-page boilerplate from Chinese and English text.

Pages rendered to text keep their furniture as lines of their own: menus, breadcrumbs, share
buttons, login and comment widgets, "related articles" boxes, copyright and ICP footers, and
credit lines around the article. Each rule looks at lines (and, at the document's edges, at
sentences) and decides from a few explainable features: the line's length, whether it reads as
prose (a Chinese full stop, an English sentence ending), and whether it holds a listed phrase.
The phrase lists are plain-text files in ``datacleaning/rules/data/`` (see
:mod:`datacleaning.rules.phrase_lists` for their syntax); a config can name its own files.

Four rules, so a profile can pick: ``remove_boilerplate_lines`` (statement lines anywhere),
``remove_navigation`` (menus), ``remove_related_lists`` (recommendation boxes) and
``trim_boilerplate_edges`` (credits and notices at the start and end).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from datacleaning.rules.base import Editor
from datacleaning.rules.line_edits import drop_lines
from datacleaning.rules.phrase_lists import DECORATION, PhraseMatcher, load_phrase_lists, matching_form
from datacleaning.rules.registry import register
from datacleaning.substrings import SubstringFinder

ZH_EN = frozenset({"zh", "en"})

# What phrase lists cannot say: a registration number after ICP备/ICP证, "Copyright 2019".
_ICP_NUMBER = re.compile(r"icp[备证][^\n]{0,8}?\d{4,}")
_COPYRIGHT_YEAR = re.compile(r"\bcopyright\s*(?:\(c\)|\d{4})")
# What a line must hold for _copyright_or_licence to say yes.
_LICENCE_MARKS = ("©", "&copy;", "icp", "copyright")


# A © right after a Latin-1 letter that begins a UTF-8 sequence is the second byte of a letter
# decoded in the wrong code page (UTF-8 é read as cp1252 is "Ã©": AndrÃ© Kvakkestad), not a
# copyright mark; after Â (â once lower-cased) it is the © sign itself so decoded ("Â© 2019"),
# unless that Â is the second half of a letter decoded wrongly twice (é: "ÃƒÂ©"; © twice: "Ã‚Â©").
_COPYRIGHT_SIGN = re.compile(r"(?<![\u00c3-\u00e1\u00e3-\u00ff])(?<!ã[^‚]â)©")


def _copyright_or_licence(lowered: str) -> bool:
    """A © sign, an ICP registration number or "Copyright 2019" in a lower-cased line."""
    return (("©" in lowered and _COPYRIGHT_SIGN.search(lowered) is not None) or "&copy;" in lowered
            or ("icp" in lowered and _ICP_NUMBER.search(lowered) is not None)
            or ("copyright" in lowered and _COPYRIGHT_YEAR.search(lowered) is not None))


# A line reads as prose when it holds a Chinese full stop or ends an English sentence
# ("...the crawl."); headlines, menu items and widget labels do neither.
_PROSE = re.compile(r"[。．]|[a-z0-9)\"”’]\.\s*$")

# A bare "previous / next" marker: the line after it is the linked title.
_POINTER = re.compile(r"\W*(?:上一篇|下一篇|上一条|下一条|上一章|下一章|previous (?:post|article|story)"
                      r"|next (?:post|article|story))\W*", re.I)

# A line opening with 上一篇/下一条... glued to the next word and running on to a sentence end or past
# two clause marks is a sentence about the previous or next one ("上一篇文章中，我们介绍了安装。", a
# firewall's "下一条规则检查；如果匹配,那么..."), not a link to it, whose title (a headline, at most
# one comma) follows the label or, once markup is stripped, runs on from it (上一篇杭州楼市新政出台，首付比例下调).
_POINTER_IN_SENTENCE = re.compile(r"\W*(?:上一篇|下一篇|上一条|下一条|上一章|下一章)[\u4e00-\u9fff]"
                                  r"[^\n]*?(?:[。！？]|[，；,;][^\n]*?[，；。！？,;])")

# A sentence ends at 。！？!? (with any closing quotes or brackets after them) or at a full stop
# followed by a space or the end of the line, unless it is an initial's ("Vincent R. Vinci").
_SENTENCE_END = re.compile(r"[。！？!?]+[”’\"」』）)】\]]*|(?<!\b[A-Z])\.(?:\s|$)")
_LEADING_BLANK_LINES = re.compile(r"(?:[ \t\u3000]*\n)*")


def _is_prose(line: str) -> bool:
    return _PROSE.search(line) is not None


# A statute's article (第十二条 ...不得转让《网络文化经营许可证》) names licences and forbids reprints
# in the words of a page's footer; a footer never opens with an article number.
_STATUTE_ARTICLE = re.compile(r"第[一二三四五六七八九十百千零〇两\d]+条")


@register("remove_boilerplate_lines")
@dataclass
class RemoveBoilerplateLines(Editor):
    """Lines, anywhere in the document and at most ``max_line_chars`` long, that are page furniture
    by what they say: ICP and 公网安备 numbers, licence numbers, © and "Copyright 2019" lines,
    版权所有 / All rights reserved, reprint and disclaimer notices, share and follow prompts
    (分享到：, 扫码关注), comment and login widgets (网友评论仅供其表达个人看法, a line that is only 登录
    or 回复), credit labels starting a line (责任编辑：, 来源：, 原标题：) and 上一篇/下一篇 lines (a bare
    marker takes the title line after it). Left alone: longer lines, and sentences that merely
    mention such words (版权所有人, 请登录后评论 ... list phrases are anchored to avoid them), and a
    statute's articles (a line opening with 第十二条).
    ``lists`` names the phrase lists; ``sources`` limits the rule to sources with these prefixes."""

    languages = ZH_EN
    lists: list[str] = field(default_factory=lambda: ["boilerplate_lines_zh", "boilerplate_lines_en"])
    max_line_chars: int = 120
    sources: list[str] = field(default_factory=list)

    def prepare(self, base_dir: Path) -> None:
        self._phrases = PhraseMatcher(load_phrase_lists(self.lists, base_dir))
        self._candidate_finder = SubstringFinder(sorted(self._phrases.keys | set(_LICENCE_MARKS)))

    def apply(self, text: str) -> str:
        # Only a line holding a phrase or a licence mark can be furniture (or can be a bare
        # 上一篇 marker, whose title line goes with it): the other lines are never read.
        candidates = self._candidate_finder.lines_holding(matching_form(text))
        if not candidates:
            return text
        lines = text.split("\n")
        dropped: set[int] = set()
        for i in candidates:
            if i in dropped:
                continue  # the title after a marker: gone as such, not read for phrases
            line = lines[i].strip()
            lowered = matching_form(line)
            if len(line) > self.max_line_chars or _STATUTE_ARTICLE.match(lowered):
                continue
            if _copyright_or_licence(lowered) or (self._phrases.matches(lowered)
                                                  and not _POINTER_IN_SENTENCE.match(lowered)):
                dropped.add(i)
                if _POINTER.fullmatch(lowered) and (title := self._title_after(lines, i)) is not None:
                    dropped.add(title)
        return drop_lines(lines, dropped) if dropped else text

    def _title_after(self, lines: list[str], marker: int) -> int | None:
        """The line after a bare 上一篇/下一篇 marker when it is the linked title: the next
        non-blank line, if short and not prose."""
        for i in range(marker + 1, len(lines)):
            line = lines[i].strip()
            if line:
                return i if len(line) <= self.max_line_chars and not _is_prose(line) else None
        return None


def _normalized(line: str) -> str:
    return matching_form(line.strip().strip(DECORATION))


# Separators between the items of a menu written on one line.
_MENU_SEPARATOR = re.compile(r"\s*[|｜/／·•・>»›]\s*")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_LETTER = re.compile(r"[^\W\d_]")
# A bare count or time stamp as menus and comment widgets print them: 326, 21小时前, 今天20:58,
# 阅读 539, 12评论, 4,060条评论, 3 comments, 2 days ago, 5 min read.
_COUNT_OR_TIME = re.compile(
    r"\d[\d,.]*[万wk]?\s*(?:小时前|分钟前|秒前|天前|周前|个月前|月前|年前|条评论|评论|人参与|人评论|人阅读|阅读|跟贴|跟帖"
    r"|条回复|回复|赞|图)"
    r"|(?:今天|昨天|前天|刚刚)\s*(?:\d{1,2}:\d{2})?"
    r"|(?:阅读|评论|点击|浏览|赞|跟贴)\s*[:：]?\s*\d[\d,.]*[万wk]?"
    r"|\d[\d,.]*k?\s+(?:comments?|replies|likes?|views?|shares?)"
    r"|\d+\s+(?:seconds?|minutes?|mins?|hours?|days?|weeks?|months?|years?)\s+ago"
    r"|\d+\s+min(?:ute)?s?\s+read", re.I)

# Menu items, headlines and widget labels do not break into clauses; lines of verse and prose do.
_CLAUSE_PUNCTUATION = re.compile(r"[，。；]|[,;](?:\s|$)|\.(?:\s|$)")

# "网易首页", "返回财经首页", "PPAA Home": a link to some home page.
_HOME_LINK = ("首页", " home")
# A breadcrumb: 首页 > 财经 > 正文, Home » Blog » Title.
_BREADCRUMB = re.compile(r"\s*[>»›]\s*")
# In an item's length a Latin word counts as two characters, about what it says next to Chinese.
_LATIN_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+")
# Menu bars and breadcrumbs longer than this are not looked at.
_MAX_BAR_CHARS = 80
# How many distinct lines' kinds a process keeps (a few tens of MB at most).
_MAX_REMEMBERED_LINES = 200_000

_MENU, _BAR, _META, _SHORT, _LONG = range(5)


def _menu_items(normalized: str) -> list[str]:
    """The items of a menu written on one line: split by | / · > and the like, and by spaces
    when the line has no Latin letters (首页 新闻 体育; "About us" is one item)."""
    items = [item for item in _MENU_SEPARATOR.split(normalized) if item]
    if len(items) == 1 and not _ASCII_LETTER.search(normalized):
        items = normalized.split()
    return [item.strip(DECORATION) for item in items]


@register("remove_navigation")
@dataclass
class RemoveNavigation(Editor):
    """Menus, breadcrumbs, footers and widget strips. A line is a menu item when it is a
    navigation word (``lists``: 首页, 新闻, 体育, 登录, QQ空间, Home, About us ...) or a link home (网易首页,
    PPAA Home); a menu bar when it is several menu items split by | / · > or spaces (首页 | 新闻 |
    体育) or a breadcrumb (首页 > 财经 > 正文); a marker when it has no letters or is a bare count or
    time (326, |, 2019-09-07 13:43, 21小时前, 3 comments). Menu bars go wherever they stand. A block
    goes when it runs from a menu item or marker to a menu item or marker with at most
    ``max_gap_lines`` other lines in a row between them, each at most ``max_item_chars`` long (a
    Latin word counts as two characters) and without clause punctuation (a site's own entries,
    tags, user names); has at least ``min_run_lines`` lines and ``min_menu_lines`` menu items; and
    at least ``min_menu_share`` of its lines are menu items or markers. Left alone: a menu word
    alone (体育 heading a section), headlines longer than ``max_item_chars``, verse and prose
    (clause punctuation), lists of short lines and columns of numbers (no menu words)."""

    languages = ZH_EN
    lists: list[str] = field(default_factory=lambda: ["menu_words_zh", "menu_words_en"])
    max_item_chars: int = 10
    min_run_lines: int = 3
    min_menu_lines: int = 2
    min_menu_share: float = 0.5
    max_gap_lines: int = 3

    def prepare(self, base_dir: Path) -> None:
        self._menu_words = frozenset(_normalized(w) for w in load_phrase_lists(self.lists, base_dir))
        # Every menu item and bar holds a menu word or a home link: texts and lines without one
        # are told apart from menus by one pass in C.
        self._menu_word_finder = SubstringFinder(sorted(filter(None, self._menu_words | set(_HOME_LINK))))
        # A site's menu lines recur on every page it serves: each distinct line is judged once.
        self._kinds: dict[str, int] = {}

    def apply(self, text: str) -> str:
        if self.min_menu_lines > 0:
            # Nothing goes without a menu item or bar, and only a line holding a menu word can be
            # one: the other lines are judged only when one is.
            holding = self._menu_word_finder.lines_holding(matching_form(text))
            if not holding:
                return text
            lines = text.split("\n")
            if not any(self._kind_of_line(lines[i].strip()) in (_MENU, _BAR) for i in holding):
                return text
        else:
            lines = text.split("\n")
        positions: list[int] = []
        kinds: list[int] = []
        for i, line in enumerate(lines):
            if line := line.strip():
                positions.append(i)
                kinds.append(self._kind_of_line(line))
        dropped = {positions[k] for k, kind in enumerate(kinds) if kind == _BAR}
        for start, end in self._blocks(kinds):
            dropped.update(positions[start:end + 1])
        return drop_lines(lines, dropped) if dropped else text

    def _kind_of_line(self, line: str) -> int:
        """The kind of a stripped line; a long line is text, judged without hashing it into
        the cache."""
        return _LONG if len(line) > _MAX_BAR_CHARS else self._kind_of(line)

    def _kind_of(self, line: str) -> int:
        kind = self._kinds.get(line)
        if kind is None:
            if len(self._kinds) >= _MAX_REMEMBERED_LINES:
                self._kinds.clear()
            kind = self._kinds[line] = self._kind(line)
        return kind

    def _kind(self, line: str) -> int:
        if len(line) > _MAX_BAR_CHARS or _CLAUSE_PUNCTUATION.search(line):
            return _LONG
        normalized = _normalized(line)
        if not _LETTER.search(normalized) or _COUNT_OR_TIME.fullmatch(normalized):
            return _META
        if self._holds_menu_word(normalized):
            if self._is_menu_word(normalized):
                return _MENU
            items = _menu_items(normalized)
            if len(items) >= 2 and all(self._is_menu_word(item) for item in items):
                return _BAR
            trail = _BREADCRUMB.split(normalized)
            if len(trail) >= 2 and self._is_menu_word(trail[0]):
                return _BAR
        return _SHORT if len(_LATIN_WORD.sub("ab", line)) <= self.max_item_chars else _LONG

    def _holds_menu_word(self, lowered: str) -> bool:
        return self._menu_word_finder.occurs_in(lowered)

    def _is_menu_word(self, item: str) -> bool:
        return item in self._menu_words or item.endswith(_HOME_LINK)

    def _blocks(self, kinds: list[int]):
        """(first, last) indexes into ``kinds`` of every block that qualifies as navigation."""
        start = last = None
        anchors = menus = gap = 0
        for k, kind in enumerate([*kinds, _LONG]):
            if kind in (_MENU, _BAR, _META):
                if start is None:
                    start, anchors, menus = k, 0, 0
                anchors += 1
                menus += kind != _META
                last, gap = k, 0
                continue
            if kind == _SHORT and start is not None and gap < self.max_gap_lines:
                gap += 1
                continue
            if start is not None:
                size = last - start + 1
                if (size >= self.min_run_lines and menus >= self.min_menu_lines
                        and anchors >= self.min_menu_share * size):
                    yield start, last
                start = None


# A heading with its decoration ("【相关阅读】", "Related Posts »") is short; a longer line is text.
_MAX_HEADING_CHARS = 40


@register("remove_related_lists")
@dataclass
class RemoveRelatedLists(Editor):
    """"Related articles" and recommendation boxes: a line that is only a listed heading
    (``lists``: 相关阅读, 相关新闻, 推荐阅读, 热门推荐, 为您推荐, 点击排行, Related posts, You may also
    like ...; brackets, colons, 更多 and >> around it ignored), together with the list after it:
    every following line up to ``max_item_chars`` that does not read as prose (no Chinese full
    stop, no English sentence ending), blank lines included. The list ends at the first prose or
    longer line, so the article text after a box stays. Left alone: a heading word inside a
    sentence (见相关报道), headings not on the list (Wikipedia's See also, Further reading)."""

    languages = ZH_EN
    lists: list[str] = field(default_factory=lambda: ["related_headings_zh", "related_headings_en"])
    max_item_chars: int = 80

    def prepare(self, base_dir: Path) -> None:
        self._headings = frozenset(_normalized(h) for h in load_phrase_lists(self.lists, base_dir))

    def apply(self, text: str) -> str:
        lines = text.split("\n")
        dropped: set[int] = set()
        in_list = False
        for i, line in enumerate(lines):
            line = line.strip()
            if not line:
                continue
            if self._is_heading(line):
                dropped.add(i)
                in_list = True
            elif in_list and len(line) <= self.max_item_chars and not _is_prose(line):
                dropped.add(i)
            else:
                in_list = False
        return drop_lines(lines, dropped) if dropped else text

    def _is_heading(self, line: str) -> bool:
        if len(line) > _MAX_HEADING_CHARS or line.endswith((".", "。")):
            return False
        heading = _normalized(line)
        for more in ("更多", "more"):
            if heading.endswith(more):
                heading = heading[: -len(more)].strip(DECORATION)
        return heading in self._headings


def _sentences(line: str):
    """(start, end) of each sentence of a line, from its start, found only as far as the caller
    reads; blank stretches are left out. A bracketed aside opening or closing the line is a unit
    of its own: （原标题：……）正文…… and 正文……（责任编辑：张三）."""
    start, stop = 0, len(line)
    lead = _aside_at_start(line)
    if lead:
        yield 0, lead
        start = lead
    tail = _aside_at_end(line, start)
    if tail is not None:
        stop = tail
    for m in _SENTENCE_END.finditer(line, start, stop):
        if line[start:m.end()].strip():
            yield start, m.end()
        start = m.end()
    if line[start:stop].strip():
        yield start, stop
    if tail is not None:
        yield tail, len(line)


_OPENING, _CLOSING = "（([【", "）)]】"
_MAX_ASIDE_CHARS = 80


def _aside_at_start(line: str) -> int | None:
    """Where a bracketed aside that opens the line ends, if it opens the line."""
    body = line.lstrip()
    if not body or body[0] not in _OPENING:
        return None
    opened = len(line) - len(body)
    closed = line.find(_CLOSING[_OPENING.index(body[0])], opened, opened + _MAX_ASIDE_CHARS)
    return closed + 1 if closed > 0 and line[closed + 1:].strip() else None


def _aside_at_end(line: str, not_before: int) -> int | None:
    """Where a bracketed aside that closes the line starts, if one closes it after other text."""
    body = line.rstrip()
    if not body or body[-1] not in _CLOSING:
        return None
    opened = line.rfind(_OPENING[_CLOSING.index(body[-1])], max(not_before, len(body) - _MAX_ASIDE_CHARS), len(body))
    return opened if opened > not_before and line[not_before:opened].strip() else None


def _sentences_from_end(line: str, window: int):
    """(start, end) of each sentence of a line, from its end, read ``window`` characters at a time
    so that a long line costs only what the caller reads. A sentence longer than a window comes
    out as one unit running to the start of the line (long units stop the edge walk anyway)."""
    end = len(line)
    while end > 0:
        start = max(0, end - window)
        spans = list(_sentences(line[start:end]))
        next_end = start
        if start and spans:
            # The first sentence may begin before the window: the next window reads it again.
            next_end = start + spans.pop(0)[1]
            if not spans:
                yield 0, end
                return
        for s, e in reversed(spans):
            yield start + s, start + e
        end = next_end


@register("trim_boilerplate_edges")
@dataclass
class TrimBoilerplateEdges(Editor):
    """Credits, source notes, reprint notices and calls to follow at the very start or end of a
    document: 原标题：…, 来源：…, 本文来自…, （责任编辑：张三）, 转载请注明出处, 扫码关注, 点击阅读原文,
    Posted on …, Share this, All rights reserved. The document is read from each edge one unit at a
    time, a unit being a sentence (a line without a sentence end, the usual boilerplate line, is
    one unit; so is a bracketed aside opening or closing a line): a unit up to ``max_unit_chars``
    holding a phrase of ``lists`` (or a © / ICP number) is trimmed; between two such units, up to
    ``max_gap_lines`` units of at most ``max_gap_chars`` that hold none go too (责任编辑：陈晓 /
    晨星网公众号 / 扫描二维码关注晨星网官方微信); the first other unit stops the trimming. The unit at
    the very edge must itself be listed, so a document's title is never taken as a gap.
    Left alone: the same words inside the document, and long sentences at the edges.
    ``sources`` limits the rule to sources with these prefixes, for per-site lists."""

    languages = ZH_EN
    lists: list[str] = field(default_factory=lambda: ["edge_phrases_zh", "edge_phrases_en"])
    max_unit_chars: int = 80
    max_gap_lines: int = 1
    max_gap_chars: int = 20
    sources: list[str] = field(default_factory=list)

    def prepare(self, base_dir: Path) -> None:
        self._phrases = PhraseMatcher(load_phrase_lists(self.lists, base_dir))

    def apply(self, text: str) -> str:
        # Trimming starts only at an edge unit that holds a phrase, and such a unit lies within
        # max_unit_chars of the text's first or last visible character.
        body = text.strip()
        if not (self._may_match(body[:self.max_unit_chars]) or self._may_match(body[-self.max_unit_chars:])):
            return text
        head = self._reach(self._units(text, from_end=False))
        tail = self._reach(self._units(text, from_end=True))
        if head is None and tail is None:
            return text
        keep_from = head[1] if head else 0
        keep_to = tail[0] if tail else len(text)
        if keep_from >= keep_to:
            return ""
        kept = text[keep_from:keep_to].rstrip()
        if keep_from and text[keep_from - 1] != "\n":
            kept = kept.lstrip(" \t\u3000")
        return kept[_LEADING_BLANK_LINES.match(kept).end():]

    def _may_match(self, window: str) -> bool:
        lowered = matching_form(window)
        return _copyright_or_licence(lowered) or self._phrases.occurs_in(lowered)

    def _units(self, text: str, from_end: bool):
        """(start, end, sentence) for each sentence of the text, from its start or from its end."""
        if from_end:
            line_end = len(text)
            while line_end >= 0:
                line_start = text.rfind("\n", 0, line_end) + 1
                line = text[line_start:line_end]
                for s, e in _sentences_from_end(line, 4 * self.max_unit_chars):
                    yield line_start + s, line_start + e, line[s:e]
                line_end = line_start - 1
        else:
            line_start = 0
            while line_start <= len(text):
                line_end = text.find("\n", line_start)
                line_end = len(text) if line_end < 0 else line_end
                line = text[line_start:line_end]
                for s, e in _sentences(line):
                    yield line_start + s, line_start + e, line[s:e]
                line_start = line_end + 1

    def _reach(self, units) -> tuple[int, int] | None:
        """The unit farthest from the edge that trimming reaches, walking ``units`` from the edge."""
        reached = None
        gap = 0
        for start, end, unit in units:
            unit = matching_form(unit.strip())
            if len(unit) <= self.max_unit_chars and (_copyright_or_licence(unit) or self._phrases.matches(unit)):
                reached, gap = (start, end), 0
            elif reached is not None and len(unit) <= self.max_gap_chars and gap < self.max_gap_lines:
                gap += 1
            else:
                break
        return reached
