"""Pinyin written after each character of a phrase, the way spam hides words from keyword filters."""
from __future__ import annotations

import re
from dataclasses import dataclass

from datacleaning.charclasses import HAN
from datacleaning.rules.base import Editor
from datacleaning.rules.registry import register

# One syllable: up to six letters, a tone mark on a vowel or a tone number after it.
_SYLLABLE = "[a-zA-Zü\u0101\u00e1\u01ce\u00e0\u0113\u00e9\u011b\u00e8\u012b\u00ed\u01d0\u00ec\u014d\u00f3\u01d2\u00f2" \
            "\u016b\u00fa\u01d4\u00f9\u01d6\u01d8\u01da\u01dc]{1,6}[1-5]?"
# A syllable in half- or full-width brackets, and a Han character followed by one.
BRACKETED = re.compile(f"[(（]{_SYLLABLE}[)）]")
ANNOTATED = re.compile(f"([{HAN}])[ \\t]?{BRACKETED.pattern}")


@register("remove_inline_pinyin")
@dataclass
class RemoveInlinePinyin(Editor):
    """Removes the pinyin bracketed after each character of a run of at least ``min_run``
    characters: "六(liu)合(he)彩(cai)开(kai)奖(jiang)" → "六合彩开奖", so that the word lists and the
    statistics after it see the words. Spam writes them so to slip past keyword filters; the
    reading of one word ("行(xíng)", "北京(Beijing)") and a pun on two characters ("良（keng）心（die）")
    stay as they are.
    """

    languages = frozenset({"zh"})
    min_run: int = 3

    def __post_init__(self):
        self._runs = re.compile(f"(?:{ANNOTATED.pattern}){{{self.min_run},}}")

    def trigger_chars(self) -> str:
        return "(（"

    def apply(self, text: str) -> str:
        # A scan for brackets skips to its candidates in C; one from every Han character is slow.
        if len(BRACKETED.findall(text)) < self.min_run:
            return text
        return self._runs.sub(lambda run: ANNOTATED.sub(r"\1", run.group(0)), text)
