"""Whitespace: exotic spaces, line breaks and blank lines."""
from __future__ import annotations

import re
from dataclasses import dataclass

from datacleaning.rules.base import Normalizer
from datacleaning.rules.registry import register

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
