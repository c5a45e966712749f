"""Filters on the shape of a text rather than its words: whether it is written in sentences, and
whether its lines are a menu, a table of contents or a chapter listing.

Sizes are measured in the unit that fits the language: characters for Chinese, whitespace-separated
words for English. The thresholds therefore come in pairs, ``zh_*`` and ``en_*``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from datacleaning.document import Document
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import register
from datacleaning.script_chars import simplified_form

# What a line may end with and still be prose, not a menu item: a short poem line ends in a
# comma or a full stop, a menu item in neither. Closing quotes and brackets are looked through.
_CLAUSE_END = tuple("。！？；…．，、：!?;,:.")
_CLOSERS = "\"'”’)）」』】》"

_NUMERAL = "[0-9一二三四五六七八九十百千万零〇两]+"
# Lines that open with a chapter heading or an item number. Matched over the whole text at once,
# which is much faster than a Python step per line.
_ENUMERATED_LINE_BODY = (
    r"[^\S\n]*(?:"
    rf"第\s*{_NUMERAL}\s*[章节回卷集部篇话讲课期]"                 # 第十二章, 第3回
    r"|(?i:chapter|part|section|episode|volume|vol\.|book|lesson)\s+(?:\d+|[ivxlc]+\b)"
    r"|\d+(?:\.\d+)*[.、)）](?!\d)"                                # 1.  1.2.  3、  4)
    r"|[(（]\s*(?:\d+|[一二三四五六七八九十]+)\s*[)）]"             # (1)  （三）
    r"|[一二三四五六七八九十]+[、.．]"                               # 一、
    r"|[①-⑳⑴-⒇⒈-⒛])"
)
# The first line, and every other line found from its newline: a leading literal lets ``re``
# jump from newline to newline, where a multi-line ``^`` is tried at every character.
_ENUMERATED_FIRST_LINE = re.compile(_ENUMERATED_LINE_BODY)
_ENUMERATED_NEXT_LINE = re.compile("\n" + _ENUMERATED_LINE_BODY)


def enumerated_lines(text: str) -> int:
    """How many lines open with a chapter heading or an item number."""
    text = simplified_form(text)  # 第一節 as 第一节
    first = _ENUMERATED_FIRST_LINE.match(text)
    return (first is not None) + len(_ENUMERATED_NEXT_LINE.findall(text, first.end() if first else 0))


def line_sizes(doc: Document) -> list[int]:
    """Each non-blank line's size: characters for Chinese, whitespace-separated words otherwise."""

    views = doc.views
    return list(map(len, views.nonblank_lines)) if doc.lang == "zh" else views.nonblank_line_words


def ends_like_prose(line: str) -> bool:
    return line.rstrip(_CLOSERS).endswith(_CLAUSE_END)


@register("sentence_marks")
@dataclass
class SentenceMarks(Filter):
    """Long documents not written in sentences: keyword dumps, tag clouds, product lists. Scores
    Han characters (Chinese) or words (English) per sentence end, as the shared ``n_sentences``
    signal counts them (。！？, and . ! ? before a space, a Han character or the end, as people
    type them in Chinese too; not the dot of "3.14" or "example.com"). A document with no
    sentence end scores its full size, so by default a Chinese document of more than 200 Han
    characters, or an English one of more than 200 words, without a single one goes. Documents
    under ``zh_min_han`` / ``en_min_words`` are not judged: a short poem, title or list is safe.

    Leaves alone Chinese prose (a median of 35 Han characters per mark; one Wikipedia paragraph
    in a thousand reaches 200), poems (about 15), Debian Reference sections with tables and
    commands (under 150), man pages (99% under 70), English prose (about 20 words per mark) and
    nearly all song lyrics.

    Chinese written in clauses is kept too, full stops or not: a text with no more than
    ``zh_max_han_per_clause`` Han characters per sentence end or clause comma (，, or a comma
    after a Han character). Reviews, forum posts, web novels and help pages that run on from
    comma to comma and never type a full stop are prose; keyword dumps have neither mark. 40:
    under every page of the training labels (bench/labels/train) that the other rules keep and
    a reader called junk (the lowest, a loan keyword list around a news item, is at 50), above
    five good ones (10 to 34).
    """

    signals = {"han": "int64", "han_per_mark": "float64", "han_per_clause": "float64", "words": "int64",
               "words_per_mark": "float64"}
    thresholds = frozenset({"zh_min_han", "zh_max_han_per_mark", "zh_max_han_per_clause", "en_min_words",
                            "en_max_words_per_mark"})
    threshold_fields = {
        "en_max_words_per_mark": "words_per_mark", "en_min_words": "words", "zh_max_han_per_mark": "han_per_mark",
        "zh_max_han_per_clause": "han_per_clause", "zh_min_han": "han"
    }
    languages = frozenset({"zh", "en"})
    zh_min_han: int = 200
    zh_max_han_per_mark: float = 200.0
    zh_max_han_per_clause: float = 40.0
    en_min_words: int = 100
    en_max_words_per_mark: float = 200.0

    def score(self, doc: Document) -> dict:
        marks = max(doc.views.n_sentences, 1)
        if doc.lang == "zh":
            han = doc.views.n_han
            clauses = max(doc.views.n_sentences + doc.views.n_clauses, 1)
            return {"han": han, "han_per_mark": round(han / marks, 1), "han_per_clause": round(han / clauses, 1)}
        words = doc.views.n_latin_words
        return {"words": words, "words_per_mark": round(words / marks, 1)}

    def keep(self, value: dict) -> bool:
        if "han" in value:
            return (value["han"] < self.zh_min_han or value["han_per_mark"] <= self.zh_max_han_per_mark
                    or value["han_per_clause"] <= self.zh_max_han_per_clause)
        return value["words"] < self.en_min_words or value["words_per_mark"] <= self.en_max_words_per_mark


@register("short_lines")
@dataclass
class ShortLines(Filter):
    """Navigation pages, menus and tag lists: the share of the text (characters in Chinese, words
    in English) that sits in short lines, lines under ``zh_short_chars`` characters or
    ``en_short_words`` words that do not end like a clause (with 。，！？ or . , ! ?). Documents
    with fewer than ``min_lines`` non-blank lines are not judged.

    Weighted by size, not by line count, so an article under a long menu is kept (its paragraphs
    outweigh the menu; removing the menu is an edit rule's job) while a page that is nothing but
    a menu is not. Leaves alone poems with one clause a line (their lines end in ，。), man pages
    and Debian Reference sections with option lists and shell commands (all but a few in a
    thousand score under 0.6).
    """

    signals = {"lines": "int64", "short_share": "float64"}
    thresholds = frozenset({"max_share", "min_lines"})
    threshold_fields = {"max_share": "short_share", "min_lines": "lines"}
    languages = frozenset({"zh", "en"})
    max_share: float = 0.6
    min_lines: int = 5
    zh_short_chars: int = 10
    en_short_words: int = 5

    def score(self, doc: Document) -> dict:
        lines = doc.views.nonblank_lines
        limit = self.zh_short_chars if doc.lang == "zh" else self.en_short_words
        sizes = line_sizes(doc)
        total = sum(sizes)
        short = sum(size for line, size in zip(lines, sizes) if size < limit and not ends_like_prose(line))
        return {"lines": len(lines), "short_share": round(short / total, 4) if total else 0.0}

    def keep(self, value: dict) -> bool:
        return value["lines"] < self.min_lines or value["short_share"] <= self.max_share


@register("enumerated_lines")
@dataclass
class EnumeratedLines(Filter):
    """Chapter listings and tables of contents: most lines are headings like 第十二章 / Chapter 12
    or numbered items (1. 1、 (1) 一、 ①) *and* the median line is short, under
    ``zh_min_median_chars`` characters or ``en_min_median_words`` words. The median, not the
    mean, so one giant line cannot hide a listing. Documents with fewer than ``min_lines``
    non-blank lines are not judged. Where more than ``max_share`` of the lines are numbered, an
    item that ends like a sentence (1、运输过程中碰撞产生死弯；, (2) If you do think, don't speak.)
    is not counted (``enumerated`` is then the share of the others): a listing's entries are
    titles, a numbered text's items are sentences, short or long.

    Leaves alone numbered instructions, rules and laws whose items are sentences, a novel
    chapter with its heading (one numbered line), bullet lists (not counted as enumerations) and
    poems. A document's own table of contents is a listing and goes.
    """

    signals = {"lines": "int64", "enumerated": "float64", "median_chars": "float64", "median_words": "float64"}
    thresholds = frozenset({"max_share", "min_lines", "zh_min_median_chars", "en_min_median_words"})
    threshold_fields = {
        "max_share": "enumerated", "min_lines": "lines", "zh_min_median_chars": "median_chars",
        "en_min_median_words": "median_words"
    }
    languages = frozenset({"zh", "en"})
    max_share: float = 0.7
    min_lines: int = 5
    zh_min_median_chars: int = 20
    en_min_median_words: int = 8

    def score(self, doc: Document) -> dict:
        lines = doc.views.nonblank_lines
        unit = "median_chars" if doc.lang == "zh" else "median_words"
        if not lines:
            return {"lines": 0, "enumerated": 0.0, unit: 0}
        enumerated = enumerated_lines(doc.text)
        if enumerated > self.max_share * len(lines):
            # Items that end like a sentence (1、运输过程中碰撞产生死弯；) are a numbered text, not a
            # listing: counted line by line only here, where the whole-text count says it may matter.
            enumerated -= sum(1 for line in lines if ends_like_prose(line) and enumerated_lines(line))
        return {"lines": len(lines), "enumerated": round(enumerated / len(lines), 4),
                unit: median(line_sizes(doc))}

    def keep(self, value: dict) -> bool:
        if value["lines"] < self.min_lines or value["enumerated"] <= self.max_share:
            return True
        if "median_chars" in value:
            return value["median_chars"] >= self.zh_min_median_chars
        return value["median_words"] >= self.en_min_median_words
