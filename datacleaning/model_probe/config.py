"""The TransNormerLLM model configuration, read from and written to a Hugging Face ``config.json``
with the key names of the released checkpoints (``TransnormerConfig``)."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

# Only the norm the released models use; anything else is a different architecture.
_NORM_TYPE = "simplermsnorm"
_DEFAULT_NORM_EPS = 1e-6


@dataclass(frozen=True)
class ModelConfig:
    d_model: int  # decoder_embed_dim
    n_layers: int  # decoder_layers
    n_heads: int  # decoder_attention_heads
    glu_dim: int  # width of the SGLU channel mixer
    vocab_size: int
    hidden_dim: int = 0  # token-mixer width (q, k, v, u each); 0 means d_model
    pad_token_id: int | None = 0
    bos_token_id: int = 1
    eos_token_id: int = 2
    no_scale_embedding: bool = False
    linear_act_fun: str = "swish"  # applied to q and k only
    lrpe_layers: tuple[int, ...] = (0,)
    bias: bool = False
    norm_eps: float = _DEFAULT_NORM_EPS
    init_std: float = 0.02
    # config.json keys we do not interpret, kept so that a loaded config is written back unchanged.
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        if not self.hidden_dim:
            object.__setattr__(self, "hidden_dim", self.d_model)
        object.__setattr__(self, "lrpe_layers", tuple(sorted(set(self.lrpe_layers))))
        problems = []
        if self.n_layers < 2:
            # The per-layer decay divides by n_layers - 1, as the released code does.
            problems.append(f"n_layers must be at least 2 (got {self.n_layers})")
        if self.hidden_dim % self.n_heads:
            problems.append(f"hidden_dim {self.hidden_dim} is not a multiple of n_heads {self.n_heads}")
        bad = [i for i in self.lrpe_layers if not 0 <= i < self.n_layers]
        if bad:
            problems.append(f"lrpe_layers {bad} outside 0..{self.n_layers - 1}")
        ids = {"pad_token_id": self.pad_token_id, "bos_token_id": self.bos_token_id,
               "eos_token_id": self.eos_token_id}
        bad_ids = [name for name, i in ids.items() if i is not None and not 0 <= i < self.vocab_size]
        if bad_ids:
            problems.append(f"{', '.join(bad_ids)} outside the vocabulary of {self.vocab_size}")
        if problems:
            raise ValueError("invalid TransNormerLLM config: " + "; ".join(problems))

    @property
    def head_dim(self) -> int:
        return self.hidden_dim // self.n_heads

    def with_vocab(self, vocab_size: int, **ids) -> ModelConfig:
        """The same sizes for another tokenizer (its vocabulary size and, optionally, special ids)."""
        return replace(self, vocab_size=vocab_size, **ids)

    def to_hf(self) -> dict:
        """The ``config.json`` dictionary of a released TransNormerLLM checkpoint."""
        hf = dict(self.extra)
        hf.update({
            "architectures": ["TransnormerForCausalLM"],
            "model_type": "transnormer",
            "pad_token_id": self.pad_token_id,
            "bos_token_id": self.bos_token_id,
            "eos_token_id": self.eos_token_id,
            "vocab_size": self.vocab_size,
            "init_std": self.init_std,
            "decoder_embed_dim": self.d_model,
            "decoder_layers": self.n_layers,
            "decoder_attention_heads": self.n_heads,
            "no_scale_embedding": self.no_scale_embedding,
            "add_bos_token": False,
            "norm_type": _NORM_TYPE,
            "linear_use_lrpe_list": [int(i in self.lrpe_layers) for i in range(self.n_layers)],
            "hidden_dim": self.hidden_dim,
            "linear_act_fun": self.linear_act_fun,
            "glu_dim": self.glu_dim,
            "bias": self.bias,
            "tie_word_embeddings": True,
        })
        if self.norm_eps != _DEFAULT_NORM_EPS:
            hf["norm_eps"] = self.norm_eps
        return hf

    @classmethod
    def from_hf(cls, hf: dict) -> ModelConfig:
        """Read a ``config.json`` dictionary; defaults are those of ``TransnormerConfig``."""
        if hf.get("norm_type", _NORM_TYPE) != _NORM_TYPE:
            raise ValueError(f"norm_type {hf['norm_type']!r} is not supported (only {_NORM_TYPE!r})")
        if not hf.get("tie_word_embeddings", True):
            raise ValueError("tie_word_embeddings is false: only a lm_head tied to the embedding is supported")
        n_layers = hf.get("decoder_layers", 24)
        d_model = hf.get("decoder_embed_dim", 1024)
        lrpe_list = hf.get("linear_use_lrpe_list") or []
        if lrpe_list:
            if len(lrpe_list) != n_layers:
                raise ValueError(f"linear_use_lrpe_list has {len(lrpe_list)} entries for {n_layers} layers")
            lrpe_layers = tuple(i for i, use in enumerate(lrpe_list) if use)
        else:
            # The released code falls back to one flag for every layer when the list is empty.
            lrpe_layers = tuple(range(n_layers)) if hf.get("linear_use_lrpe") else ()
        glu_dim = hf.get("glu_dim", 2816)
        known = {"pad_token_id", "bos_token_id", "eos_token_id", "vocab_size", "init_std", "decoder_embed_dim",
                 "decoder_layers", "decoder_attention_heads", "no_scale_embedding", "norm_type",
                 "linear_use_lrpe_list", "linear_use_lrpe", "hidden_dim", "linear_act_fun", "glu_dim", "bias",
                 "norm_eps", "tie_word_embeddings", "architectures", "model_type", "add_bos_token"}
        return cls(
            d_model=d_model,
            n_layers=n_layers,
            n_heads=hf.get("decoder_attention_heads", 8),
            glu_dim=d_model if glu_dim == -1 else glu_dim,  # -1 means "as wide as the model" upstream
            vocab_size=hf.get("vocab_size", 64000),
            hidden_dim=hf.get("hidden_dim", d_model),
            pad_token_id=hf.get("pad_token_id", 0),
            bos_token_id=hf.get("bos_token_id", 1),
            eos_token_id=hf.get("eos_token_id", 2),
            no_scale_embedding=bool(hf.get("no_scale_embedding", False)),
            linear_act_fun=hf.get("linear_act_fun", "silu"),
            lrpe_layers=lrpe_layers,
            bias=bool(hf.get("bias", False)),
            norm_eps=hf.get("norm_eps", _DEFAULT_NORM_EPS),
            init_std=hf.get("init_std", 0.02),
            extra={k: v for k, v in hf.items() if k not in known},
        )

    def save(self, path: str | os.PathLike) -> None:
        Path(path).write_text(json.dumps(self.to_hf(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | os.PathLike) -> ModelConfig:
        with open(path, encoding="utf-8") as f:
            hf = json.load(f)
        if not isinstance(hf, dict):
            raise ValueError(f"{path}: config.json must hold a JSON object")
        return cls.from_hf(hf)


# The released TransNormerLLM-385M: 24 layers of 8 heads of 128, LRPE in layer 0, SiLU ("swish") on q, k.
SIZE_385M = ModelConfig(d_model=1024, n_layers=24, n_heads=8, glu_dim=2816, vocab_size=64000)

# Small enough to train on one CPU core in minutes and to ship inside the package (~7 MB in fp16 with a
# 20,000-piece vocabulary); the vocabulary and special ids come from the tokenizer it is trained with.
TINY = ModelConfig(d_model=128, n_layers=4, n_heads=4, glu_dim=352, vocab_size=20000)
