"""A reference language model: an n-gram model of clean text over SentencePiece pieces, counted by
``datacleaning reference-lm train`` and read by the clean stage's ``reference_perplexity`` filter,
which judges a document by its negative log-likelihood per character. Text far from any edited
prose (spun, shuffled or machine-made text, keyword lists) scores high. Scoring is numpy binary
searches, hundreds of thousands of pieces a second on one core: the CPU's perplexity signal, where
the probe stage's TransNormerLLM needs a GPU.

    from datacleaning.reference_lm import load_reference_lm
    lm = load_reference_lm()              # the model shipped in the package
    lm.nll_per_char("...")

TRAINING.md in this folder says how the shipped model was counted and what it measures.
``ratio.py`` pairs two such models, one of text to keep and one of junk, for the ``lm_ratio``
filter (LM_RATIO_TRAINING.md: the pair shipped for Chinese).
"""
from datacleaning.reference_lm.model import SHIPPED_REFERENCE_LM, ReferenceLM, load_reference_lm, read_reference_lm
from datacleaning.reference_lm.train import LMSettings, train_from_paths, train_reference_lm

__all__ = ["SHIPPED_REFERENCE_LM", "LMSettings", "ReferenceLM", "load_reference_lm", "read_reference_lm",
           "train_from_paths", "train_reference_lm"]
