"""TransNormerLLM in PyTorch, with the module names of the released checkpoints (``model.layers.{i}.
token_mixer.qkvu_proj``, ``...lrpe.theta``, ``channel_mixer.l1/l2/l3``), so their state dicts load
as they are.

A layer is pre-norm: x + TokenMixer(SRMSNorm(x)), then x + SGLU(SRMSNorm(x)). The token mixer is one
projection split into q, k, v, u; the activation (SiLU) on q and k; LRPE in the configured layers;
lightning attention with a per-head, per-layer decay; SRMSNorm over all heads together; the u gate
(no sigmoid); out_proj. The lm_head is the embedding matrix.

For scoring, :meth:`TransNormerLM.token_nll` returns per-token negative log-likelihoods computed in
fp32 over slices of positions, so (tokens × vocabulary) logits never exist at once, and takes and
returns the per-layer attention states with the absolute position of the first token, so a long
document can be fed in chunks.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from datacleaning.model_probe.config import ModelConfig
from datacleaning.model_probe.lightning import Backend, lightning_attention

ACTIVATIONS = {
    "swish": F.silu,
    "silu": F.silu,
    "relu": F.relu,
    "elu": F.elu,
    "1+elu": lambda x: 1 + F.elu(x),
    "2+elu": lambda x: 2 + F.elu(x),
    "sigmoid": torch.sigmoid,
    "none": lambda x: x,
}

# Upper bound on the fp32 logits held at once by token_nll: 2^24 floats = 64 MiB on a GPU, where
# larger slices mean fewer, fuller kernels; 2^20 (4 MiB) on a CPU, where a slice past the C
# allocator's mmap threshold (32 MiB at most) is mapped and unmapped for every slice, and the page
# faults cost a third of the scoring time.
LOGIT_ELEMENTS = 1 << 24
CPU_LOGIT_ELEMENTS = 1 << 20


def alibi_slopes(n_heads: int) -> list[float]:
    """ALiBi's head slopes: 2^(−8(h+1)/H) for H a power of two; otherwise those of the nearest lower
    power of two followed by every other slope of the next one (as the released code does)."""
    def power_of_2(n):
        return [2.0 ** (-8.0 * (h + 1) / n) for h in range(n)]

    if math.log2(n_heads).is_integer():
        return power_of_2(n_heads)
    lower = 2 ** math.floor(math.log2(n_heads))
    return power_of_2(lower) + alibi_slopes(2 * lower)[0::2][:n_heads - lower]


def decay_rates(n_heads: int, layer: int, n_layers: int) -> torch.Tensor:
    """The per-head s of λ = exp(−s) in ``layer``: slope · (1 − layer/(n_layers − 1) + 1e−5), so the
    first layer forgets fastest and the last one almost not at all."""
    # On the CPU even while a model is being built on the meta device (see loader.load_model).
    slopes = torch.tensor(alibi_slopes(n_heads), dtype=torch.float32, device="cpu")
    return slopes * (1 - layer / (n_layers - 1) + 1e-5)


class SRMSNorm(nn.Module):
    """x / √(mean(x²) + eps), in fp32, with no weights."""

    def __init__(self, eps: float):
        super().__init__()
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x32 = x.float()
        return (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)).type_as(x)


class Lrpe(nn.Module):
    """LRPE: x ↦ [x·cos θt, x·sin θt] at absolute position t, with learned θ per head and channel.
    (q·k then depends on θ(t−u) only, but a state carried across chunks holds keys at their absolute
    positions, so chunks pass their offset.)"""

    def __init__(self, n_heads: int, head_dim: int):
        super().__init__()
        d = n_heads * head_dim
        self.theta = nn.Parameter((10000 ** (-2 / d * torch.arange(d))).reshape(n_heads, 1, head_dim))

    def forward(self, x: torch.Tensor, offset: int) -> torch.Tensor:
        # Angles in fp32 whatever the model dtype: bf16 positions are exact only up to 256.
        pos = torch.arange(offset, offset + x.shape[-2], device=x.device, dtype=torch.float32)
        angle = self.theta.float() * pos[:, None]
        return torch.cat([x * torch.cos(angle).to(x.dtype), x * torch.sin(angle).to(x.dtype)], dim=-1)


class TokenMixer(nn.Module):
    def __init__(self, cfg: ModelConfig, layer: int):
        super().__init__()
        if cfg.linear_act_fun not in ACTIVATIONS:
            raise ValueError(f"linear_act_fun {cfg.linear_act_fun!r} is not one of {sorted(ACTIVATIONS)}")
        self.n_heads = cfg.n_heads
        self.head_dim = cfg.head_dim
        self.act = ACTIVATIONS[cfg.linear_act_fun]
        self.decay = decay_rates(cfg.n_heads, layer, cfg.n_layers).tolist()  # kept fp32 by model.to(dtype)
        self.qkvu_proj = nn.Linear(cfg.d_model, 4 * cfg.hidden_dim, bias=cfg.bias)
        self.lrpe = Lrpe(cfg.n_heads, cfg.head_dim) if layer in cfg.lrpe_layers else None
        self.norm = SRMSNorm(cfg.norm_eps)
        self.out_proj = nn.Linear(cfg.hidden_dim, cfg.d_model, bias=cfg.bias)

    def forward(self, x, state, offset, backend):
        b, n, _ = x.shape
        q, k, v, u = self.qkvu_proj(x).chunk(4, dim=-1)
        # (b, n, h·d) seen as (b, h, n, d) without a copy; the kernel takes strides.
        q, k, v = (t.view(b, n, self.n_heads, self.head_dim).transpose(1, 2) for t in (q, k, v))
        q, k = self.act(q), self.act(k)
        if self.lrpe is not None:
            q, k = self.lrpe(q, offset), self.lrpe(k, offset)
        decay = torch.tensor(self.decay, device=x.device, dtype=torch.float32)
        o, state = lightning_attention(q, k, v, decay, state, backend)
        o = self.norm(o.transpose(1, 2).reshape(b, n, -1))
        return self.out_proj(u * o), state


class ChannelMixer(nn.Module):
    """SGLU: (x·W1ᵀ ⊙ x·W2ᵀ)·W3ᵀ, no activation."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.l1 = nn.Linear(cfg.d_model, cfg.glu_dim, bias=cfg.bias)
        self.l2 = nn.Linear(cfg.d_model, cfg.glu_dim, bias=cfg.bias)
        self.l3 = nn.Linear(cfg.glu_dim, cfg.d_model, bias=cfg.bias)

    def forward(self, x):
        return self.l3(self.l1(x) * self.l2(x))


class DecoderLayer(nn.Module):
    def __init__(self, cfg: ModelConfig, layer: int):
        super().__init__()
        self.token_norm = SRMSNorm(cfg.norm_eps)
        self.token_mixer = TokenMixer(cfg, layer)
        self.channel_norm = SRMSNorm(cfg.norm_eps)
        self.channel_mixer = ChannelMixer(cfg)

    def forward(self, x, state, offset, backend):
        mixed, state = self.token_mixer(self.token_norm(x), state, offset, backend)
        x = x + mixed
        return x + self.channel_mixer(self.channel_norm(x)), state


class Backbone(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.d_model, padding_idx=cfg.pad_token_id)
        self.layers = nn.ModuleList(DecoderLayer(cfg, i) for i in range(cfg.n_layers))
        self.final_norm = SRMSNorm(cfg.norm_eps)


class TransNormerLM(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.config = cfg
        self.model = Backbone(cfg)
        self.embed_scale = 1.0 if cfg.no_scale_embedding else math.sqrt(cfg.d_model)
        self.backend: Backend = "auto"
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """The released initialization: N(0, init_std) for every matrix, zero biases and padding row;
        LRPE θ keeps its geometric start."""
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=self.config.init_std)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)
        if self.config.pad_token_id is not None:
            with torch.no_grad():
                self.model.embed_tokens.weight[self.config.pad_token_id].zero_()

    def cast(self, dtype: torch.dtype) -> TransNormerLM:
        """Cast the weights to ``dtype`` except LRPE θ, which stays fp32: θ·t at positions in the
        thousands needs more than the 8 bits of a bf16 mantissa."""
        for name, param in self.named_parameters():
            param.data = param.data.to(torch.float32 if name.endswith("lrpe.theta") else dtype)
        return self

    def hidden_states(self, ids: torch.Tensor, states: list[torch.Tensor] | None = None, offset: int = 0
                      ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Final-norm hidden states (b, n, d_model) of token ids (b, n) whose first position is
        ``offset``, and the attention state of every layer after the last position."""
        x = self.model.embed_tokens(ids) * self.embed_scale
        new_states = []
        for i, layer in enumerate(self.model.layers):
            x, state = layer(x, None if states is None else states[i], offset, self.backend)
            new_states.append(state)
        return self.model.final_norm(x), new_states

    def forward(self, ids: torch.Tensor, states: list[torch.Tensor] | None = None, offset: int = 0
                ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Logits (b, n, vocab) and the states; for long inputs prefer :meth:`token_nll`."""
        hidden, states = self.hidden_states(ids, states, offset)
        return F.linear(hidden, self.model.embed_tokens.weight), states

    def token_nll(self, ids: torch.Tensor, targets: torch.Tensor, states: list[torch.Tensor] | None = None,
                  offset: int = 0) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """−log p(targets[b, t] | ids[b, :t+1]) as fp32 (b, n), 0 where a target is negative (padding),
        and the states after the last position."""
        hidden, states = self.hidden_states(ids, states, offset)
        valid = targets >= 0
        h = hidden[valid]
        wanted = targets[valid]
        weight = self.model.embed_tokens.weight
        elements = CPU_LOGIT_ELEMENTS if hidden.device.type == "cpu" else LOGIT_ELEMENTS
        rows = max(1, elements // weight.shape[0])
        pieces = [F.cross_entropy(F.linear(h[i:i + rows], weight).float(), wanted[i:i + rows], reduction="none")
                  for i in range(0, h.shape[0], rows)]
        nll = torch.zeros(targets.shape, device=hidden.device, dtype=torch.float32)
        if pieces:
            nll[valid] = torch.cat(pieces)
        return nll, states
