"""Lightning attention: TransNormerLLM's causal linear attention with per-head exponential decay,

    o_t = Σ_{u≤t} λ^{t−u} (q_t·k_u) v_u,     λ = exp(−decay)   (no softmax, no 1/√d, no denominator),

computed block by block (Lightning Attention-2): inside a block of B tokens the masked, decayed QKᵀ;
across blocks a d×e fp32 state S_t = Σ_{u≤t} λ^{t−u} k_u v_uᵀ, so o_t = q_t·S_t. Decay powers are
always formed as exp(−decay·(t−u)) with t ≥ u, never as λ^t·λ^{−u}, which overflows.

A call may start from a state (the state after the tokens of an earlier call) and always returns the
state after its last position, so a long sequence can be processed in chunks with the same result.
Right padding needs no mask: position t only reads positions u ≤ t. The state returned for a padded
row includes the padding, so it is only meaningful for rows that fill the call.

Two backends compute the same thing: a Triton kernel for CUDA tensors (:mod:`.lightning_triton`,
imported on first use so CPU-only runs never load Triton) and the PyTorch block form below for
everything else (and for training, since it is differentiable).
"""
from __future__ import annotations

from typing import Literal

import torch

Backend = Literal["auto", "triton", "torch"]


def lightning_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, decay: torch.Tensor,
                        state: torch.Tensor | None = None, backend: Backend = "auto"
                        ) -> tuple[torch.Tensor, torch.Tensor]:
    """``q``, ``k``: (batch, heads, n, d); ``v``: (batch, heads, n, e); ``decay``: (heads,) fp32, the
    ``s`` of λ = exp(−s); ``state``: (batch, heads, d, e) fp32 or None (zeros).

    Returns the output (batch, heads, n, e) in the dtype of ``q`` and the fp32 state after position n−1.
    ``backend="auto"`` takes the Triton kernel for CUDA tensors and the PyTorch reference otherwise.
    """
    check_shapes(q, k, v, decay, state)
    if backend == "auto":
        backend = "triton" if q.is_cuda else "torch"
    if backend == "triton":
        from datacleaning.model_probe.lightning_triton import lightning_triton
        return lightning_triton(q, k, v, decay, state)
    if backend == "torch":
        return lightning_reference(q, k, v, decay, state)
    raise ValueError(f"unknown lightning-attention backend {backend!r} (auto, triton or torch)")


def lightning_reference(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, decay: torch.Tensor,
                        state: torch.Tensor | None = None, block: int = 128
                        ) -> tuple[torch.Tensor, torch.Tensor]:
    """The block form in PyTorch, in fp32 whatever the input dtype (see :func:`lightning_attention`)."""
    check_shapes(q, k, v, decay, state)
    b, h, n, d = q.shape
    e = v.shape[-1]
    s = decay.to(device=q.device, dtype=torch.float32).view(1, h, 1, 1)
    kv = (torch.zeros(b, h, d, e, device=q.device, dtype=torch.float32) if state is None
          else state.to(torch.float32))
    pos = torch.arange(block, device=q.device, dtype=torch.float32)
    gap = pos[:, None] - pos[None, :]
    # exp(-s·(i-j)) on and below the diagonal, 0 above: the exponent is never positive.
    diag_decay = torch.exp(-s * gap.clamp(min=0)) * (gap >= 0)
    outputs = []
    for start in range(0, n, block):
        m = min(block, n - start)
        qi, ki, vi = (x[:, :, start:start + m].to(torch.float32) for x in (q, k, v))
        intra = (qi @ ki.transpose(-1, -2) * diag_decay[..., :m, :m]) @ vi
        inter = (qi @ kv) * torch.exp(-s * (pos[:m, None] + 1))
        outputs.append((intra + inter).to(q.dtype))
        k_decay = torch.exp(-s * (m - 1 - pos[:m, None]))
        kv = torch.exp(-s * m) * kv + (ki * k_decay).transpose(-1, -2) @ vi
    out = torch.cat(outputs, dim=2) if outputs else q.new_empty(b, h, 0, e)
    return out, kv


def lightning_quadratic(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, decay: torch.Tensor,
                        state: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The definition itself, quadratic in n, in fp64 on the CPU: what the tests and the GPU check
    measure both backends against. o = ((Q Kᵀ) ⊙ M) V with M[t, u] = exp(−s(t−u)) for u ≤ t, plus
    the decayed initial state; the state after the last position is
    Σ_u exp(−s(n−1−u)) k_uᵀ v_u + exp(−s n) S."""
    check_shapes(q, k, v, decay, state)
    q, k, v = (x.double().cpu() for x in (q, k, v))
    s = decay.double().cpu().view(1, -1, 1, 1)
    n = q.shape[2]
    t = torch.arange(n, dtype=torch.float64)
    gap = t[:, None] - t[None, :]
    mask = torch.exp(-s * gap.clamp(min=0)) * (gap >= 0)
    out = (q @ k.transpose(-1, -2) * mask) @ v
    final = (k * torch.exp(-s * (n - 1 - t)[:, None])).transpose(-1, -2) @ v
    if state is not None:
        state = state.double().cpu()
        out = out + (q @ state) * torch.exp(-s * (t + 1)[:, None])
        final = final + torch.exp(-s * n) * state
    return out, final


def check_shapes(q, k, v, decay, state) -> None:
    if q.dim() != 4 or k.shape != q.shape or v.dim() != 4 or v.shape[:3] != q.shape[:3]:
        raise ValueError(f"q, k must be (batch, heads, n, d) and v (batch, heads, n, e); got "
                         f"{tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}")
    b, h, _, d = q.shape
    if decay.shape != (h,):
        raise ValueError(f"decay must have one value per head ({h}), got shape {tuple(decay.shape)}")
    if state is not None and state.shape != (b, h, d, v.shape[-1]):
        raise ValueError(f"state must be {(b, h, d, v.shape[-1])}, got {tuple(state.shape)}")
