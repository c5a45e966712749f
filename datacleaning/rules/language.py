"""A cheap script-based language guess that routes documents to the rules made for them."""
from __future__ import annotations

import regex

_SAMPLE_CHARS = 4000
_SCRIPT = regex.compile(r"(\p{Han})|([A-Za-z\u00C0-\u024F])|([\p{Hiragana}\p{Katakana}])|(\p{Hangul})|(\p{L})")


def guess_language(text: str) -> str:
    """``zh``, ``en``, ``ja``, ``ko``, ``other`` (another script) or ``und`` (no letters).

    A Han character carries about as much text as a four-letter Latin run, so Chinese wins once
    Han characters are at least a quarter as many as Latin letters: a Chinese man page full of
    option names is still Chinese, an English page quoting a Chinese name is still English.
    Latin-script text is labelled ``en``; telling English from other Latin languages needs a
    language-ID model.
    """
    han = latin = kana = hangul = other = 0
    for m in _SCRIPT.finditer(text, 0, _SAMPLE_CHARS):
        group = m.lastindex
        if group == 1:
            han += 1
        elif group == 2:
            latin += 1
        elif group == 3:
            kana += 1
        elif group == 4:
            hangul += 1
        else:
            other += 1
    if kana and kana * 5 >= han:
        return "ja"
    if hangul and hangul * 4 >= latin and hangul >= han:
        return "ko"
    if han and han * 4 >= latin and han >= other:
        return "zh"
    if latin and latin >= other:
        return "en"
    if other or han:
        return "other"
    return "und"
