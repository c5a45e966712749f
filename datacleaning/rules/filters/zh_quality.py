"""Chinese filters that look at which characters a text uses and whether they form words (the two
views that tell Chinese from characters thrown together by a wrong decoding), and how much of it
is Han characters at all."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from datacleaning.charclasses import UNIFIED_HAN_RUN, count_chars
from datacleaning.document import Document
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import register
from datacleaning.zh_segmenter import load_segmenter

# The Han block jieba's dictionary words are made of (it splits everything else off).

_GB2312_TRAILS = range(0xA1, 0xFF)


def _decodable(codec: str, leads: Iterable[int], trails: Iterable[int]) -> set[str]:
    """The characters that ``codec`` decodes from every two-byte code ``lead``, ``trail``."""
    chars = set()
    for lead in leads:
        for trail in trails:
            try:
                chars.add(bytes((lead, trail)).decode(codec))
            except UnicodeDecodeError:
                pass
    return chars


def _run_pattern(chars: frozenset[str]) -> re.Pattern:
    """Runs of ``chars``: summing the lengths of a few long matches counts them many times faster
    than a step per character."""
    return re.compile("[" + "".join(sorted(chars)) + "]+")


@cache
def common_hanzi() -> frozenset[str]:
    """The 3,755 characters of GB2312 level 1 (常用汉字, simplified) and the 5,401 of Big5 level 1
    (常用字, traditional), 6,722 in all, read from Python's own codecs: no data file to ship.

    A frequency table summed from jieba's dictionary was the other choice, but that dictionary
    holds mojibake words itself (枃, 傝 and 夋 rank among its 5,000 most frequent characters) and
    almost no traditional characters.
    """
    gb2312_level1 = _decodable("gb2312", range(0xB0, 0xD8), _GB2312_TRAILS)
    # Big5 level 1 runs from A440 to C67E.
    big5_level1 = _decodable("big5", range(0xA4, 0xC6), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])
    big5_level1 |= _decodable("big5", range(0xC6, 0xC7), range(0x40, 0x7F))
    return frozenset(gb2312_level1 | big5_level1)


@cache
def simplified_hanzi() -> frozenset[str]:
    """The 6,763 Han characters of GB2312, the simplified-script character set."""
    return frozenset(_decodable("gb2312", range(0xB0, 0xF8), _GB2312_TRAILS))


@cache
def _common_run() -> re.Pattern:
    return _run_pattern(common_hanzi())


@cache
def _simplified_run() -> re.Pattern:
    return _run_pattern(simplified_hanzi())


@register("common_hanzi")
@dataclass
class CommonHanzi(Filter):
    """Chinese documents whose Han characters are mostly outside the common ones (GB2312 level 1
    and Big5 level 1, simplified and traditional): UTF-8 read as GBK ("涓枃" for 中文) or GBK and
    Big5 read as each other turn text into rare-character soup. Scores the share of Han
    characters that are common; documents with fewer than ``min_han`` Han characters are not
    judged.

    Leaves alone traditional-script text (it scores like simplified), technical and news text
    (nearly 1.0), and classical poetry with its rare characters (Tang poems 0.88 and up, the Book
    of Songs down to 0.74: lower ``min_ratio`` for a corpus of classics). UTF-8 read as GBK
    scores under 0.45, GBK read as Big5 under 0.7, UTF-8 read as GB2312 mostly under 0.7
    (``zh_single_char_words`` catches the rest).
    """

    signals = {"han": "int64", "common": "float64"}
    thresholds = frozenset({"min_ratio", "min_han"})
    threshold_fields = {"min_han": "han", "min_ratio": "common"}
    languages = frozenset({"zh"})
    min_ratio: float = 0.7
    min_han: int = 20

    def prepare(self, base_dir: Path) -> None:
        _common_run()

    def score(self, doc: Document) -> dict:
        han = doc.views.n_han
        common = count_chars(_common_run(), doc.text)
        return {"han": han, "common": round(common / han, 4) if han else 1.0}

    def keep(self, value: dict) -> bool:
        return value["han"] < self.min_han or value["common"] >= self.min_ratio


def han_sample(text: str, max_chars: int) -> str:
    """About ``max_chars`` Han characters of ``text``, one line per run of Han characters (a
    clause between punctuation), taking every k-th run so the sample spans the whole document.
    Whole runs, so no word is cut, except a run longer than what is left of the sample."""
    runs = UNIFIED_HAN_RUN.findall(text)
    stride = max(1, sum(map(len, runs)) // max(max_chars, 1))
    picked, size = [], 0
    for run in runs[::stride]:
        if size >= max_chars:
            break
        picked.append(run[:max_chars - size])
        size += len(picked[-1])
    return "\n".join(picked)


def single_char_share(sample: str) -> float:
    """The share of the Han characters of ``sample`` that jieba leaves as one-character words.

    jieba's HMM, which guesses unknown words, is off: it would glue garbage characters into new
    "words" and hide exactly what this measures.
    """
    words = [w for w in load_segmenter().cut(sample) if w != "\n"]
    n = sum(map(len, words))
    return sum(1 for w in words if len(w) == 1) / n if n else 0.0


@register("zh_single_char_words")
@dataclass
class ZhSingleCharWords(Filter):
    """Simplified-Chinese documents whose characters do not form words: the share of Han
    characters that jieba (dictionary only) segments as one-character words, over a sample of
    about ``sample_chars`` Han characters taken from across the document. Catches mojibake made of
    real, fairly common characters that ``common_hanzi`` lets through (UTF-8 read as GB2312, a
    GBK/Big5 mix-up), which scores 1.0.

    Leaves alone modern prose (0.2-0.5), colloquial reviews, Tang poems and Song ci (up to 0.8)
    and classical prose (the Analects: about 0.96). Only samples that could be such mojibake are
    segmented, since jieba costs about 2.5 µs a character: at least ``min_han`` Han characters, at
    least ``min_simplified`` of them in GB2312 (jieba's dictionary is simplified Chinese:
    traditional script would score like garbage) and at most ``max_common`` of them common
    hanzi (mojibake of real characters stays under 0.8; most clean text is over 0.95). The value
    holds these shares; ``single`` is None where the sample was not segmented.
    """

    signals = {"han": "int64", "simplified": "float64", "common": "float64", "single": "float64"}
    thresholds = frozenset({"max_ratio"})
    threshold_fields = {"max_ratio": "single"}
    languages = frozenset({"zh"})
    max_ratio: float = 0.98
    min_han: int = 50
    min_simplified: float = 0.9
    max_common: float = 0.9
    sample_chars: int = 128

    def prepare(self, base_dir: Path) -> None:
        # The word dictionary (0.4 s to load) is left for the first sample that needs segmenting:
        # a run without one, such as English text, never loads it.
        _simplified_run()
        _common_run()

    def score(self, doc: Document) -> dict:
        sample = han_sample(doc.text, self.sample_chars)
        han = len(sample) - sample.count("\n")
        if not han:
            return {"han": 0, "simplified": 0.0, "common": 0.0, "single": None}
        simplified = count_chars(_simplified_run(), sample) / han
        common = count_chars(_common_run(), sample) / han
        segment = han >= self.min_han and simplified >= self.min_simplified and common <= self.max_common
        return {"han": han, "simplified": round(simplified, 4), "common": round(common, 4),
                "single": round(single_char_share(sample), 4) if segment else None}

    def keep(self, value: dict) -> bool:
        return value["single"] is None or value["single"] <= self.max_ratio


@register("han_ratio")
@dataclass
class HanRatio(Filter):
    """Chinese documents whose Han characters are under ``min_ratio`` of their non-space
    characters: mostly digits, symbols or markup. Clean technical Chinese with tables and shell
    commands sits around 0.1–0.2, so a web profile can ask for more than a book profile."""

    signals = {"value": "float64"}
    thresholds = frozenset({"min_ratio"})
    threshold_fields = {"min_ratio": "value"}
    languages = frozenset({"zh"})
    min_ratio: float = 0.1

    def score(self, doc: Document) -> float:
        return round(doc.views.han_ratio, 4)

    def keep(self, value: float) -> bool:
        return value >= self.min_ratio
