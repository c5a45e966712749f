"""A text as the hashed character n-grams a linear quality model weighs.

Character n-grams need no word segmenter, so Chinese is read as it is written: a Han bigram or
trigram is a word or most of one, and the same n-grams of English text hold its short words, the
stems of longer ones and the spaces and punctuation between them. Before hashing, text is folded
to what quality does not depend on: full-width forms to ASCII, Traditional to Simplified
characters (a Taiwanese page and a mainland one are judged alike), lower case, every digit 0 and
runs of white space one space. Hashing is a polynomial over the code points in numpy, the same on
every machine and in every process (Python's own string hash is salted per process), and all of
it is array arithmetic: no per-n-gram Python, no sort.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from datacleaning.script_chars import traditional_to_simplified

_MIX = np.uint64(1000003)
_POSITION = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1, 0xD3A2646C], dtype=np.uint64)
# Fibonacci hashing: the top bits of h * 2**64/phi are a bucket, well spread.
_SPREAD = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class FeatureSettings:
    """``bits``: the model has 2**bits weights; ``max_n``: n-grams of 1 to max_n characters;
    ``max_chars``: only a text's first max_chars characters are read (a page's kind shows early)."""

    bits: int = 20
    max_n: int = 4
    max_chars: int = 3000

    def __post_init__(self):
        if not 10 <= self.bits <= 26:
            raise ValueError(f"bits must be 10 to 26, not {self.bits}")
        if not 1 <= self.max_n <= len(_POSITION):
            raise ValueError(f"max_n must be 1 to {len(_POSITION)}, not {self.max_n}")
        if self.max_chars < 1:
            raise ValueError(f"max_chars must be at least 1, not {self.max_chars}")


@cache
def _folding_table(digits: bool) -> np.ndarray:
    """Code point to folded code point, over the Basic Multilingual Plane: full-width forms to
    ASCII (what NFKC does to the text of Chinese pages, at a fraction of its cost), each
    Traditional character to its Simplified one (OpenCC's character table, by way of
    datacleaning.script_chars) and, with ``digits``, each digit to 0."""
    table = np.arange(0x10000, dtype=np.uint32)
    table[0xFF01:0xFF5F] -= 0xFEE0
    for char, simplified in traditional_to_simplified().items():
        if len(simplified) == 1:
            table[ord(char)] = ord(simplified)
    table[table == 0x3000] = 0x20
    if digits:
        table[(table >= 0x30) & (table <= 0x39)] = 0x30
    return table


def folded_codes(text: str, max_chars: int, *, case_and_digits: bool = True) -> np.ndarray:
    """The code points (uint64) of a text's first ``max_chars`` characters, folded: every run of
    white space one space and none at either end, full-width forms ASCII, Traditional characters
    Simplified and, with ``case_and_digits``, lower case and every digit 0."""
    text = " ".join((text[:max_chars].lower() if case_and_digits else text[:max_chars]).split())
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    table = _folding_table(case_and_digits)
    if codes.size and codes.max() >= table.size:  # characters beyond the BMP (emoji) stay themselves
        return np.where(codes < table.size, table[np.minimum(codes, table.size - 1)], codes).astype(np.uint64)
    return table.take(codes).astype(np.uint64)


def folded_text(text: str, max_chars: int, *, case_and_digits: bool = True) -> str:
    """A text's first ``max_chars`` characters folded as :func:`folded_codes` folds them."""
    return folded_codes(text, max_chars, case_and_digits=case_and_digits).astype(np.uint32).tobytes().decode("utf-32-le")


def hashed_ngrams(text: str, settings: FeatureSettings = FeatureSettings()) -> np.ndarray:
    """The bucket (below 2**bits) of every n-gram of a folded text, n = 1 to max_n, in no
    particular order, repeats included: the model weighs a page's mix of n-grams, their mean.
    Empty for a text with no character left after folding."""
    codes = folded_codes(text, settings.max_chars)
    if not codes.size:
        return np.zeros(0, np.uint64)
    grams = [codes * _POSITION[0]]
    # Each order extends the last one's hashes by one character: n multiplications, not n*(n+1)/2.
    for n in range(2, min(settings.max_n, codes.size) + 1):
        grams.append(grams[-1][:-1] * _MIX ^ codes[n - 1:] * _POSITION[n - 1])
    return (np.concatenate(grams) * _SPREAD) >> np.uint64(64 - settings.bits)
