"""A cheap script-based language guess that routes documents to the rules made for them."""
from __future__ import annotations

import re

from datacleaning.charclasses import HAN_RUN, HANGUL_RUN, KANA_RUN, LATIN_RUN, LETTER_RUN, count_chars
from datacleaning.rules.function_words import function_words
from datacleaning.signals import LATIN_WORD

_SAMPLE_CHARS = 4000
# Chinese prose beside Latin letters that are not English prose (commands, options, code): at
# least this many Han characters, and fewer than this share of the Latin words English function
# words (English running text: 0.4-0.5; a command listing: next to none).
_MIN_HAN_PROSE = 20
_MAX_ENGLISH_FUNCTION_SHARE = 0.1
# A letter of any script but Latin: without one, only Latin letters can decide.
_NON_LATIN_LETTER = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f]")


def guess_language(text: str) -> str:
    """``zh``, ``en``, ``ja``, ``ko``, ``other`` (another script) or ``und`` (no letters).

    A Han character carries about as much text as a four-letter Latin run, so Chinese wins once
    Han characters are at least a quarter as many as Latin letters: a Chinese man page full of
    option names is still Chinese, an English page quoting a Chinese name is still English. It
    also wins with fewer Han characters, at least a few sentences' worth, when the Latin words
    are not English prose (hardly any English function words among them): a Chinese manual
    section that is mostly a command listing.
    Latin-script text is labelled ``en``; telling English from other Latin languages needs a
    language-ID model. Only the first few thousand characters are looked at.
    """
    sample = text[:_SAMPLE_CHARS]
    if sample.isascii() or not _NON_LATIN_LETTER.search(sample):
        return "en" if LATIN_RUN.search(sample) else "und"
    han = count_chars(HAN_RUN, sample)
    latin = count_chars(LATIN_RUN, sample)
    kana = count_chars(KANA_RUN, sample)
    hangul = count_chars(HANGUL_RUN, sample)
    # \w counts Han and kana as letters too; what remains is another script (Cyrillic, Arabic...).
    other = count_chars(LETTER_RUN, sample) - han - latin - kana - hangul
    if kana and kana * 5 >= han:
        return "ja"
    if hangul and hangul * 4 >= latin and hangul >= han:
        return "ko"
    if han and han >= other and (han * 4 >= latin or han >= _MIN_HAN_PROSE and not _english_prose(sample)):
        return "zh"
    if latin and latin >= other:
        return "en"
    if other > 0 or han:
        return "other"
    return "und"


def _english_prose(text: str) -> bool:
    words = LATIN_WORD.findall(text)
    english = function_words("en")
    return sum(word.lower() in english for word in words) >= _MAX_ENGLISH_FUNCTION_SHARE * len(words)
