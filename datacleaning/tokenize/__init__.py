"""Tokenization of kept shards into Megatron-LM token bins (``datacleaning tokenize``), with a
SentencePiece model or a Hugging Face ``tokenizer.json``.

See :mod:`datacleaning.tokenize.stage` for the output layout, :mod:`datacleaning.tokenize.tokenizer`
for the two kinds of tokenizer and :mod:`datacleaning.tokenize.indexed` for the ``.bin``/``.idx``
format and its reader.
"""
from datacleaning.errors import TokenBinsError
from datacleaning.tokenize.indexed import TokenBins
from datacleaning.tokenize.merge import merge_bins
from datacleaning.tokenize.stage import format_tokenize_summary, locate_bins, train_tokenizer
from datacleaning.tokenize.tokenizer import Tokenizer, open_tokenizer

__all__ = ["TokenBins", "TokenBinsError", "Tokenizer", "format_tokenize_summary", "locate_bins", "merge_bins",
           "open_tokenizer", "train_tokenizer"]
