"""A cheap script-based language guess that routes documents to the rules made for them."""
from __future__ import annotations

import re

from datacleaning.rules.cjk import HAN

_SAMPLE_CHARS = 4000
# Runs, not single characters: summing the lengths of a few long matches is many times faster
# than one Python step per character, and this runs on every document.
HAN_RUN = re.compile(f"[{HAN}]+")
LATIN_RUN = re.compile("[A-Za-z\u00c0-\u024f]+")
KANA_RUN = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]+")
HANGUL_RUN = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]+")
LETTER_RUN = re.compile(r"[^\W\d_]+")


def count_chars(pattern: re.Pattern, text: str) -> int:
    """How many characters of ``text`` a run pattern (one of the ``*_RUN`` above) covers."""
    return sum(map(len, pattern.findall(text)))


def guess_language(text: str) -> str:
    """``zh``, ``en``, ``ja``, ``ko``, ``other`` (another script) or ``und`` (no letters).

    A Han character carries about as much text as a four-letter Latin run, so Chinese wins once
    Han characters are at least a quarter as many as Latin letters: a Chinese man page full of
    option names is still Chinese, an English page quoting a Chinese name is still English.
    Latin-script text is labelled ``en``; telling English from other Latin languages needs a
    language-ID model. Only the first few thousand characters are looked at.
    """
    sample = text[:_SAMPLE_CHARS]
    if sample.isascii():
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
    if han and han * 4 >= latin and han >= other:
        return "zh"
    if latin and latin >= other:
        return "en"
    if other > 0 or han:
        return "other"
    return "und"
