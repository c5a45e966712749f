"""Chinese words by jieba's dictionary, at a twentieth of jieba's memory.

``cut(text)`` gives the words ``jieba.cut(text, HMM=False)`` gives: each run of Han characters and
ASCII word characters is cut along the most probable path through the words of jieba's dictionary
(a word's probability its count over the dictionary's total), runs of single ASCII letters and
digits joined; everything else one character at a time, white space as it is. jieba holds its
dictionary as a Python dict of every word and every prefix of one, about 65 MB in each worker
process; here the words are a MARISA trie and their counts an array, read from a bundled file of
2 MB (rules/data/zh_words.npz) that ``python -m datacleaning.zh_segmenter`` writes from the
installed jieba's dictionary (MIT licence). Building the trie in the worker instead would leave
about 20 MB of freed build memory that the process never gives back.

    from datacleaning.zh_segmenter import load_segmenter
    list(load_segmenter().cut("他来到了网易杭研大厦"))     # ['他', '来到', '了', '网易', '杭', '研', '大厦']
"""
from __future__ import annotations

import math
import re
import sys
from array import array
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import marisa_trie
import numpy as np

WORDS = Path(__file__).resolve().parent / "rules" / "data" / "zh_words.npz"
# jieba's own block and ASCII patterns, so the cuts fall where jieba's do.
_BLOCK = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)")
_SPACE = re.compile("(\r\n|\\s)")
_ASCII_WORD_CHAR = re.compile("[a-zA-Z0-9]")


class ChineseSegmenter:
    """``words``: the dictionary's words with a count above 0; ``counts[words[w]]``: the count of
    word ``w``; ``total``: the sum of every count of the dictionary; ``longest``: the length of
    its longest word."""

    def __init__(self, words: marisa_trie.Trie, counts: np.ndarray, total: int, longest: int):
        self._words = words
        self._counts = counts
        self._longest = longest
        log_total = math.log(total)
        # math.log, as jieba computes it: numpy's log may differ in the last bit and flip a tie.
        self._log_p = array("d", (math.log(int(c)) - log_total for c in counts))
        self._log_p_unknown = -log_total

    def words(self) -> list[str]:
        """Every word of the dictionary."""
        return self._words.keys()

    def frequency(self, word: str) -> int:
        """The count of ``word`` in the dictionary (0: not a word of it)."""
        key = self._words.get(word)
        return int(self._counts[key]) if key is not None else 0

    def cut(self, text: str) -> Iterator[str]:
        """The words of ``text``, as ``jieba.cut(text, HMM=False)`` gives them."""
        for block in _BLOCK.split(text):
            if not block:
                continue
            if _BLOCK.match(block):
                yield from self._cut_block(block)
            else:
                for piece in _SPACE.split(block):
                    if _SPACE.match(piece):
                        yield piece
                    else:
                        yield from piece

    def _cut_block(self, block: str) -> Iterator[str]:
        n = len(block)
        words, log_p, longest = self._words, self._log_p, self._longest
        # route[i]: the best log-probability of block[i:] and where the first word of that path ends.
        route: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
        for start in range(n - 1, -1, -1):
            best = (self._log_p_unknown + route[start + 1][0], start)
            found = False
            for word in words.prefixes(block[start:start + longest]):
                end = start + len(word) - 1
                path = (log_p[words[word]] + route[end + 1][0], end)
                if not found or path > best:
                    best, found = path, True
            route[start] = best
        start, letters = 0, ""
        while start < n:
            end = route[start][1] + 1
            word = block[start:end]
            if len(word) == 1 and _ASCII_WORD_CHAR.match(word):
                letters += word
            else:
                if letters:
                    yield letters
                    letters = ""
                yield word
            start = end
        if letters:
            yield letters


def read_segmenter(path: Path = WORDS) -> ChineseSegmenter:
    with np.load(path, allow_pickle=False) as data:
        words = marisa_trie.Trie().frombytes(data["trie"].tobytes())
        return ChineseSegmenter(words, data["counts"], int(data["total"]), int(data["longest"]))


@cache
def load_segmenter() -> ChineseSegmenter:
    """The segmenter of the bundled dictionary, read once per process."""
    return read_segmenter()


def jieba_dictionary() -> tuple[marisa_trie.Trie, np.ndarray, int, int]:
    """The words, counts, total and longest word's length of the installed jieba's dictionary,
    read as jieba reads it (a word listed twice keeps its last count; every count adds to the
    total)."""
    import jieba

    path = Path(jieba.__file__).resolve().parent / "dict.txt"
    counts: dict[str, int] = {}
    total = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            word, count = line.strip().split(" ")[:2]
            counts[word] = int(count)
            total += int(count)
    words = marisa_trie.Trie(w for w, c in counts.items() if c)
    table = np.zeros(len(words), dtype=np.uint32)
    for word, count in counts.items():
        if count:
            table[words[word]] = count
    return words, table, total, max(len(w) for w, c in counts.items() if c)


def write_words(path: Path = WORDS) -> None:
    words, counts, total, longest = jieba_dictionary()
    with open(path, "wb") as f:
        np.savez_compressed(f, trie=np.frombuffer(words.tobytes(), dtype=np.uint8), counts=counts,
                            total=np.int64(total), longest=np.int64(longest))


if __name__ == "__main__":
    write_words()
    print(f"wrote {WORDS}", file=sys.stderr)
