"""Punctuation: repeated marks, separator lines and junk marks at a document's edges."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

from datacleaning.rules.base import Normalizer
from datacleaning.rules.registry import register
from datacleaning.rules.spans import Spans, table_rows

_SEPARATOR_LINE = re.compile("^([-\u2014\u2015\u2500\u2501\uff0d])\\1{3,}(?=[ \t\r]*$)", re.M)
_SEPARATOR_STARTS = ("----", "\u2014" * 4, "\u2015" * 4, "\u2500" * 4, "\u2501" * 4, "\uff0d" * 4)
# One pattern for every mark, so that ``re`` jumps between candidate characters; ``_collapse``
# decides how long a run must be.
_MARK_RUN = re.compile(r"([！？。，、；：～!?…—])\1+")
_REPEAT = re.compile(r"([！？。，、；：～!?…—\-\u2015\u2500\u2501\uff0d])\1")
# ASCII ! and ?, … and — stay doubled: "!!" and "??" are code, …… and —— are the Chinese ellipsis
# and dash.
_KEPT_DOUBLE = {"!": "!!", "?": "??", "…": "……", "—": "——"}


# Three or more of these are an ellipsis as informal Chinese types one ("送到。。。饭都凉了").
_ELLIPSIS_MARKS = "。，、"


def _collapse(rows: Spans, m: re.Match) -> str:
    run, mark = m.group(), m.group(1)
    if mark in _KEPT_DOUBLE and len(run) == 2 or m.start() in rows:
        return run
    if mark in _ELLIPSIS_MARKS and len(run) >= 3:
        return "……"
    return _KEPT_DOUBLE[mark] if mark in "…—" else mark


@register("collapse_punctuation")
@dataclass
class CollapsePunctuation(Normalizer):
    """Runs of one repeated mark, the way people shout in reviews and comments:

    - full-width ！？；：～ repeated, and 。，、 twice → one ("太好吃了！！！" → "太好吃了！");
    - 。，、 three or more times → "……", the ellipsis they are typed for ("送得慢。。。" → "送得慢……");
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
    brackets, a final emoticon (":(", "：（", "(:"), a leading opening quote or bracket, Markdown starts ("# ", "- ", "> ", "| ",
    "![", "**"), and leading "." "/" "~" (".bashrc", "/etc", "~/.vimrc"). Does nothing when only
    whitespace is at the edges.
    """

    def apply(self, text: str) -> str:
        body = text.lstrip(_LEADING_JUNK + _EDGE_SPACE)
        if _LEADING_JUNK_SET.isdisjoint(text[:len(text) - len(body)]):
            body = text
        stripped = body.rstrip(_TRAILING_JUNK + _EDGE_SPACE)
        tail = body[len(stripped):]
        if not _TRAILING_JUNK_SET.isdisjoint(tail) and not _ends_in_emoticon(body):
            body = stripped
        return body


# A sad or wry face a review ends on (":(", "：（", "(:"), made of marks that otherwise end no text.
_EMOTICON_ENDS = (":(", "：（", ":（", "：(", "(:", "（：", "(：", "（:")


def _ends_in_emoticon(text: str) -> bool:
    return text.rstrip(_EDGE_SPACE).endswith(_EMOTICON_ENDS)
