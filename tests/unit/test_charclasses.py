"""class_without: a character class minus some characters, for the standard library's re. The
regex module's set subtraction is the oracle, over every code point of the classes."""
from __future__ import annotations

import re

import pytest
import regex

from datacleaning.charclasses import CJK_PUNCT, HAN, class_without
from datacleaning.rules.web_text import ZH
from datacleaning.rules.word_lists import function_words


@pytest.mark.parametrize("spec, removed", [
    (HAN, "".join(function_words(ZH))),              # what zh_spam's content runs use
    (HAN, "々一鿿"),                                  # a single character, a range's first and last
    (CJK_PUNCT, "。，（"),
    ("a-z", ""),
], ids=["han-function-words", "han-edges", "punct", "nothing-removed"])
def test_the_class_matches_what_set_subtraction_matches(spec, removed):
    ours = re.compile(f"[{class_without(spec, removed)}]")
    oracle = regex.compile(f"[[{spec}]--[{removed or 'A'}]]" if removed else f"[{spec}]", regex.V1)
    # Every code point of the spec's blocks and some around them, the supplementary planes sampled.
    codes = [c for c in range(0x20, 0x10000) if not 0xD800 <= c <= 0xDFFF] + list(range(0x20000, 0x40000, 97))
    mismatched = [hex(c) for c in codes if bool(ours.match(chr(c))) != bool(oracle.match(chr(c)))]
    assert not mismatched, mismatched[:10]
