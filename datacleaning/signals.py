"""Views of a document's text that several filters share, each computed once, on first use."""
from __future__ import annotations

from functools import cached_property

import regex

HAN = regex.compile(r"\p{Han}")
LATIN_LETTER = regex.compile(r"[A-Za-z\u00C0-\u024F]")
WORD_CHAR = regex.compile(r"[\p{L}\p{N}]")
LATIN_WORD = regex.compile(r"[A-Za-z\u00C0-\u024F]+(?:['’][A-Za-z]+)*")


class TextSignals:
    """Lines, character classes and word counts of one text.

    Each property is computed the first time a rule asks for it and then cached, so a document
    pays for a view only if some enabled rule reads it, and only once however many rules do.
    """

    def __init__(self, text: str):
        self.text = text

    @cached_property
    def n_chars(self) -> int:
        return len(self.text)

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @cached_property
    def nonblank_lines(self) -> list[str]:
        return [s for line in self.lines if (s := line.strip())]

    @cached_property
    def word_lines(self) -> list[str]:
        """Non-blank lines holding at least one letter or digit (any script)."""
        return [line for line in self.nonblank_lines if WORD_CHAR.search(line)]

    @cached_property
    def n_han(self) -> int:
        return len(HAN.findall(self.text))

    @cached_property
    def n_latin_letters(self) -> int:
        return len(LATIN_LETTER.findall(self.text))

    @cached_property
    def n_nonspace(self) -> int:
        return len(self.text) - sum(self.text.count(c) for c in " \n\t\r\u3000\xa0")

    @cached_property
    def han_ratio(self) -> float:
        """Han characters over non-whitespace characters (0 for empty text)."""
        return self.n_han / self.n_nonspace if self.n_nonspace else 0.0

    @cached_property
    def latin_words(self) -> list[str]:
        return LATIN_WORD.findall(self.text)
