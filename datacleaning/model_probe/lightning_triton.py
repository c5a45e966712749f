"""The Triton forward kernel of lightning attention (see :mod:`.lightning` for the math).

One program owns one (sequence, head) and a slice of BLOCK_E value columns. It walks the sequence in
blocks of BLOCK_N tokens, keeping the BLOCK_D×BLOCK_E fp32 state in registers:

    o_blk = ((q kᵀ) ⊙ decay_{i−j}) v  +  (q S) ⊙ λ^{i+1}
    S     = λ^m S + (k ⊙ λ^{m−1−j})ᵀ v          (m = tokens in the block, < BLOCK_N only at the end)

The sequence length is a runtime argument that Triton does not specialize on, so one compiled kernel
serves every length; head dims are padded to powers of two with masks, which covers layer 0's q/k
of twice the value width (LRPE). Matrix products take their operands in the input dtype with fp32
accumulation; the state stays fp32.

Triton reads TRITON_INTERPRET when this module is imported: set it to 1 before the first Triton call
to run the kernel on CPU tensors in Triton's interpreter (tests do). The interpreter cannot multiply
bfloat16 matrices (it multiplies their bit patterns, triton-lang/triton#11584), so there the products
of bfloat16 inputs are taken in fp32.
"""
from __future__ import annotations

import torch
import triton
import triton.language as tl

INTERPRETED = triton.knobs.runtime.interpret


@triton.jit(do_not_specialize=["n_tokens"])
def _lightning_forward(
    Q, K, V, O, DECAY, STATE_IN, STATE_OUT,
    n_tokens, n_heads, d_qk, d_v,
    sq_b, sq_h, sq_n, sq_d,
    sk_b, sk_h, sk_n, sk_d,
    sv_b, sv_h, sv_n, sv_e,
    so_b, so_h, so_n, so_e,
    HAS_STATE: tl.constexpr, DOT_DTYPE: tl.constexpr, PRECISION: tl.constexpr,
    BLOCK_N: tl.constexpr, BLOCK_D: tl.constexpr, BLOCK_E: tl.constexpr,
):
    pid_e = tl.program_id(0)
    pid_bh = tl.program_id(1)
    b = pid_bh // n_heads
    h = pid_bh % n_heads
    offs_n = tl.arange(0, BLOCK_N)
    offs_d = tl.arange(0, BLOCK_D)
    offs_e = pid_e * BLOCK_E + tl.arange(0, BLOCK_E)
    mask_d = offs_d < d_qk
    mask_e = offs_e < d_v

    q_ptrs = Q + b * sq_b + h * sq_h + offs_n[:, None] * sq_n + offs_d[None, :] * sq_d
    k_ptrs = K + b * sk_b + h * sk_h + offs_n[:, None] * sk_n + offs_d[None, :] * sk_d
    v_ptrs = V + b * sv_b + h * sv_h + offs_n[:, None] * sv_n + offs_e[None, :] * sv_e
    o_ptrs = O + b * so_b + h * so_h + offs_n[:, None] * so_n + offs_e[None, :] * so_e
    state_offs = pid_bh * d_qk * d_v + offs_d[:, None] * d_v + offs_e[None, :]
    state_mask = mask_d[:, None] & mask_e[None, :]

    s = tl.load(DECAY + h).to(tl.float32)
    pos = offs_n.to(tl.float32)
    gap = pos[:, None] - pos[None, :]
    # Every exponent below is ≤ 0; masked entries get -inf so that they become exactly 0.
    diag_decay = tl.exp(tl.where(gap >= 0, -s * gap, float("-inf")))
    q_decay = tl.exp(-s * (pos + 1.0))

    if HAS_STATE:
        kv = tl.load(STATE_IN + state_offs, mask=state_mask, other=0.0)
    else:
        kv = tl.zeros((BLOCK_D, BLOCK_E), dtype=tl.float32)

    for start in range(0, n_tokens, BLOCK_N):
        m = tl.minimum(n_tokens - start, BLOCK_N)
        mask_n = offs_n < m
        q = tl.load(q_ptrs + start * sq_n, mask=mask_n[:, None] & mask_d[None, :], other=0.0).to(DOT_DTYPE)
        k = tl.load(k_ptrs + start * sk_n, mask=mask_n[:, None] & mask_d[None, :], other=0.0)
        v = tl.load(v_ptrs + start * sv_n, mask=mask_n[:, None] & mask_e[None, :], other=0.0).to(DOT_DTYPE)

        qk = tl.dot(q, tl.trans(k.to(DOT_DTYPE)), input_precision=PRECISION) * diag_decay
        o = tl.dot(qk.to(DOT_DTYPE), v, input_precision=PRECISION)
        o += tl.dot(q, kv.to(DOT_DTYPE), input_precision=PRECISION) * q_decay[:, None]
        tl.store(o_ptrs + start * so_n, o.to(O.dtype.element_ty), mask=mask_n[:, None] & mask_e[None, :])

        k_decay = tl.exp(tl.where(mask_n, -s * (m - 1.0 - pos), float("-inf")))
        k_decayed = (k.to(tl.float32) * k_decay[:, None]).to(DOT_DTYPE)
        kv = tl.exp(-s * m) * kv + tl.dot(tl.trans(k_decayed), v, input_precision=PRECISION)

    tl.store(STATE_OUT + state_offs, kv, mask=state_mask)


def lightning_triton(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, decay: torch.Tensor,
                     state: torch.Tensor | None = None, *, block_n: int | None = None,
                     block_e: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Same contract as :func:`datacleaning.model_probe.lightning.lightning_attention`. q, k and v may be
    strided views (for example (b, n, h, d) memory seen as (b, h, n, d)); the output is (b, h, n, e)
    over (b, n, h, e) memory, so merging the heads back needs no copy."""
    if not (q.is_cuda or INTERPRETED):
        raise RuntimeError("the Triton lightning kernel needs CUDA tensors, or TRITON_INTERPRET=1 set "
                           "before datacleaning.model_probe.lightning_triton is first imported")
    if not (q.dtype == k.dtype == v.dtype) or q.dtype not in (torch.float32, torch.bfloat16, torch.float16):
        raise TypeError(f"q, k, v must share one of fp32, bf16, fp16; got {q.dtype}, {k.dtype}, {v.dtype}")
    b, h, n, d = q.shape
    e = v.shape[-1]
    block_d = max(16, triton.next_power_of_2(d))
    # Layer 0's doubled q/k width (LRPE) makes the state twice as tall; halve the other tiles to keep
    # the registers it needs per program about the same.
    block_n = block_n or (64 if block_d <= 128 else 32)
    block_e = block_e or min(max(16, triton.next_power_of_2(e)), 64 if block_d <= 128 else 32)

    out = torch.empty(b, n, h, e, device=q.device, dtype=q.dtype).transpose(1, 2)
    state_out = torch.empty(b, h, d, e, device=q.device, dtype=torch.float32)
    state_in = state.to(torch.float32).contiguous() if state is not None else state_out
    decay = decay.to(device=q.device, dtype=torch.float32).contiguous()
    dot_dtype = {torch.float32: tl.float32, torch.float16: tl.float16,
                 torch.bfloat16: tl.float32 if INTERPRETED else tl.bfloat16}[q.dtype]
    grid = (triton.cdiv(e, block_e), b * h)
    _lightning_forward[grid](
        q, k, v, out, decay, state_in, state_out,
        n, h, d, e,
        *q.stride(), *k.stride(), *v.stride(), *out.stride(),
        HAS_STATE=state is not None, DOT_DTYPE=dot_dtype,
        PRECISION="ieee" if dot_dtype == tl.float32 else "tf32",
        BLOCK_N=block_n, BLOCK_D=block_d, BLOCK_E=block_e,
        num_warps=4 if block_d <= 64 else 8,
    )
    return out, state_out
