"""Document quality as perplexity under a small TransNormerLLM (``datacleaning probe``).

    from datacleaning.model_probe import load_scorer, load_tokenizer
    scorer = load_scorer()                     # the tiny model shipped in the package; GPU if there is one
    sp = load_tokenizer()
    [s.ppl for s in scorer.score([sp.encode(t) for t in texts])]

See README.md in this folder for the model, the lightning-attention kernels and how the tiny model
was trained.
"""
from datacleaning.model_probe.config import SIZE_385M, TINY, ModelConfig
from datacleaning.model_probe.lightning import lightning_attention, lightning_reference
from datacleaning.model_probe.loader import (SHIPPED_TINY, CheckpointError, load_model, load_tokenizer,
                                             read_weights, save_model)
from datacleaning.model_probe.model import TransNormerLM, decay_rates
from datacleaning.model_probe.score import DocScore, Scorer, load_scorer, pick_device, pick_dtype
from datacleaning.model_probe.train import TrainConfig, TrainResult, train_model

__all__ = [
    "SHIPPED_TINY", "SIZE_385M", "TINY", "CheckpointError", "DocScore", "ModelConfig", "Scorer", "TrainConfig",
    "TrainResult", "TransNormerLM", "decay_rates", "lightning_attention", "lightning_reference", "load_model",
    "load_scorer", "load_tokenizer", "pick_device", "pick_dtype", "read_weights", "save_model", "train_model",
]
