"""Whitespace: exotic spaces, line breaks and blank lines, and spaces inside Chinese text."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

from datacleaning.rules.base import Editor, Normalizer
from datacleaning.charclasses import CJK_PUNCT, HAN
from datacleaning.rules.registry import register
from datacleaning.rules.spans import Spans, table_rows

_SPACE_FOR = {
    **dict.fromkeys("\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                    "\u202f\u205f\u3000", " "),
    "\u2028": "\n",
    "\u2029": "\n\n",
}
_OTHER_SPACE = re.compile(f"[{''.join(_SPACE_FOR)}]")
# Leading whitespace of a line that holds an ideographic space: the two-character paragraph
# indent of Chinese prose ("　　正文"), never code.
_IDEOGRAPHIC_INDENT = re.compile("^[ \t\xa0]*\u3000[ \t\xa0\u3000]*", re.M)


@register("normalize_spaces")
@dataclass
class NormalizeSpaces(Normalizer):
    """Unusual spaces to ASCII: no-break, en, em, thin, hair, narrow no-break and ideographic
    spaces become one space each; the line and paragraph separators U+2028 and U+2029 become a
    line break and a blank line.

    Indentation: a line's leading whitespace is removed when it holds an ideographic space (the
    "　　" paragraph indent of Chinese prose); no-break-space indentation ("&nbsp;" in HTML)
    becomes the same number of spaces, since it can be the indentation of code. Tabs, ASCII
    spaces and their runs stay: aligned columns and code need them. Zero-width spaces are
    ``remove_invisible``'s.
    """

    def apply(self, text: str) -> str:
        if text.isascii() or _OTHER_SPACE.search(text) is None:
            return text
        if "\u3000" in text:
            text = _IDEOGRAPHIC_INDENT.sub("", text)
        return _OTHER_SPACE.sub(lambda m: _SPACE_FOR[m.group()], text)


_TRAILING_SPACE = re.compile(r"[ \t\u3000\xa0]+(?=\n)")
# Substring tests find these several times faster than a scan for the character class.
_TRAILING_SPACE_ENDS = (" \n", "\t\n", "\u3000\n", "\xa0\n")


@register("normalize_newlines")
@dataclass
class NormalizeNewlines(Normalizer):
    """CRLF and CR to LF, trailing spaces off every line, at most ``max_blank_lines`` blank lines in
    a row, and no leading or trailing blank space on the document."""

    max_blank_lines: int = 1

    def __post_init__(self):
        self._replacement = "\n" * (self.max_blank_lines + 1)
        self._too_many = self._replacement + "\n"
        self._blank_run = re.compile(r"\n{%d,}" % (self.max_blank_lines + 2))

    def apply(self, text: str) -> str:
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if any(end in text for end in _TRAILING_SPACE_ENDS):
            text = _TRAILING_SPACE.sub("", text)
        if self._too_many in text:
            text = self._blank_run.sub(self._replacement, text)
        return text.strip()


_SPACE = "[ \u3000]"
# The spaces to remove, each alternative starting at the first space of a run (so that ``re``
# jumps from space to space) and checking what stands before it with a lookbehind: a run after a
# full-width mark, a run before one, and one or two spaces between two single Han characters.
_SPACE_BY_CHINESE = re.compile(
    f"{_SPACE}(?:"
    f"(?<=[{CJK_PUNCT}]{_SPACE}){_SPACE}*(?=\\S)"
    f"|(?<=\\S{_SPACE}){_SPACE}*(?=[{CJK_PUNCT}])"
    f"|(?<=[{HAN}]{_SPACE})(?<![{HAN}][{HAN}]{_SPACE}){_SPACE}?(?=[{HAN}](?![{HAN}])))"
)


def _drop_space(rows: Spans, m: re.Match) -> str:
    return m.group() if m.start() in rows else ""


@register("remove_cjk_spaces")
@dataclass
class RemoveCjkSpaces(Editor):
    """Spaces that Chinese typography never has: between single Han characters spaced apart
    ("中 文" → "中文", "欢 迎 光 临" → "欢迎光临", one or two spaces apart), and next to full-width
    punctuation ("你好 ，世界" → "你好，世界", "（ 注：" → "（注：", "你好， Python" → "你好，Python").

    Leaves alone spaces between words of two or more Han characters: in headlines, reviews and
    lists they separate clauses and items ("隧洞垮塌 靠积水生还", "北京 上海 广州"), and removing
    them would fuse phrases. Leaves alone spaces between Chinese and Latin words or digits ("使用
    Python 编程", "第 3 章"), after a Latin sentence ("It works. 好的"), around curly quotes and
    dashes (English shares them), at line starts (indentation), tabs, and every line of an ASCII
    or Markdown table. Chinese only: Japanese children's text spaces its phrases on purpose.
    """

    languages = frozenset({"zh"})

    def apply(self, text: str) -> str:
        if _SPACE_BY_CHINESE.search(text) is None:
            return text
        return _SPACE_BY_CHINESE.sub(partial(_drop_space, table_rows(text)), text)
