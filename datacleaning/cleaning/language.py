"""Which language a document is in, to route it to the rules made for it: a script guess first
(Chinese, Japanese, Korean are told by their characters, cheaply and surely, a Chinese man page full
of option names included), then CLD2 for the rest, which tells English from French, German, Spanish
and 80-odd more.

CLD2 (pycld2) was chosen by ``bench/language_id.py``: of the offline language-ID libraries on the
package index it was the most accurate on a labelled multilingual sample built from the dev data
(99.5% of 1,115 texts, 98.7% of their first 100 characters; py3langid 98.2%, fastText's lid.176
97.8%, lingua 97.1%), the only one that calls 98.6% of code snippets English or undetermined
rather than Tagalog or Latin, and about as fast as the script guess (35 MB/s per core).

The clean stage asks the identifier its config names (``clean.language_id.identifier``): ``cld2``,
the one above, or one a plugin registered with :func:`register_language_identifier`.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pycld2

from datacleaning.charclasses import HAN_RUN, HANGUL_RUN, KANA_RUN, LATIN_RUN, LETTER_RUN, count_chars
from datacleaning.errors import ConfigError
from datacleaning.rules.word_lists import function_words
from datacleaning.script_chars import written_in_traditional
from datacleaning.text_views import LATIN_WORD

if TYPE_CHECKING:
    from datacleaning.document import Document

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
    option names is still Chinese, an English page quoting a Chinese or Japanese name is still
    English (Japanese, kana and the Han characters written with them, wins on the same terms). It
    also wins with fewer Han characters, at least a few sentences' worth, when the Latin words
    are not English prose (hardly any English function words among them): a Chinese manual
    section that is mostly a command listing.
    Latin-script text is labelled ``en``; telling English from other Latin languages needs a
    language-ID model. Only the first few thousand characters are looked at (``identify_language``
    gives it pieces of a long document one by one).
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
    if kana and kana * 5 >= han and (kana + han) * 4 >= latin:
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


# CLD2 reads a paragraph's worth: its cost grows with the text (27 µs a document at 4,000
# characters, 16 at 1,000), its accuracy hardly (98.9% of texts cut to 100 characters, 99.4% of
# whole ones up to 4,000: bench/language_id.py).
_CLD2_SAMPLE_CHARS = 1000
# Enough Chinese to tell its script by: a few hundred characters hold dozens that only one writes.
_SCRIPT_SAMPLE_CHARS = 1000
# CLD2 reads UTF-8 and refuses control characters; they carry no language.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# CLD2's codes that ISO 639-1 has replaced, and its codes for "no language".
_RENAMED = {"iw": "he", "jw": "jv", "in": "id", "ji": "yi"}
_UNKNOWN = "un"


def cld2_languages() -> frozenset[str]:
    """Every ``lang`` the default identifier can give a document: CLD2's codes as
    ``identify_language`` renames them, ``other`` and ``und``."""
    codes = {_RENAMED.get(code.partition("-")[0], code.partition("-")[0]) for _, code in pycld2.LANGUAGES}
    return frozenset((codes - {_UNKNOWN}) | {"other", "und"})


def cld2_codes() -> frozenset[str]:
    """What clean.languages may name with the default identifier: every ``lang`` it gives
    (``cld2_languages``) and the two Chinese scripts alone (``zh-Hans``, ``zh-Hant``)."""
    return cld2_languages() | {"zh-Hans", "zh-Hant"}


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """``lang``: an ISO 639-1 code (639-3 where it has none; ``other`` for a script CLD2 does not
    know, ``und`` for text without letters). ``confidence``: the share of the text CLD2 finds in
    that language (0 when it finds none). ``script``: ``Hans`` or ``Hant`` for Chinese, else ""."""

    lang: str
    confidence: float
    script: str = ""


def identify_language(text: str) -> LanguageGuess:
    """The language of ``text``, judged on its first few thousand characters, or, for a longer
    one, on its head, a piece of its middle and its tail, each judged alone, the language of two
    of the three winning (the head's where all differ): an English licence or preface before a
    Chinese book does not decide what it is, nor a Chinese footer or quotation what an English
    text is. Chinese, Japanese and Korean keep the script guess's answer, CLD2 only saying how much
    of the text is in it (it reads 2.4% of short Chinese reviews as mostly Japanese: Han text
    without kana stays Chinese); for other scripts CLD2 decides, and for Latin text when it is
    sure, else it stays English (a few words, "OK", "Hi.", which CLD2's best effort calls Dutch or
    Tsonga). CLD2 and the Chinese-script check read the pieces that agree."""
    pieces = spread_pieces(text)
    routes = [guess_language(piece) for piece in pieces]
    route = max(routes, key=lambda r: (routes.count(r), r == routes[0]))
    agreeing = "\n".join(piece for piece, r in zip(pieces, routes) if r == route)
    reliable, shares = _cld2_shares(agreeing[:_CLD2_SAMPLE_CHARS])
    lang = route
    # An unsure answer is still better than "other" for a script CLD2 knows; for Latin text English
    # is the better bet.
    if shares and (route == "other" or route == "en" and reliable):
        lang = max(shares, key=shares.get)
    return LanguageGuess(lang, shares.get(lang, 0.0),
                         chinese_script(agreeing[:_SCRIPT_SAMPLE_CHARS]) if lang == "zh" else "")


def spread_pieces(text: str) -> list[str]:
    """What a text's language is judged on: its first ``_SAMPLE_CHARS`` characters where that is
    all or nearly all of it; else its head (half of them), a piece of its middle and its tail (a
    quarter each), apart from one another."""
    if len(text) <= 2 * _SAMPLE_CHARS:
        return [text[:_SAMPLE_CHARS]]
    half, quarter = _SAMPLE_CHARS // 2, _SAMPLE_CHARS // 4
    middle = len(text) // 2 - quarter // 2
    return [text[:half], text[middle:middle + quarter], text[-quarter:]]


def chinese_script(text: str) -> str:
    """``Hant`` when more of the characters only one script writes are Traditional ones, else
    ``Hans``."""
    return "Hant" if written_in_traditional(text) else "Hans"


def _cld2_shares(sample: str) -> tuple[bool, dict[str, float]]:
    """Whether CLD2 is sure, and the languages it finds in the text, each with the share of the
    text in it."""
    data = _CONTROL.sub(" ", sample).encode("utf-8", "replace")
    try:
        reliable, _, details = pycld2.detect(data, isPlainText=True, bestEffort=True)
    except pycld2.error:  # bytes it still will not take: no answer rather than a failed document
        return False, {}
    shares: dict[str, float] = {}
    for _, code, percent, _ in details:
        if code != _UNKNOWN and percent:
            lang = code.partition("-")[0]
            lang = _RENAMED.get(lang, lang)
            shares[lang] = shares.get(lang, 0.0) + percent / 100
    return reliable, shares


# What the clean stage calls, after the normalizers, to route a document: the normalized text and
# the document as read (its ``source`` and input fields through ``meta_value``; its text and
# ``views`` are not yet the cleaned ones).
LanguageIdentifier = Callable[[str, "Document"], LanguageGuess]
_IDENTIFIERS: dict[str, LanguageIdentifier] = {}


def register_language_identifier(name: str):
    """Decorator: make ``identify(text, doc) -> LanguageGuess`` the identifier a config can name in
    ``clean.language_id.identifier``. Rules route by its ``lang`` (``zh``, ``en``... as their
    ``languages`` say), ``clean.languages`` keeps by it, and ``scores.language`` stores it."""

    def decorate(identify: LanguageIdentifier) -> LanguageIdentifier:
        existing = _IDENTIFIERS.get(name)
        if existing is not None and existing.__qualname__ != identify.__qualname__:
            raise ValueError(f"language identifier {name!r} is already registered by {existing.__qualname__}")
        _IDENTIFIERS[name] = identify
        return identify

    return decorate


def language_identifier(name: str) -> LanguageIdentifier:
    """The identifier registered as ``name`` (import the plugins that register one first)."""
    try:
        return _IDENTIFIERS[name]
    except KeyError:
        raise ConfigError(f"clean.language_id.identifier: unknown identifier {name!r}; "
                          f"known: {', '.join(sorted(_IDENTIFIERS))}") from None


@register_language_identifier("cld2")
def identify_by_script_then_cld2(text: str, doc: Document) -> LanguageGuess:
    return identify_language(text)
