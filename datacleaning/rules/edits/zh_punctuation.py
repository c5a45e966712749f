"""The width of punctuation marks in Chinese sentences."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

from datacleaning.charclasses import CJK_CLOSING, CJK_OPENING, CJK_PUNCT, HAN
from datacleaning.rules.base import Editor
from datacleaning.rules.registry import register
from datacleaning.rules.spans import Spans, table_rows, url_words

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
