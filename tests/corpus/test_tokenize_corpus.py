"""The tokenize stage with the development corpus' Chinese model: what it cannot encode is counted as unknown."""
from __future__ import annotations

import sentencepiece as spm

from datacleaning.stages import run_stage
from datacleaning.tokenize import TokenBins
from helpers import write_kept_shard
from tokenize_helpers import HARD_TEXT, normalized_text, tokenize_config


def test_the_dev_corpus_model_counts_what_it_cannot_encode(dev_data, tmp_path):
    """The development corpus' Chinese model (no byte fallback, NMT-NFKC, extra whitespace
    removed): documents decode to its normalization of them, except characters it has no piece
    for, which are counted as unknown."""
    model = dev_data / "models" / "chinese_sp.model"
    plain = "今天天气很好，我们去公园散步。"
    write_kept_shard(tmp_path / "in", "hard", [{"id": "plain", "text": plain, "lang": "zh"},
                                                {"id": "hard", "text": HARD_TEXT, "lang": "zh"}])
    result = run_stage("tokenize", tokenize_config(model=str(model)), tmp_path / "in", tmp_path / "out")
    processor = spm.SentencePieceProcessor(model_file=str(model))
    bins = TokenBins(tmp_path / "out" / "tokens")
    assert result.stats["dtype"] == "uint16" and result.stats["model"]["byte_fallback"] is False
    assert processor.decode(bins.document(0).tolist()) == normalized_text(processor, plain)
    assert result.stats["unknown_tokens"] == list(bins.document(1)).count(processor.unk_id()) > 0
