"""What every dedup step computes from documents' text, in one place so that each step sees the
same normalization, the same boilerplate removal and the same shingles."""
from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from datacleaning.charclasses import HAN, HANGUL_SYLLABLES, KANA, class_ranges
from datacleaning.config import DedupConfig
from datacleaning.dedup.hashing import exact_hashes
from datacleaning.dedup.lines import Segments, distinct_per_document, find_segments, is_boilerplate, removed_spans, \
    without_spans
from datacleaning.dedup.normalize import NormalizedBatch, TextBatch, exact_key_bounds, fold_table
from datacleaning.dedup.shingles import Shingles, shingle_batch

# Texts are processed in chunks of at most this many code points (one longer text is a chunk of
# its own), which bounds the arrays a chunk needs at about 40 bytes per code point.
CHUNK_CODE_POINTS = 1 << 19


@functools.cache
def _spaceless_table() -> np.ndarray:
    """Per code point: whether it is Han, kana or Hangul (charclasses), written without spaces
    between words."""
    table = np.zeros(sys.maxunicode + 1, dtype=bool)
    for lo, hi in class_ranges(HAN + KANA + HANGUL_SYLLABLES):
        table[lo:hi + 1] = True
    return table


# A text this share Han, kana or Hangul or more is shingled by characters whatever its label: two
# copies of one page must be shingled alike however the language guess labels them, and it labels
# a page Chinese from about this share of Han among its letters (a quarter as many Han characters
# as Latin letters), so a bilingual page's label flips on small edits around it.
CHARACTER_SHINGLE_SHARE = Fraction(1, 5)  # exact: a share on the line is in


def written_in_cjk(normalized: NormalizedBatch) -> np.ndarray:
    """Per document: whether ``CHARACTER_SHINGLE_SHARE`` of its content or more is Han, kana or
    Hangul."""
    cjk = _spaceless_table()[normalized.content]
    before = np.concatenate([[0], np.cumsum(cjk, dtype=np.int64)])
    counts = before[normalized.ends] - before[normalized.starts]
    share = CHARACTER_SHINGLE_SHARE
    return (counts > 0) & (counts * share.denominator >= share.numerator * normalized.lengths)


@dataclass
class DedupText:
    config: DedupConfig
    boilerplate: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))

    def __post_init__(self):
        self.table = fold_table(self.config.normalize)
        self.char_languages = set(self.config.minhash.char_languages)

    @staticmethod
    def chunks(texts: list[str]) -> Iterator[tuple[int, TextBatch]]:
        """(index of the first text, batch) for consecutive slices of ``texts``."""
        start, size = 0, 0
        for i, text in enumerate(texts):
            if size and size + len(text) > CHUNK_CODE_POINTS:
                yield start, TextBatch.from_texts(texts[start:i])
                start, size = i, 0
            size += len(text)
        if start < len(texts):
            yield start, TextBatch.from_texts(texts[start:])

    def exact(self, batch: TextBatch) -> tuple[np.ndarray, np.ndarray]:
        """(hashes of the documents with content, (n, 2) uint64; which documents have content).
        A document with nothing left after normalization has no exact key."""
        normalized = NormalizedBatch.from_batch(batch, self.table)
        has_content = normalized.lengths > 0
        values, starts, ends = exact_key_bounds(batch, normalized, self.table, self.config.normalize.ignore_whitespace)
        return exact_hashes(values, starts[has_content], ends[has_content]), has_content

    def segments(self, batch: TextBatch) -> Segments:
        lines = self.config.lines
        return find_segments(batch, self.table, lines.unit, lines.min_chars)

    def line_records(self, batch: TextBatch) -> tuple[np.ndarray, np.ndarray]:
        """(line hash, document index) with each line once per document."""
        return distinct_per_document(self.segments(batch))

    def boilerplate_spans(self, batch: TextBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Code point spans (start, end, document) of the batch's boilerplate lines."""
        segments = self.segments(batch)
        return removed_spans(batch, segments, is_boilerplate(segments, self.boilerplate))

    def shingles(self, batch: TextBatch, langs: list[str]) -> Shingles:
        """Shingles of each document, boilerplate lines left out."""
        if len(self.boilerplate):
            starts, ends, _ = self.boilerplate_spans(batch)
            batch = without_spans(batch, starts, ends)
        minhash = self.config.minhash
        normalized = NormalizedBatch.from_batch(batch, self.table)
        by_char = written_in_cjk(normalized)
        if self.char_languages:
            by_char |= np.fromiter((lang in self.char_languages for lang in langs), dtype=bool, count=len(langs))
        return shingle_batch(normalized, by_char, minhash.char_ngram, minhash.word_ngram)
