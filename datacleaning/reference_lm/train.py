"""Counting a reference language model from text: n-gram counts by ``np.unique`` over the hashes
of every piece, n-grams seen fewer than ``min_count`` times (as n-gram and as context) dropped
from the orders above 1, as KenLM prunes, and a ``hold_out`` share of the texts held out to report
the model's NLL per character on text it did not count."""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import sentencepiece as spm

from datacleaning.quality.features import folded_text
from datacleaning.quality.train import read_texts, split_held_out
from datacleaning.reference_lm.model import NgramTable, ReferenceLM, ngram_hashes, padded
from datacleaning.tokenize.tokenizer import SPM_FILE


@dataclass(frozen=True)
class LMSettings:
    order: int = 2
    min_count: int = 2
    max_chars: int = 1000
    hold_out: float = 0.05

    def __post_init__(self):
        if not 1 <= self.order <= 8:
            raise ValueError(f"order must be 1 to 8, not {self.order}")
        if self.max_chars < 1:
            raise ValueError(f"max_chars must be at least 1, not {self.max_chars}")
        if self.min_count < 1:
            raise ValueError(f"min_count must be at least 1, not {self.min_count}")
        if not 0 <= self.hold_out < 1:
            raise ValueError(f"hold_out must be 0 or more and below 1, not {self.hold_out}")


def count_table(hashes: list[np.ndarray], positions: np.ndarray, n: int, order: int, min_count: int,
                vocab_size: int) -> NgramTable:
    """The order-``n`` table: the n-grams ending at predicted positions, counted, and those ending
    just before them, as contexts of order n + 1. Order 1 has a row for every piece id."""
    grams = hashes[n - 1][positions]
    if n == 1:
        # A piece's hash is its id + 1, so the dense table's row of piece i is row i.
        keys = np.arange(1, vocab_size + 1, dtype=np.uint64)
        counts = np.bincount(grams.astype(np.int64) - 1, minlength=vocab_size)
        contexts = hashes[0][positions - 1]
        follow_total = np.bincount(contexts.astype(np.int64) - 1, minlength=vocab_size)
        _, first = np.unique(hashes[1][positions], return_index=True) if order > 1 else (None, [])
        follow_types = np.bincount(contexts[first].astype(np.int64) - 1, minlength=vocab_size)
    elif n == order:
        keys, counts = np.unique(grams, return_counts=True)
        follow_total = follow_types = np.zeros(0, dtype=np.uint32)
    else:
        contexts = hashes[n - 1][positions - 1]
        keys = np.unique(np.concatenate([grams, contexts]))
        counts = np.bincount(np.searchsorted(keys, grams), minlength=keys.size)
        follow_total = np.bincount(np.searchsorted(keys, contexts), minlength=keys.size)
        _, first = np.unique(hashes[n][positions], return_index=True)
        follow_types = np.bincount(np.searchsorted(keys, contexts[first]), minlength=keys.size)
    if n > 1 and min_count > 1:
        keep = (counts >= min_count) | (follow_total >= min_count) if follow_total.size else counts >= min_count
        keys, counts = keys[keep], counts[keep]
        if follow_total.size:
            follow_total, follow_types = follow_total[keep], follow_types[keep]
    return NgramTable(keys, counts.astype(np.uint32), follow_total.astype(np.uint32), follow_types.astype(np.uint32))


def count_lm(docs: list[np.ndarray], pieces: spm.SentencePieceProcessor, tokenizer: bytes,
             settings: LMSettings) -> ReferenceLM:
    """The model of documents of piece ids."""
    bos = pieces.bos_id() if pieces.bos_id() >= 0 else 0
    ids, positions = padded(docs, settings.order, bos)
    hashes = ngram_hashes(ids, settings.order)
    tables = [count_table(hashes, positions, n, settings.order, settings.min_count, pieces.vocab_size())
              for n in range(1, settings.order + 1)]
    return ReferenceLM(tables, pieces.vocab_size(), bos, tokenizer, settings.max_chars)


def train_reference_lm(texts: Sequence[str], tokenizer: str | Path, settings: LMSettings = LMSettings(),
                       log: Callable[[str], None] | None = None) -> ReferenceLM:
    """Count a model of ``texts`` over the pieces of the SentencePiece model ``tokenizer``; its
    record holds the settings, the counts and the held-out NLL per character."""
    log = log or (lambda _: None)
    started = time.time()
    tokenizer = Path(tokenizer)
    if tokenizer.is_dir():  # a tokenize output or a trained model's folder
        tokenizer = tokenizer / SPM_FILE
    if not tokenizer.is_file():
        raise ValueError(f"no SentencePiece model at {tokenizer}")
    tokenizer_bytes = tokenizer.read_bytes()
    try:
        pieces = spm.SentencePieceProcessor(model_proto=tokenizer_bytes)
    except RuntimeError as e:
        raise ValueError(f"{tokenizer} is not a SentencePiece model, which the reference LM counts the pieces of "
                         f"({e})") from None
    counted, held = split_held_out(texts, settings.hold_out)
    if not counted:
        raise ValueError("no text to count")
    # Whole texts are counted, folded as the model folds what it scores.
    folded = [folded_text(t, len(t), case_and_digits=False) for t in counted]
    docs = [np.asarray(ids, dtype=np.int64) for ids in pieces.encode(folded)]
    log(f"reference LM: {len(docs):,} texts, {sum(d.size for d in docs):,} pieces")
    model = count_lm(docs, pieces, tokenizer_bytes, settings)
    held_nll = None
    if held:
        nll, chars = model.nll(held)
        held_nll = round(float(nll.sum() / chars.sum()), 4)
    model.record = {"settings": asdict(settings), "texts": len(counted), "chars": sum(len(t) for t in counted),
                    "pieces": int(sum(d.size for d in docs)), "ngrams": [int(t.keys.size) for t in model.tables],
                    "held_out_texts": len(held), "held_out_nll_per_char": held_nll,
                    "seconds": round(time.time() - started, 1)}
    log(f"reference LM: n-grams by order {model.record['ngrams']}, held-out NLL per char {held_nll}")
    return model


def train_from_paths(inputs: Sequence[str | os.PathLike], tokenizer: str | os.PathLike, output: str | os.PathLike,
                     settings: LMSettings = LMSettings(), log: Callable[[str], None] | None = None) -> dict:
    """Count a model of the records of ``inputs`` (files or folders in any format ``clean`` reads,
    or a stage's Arrow shards) and write it to ``output`` (a .npz file); returns its record, which
    names the inputs."""
    texts, unreadable = read_texts(inputs)
    model = train_reference_lm(texts, tokenizer, settings, log)
    model.record.update({"inputs": [str(p) for p in inputs], "tokenizer": str(tokenizer),
                         "unreadable_records": unreadable})
    model.save(output)
    return model.record
