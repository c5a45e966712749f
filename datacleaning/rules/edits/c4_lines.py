"""C4's line rules: lines that are not sentences leave the text."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat

import regex

from datacleaning.charclasses import HAN_RUN
from datacleaning.rules.base import Editor
from datacleaning.rules.line_edits import drop_lines
from datacleaning.rules.registry import register
from datacleaning.script_chars import simplified_form
from datacleaning.rules.web_text import TEASER_END, WEB_LANGUAGES, ZH_CLOSERS, ZH_SENTENCE_END, ends_zh_sentence

# Sentence-final marks as C4 has them: a line ending in "..." is a teaser, not a sentence.
EN_C4_LINE_END = (".", "?", "!", '"', "'")
ANY_LINE_END = ZH_SENTENCE_END + tuple(ZH_CLOSERS)
# Wikipedia's marks, written in Simplified and looked for in the line folded to it (its [編輯] is
# [编辑]); Taiwan's edit link reads 原始码 where the mainland's reads 源代码.
CITATION = regex.compile(r"\[\d*\]|\[edit\]|\[citation needed\]|\[编辑\]|\[编辑(?:源代码|原始码|原始代码)\]|\[来源请求\]")
JAVASCRIPT = "javascript"
POLICY_PHRASES = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies",
                  "use cookies", "隐私政策", "隐私条款", "使用条款", "服务条款", "用户协议", "使用cookie")


def is_chinese_line(line: str) -> bool:
    return not line.isascii() and HAN_RUN.search(line) is not None


@register("c4_lines")
@dataclass
class C4Lines(Editor):
    """C4's line rules: drops lines that do not end a sentence (unless ``drop_unterminated`` is
    off, as FineWeb has it), lines of fewer than ``en_min_words_per_line`` words (Chinese:
    ``zh_min_chars_per_line`` letters, digits or Han characters), lines holding a word longer than
    ``max_word_length``, lines mentioning javascript and cookie/privacy-policy lines; removes
    Wikipedia citation marks ([1], [edit], [编辑]) from the lines it keeps. Menus, titles, share
    buttons and footers go; sentences stay.

    An edit rule, not a filter, because it rewrites the text: the filters after it (c4_document
    above all, whose curly-bracket and lorem-ipsum checks C4 applies to kept lines only) judge
    what it kept. Assumes a line is a paragraph, as in text extracted from HTML: on hard-wrapped
    text (plain-text manuals, mail) ``drop_unterminated`` would drop every line that a wrap cut
    mid-sentence.
    """

    languages = WEB_LANGUAGES
    drop_unterminated: bool = True
    en_min_words_per_line: int = 3
    zh_min_chars_per_line: int = 5
    max_word_length: int = 1000
    remove_citations: bool = True
    drop_javascript: bool = True
    drop_policy: bool = True

    def __post_init__(self):
        self._zh_enough_chars = regex.compile(r"(?:[^\p{L}\p{N}]*+[\p{L}\p{N}]){%d}" % self.zh_min_chars_per_line)
        self._zh_long_word = regex.compile(r"[^\s\p{Han}]{%d}" % (self.max_word_length + 1))
        self._phrases = ((JAVASCRIPT,) if self.drop_javascript else ()) + (POLICY_PHRASES if self.drop_policy else ())

    def apply(self, text: str) -> str:
        lines = text.split("\n")
        if self.remove_citations and "[" in text:
            lines = [_without_citations(line) if "[" in line else line for line in lines]
        stripped = list(map(str.strip, lines))
        # A line that ends in none of these ends no sentence in either language: one pass in C
        # sorts out most of the lines to drop before any line is looked at on its own.
        ended = map(str.endswith, stripped, repeat(ANY_LINE_END)) if self.drop_unterminated else repeat(True)
        lowered = text.lower() if self._phrases else ""
        check_phrases = any(phrase in lowered for phrase in self._phrases)
        dropped = {i for i, (line, ends) in enumerate(zip(stripped, ended))
                   if line and (not ends or not self._keeps(line, check_phrases))}
        if dropped:
            return drop_lines(lines, dropped)
        return "\n".join(lines)

    def _keeps(self, line: str, check_phrases: bool) -> bool:
        """Whether a line passes the rules (told, when it has to end a sentence, that it ends in a
        mark of ANY_LINE_END)."""
        if is_chinese_line(line):
            if self.drop_unterminated and not ends_zh_sentence(line):
                return False
            if not self._zh_enough_chars.match(line):
                return False
            if len(line) > self.max_word_length and self._zh_long_word.search(line):
                return False
        else:
            if self.drop_unterminated and (not line.endswith(EN_C4_LINE_END) or line.endswith(TEASER_END)):
                return False
            words = line.split()
            if len(words) < self.en_min_words_per_line:
                return False
            if len(line) > self.max_word_length and any(len(word) > self.max_word_length for word in words):
                return False
        if check_phrases:
            lowered = line.lower()
            return not any(phrase in lowered for phrase in self._phrases)
        return True


def _without_citations(line: str) -> str:
    """The line without Wikipedia's marks, found in its Simplified form (one for one, so the
    spans are the line's)."""
    spans = [m.span() for m in CITATION.finditer(simplified_form(line))]
    if not spans:
        return line
    pieces, at = [], 0
    for start, end in spans:
        pieces.append(line[at:start])
        at = end
    return "".join(pieces) + line[at:]
