"""Two n-gram models over the same SentencePiece pieces, one of text to keep and one of junk, and a
text's log-likelihood ratio between them: Moore and Lewis's cross-entropy difference ("Intelligent
Selection of Language Model Training Data", 2010), per character:

    junk_log_ratio(x) = (NLL_good(x) − NLL_junk(x)) / characters of x

Above 0 the text is likelier under the junk model. Unlike one reference model's perplexity, which
measures how far a text is from the register it learned (good Chinese web pages are as far from
Wikipedia and statutes as spam is), the ratio asks which of two kinds of web text a page is closer
to. The file is one .npz holding both models' tables, the SentencePiece model once, and a JSON
record of the training.

The models are of order 2: on the labelled Chinese sets an order-3 pair ranks no better (ROC AUC
0.841 against 0.842), and at order 2 both models' probabilities of a piece come from one binary
search in the union of their bigrams and lookups by piece id, so a document costs about what one
model's perplexity costs (:class:`BigramPair`).
"""
from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path

import numpy as np

from datacleaning.model_files import read_npz
from datacleaning.quality.auc import roc_auc
from datacleaning.quality.train import read_texts, split_held_out
from datacleaning.reference_lm.model import (NgramTable, ReferenceLM, ngram_hashes, padded, reference_lm_of,
                                             where_found)
from datacleaning.reference_lm.train import LMSettings, train_reference_lm

SHIPPED_LM_RATIO = Path(__file__).resolve().parent / "lm_ratio.npz"
GOOD_PREFIX, JUNK_PREFIX = "good_", "junk_"
_NONE = np.zeros(0, dtype=np.uint32)


class LMRatioFileError(ValueError):
    """A file that is not a pair of models this version can read."""


class BigramPair:
    """Two order-2 models of the same pieces in one table: the union of their bigrams (sorted hashes)
    with each model's count, and for every piece id its unigram probability under each model and,
    as a context, its Witten-Bell weight and denominator (a context never seen weighs 1 over 1,
    so that the unigram stands alone, as the interpolation has it)."""

    def __init__(self, good: ReferenceLM, junk: ReferenceLM):
        tables = (good.tables[1], junk.tables[1])
        # Both tables are sorted: the junk model's new keys merged into the good one's, in one
        # pass of a stable sort over two sorted runs (np.union1d hashes and sorts all: 0.9 s of
        # every worker's start).
        _, in_good = tables[0].find(tables[1].keys)
        self.keys = np.sort(np.concatenate([tables[0].keys, tables[1].keys[~in_good]]), kind="stable")
        self.counts = []
        for table in tables:
            counts = np.zeros(self.keys.size, dtype=np.uint32)
            counts[np.searchsorted(self.keys, table.keys)] = table.counts
            self.counts.append(counts)
        self.unigram, self.weight, self.denominator = [], [], []
        for model in (good, junk):
            unigram = model.tables[0]
            seen = unigram.counts.sum(dtype=np.float64)
            self.unigram.append((unigram.counts + 1.0) / (seen + model.vocab_size))
            total, types = unigram.follow_total.astype(np.float64), unigram.follow_types.astype(np.float64)
            self.weight.append(np.where(total > 0, types, 1.0))
            self.denominator.append(np.where(total > 0, total + types, 1.0))
        self.bos = good.bos_id
        self._table = self.bigrams(0)

    def bigrams(self, side: int) -> NgramTable:
        """The bigram table of one model (0: good, 1: junk) over the pair's keys, as its model reads
        it: a row that model never counted counts 0, as a bigram not found."""
        return NgramTable(self.keys, self.counts[side], _NONE, _NONE)

    def log_ratio_sum(self, ids: np.ndarray) -> float:
        """The summed −log P_good + log P_junk of the pieces ``ids`` (one document, after one BOS)."""
        padded_ids, _ = padded([ids], 2, self.bos)
        context = padded_ids[:-1]
        index, hit = self._table.find(ngram_hashes(padded_ids, 2)[1][1:])
        p_good, p_junk = (
            (where_found(counts, index, hit) + weight[context] * unigram[ids]) / denominator[context]
            for counts, unigram, weight, denominator in zip(self.counts, self.unigram, self.weight, self.denominator))
        return float(np.log(p_junk / p_good).sum())


@dataclass
class LMRatio:
    """The model of text to keep (``good``) and the model of junk (``junk``), both of order 2,
    counted over the same pieces and reading the same first ``max_chars`` characters; ``record``
    says how they were trained."""

    good: ReferenceLM
    junk: ReferenceLM
    record: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.good.tokenizer != self.junk.tokenizer or self.good.max_chars != self.junk.max_chars:
            raise ValueError("the good and the junk model must read the same pieces of the same characters")
        if self.good.order != 2 or self.junk.order != 2:
            raise ValueError(f"the good and the junk model must be of order 2, not {self.good.order} and "
                             f"{self.junk.order}")
        self._pair = BigramPair(self.good, self.junk)
        # Both models read their bigrams from the pair's table: one table in memory, not three.
        self.good, self.junk = (replace(model, tables=[model.tables[0], self._pair.bigrams(side)])
                                for side, model in enumerate((self.good, self.junk)))

    def junk_log_ratios(self, texts: Sequence[str]) -> np.ndarray:
        """Each text's NLL per character under the good model minus that under the junk model
        (nats); NaN for a text with nothing to read."""
        return np.array([self.junk_log_ratio(text) for text in texts], dtype=np.float64)

    def junk_log_ratio(self, text: str) -> float:
        """The ratio of one text (one encoding, both models); NaN for a text with nothing to read
        (nothing left after folding, or no piece: a zero-width space alone)."""
        folded = self.good.fold(text)
        ids = self.good.encode(folded) if folded else None
        if ids is None or not ids.size:
            return math.nan
        return self._pair.log_ratio_sum(ids) / len(folded)

    def save(self, path: str | os.PathLike) -> None:
        with open(path, "wb") as f:
            np.savez_compressed(f, tokenizer=np.frombuffer(self.good.tokenizer, dtype=np.uint8),
                                record=np.array(json.dumps(self.record)),
                                **self.good.arrays(GOOD_PREFIX), **self.junk.arrays(JUNK_PREFIX))


def read_lm_ratio(path: str | os.PathLike) -> LMRatio:
    return read_npz(path, lambda data: LMRatio(reference_lm_of(data, GOOD_PREFIX), reference_lm_of(data, JUNK_PREFIX),
                                               json.loads(str(data["record"]))),
                    LMRatioFileError, "pair of good and junk language models")


@cache
def load_lm_ratio(path: str | os.PathLike = SHIPPED_LM_RATIO) -> LMRatio:
    """The pair in ``path`` (default: the one shipped in the package), read once per process."""
    return read_lm_ratio(Path(path).resolve())


def train_lm_ratio(good: Sequence[str], bad: Sequence[str], tokenizer: str | Path,
                   settings: LMSettings = LMSettings(), log: Callable[[str], None] | None = None) -> LMRatio:
    """Count a model of ``good`` and one of ``bad`` over the pieces of the SentencePiece model
    ``tokenizer``, each side's ``settings.hold_out`` share held out (spread evenly) to measure the
    ratio's ROC AUC, junk above good."""
    log = log or (lambda _: None)
    started = time.time()
    good_counted, good_held = split_held_out(good, settings.hold_out)
    bad_counted, bad_held = split_held_out(bad, settings.hold_out)
    if not good_counted or not bad_counted:
        raise ValueError(f"no text to count on the {'good' if not good_counted else 'bad'} side")
    counting = replace(settings, hold_out=0)
    ratio = LMRatio(train_reference_lm(good_counted, tokenizer, counting, log),
                    train_reference_lm(bad_counted, tokenizer, counting, log))
    auc = None
    if good_held and bad_held:
        good_scores, bad_scores = ratio.junk_log_ratios(good_held), ratio.junk_log_ratios(bad_held)
        auc = round(roc_auc(good_scores[~np.isnan(good_scores)], bad_scores[~np.isnan(bad_scores)]), 4)
    ratio.record = {"settings": asdict(settings), "good_documents": len(good_counted),
                    "bad_documents": len(bad_counted), "held_out_good": len(good_held), "held_out_bad": len(bad_held),
                    "held_out_auc": auc, "seconds": round(time.time() - started, 1)}
    log(f"lm ratio: held-out ROC AUC {auc}")
    return ratio


def train_from_paths(good: Sequence[str | os.PathLike], bad: Sequence[str | os.PathLike], tokenizer: str | os.PathLike,
                     output: str | os.PathLike, settings: LMSettings = LMSettings(),
                     log: Callable[[str], None] | None = None) -> dict:
    """Count the pair from the records of ``good`` and ``bad`` (files or folders in any format
    ``clean`` reads, or a stage's Arrow shards) and write it to ``output``; returns its record."""
    good_texts, good_unreadable = read_texts(good)
    bad_texts, bad_unreadable = read_texts(bad)
    ratio = train_lm_ratio(good_texts, bad_texts, tokenizer, settings, log)
    ratio.record.update({"good": [str(p) for p in good], "bad": [str(p) for p in bad], "tokenizer": str(tokenizer),
                         "unreadable_records": good_unreadable + bad_unreadable})
    ratio.save(output)
    return ratio.record
