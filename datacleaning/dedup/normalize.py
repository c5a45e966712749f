"""Documents as arrays of code points, and the normalization every dedup comparison uses.

A batch of texts becomes one uint32 array of Unicode code points (one ``encode`` call, no
per-character Python), and normalization is one table lookup per code point: each character maps
to its normalized form or to a space. What maps where is decided once per configuration:

- always: the one-character NFKC form (fullwidth ``Ａ１！`` → ``A1!``, ideographic space → space),
  and whitespace, control and format characters and variation selectors → space;
- ``ignore_case``: lower case; ``ignore_punctuation``: punctuation and symbols (Unicode
  categories P* and S*) → space; ``ignore_digits``: every decimal digit → ``0``;
  ``ignore_script``: a Traditional Chinese character → its Simplified one (OpenCC's t2s, one
  character for one), then the characters OpenCC's conversions write for one another that t2s
  keeps apart → one of their class (著 瞭 衞 覆 → 着 了 卫 复: ``datacleaning.script_chars``), so
  a page and its conversion are one text.

Characters outside planes 0–3 and 14 (unassigned or private use) map to themselves.
"""
from __future__ import annotations

import functools
import sys
import unicodedata
from dataclasses import dataclass

import numpy as np

from datacleaning.config import DedupNormalizeConfig
from datacleaning.script_chars import regional_variants, traditional_to_simplified

SPACE = 0x20
NEWLINE = 0x0A
_FOLDED_RANGES = (range(0, 0x40000), range(0xE0000, 0xE1000))
_TO_SPACE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf"}
# They pick how the character before them is drawn (❤ as ❤️), never what it says.
_VARIATION_SELECTORS = frozenset({*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)})


@functools.cache
def _fold_table(ignore_case: bool, ignore_punctuation: bool, ignore_digits: bool, ignore_script: bool) -> np.ndarray:
    table = np.arange(sys.maxunicode + 1, dtype=np.uint32)
    simplified = traditional_to_simplified() if ignore_script else {}
    variants = regional_variants() if ignore_script else {}
    for block in _FOLDED_RANGES:
        for code in block:
            char = chr(code)
            folded = unicodedata.normalize("NFKC", char)
            if len(folded) == 1:
                char = folded
            char = simplified.get(char, char)
            char = variants.get(char, char)
            category = unicodedata.category(char)
            if (char.isspace() or category in _TO_SPACE_CATEGORIES or code in _VARIATION_SELECTORS
                    or (ignore_punctuation and category[0] in "PS")):
                table[code] = SPACE
                continue
            if ignore_digits and category == "Nd":
                char = "0"
            elif ignore_case:
                lower = char.lower()
                if len(lower) == 1:
                    char = lower
            table[code] = ord(char)
    table.flags.writeable = False
    return table


def fold_table(options: DedupNormalizeConfig) -> np.ndarray:
    """The code point → normalized code point table for these options (built once per process)."""
    return _fold_table(options.ignore_case, options.ignore_punctuation, options.ignore_digits, options.ignore_script)


@dataclass
class TextBatch:
    """Documents as one array of code points; document i is ``code_points[starts[i]:ends[i]]``."""

    code_points: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    @classmethod
    def from_texts(cls, texts: list[str]) -> TextBatch:
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        ends = np.cumsum(lengths)
        # surrogatepass: a lone surrogate is still one code point, so offsets stay aligned.
        code_points = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        return cls(code_points, ends - lengths, ends)

    def __len__(self) -> int:
        return len(self.starts)


@dataclass
class NormalizedBatch:
    """The normalized, space-free content of a batch: ``content`` holds every normalized code
    point that is not a space, in order; document i's content is ``content[starts[i]:ends[i]]``,
    and ``word_start`` marks the content positions that follow a space (or open a document), so
    runs between marks are the words."""

    content: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    word_start: np.ndarray

    @classmethod
    def from_batch(cls, batch: TextBatch, table: np.ndarray) -> NormalizedBatch:
        mapped = table[batch.code_points]
        kept = np.flatnonzero(mapped != SPACE)
        # Content positions before each raw offset: a document's content is a contiguous run.
        before = np.searchsorted(kept, batch.starts)
        ends = np.searchsorted(kept, batch.ends)
        word_start = np.ones(len(kept), dtype=bool)
        word_start[1:] = np.diff(kept) > 1
        word_start[before[before < len(kept)]] = True
        return cls(mapped[kept], before, ends, word_start)

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def lengths(self) -> np.ndarray:
        return self.ends - self.starts


def exact_key_bounds(batch: TextBatch, normalized: NormalizedBatch, table: np.ndarray,
                     ignore_whitespace: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The array and per-document bounds the exact hash covers: the space-free content when
    whitespace is ignored, else the normalized text with its spaces."""
    if ignore_whitespace:
        return normalized.content, normalized.starts, normalized.ends
    return table[batch.code_points], batch.starts, batch.ends
