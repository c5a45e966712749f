"""Punctuation: repeated marks, separator lines, junk marks at a document's edges, and the width
of marks in Chinese sentences."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

from datacleaning.rules.base import Editor, Normalizer
from datacleaning.charclasses import CJK_CLOSING, CJK_OPENING, CJK_PUNCT, HAN
from datacleaning.rules.registry import register
from datacleaning.rules.spans import Spans, table_rows, url_words

_SEPARATOR_LINE = re.compile("^([-\u2014\u2015\u2500\u2501\uff0d])\\1{3,}(?=[ \t\r]*$)", re.M)
_SEPARATOR_STARTS = ("----", "\u2014" * 4, "\u2015" * 4, "\u2500" * 4, "\u2501" * 4, "\uff0d" * 4)
# One pattern for every mark, so that ``re`` jumps between candidate characters; ``_collapse``
# decides how long a run must be.
_MARK_RUN = re.compile(r"([！？。，、；：～!?…—])\1+")
_REPEAT = re.compile(r"([！？。，、；：～!?…—\-\u2015\u2500\u2501\uff0d])\1")
# ASCII ! and ?, … and — stay doubled: "!!" and "??" are code, …… and —— are the Chinese ellipsis
# and dash.
_KEPT_DOUBLE = {"!": "!!", "?": "??", "…": "……", "—": "——"}


def _collapse(rows: Spans, m: re.Match) -> str:
    run, mark = m.group(), m.group(1)
    if mark in _KEPT_DOUBLE and len(run) == 2 or m.start() in rows:
        return run
    return _KEPT_DOUBLE[mark] if mark in "…—" else mark


@register("collapse_punctuation")
@dataclass
class CollapsePunctuation(Normalizer):
    """Runs of one repeated mark, the way people shout in reviews and comments:

    - full-width ！？。，、；：～ repeated → one ("太好吃了！！！" → "太好吃了！", "送得慢。。。" → "送得慢。");
    - ASCII ! and ? three or more times → one ("GO HOME!!!" → "GO HOME!"); two stay, since "!!"
      and "??" are code (JavaScript "!!x", C# "a ?? b") and shell history;
    - three or more … → "……", three or more — → "——" (the Chinese ellipsis and dash are two);
    - a line made only of four or more of one dash (- — ― ─ ━ －) → "---", a Markdown rule.

    Leaves alone "..." and "……", "!!" and "??", ASCII , ; : . runs (CSV fields, "for (;;)",
    "std::", "../.."), Markdown markers (**, __, ```, ###, ~~~, list dashes), "===" lines, dash
    runs inside a line ("--option", "a -- b"), indented dash lines, and every line of an ASCII
    or Markdown table (a line starting with | or +), where widths keep the columns aligned.
    """

    def apply(self, text: str) -> str:
        if _REPEAT.search(text) is None:
            return text
        if any(s in text for s in _SEPARATOR_STARTS):
            text = _SEPARATOR_LINE.sub("---", text)
        return _MARK_RUN.sub(partial(_collapse, table_rows(text)), text)


# Marks that can start no text, and marks that can end none.
_LEADING_JUNK = "，。、；：！？,）】》」』〕〉"
_TRAILING_JUNK = "，、；：,:（【《「『〔〈"
_EDGE_SPACE = " \t\n\r\u3000\xa0"
_LEADING_JUNK_SET, _TRAILING_JUNK_SET = frozenset(_LEADING_JUNK), frozenset(_TRAILING_JUNK)


@register("strip_edge_punctuation")
@dataclass
class StripEdgePunctuation(Normalizer):
    """Marks left at the very start or end of a document by cutting it out of a page: a leading
    "，。、；：！？" or "," or closing bracket ("）】》」"), and a trailing "，、；：" "," ":" or
    opening bracket ("（【《「"), with the whitespace among them.

    Leaves alone a final period of any script (. 。), ! ? ！ ？, ellipses, closing quotes and
    brackets, a leading opening quote or bracket, Markdown starts ("# ", "- ", "> ", "| ",
    "![", "**"), and leading "." "/" "~" (".bashrc", "/etc", "~/.vimrc"). Does nothing when only
    whitespace is at the edges.
    """

    def apply(self, text: str) -> str:
        body = text.lstrip(_LEADING_JUNK + _EDGE_SPACE)
        if _LEADING_JUNK_SET.isdisjoint(text[:len(text) - len(body)]):
            body = text
        stripped = body.rstrip(_TRAILING_JUNK + _EDGE_SPACE)
        if not _TRAILING_JUNK_SET.isdisjoint(body[len(stripped):]):
            body = stripped
        return body


# --- zh_fullwidth_punctuation -----------------------------------------------------------------

_FULLWIDTH_MARK = str.maketrans(",;!?.:", "，；！？。：")
_SAME_MARK_RUN = re.compile(r"(.)\1+")
# An ASCII mark right after a Han character or a closing CJK bracket (not a curly quote: English
# closes its quotations with those too), with what may follow a Chinese sentence or clause mark:
# Chinese, a line end, or spaces and Chinese. The mark comes first in the pattern so that ``re``
# skips quickly over everything else.
_MARK_AFTER_CHINESE = re.compile(
    f"[,;!?.:](?<=[{HAN}\u3009\u300b\u300d\u300f\u3011\u3015\uff09].)[!?]*"
    f"(?=(?P<next>[{HAN}{CJK_PUNCT}{CJK_OPENING}{CJK_CLOSING}])|[ \t]*(?:\n|\\Z)|[ \t]+[{HAN}{CJK_OPENING}])"
)
_CLOSING = frozenset(CJK_CLOSING)


def _widen(rows: Spans, urls: Spans, m: re.Match) -> str:
    marks = m.group()
    # "." and ":" directly before Chinese are not sentence ends: "法兰西斯科.马勒" (a name),
    # "中国政府网.政务" (a domain), "所有者:组" (command syntax).
    if marks in (".", ":") and m.group("next") and m.group("next") not in _CLOSING:
        return marks
    if len(marks) > 1 and marks[0] in ",;.:":
        return marks
    if m.start() in rows or m.start() in urls:
        return marks
    return _SAME_MARK_RUN.sub(r"\1", marks.translate(_FULLWIDTH_MARK))


@register("zh_fullwidth_punctuation")
@dataclass
class ZhFullwidthPunctuation(Editor):
    """ASCII sentence marks that end a Chinese sentence or clause, to the full-width marks Chinese
    uses: after a Han character (or a closing 》」）), "今天下雨了." → "今天下雨了。", "你好,世界" →
    "你好，世界", "真的吗?" → "真的吗？", "太棒了!!" → "太棒了！", "如下:" at a line end → "如下：".

    , ; ! ? change when Chinese, a line end, or a space and Chinese follows; . and : only when a
    line end, a closing quote or bracket, or a space and Chinese follows (not "法兰西斯科.马勒",
    "中国政府网.政务", "所有者:组", where Chinese follows at once). A space left after the new
    mark is ``remove_cjk_spaces``'s to remove.

    Leaves alone marks after a digit or Latin letter (decimals "3.14", versions "v1.2", English
    sentences), marks before Latin text or digits ("配置.txt", "例如:ls", "时间:12:30"), ellipses
    ("然后..."), URLs, and every line of an ASCII or Markdown table. Chinese only: Japanese
    writes 、 where Chinese writes ，.
    """

    languages = frozenset({"zh"})

    def apply(self, text: str) -> str:
        if _MARK_AFTER_CHINESE.search(text) is None:
            return text
        return _MARK_AFTER_CHINESE.sub(partial(_widen, table_rows(text), url_words(text)), text)
