"""Folding look-alike letters of another script inside a word written in one script."""
from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from datacleaning.rules.base import Normalizer
from datacleaning.rules.registry import register

# Letters that look the same as a Latin letter in common fonts. Only close look-alikes: Greek ν
# (a v to the eye) is left out because physics writes "νe"; μ, α, Ω are real symbols in "μm",
# "α-helix", "kΩ" and are not look-alikes of any Latin letter.
_CYRILLIC_TO_LATIN = dict(zip("аеорсухѕіјԁԛԝһӏүАВЕКМНОРСТХУЅІЈԚԜҮӀ", "aeopcyxsijdqwhlyABEKMHOPCTXYSIJQWYI"))
_GREEK_TO_LATIN = dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοϲϹϳ", "ABEZHIKMNOPTYXocCj"))
# The other way round, for a Cyrillic or Greek word with a Latin letter typed into it ("Mосква").
_LATIN_TO_CYRILLIC = dict(zip("aeopcyxABEKMHOPCTX", "аеорсухАВЕКМНОРСТХ"))
_LATIN_TO_GREEK = dict(zip("ABEZHIKMNOPTYXo", "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧο"))

_FOLD_INTO = {
    "latin": {**_CYRILLIC_TO_LATIN, **_GREEK_TO_LATIN},
    "cyrillic": _LATIN_TO_CYRILLIC,
    "greek": _LATIN_TO_GREEK,
}
_TRANSLATE_INTO = {script: str.maketrans(table) for script, table in _FOLD_INTO.items()}

_GREEK_OR_CYRILLIC_CHARS = "\u0370-\u03ff\u0400-\u052f\u1f00-\u1fff"
_GREEK_OR_CYRILLIC = re.compile(f"[{_GREEK_OR_CYRILLIC_CHARS}]")
# A word of Latin, Greek and Cyrillic letters (with combining marks) that mixes Latin with one of
# the others. The lookbehind starts matching only at a word's first letter and each lookahead
# stops at the word's end, so the scan stays linear however long the words are.
_LETTERS = r"\p{Latin}\p{Cyrillic}\p{Greek}\p{M}"
_MIXED_WORD = regex.compile(
    rf"(?<![{_LETTERS}])"
    rf"(?=\p{{Latin}}[\p{{Latin}}\p{{M}}]*[\p{{Cyrillic}}\p{{Greek}}]"
    rf"|[\p{{Cyrillic}}\p{{Greek}}][\p{{Cyrillic}}\p{{Greek}}\p{{M}}]*\p{{Latin}})"
    rf"[{_LETTERS}]+"
)


def _script(char: str) -> str | None:
    cp = ord(char)
    if 0x0370 <= cp <= 0x03FF or 0x1F00 <= cp <= 0x1FFF:
        return "greek"
    if 0x0400 <= cp <= 0x052F:
        return "cyrillic"
    if char.isalpha():
        return "latin"
    return None  # a combining mark


def _fold_word(m: regex.Match) -> str:
    """The word in one script, if every letter from the other scripts has a look-alike there:
    the script with most letters is tried first (Latin first on a tie), then the others, but a
    word is folded out of Latin only into a script with more letters than Latin ("10MΩ" is a
    unit, not a spoofed Greek word)."""
    word = m.group()
    scripts = [_script(c) for c in word]
    latin = scripts.count("latin")
    for target in sorted(("latin", "cyrillic", "greek"), key=scripts.count, reverse=True):
        if target != "latin" and scripts.count(target) <= latin:
            continue
        fold = _FOLD_INTO[target]
        if all(c in fold for c, s in zip(word, scripts) if s is not None and s != target):
            return word.translate(_TRANSLATE_INTO[target])
    return word


@register("fold_homoglyphs")
@dataclass
class FoldHomoglyphs(Normalizer):
    """Look-alike letters of another script inside one word, the spammer's way of dodging word
    filters: Cyrillic а е о р с х and Greek Ο Ρ in a Latin word ("Pаypаl", "vіаgrа" → "Paypal",
    "viagra"), and a Latin letter in a Cyrillic or Greek word ("Mосква" → "Москва"). A word is
    folded into the script with most letters (Latin on a tie) if every other letter has a
    look-alike there, else into the next script where that holds ("Ϲіаlіs" → "Cialis"), but out
    of Latin only into a script with more letters than Latin.

    Leaves alone every word written in one script: Greek (Ελληνικά), Cyrillic (Россия), accented
    Latin (café, naïve, Ångström), and whole-Cyrillic words even when they spell a Latin look-alike
    ("рау"). Leaves alone mixed words whose foreign letters are not look-alikes: "μm", "kΩ", "Δx",
    "10MΩ", "10μA", "ΔT", the emoticon "OωO".
    """

    def trigger_chars(self) -> str:
        return _GREEK_OR_CYRILLIC_CHARS

    def apply(self, text: str) -> str:
        if text.isascii() or _GREEK_OR_CYRILLIC.search(text) is None:
            return text
        return _MIXED_WORD.sub(_fold_word, text)
