"""Normalizers: character-level fixes that run before anything else looks at the text."""
from __future__ import annotations

import re
from dataclasses import dataclass

from datacleaning.rules.base import Normalizer
from datacleaning.rules.registry import register

_FULLWIDTH_ALNUM = {cp: cp - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
                    for cp in range(r[0], r[1] + 1)}

# C0 and C1 controls except tab and newline, plus zero-width and direction marks that are
# invisible in text and split words for every later rule.
_INVISIBLE = {cp: None for cp in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0),
                                  0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, 0x00AD]}
_TRAILING_SPACE = re.compile(r"[ \t\u3000\xa0]+\n")


@register("fullwidth_alnum")
@dataclass
class FullwidthAlnum(Normalizer):
    """Full-width Latin letters and digits (ＡＢＣ１２３) to ASCII. Full-width punctuation stays:
    ，。！ are the right marks in Chinese text."""

    def apply(self, text: str) -> str:
        return text.translate(_FULLWIDTH_ALNUM)


@register("remove_invisible")
@dataclass
class RemoveInvisible(Normalizer):
    """Control characters (tab and newline kept), zero-width characters, BOMs and soft hyphens."""

    def apply(self, text: str) -> str:
        return text.translate(_INVISIBLE)


@register("normalize_newlines")
@dataclass
class NormalizeNewlines(Normalizer):
    """CRLF and CR to LF, trailing spaces off every line, at most ``max_blank_lines`` blank lines in
    a row, and no leading or trailing blank space on the document."""

    max_blank_lines: int = 1

    def __post_init__(self):
        self._blank_run = re.compile(r"\n{%d,}" % (self.max_blank_lines + 2))
        self._replacement = "\n" * (self.max_blank_lines + 1)

    def apply(self, text: str) -> str:
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = _TRAILING_SPACE.sub("\n", text + "\n")
        return self._blank_run.sub(self._replacement, text).strip()
