"""SentencePiece tokenization of kept shards into Megatron-LM token bins (``datacleaning tokenize``).

See :mod:`datacleaning.tokenize.stage` for the output layout and :mod:`datacleaning.tokenize.indexed`
for the ``.bin``/``.idx`` format and its reader.
"""
from datacleaning.tokenize.indexed import TokenBins, TokenBinsError
from datacleaning.tokenize.merge import merge_bins
from datacleaning.tokenize.stage import format_tokenize_summary, locate_bins, run_tokenize, train_tokenizer

__all__ = ["TokenBins", "TokenBinsError", "format_tokenize_summary", "locate_bins", "merge_bins", "run_tokenize",
           "train_tokenizer"]
