"""The text a probe model reads: each document as stored, or with its Traditional Chinese
characters read as their Simplified forms, one for one (``probe.fold_script``). The shipped model
learned Simplified text only, so a Taiwanese or Hong Kong page would otherwise score as unlikely
for its script, not for its quality; folding keeps every character count as it is. And what it
cannot read: characters its tokenizer has no piece for."""
from __future__ import annotations

import math
from functools import cache

import numpy as np
import pyarrow as pa
import sentencepiece as spm

from datacleaning.script_chars import simplified_form


def model_texts(texts: pa.Array | pa.ChunkedArray, fold_script: bool) -> pa.Array | pa.ChunkedArray:
    """``texts`` as the probe's model reads them (null stays null)."""
    if not fold_script:
        return texts
    return pa.array([None if text is None else simplified_form(text) for text in texts.to_pylist()], pa.string())


@cache
def _vocabulary_chars(tokenizer: spm.SentencePieceProcessor) -> frozenset[str]:
    return frozenset(char for i in range(tokenizer.get_piece_size())
                     if not (tokenizer.is_unknown(i) or tokenizer.is_control(i) or tokenizer.is_byte(i))
                     for char in tokenizer.id_to_piece(i))


def unread_chars(tokenizer: spm.SentencePieceProcessor, texts: pa.Array | pa.ChunkedArray,
                 ids: list[np.ndarray]) -> np.ndarray:
    """Per document (``texts`` and their token ``ids``), how many of its characters, as the
    tokenizer normalizes them, no piece of its vocabulary holds: a run of them is read as one
    ``<unk>`` piece, whose small NLL would otherwise make 500 emoji score as the cleanest text.
    Only documents with an ``<unk>`` are looked at."""
    unknown = tokenizer.unk_id()
    counts = np.zeros(len(ids), np.int64)
    for i, doc in enumerate(ids):
        if doc.size and (doc == unknown).any():
            vocabulary = _vocabulary_chars(tokenizer)
            counts[i] = sum(1 for char in tokenizer.normalize(texts[i].as_py())
                            if char not in vocabulary and char != "\u2581")
    return counts


def unread_nll(tokenizer: spm.SentencePieceProcessor, unread: np.ndarray) -> np.ndarray:
    """What the unread characters count for in a document's NLL per character: each a guess among
    the vocabulary's pieces, log(vocabulary size) nats (9.9 for the shipped model's 20,000, above
    what a typical Chinese character costs it, 6.5)."""
    return unread * math.log(tokenizer.get_piece_size())
