"""An n-gram language model of reference text over SentencePiece pieces, the kind CCNet ranks
crawl text by (KenLM there), with Witten-Bell interpolation:

    P_1(w)   = (c(w) + 1) / (N + V)
    P_n(w|h) = (c(hw) + T(h) · P_{n-1}(w|h')) / (c(h) + T(h))

where c(h) counts the pieces that followed the context h in training, T(h) the distinct ones, and
h' is h without its first piece. Every n-gram is stored as a 64-bit polynomial hash of its pieces,
in one sorted table per order beside its count and its counts as a context (order 1: one row per
piece id), so scoring a text is one binary search per order above 1 and piece, in numpy. A
document starts after ``order - 1`` BOS pieces.

The file is one .npz (``allow_pickle`` off) that holds the tables, the SentencePiece model the
pieces come from, and a JSON record of the training.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import sentencepiece as spm

from datacleaning.model_files import read_npz
from datacleaning.quality.features import folded_text

SHIPPED_REFERENCE_LM = Path(__file__).resolve().parent / "default.npz"
# An odd multiplier spreads a piece over all 64 bits of the hash (Fibonacci hashing).
HASH_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


class ReferenceLMFileError(ValueError):
    """A file that is not a reference language model this version can read."""


def ngram_hashes(ids: np.ndarray, order: int) -> list[np.ndarray]:
    """``hashes[n - 1][i]``: the hash of the n-gram of ``ids`` that ends at position i (for i < n - 1
    a hash of fewer pieces, which is never looked up)."""
    first = ids.astype(np.uint64) + np.uint64(1)
    hashes = [first]
    with np.errstate(over="ignore"):
        for _ in range(1, order):
            longer = first.copy()
            longer[1:] += hashes[-1][:-1] * HASH_MULTIPLIER
            hashes.append(longer)
    return hashes


def padded(docs: list[np.ndarray], order: int, bos: int) -> tuple[np.ndarray, np.ndarray]:
    """The documents one after another, each after ``order - 1`` BOS pieces, and the positions of
    their own pieces (the ones predicted)."""
    if len(docs) == 1:  # the filter's case, one document a call: no bookkeeping
        return (np.concatenate([np.full(order - 1, bos, dtype=np.int64), docs[0]]),
                np.arange(order - 1, order - 1 + docs[0].size))
    lengths = np.fromiter((d.size for d in docs), dtype=np.int64, count=len(docs))
    starts = np.cumsum(lengths + order - 1) - lengths
    ids = np.full(int(lengths.sum()) + len(docs) * (order - 1), bos, dtype=np.int64)
    positions = (np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum())))
    if docs:
        ids[positions] = np.concatenate(docs)
    return ids, positions


@dataclass
class NgramTable:
    """The n-grams of one order: sorted hashes, how often each was seen, and as a context, how many
    pieces followed it (``follow_total``) and how many distinct ones (``follow_types``)."""

    keys: np.ndarray
    counts: np.ndarray
    follow_total: np.ndarray
    follow_types: np.ndarray

    def counted(self) -> NgramTable:
        """The table without rows that count nothing, as n-gram or as context: rows no lookup tells
        from a missing one."""
        keep = self.counts > 0
        if self.follow_total.size:
            keep |= self.follow_total > 0
        if keep.all():
            return self
        return NgramTable(self.keys[keep], self.counts[keep], *(a[keep] if a.size else a
                                                                  for a in (self.follow_total, self.follow_types)))

    def find(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index of each hash in the table and whether it is there."""
        if not self.keys.size:
            return np.zeros(hashes.shape, dtype=np.intp), np.zeros(hashes.shape, dtype=bool)
        # Searched in sorted order, consecutive searches walk the same path through the table: a
        # quarter faster than in text order, argsort included.
        order = np.argsort(hashes)
        index = np.empty(hashes.shape, dtype=np.intp)
        index[order] = np.searchsorted(self.keys, hashes[order])
        index[index == self.keys.size] = 0
        return index, self.keys[index] == hashes


def where_found(values: np.ndarray, index: np.ndarray, found: np.ndarray) -> np.ndarray:
    """``values[index]`` where ``found``, else 0; all 0 from a table that holds nothing (an order
    whose n-grams all fell under ``min_count``, as in a small training text)."""
    if not values.size:
        return np.zeros(index.shape, dtype=values.dtype)
    return np.where(found, values[index], 0)


@dataclass
class ReferenceLM:
    """``tables[n - 1]`` holds the n-grams of order n; ``tokenizer`` is the serialized
    SentencePiece model; a text is read up to ``max_chars`` characters and folded first (full-width
    forms ASCII, Traditional characters Simplified, white space runs one space:
    datacleaning.quality.features), so a Taiwanese page is not unlikely for its script. Case and
    digits stay: folding them costs English 0.04 ROC AUC on the HPLT labels (shouting and
    number-stuffed spam read as unlikely). ``record`` says how the model was trained."""

    tables: list[NgramTable]
    vocab_size: int
    bos_id: int
    tokenizer: bytes
    max_chars: int = 1000
    record: dict = field(default_factory=dict)

    def __post_init__(self):
        self._pieces = spm.SentencePieceProcessor(model_proto=self.tokenizer)
        self._seen = float(self.tables[0].counts.sum())

    @property
    def order(self) -> int:
        return len(self.tables)

    def fold(self, text: str) -> str:
        return folded_text(text, self.max_chars, case_and_digits=False)

    def encode(self, folded: str) -> np.ndarray:
        # One text a call: SentencePiece's batch call costs ~80 µs a call in thread set-up alone.
        return np.asarray(self._pieces.encode(folded), dtype=np.int64)

    def pieces(self) -> list[str]:
        """The text of every piece, by id."""
        return [self._pieces.id_to_piece(i) for i in range(self._pieces.get_piece_size())]

    def rarity(self, ids: np.ndarray) -> np.ndarray:
        """−log P_1 of each piece (nats): how rare it is in the reference text, with no context."""
        return -np.log((self.tables[0].counts[ids] + 1.0) / (self._seen + self.vocab_size))

    def piece_nll(self, docs: list[np.ndarray]) -> np.ndarray:
        """−log P of every piece of the documents of piece ids, one after another (nats)."""
        ids, positions = padded(docs, self.order, self.bos_id)
        unigram = self.tables[0]
        if self.order == 1:
            return self.rarity(ids[positions])
        hashes = ngram_hashes(ids, self.order)
        # Every padded position is looked up once per order: as the n-gram that ends there and, one
        # position on, as the context of order n + 1. Order 1 is a dense table indexed by piece id.
        # Probabilities are worked out at every position after the first (``[1:]``, its context
        # ``[:-1]``) and the documents' own pieces taken at the end.
        found = [(ids, np.ones(ids.shape, dtype=bool))]
        found += [self.tables[n - 1].find(hashes[n - 1]) for n in range(2, self.order + 1)]
        p = (unigram.counts[ids[1:]] + 1.0) / (self._seen + self.vocab_size)
        for n in range(2, self.order + 1):
            context, table = self.tables[n - 2], self.tables[n - 1]
            context_index, context_found = (a[:-1] for a in found[n - 2])
            total = where_found(context.follow_total, context_index, context_found).astype(np.float64)
            types = where_found(context.follow_types, context_index, context_found).astype(np.float64)
            index, hit = (a[1:] for a in found[n - 1])
            counts = where_found(table.counts, index, hit)
            p = np.where(total > 0, (counts + types * p) / np.maximum(total + types, 1.0), p)
        return -np.log(p[positions - 1])

    def nll(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Each text's summed NLL (nats) and the number of characters it was measured on (of the
        first ``max_chars``, folded)."""
        folded = [self.fold(text) for text in texts]
        docs = [self.encode(text) for text in folded]
        lengths = np.fromiter((d.size for d in docs), dtype=np.int64, count=len(docs))
        sums = np.zeros(len(docs))
        np.add.at(sums, np.repeat(np.arange(len(docs)), lengths), self.piece_nll(docs))
        return sums, np.fromiter((len(f) for f in folded), dtype=np.int64, count=len(folded))

    def nll_per_char(self, text: str) -> float:
        """NLL per character (nats) of ``text``'s first ``max_chars`` characters, folded; NaN when
        nothing is left of it."""
        folded = self.fold(text)
        if not folded:
            return float("nan")
        return float(self.piece_nll([self.encode(folded)]).sum() / len(folded))

    def arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        """The model as named arrays, the tokenizer aside: its header and its tables, each name
        after ``prefix`` (a file holding two models tells them apart by it)."""
        header = {"order": self.order, "vocab_size": self.vocab_size, "bos_id": self.bos_id,
                  "max_chars": self.max_chars, "record": self.record}
        arrays = {f"{prefix}header": np.array(json.dumps(header))}
        for n, table in enumerate(self.tables, start=1):
            if n > 1:  # rows that count nothing, as n-gram or as context (a table shared with another model's)
                table = table.counted()
            arrays.update({f"{prefix}keys{n}": table.keys, f"{prefix}counts{n}": table.counts,
                           f"{prefix}follow_total{n}": table.follow_total,
                           f"{prefix}follow_types{n}": table.follow_types})
        return arrays

    def save(self, path: str | os.PathLike) -> None:
        with open(path, "wb") as f:
            np.savez_compressed(f, tokenizer=np.frombuffer(self.tokenizer, dtype=np.uint8), **self.arrays())


def reference_lm_of(data, prefix: str = "") -> ReferenceLM:
    """The model whose arrays (:meth:`ReferenceLM.arrays`) stand under ``prefix`` in ``data``."""
    header = json.loads(str(data[f"{prefix}header"]))
    tables = [NgramTable(data[f"{prefix}keys{n}"], data[f"{prefix}counts{n}"], data[f"{prefix}follow_total{n}"],
                         data[f"{prefix}follow_types{n}"])
              for n in range(1, header["order"] + 1)]
    return ReferenceLM(tables, header["vocab_size"], header["bos_id"], data["tokenizer"].tobytes(),
                       header["max_chars"], header["record"])


def read_reference_lm(path: str | os.PathLike) -> ReferenceLM:
    return read_npz(path, reference_lm_of, ReferenceLMFileError, "reference language model")


@cache
def load_reference_lm(path: str | os.PathLike = SHIPPED_REFERENCE_LM) -> ReferenceLM:
    """The model in ``path`` (default: the one shipped in the package), read once per process."""
    return read_reference_lm(Path(path).resolve())
