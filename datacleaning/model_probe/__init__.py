"""Document quality as perplexity under a small TransNormerLLM (``datacleaning probe``).

    from datacleaning.model_probe import load_scorer, load_tokenizer
    scorer = load_scorer()                     # the tiny model shipped in the package; GPU if there is one
    sp = load_tokenizer()
    [s.ppl for s in scorer.score([sp.encode(t) for t in texts])]

See README.md in this folder for the model, the lightning-attention kernels and how the tiny model
was trained.

The stage is ``probe`` (command, config section, output folder) while this package is
``model_probe``: Python sets a subpackage as an attribute of its parent when it is first imported,
and a ``datacleaning.probe`` package, imported only when a probe runs (it needs torch), would then
replace the API function ``datacleaning.probe``.
"""
import importlib

# Loaded on first use: the model modules import torch (most of a second), and the stage and its
# commands are imported by every `datacleaning` command to build its parser.
_EXPORTS = {
    "config": ("SIZE_385M", "TINY", "ModelConfig"),
    "lightning": ("lightning_attention", "lightning_reference"),
    "loader": ("SHIPPED_TINY", "CheckpointError", "load_model", "load_tokenizer", "read_weights", "save_model"),
    "model": ("TransNormerLM", "decay_rates"),
    "score": ("DocScore", "Scorer", "load_scorer", "pick_device", "pick_dtype"),
    "train": ("TrainConfig", "TrainResult", "train_model"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
