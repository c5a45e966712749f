"""The Triton forward kernel of lightning attention (see :mod:`.lightning` for the math).

One program owns one (sequence, head), on grid axis 0, and a slice of BLOCK_E value columns, on axis 1
(CUDA caps axes 1 and 2 at 65,535 programs and axis 0 at 2³¹−1, and the (sequence, head) pairs grow
with the batch). It walks the sequence in blocks of BLOCK_N tokens, keeping the BLOCK_D×BLOCK_E fp32
state in registers:

    o_blk = ((q kᵀ) ⊙ decay_{i−j}) v  +  (q S) ⊙ λ^{i+1}
    S     = λ^m S + (k ⊙ λ^{m−1−j})ᵀ v          (m = tokens in the block, < BLOCK_N only at the end)

The sequence length is a runtime argument that Triton does not specialize on, so one compiled kernel
serves every length; head dims are padded to powers of two with masks, which covers layer 0's q/k
of twice the value width (LRPE). Matrix products take their operands in the input dtype with fp32
accumulation; the state stays fp32.

Block sizes and pipeline depth come from :func:`launch_plan`: the tiles one program holds in shared
memory (:func:`shared_memory_bytes`) must fit the device's limit, so deep pipelines and wide tiles are
given up, in that order, until they do; a launch that Triton still finds too large is retried one
step smaller (:class:`LaunchPlan.smaller`).

Triton reads TRITON_INTERPRET when this module is imported: set it to 1 before the first Triton call
to run the kernel on CPU tensors in Triton's interpreter (tests do). The interpreter cannot multiply
bfloat16 matrices (it multiplies their bit patterns, triton-lang/triton#11584), so there the products
of bfloat16 inputs are taken in fp32.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace

import torch
import triton
import triton.language as tl
from triton.runtime.errors import OutOfResources

logger = logging.getLogger(__name__)

# Read as Triton reads it, when it is first imported (triton.knobs, which holds it too, is newer than
# the oldest Triton this package allows).
INTERPRETED = os.environ.get("TRITON_INTERPRET", "0").lower() in ("1", "true", "on", "yes")
MAX_GRID = (2**31 - 1, 65_535, 65_535)
# Shared memory one program may take where the device cannot be asked (the interpreter): an H100's.
DEFAULT_SHARED_MEMORY = 232_448


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
    pid_bh = tl.program_id(0)
    pid_e = tl.program_id(1)
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


@dataclass(frozen=True)
class LaunchPlan:
    """How the kernel is launched for one shape: tile sizes, warps and software-pipeline stages."""

    block_n: int
    block_d: int
    block_e: int
    num_warps: int
    num_stages: int

    def grid(self, batch_heads: int, d_v: int) -> tuple[int, int]:
        return batch_heads, triton.cdiv(d_v, self.block_e)

    def smaller(self) -> LaunchPlan | None:
        """The next plan that needs less shared memory: one pipeline stage fewer, else half the
        value columns, else half the tokens per block; None when there is nothing left to give."""
        if self.num_stages > 1:
            return replace(self, num_stages=self.num_stages - 1)
        if self.block_e > 16:
            return replace(self, block_e=self.block_e // 2)
        if self.block_n > 16:
            return replace(self, block_n=self.block_n // 2)
        return None


def shared_memory_bytes(plan: LaunchPlan, itemsize: int) -> int:
    """What one program may hold in shared memory, over-counted rather than under: the q, k and v
    tiles of a block, ``num_stages`` deep (Triton loads the next blocks while it computes), and the
    operands of the matrix products staged there (the decayed QKᵀ, the state in the product's dtype,
    the decayed k), all of ``itemsize`` bytes."""
    n, d, e = plan.block_n, plan.block_d, plan.block_e
    return plan.num_stages * (2 * n * d + n * e) * itemsize + (n * n + d * e + n * d) * itemsize


def launch_plan(d_qk: int, d_v: int, itemsize: int, shared_memory: int = DEFAULT_SHARED_MEMORY) -> LaunchPlan:
    """The widest plan for heads of ``d_qk``/``d_v`` whose :func:`shared_memory_bytes` fits
    ``shared_memory``: three pipeline stages and 64-token blocks where they fit. Layer 0's doubled
    q/k width (LRPE) makes the state twice as tall; its other tiles start at half the size to keep the
    registers a program needs about the same."""
    block_d = max(16, triton.next_power_of_2(d_qk))
    plan = LaunchPlan(block_n=64 if block_d <= 128 else 32, block_d=block_d,
                      block_e=min(max(16, triton.next_power_of_2(d_v)), 64 if block_d <= 128 else 32),
                      num_warps=4 if block_d <= 64 else 8, num_stages=3)
    while shared_memory_bytes(plan, itemsize) > shared_memory and plan.smaller() is not None:
        plan = plan.smaller()
    return plan


def device_shared_memory(device: torch.device) -> int:
    """The shared memory one block may opt into on ``device`` (the interpreter: an H100's)."""
    if device.type != "cuda":
        return DEFAULT_SHARED_MEMORY
    properties = torch.cuda.get_device_properties(device)
    return getattr(properties, "shared_memory_per_block_optin", DEFAULT_SHARED_MEMORY)


# The plan that launched, per (device, d_qk, d_v, dtype): found once, then reused.
_PLANS: dict[tuple, LaunchPlan] = {}


def lightning_triton(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, decay: torch.Tensor,
                     state: torch.Tensor | None = None, *, plan: LaunchPlan | None = None
                     ) -> tuple[torch.Tensor, torch.Tensor]:
    """Same contract as :func:`datacleaning.model_probe.lightning.lightning_attention`. q, k and v may be
    strided views (for example (b, n, h, d) memory seen as (b, h, n, d)); the output is (b, h, n, e)
    over (b, n, h, e) memory, so merging the heads back needs no copy. ``plan``: launch with these
    tiles (tests), else :func:`launch_plan`'s for the device."""
    if not (q.is_cuda or INTERPRETED):
        raise RuntimeError("the Triton lightning kernel needs CUDA tensors, or TRITON_INTERPRET=1 set "
                           "before datacleaning.model_probe.lightning_triton is first imported")
    if not (q.dtype == k.dtype == v.dtype) or q.dtype not in (torch.float32, torch.bfloat16, torch.float16):
        raise TypeError(f"q, k, v must share one of fp32, bf16, fp16; got {q.dtype}, {k.dtype}, {v.dtype}")
    b, h, n, d = q.shape
    e = v.shape[-1]
    if b * h > MAX_GRID[0]:
        raise ValueError(f"{b} sequences of {h} heads: more (sequence, head) pairs than a CUDA grid holds")
    key = (q.device, d, e, q.dtype)
    chosen = plan or _PLANS.get(key) or launch_plan(d, e, q.element_size(), device_shared_memory(q.device))

    out = torch.empty(b, n, h, e, device=q.device, dtype=q.dtype).transpose(1, 2)
    state_out = torch.empty(b, h, d, e, device=q.device, dtype=torch.float32)
    state_in = state.to(torch.float32).contiguous() if state is not None else state_out
    decay = decay.to(device=q.device, dtype=torch.float32).contiguous()
    dot_dtype = {torch.float32: tl.float32, torch.float16: tl.float16,
                 torch.bfloat16: tl.float32 if INTERPRETED else tl.bfloat16}[q.dtype]
    while True:
        try:
            _lightning_forward[chosen.grid(b * h, e)](
                q, k, v, out, decay, state_in, state_out,
                n, h, d, e,
                *q.stride(), *k.stride(), *v.stride(), *out.stride(),
                HAS_STATE=state is not None, DOT_DTYPE=dot_dtype,
                PRECISION="ieee" if dot_dtype == tl.float32 else "tf32",
                BLOCK_N=chosen.block_n, BLOCK_D=chosen.block_d, BLOCK_E=chosen.block_e,
                num_warps=chosen.num_warps, num_stages=chosen.num_stages,
            )
            break
        except OutOfResources as error:
            smaller = chosen.smaller()
            if plan is not None or smaller is None:
                raise
            logger.warning("lightning kernel: %s with %s; retrying with %s", error, chosen, smaller)
            chosen = smaller
    _PLANS[key] = chosen
    return out, state_out
