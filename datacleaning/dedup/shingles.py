"""Shingles: hashed n-grams of tokens, computed for a whole batch of documents at once.

A document's tokens are its normalized characters when its language shingles by characters
(Chinese by default: no spaces to split words on), else its words (runs between spaces after
normalization). Shingles are the hashed n-grams of consecutive tokens.

Short documents are handled on purpose rather than dropped: a document with fewer tokens than n
(a 3-character Chinese review, a 2-word English line) gets exactly one shingle, the hash of all its
tokens, so it is a near duplicate only of a document with the same tokens, which is what its
Jaccard similarity says. A document with no content after normalization gets no shingle and no
signature; only exact dedup sees it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from datacleaning.dedup.hashing import LENGTH_KEY, fmix64, segment_hashes
from datacleaning.dedup.normalize import NormalizedBatch

# Odd multiplier of the polynomial that combines n token hashes into one n-gram hash.
_NGRAM_BASE = np.uint64(0xD6E8FEB86659FD93)


@dataclass
class Shingles:
    """``hashes[offsets[i]:offsets[i + 1]]`` are document i's shingle hashes (with repeats, in
    text order); ``short[i]`` says the document had fewer tokens than n."""

    hashes: np.ndarray
    offsets: np.ndarray
    short: np.ndarray

    @property
    def counts(self) -> np.ndarray:
        return np.diff(self.offsets)


def shingle_batch(normalized: NormalizedBatch, by_char: np.ndarray, char_n: int, word_n: int) -> Shingles:
    """Shingles of every document; ``by_char[i]`` says document i is shingled by characters."""
    n_docs = len(normalized)
    content_doc = np.repeat(np.arange(n_docs), normalized.lengths)
    token_start = normalized.word_start | by_char[content_doc]
    token_starts = np.flatnonzero(token_start)
    tokens = segment_hashes(normalized.content, token_starts)
    token_doc = content_doc[token_starts]
    token_counts = np.bincount(token_doc, minlength=n_docs)
    doc_token_end = np.cumsum(token_counts)

    n_wanted = np.where(by_char, char_n, word_n)
    n_doc = np.minimum(n_wanted, token_counts)
    n_tok = n_doc[token_doc]
    positions = np.arange(len(tokens))
    valid = positions + n_tok <= doc_token_end[token_doc]

    # Polynomial over the next n tokens of every position; positions whose n-gram is shorter
    # (short documents) stop adding terms once their n is reached.
    longest = int(n_doc.max(initial=0))
    padded = np.concatenate([tokens, np.zeros(max(longest - 1, 0), np.uint64)])
    grams = tokens.copy()
    for k in range(1, longest):
        step = grams * _NGRAM_BASE + padded[k:k + len(tokens)]
        np.copyto(grams, step, where=n_tok > k)
    hashes = fmix64(grams[valid] + n_tok[valid].astype(np.uint64) * LENGTH_KEY)
    counts = np.bincount(token_doc[valid], minlength=n_docs)
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    short = (token_counts > 0) & (token_counts < n_wanted)
    return Shingles(hashes, offsets, short)
