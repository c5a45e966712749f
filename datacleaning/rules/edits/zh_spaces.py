"""Spaces inside Chinese text."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

from datacleaning.charclasses import CJK_PUNCT, HAN
from datacleaning.rules.base import Editor
from datacleaning.rules.registry import register
from datacleaning.rules.spans import Spans, table_rows

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
