"""What the tokenize tests share (integration/test_tokenize.py and corpus/test_tokenize_corpus.py): a
text that is hard to encode, the stage's config for a test, and the text a model's decoding must give."""
from __future__ import annotations

import sentencepiece as spm

from datacleaning.config import load_config

# Whitespace runs, tabs, blank lines, a leading space, digits, an emoji, rare Han characters and
# a private-use character: what a model without byte fallback or with whitespace folding loses.
HARD_TEXT = " Indented  line\twith tab\n\n\n  第二行：数字 2024，表情 😀，罕见字 𠀀𪚥，私用区 \ue000.\n"


def tokenize_config(**tokenize):
    """The tokenize stage's config with two workers, no progress bar and 4,000-byte units; keyword
    arguments set ``tokenize`` keys (``train__vocab_size`` for ``tokenize.train.vocab_size``)."""
    overrides = [(["run", "workers"], 2), (["run", "progress"], False), (["tokenize", "unit_bytes"], 4000)]
    overrides += [(["tokenize", *key.split("__")], value) for key, value in tokenize.items()]
    return load_config(None, overrides)


def normalized_text(processor: spm.SentencePieceProcessor, text: str) -> str:
    """What decoding ``text``'s tokens must give back: the model's own normalization of the text
    (its rule, whitespace handling, dummy prefix), with the whitespace marks turned back into
    spaces and the dummy prefix dropped."""
    normalized = processor.normalize(text).replace("\u2581", " ")
    has_dummy_prefix = processor.normalize("a").startswith("\u2581")
    return normalized[1:] if has_dummy_prefix and normalized.startswith(" ") else normalized
