"""Lightning attention: the Triton kernel and the PyTorch block form against an fp64 quadratic oracle.

Without a GPU the kernel runs in Triton's interpreter. Triton decides interpreter or compiler when
the kernel module is first imported, so TRITON_INTERPRET is set here, before anything imports it
(datacleaning.model_probe.lightning imports it lazily, on the first Triton call)."""
import os
from dataclasses import replace

import pytest
import torch

if not torch.cuda.is_available():
    os.environ.setdefault("TRITON_INTERPRET", "1")

from datacleaning.model_probe.lightning import (  # noqa: E402
    lightning_attention, lightning_quadratic, lightning_reference)
from datacleaning.model_probe.lightning_triton import (  # noqa: E402
    MAX_GRID, launch_plan, lightning_triton, shared_memory_bytes)
from datacleaning.model_probe.model import decay_rates  # noqa: E402

KERNEL_DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
# Worst |error| / max|oracle| allowed per input dtype (bf16 keeps 8 bits, fp16 11).
TOLERANCE = {torch.float32: 2e-5, torch.float16: 2e-3, torch.bfloat16: 1.5e-2}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def small_tiles(d, e):
    """A plan of 16-token blocks and 16 value columns, so that short test sequences cross blocks."""
    return replace(launch_plan(d, e, 4), block_n=16, block_e=16)


def relative_error(got, want):
    return ((got.double().cpu() - want).abs().max() / want.abs().max()).item()


def inputs(b, h, n, d, e, dtype, device, seed=0, with_state=False):
    g = torch.Generator().manual_seed(seed)
    # SiLU'd q, k as in the model: mostly positive, so sums grow with length as they do there.
    q = torch.nn.functional.silu(torch.randn(b, h, n, d, generator=g))
    k = torch.nn.functional.silu(torch.randn(b, h, n, d, generator=g))
    v = torch.randn(b, h, n, e, generator=g)
    state = torch.randn(b, h, d, e, generator=g) * 4 if with_state else None
    q, k, v = (x.to(device=device, dtype=dtype) for x in (q, k, v))
    return q, k, v, None if state is None else state.to(device)


# Decays of the real model: layer 0 and the last layer (s ≈ 1e−5·slope: barely decays) of 4 heads,
# and a mix with the fastest head of 8 (s = 0.5).
DECAYS = {
    "first_layer": decay_rates(4, 0, 4),
    "last_layer": decay_rates(4, 3, 4),
    "mixed": torch.tensor([0.5, 0.03, 2e-3, 1e-6]),
}

# (n, d, e): n not a multiple of the block; d ≠ e (layer 0's q/k are twice as wide after LRPE);
# a width that is not a power of two; n shorter than one block; one token.
SHAPES = [(45, 32, 16), (37, 24, 20), (10, 16, 16), (1, 16, 16)]


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16], ids=str)
@pytest.mark.parametrize("decay", DECAYS.values(), ids=DECAYS.keys())
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_kernel_and_reference_match_oracle(shape, decay, dtype):
    n, d, e = shape
    q, k, v, _ = inputs(2, 4, n, d, e, dtype, KERNEL_DEVICE)
    want, want_state = lightning_quadratic(q, k, v, decay)
    tol = TOLERANCE[dtype]
    got, got_state = lightning_triton(q, k, v, decay, plan=small_tiles(d, e))
    assert got.dtype == dtype and got.shape == (2, 4, n, e) and got_state.dtype == torch.float32
    assert relative_error(got, want) < tol
    assert relative_error(got_state, want_state) < tol
    ref, ref_state = lightning_reference(q.cpu(), k.cpu(), v.cpu(), decay, block=16)
    assert relative_error(ref, want) < tol
    assert relative_error(ref_state, want_state) < 2e-5  # fp32 math from the rounded inputs


@pytest.mark.parametrize("backend", ["triton", "torch"])
def test_chunks_carrying_state_equal_one_call(backend):
    q, k, v, _ = inputs(2, 4, 70, 32, 16, torch.float32, KERNEL_DEVICE, seed=1)
    decay = DECAYS["mixed"]
    whole, whole_state = lightning_attention(q, k, v, decay, backend=backend)
    state, pieces = None, []
    for start, end in [(0, 21), (21, 22), (22, 70)]:  # cuts inside blocks, one of a single token
        out, state = lightning_attention(q[:, :, start:end], k[:, :, start:end], v[:, :, start:end], decay,
                                         state, backend=backend)
        pieces.append(out)
    assert relative_error(torch.cat(pieces, dim=2), lightning_quadratic(q, k, v, decay)[0]) < 2e-5
    assert relative_error(torch.cat(pieces, dim=2), whole.double().cpu()) < 2e-5
    assert relative_error(state, whole_state.double().cpu()) < 2e-5


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
def test_initial_state_is_used(dtype):
    q, k, v, state = inputs(1, 4, 33, 16, 16, dtype, KERNEL_DEVICE, seed=2, with_state=True)
    decay = DECAYS["first_layer"]
    want, want_state = lightning_quadratic(q, k, v, decay, state)
    for got, got_state in (lightning_triton(q, k, v, decay, state, plan=small_tiles(16, 16)),
                           lightning_reference(q, k, v, decay, state, block=16)):
        assert relative_error(got, want) < TOLERANCE[dtype]
        assert relative_error(got_state, want_state) < TOLERANCE[dtype]


def test_right_padding_leaves_earlier_positions_alone():
    q, k, v, _ = inputs(1, 4, 40, 16, 16, torch.float32, KERNEL_DEVICE, seed=3)
    decay = DECAYS["mixed"]
    short, _ = lightning_triton(q[:, :, :23], k[:, :, :23], v[:, :, :23], decay, plan=small_tiles(16, 16))
    padded_q, padded_k, padded_v = (x.clone() for x in (q, k, v))
    for x in (padded_q, padded_k, padded_v):
        x[:, :, 23:] = 1000.0  # garbage where a batch is padded
    padded, _ = lightning_triton(padded_q, padded_k, padded_v, decay, plan=small_tiles(16, 16))
    assert torch.equal(padded[:, :, :23], short)


def test_strided_views_are_read_as_such():
    """The model hands (b, n, h, d) memory seen as (b, h, n, d); the kernel must follow the strides."""
    b, n, h, d = 2, 29, 4, 16
    g = torch.Generator().manual_seed(4)
    qkv = torch.randn(b, n, 3 * h * d, generator=g).to(KERNEL_DEVICE)
    q, k, v = (x.view(b, n, h, d).transpose(1, 2) for x in qkv.chunk(3, dim=-1))
    assert not q.is_contiguous()
    decay = DECAYS["mixed"]
    got, _ = lightning_triton(q, k, v, decay, plan=small_tiles(d, d))
    assert relative_error(got, lightning_quadratic(q, k, v, decay)[0]) < 2e-5
    assert got.transpose(1, 2).is_contiguous()  # heads merge back without a copy


def test_bad_shapes_are_refused():
    q, k, v, _ = inputs(1, 4, 8, 16, 16, torch.float32, "cpu")
    with pytest.raises(ValueError, match="one value per head"):
        lightning_attention(q, k, v, torch.ones(3))
    with pytest.raises(ValueError, match="state must be"):
        lightning_attention(q, k, v, torch.ones(4), torch.zeros(1, 4, 16, 8))
    with pytest.raises(ValueError, match="unknown lightning-attention backend"):
        lightning_attention(q, k, v, torch.ones(4), backend="cuda")


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16], ids=str)
@pytest.mark.parametrize("d,e", [(128, 128), (256, 128), (64, 64)])  # 385M: heads of 128, layer 0 doubled
def test_kernel_on_gpu_at_model_sizes(d, e, dtype):
    n = 1000  # not a multiple of any block size
    q, k, v, state = inputs(2, 8, n, d, e, dtype, "cuda", seed=5, with_state=True)
    decay = decay_rates(8, 0, 24)
    want, want_state = lightning_quadratic(q, k, v, decay, state)
    got, got_state = lightning_attention(q, k, v, decay, state)  # auto: Triton for CUDA tensors
    assert relative_error(got, want) < TOLERANCE[dtype]
    assert relative_error(got_state, want_state) < TOLERANCE[dtype]
    ref, _ = lightning_attention(q, k, v, decay, state, backend="torch")
    assert relative_error(ref, want) < TOLERANCE[dtype]


# --- launch plans ---------------------------------------------------------------------------------

# Shared memory one block may opt into: Ada (L4, L40S), A100, H100 and H200.
SHARED_MEMORY = {"ada": 101_376, "a100": 166_912, "h100": 232_448}
# Head widths (d_qk, d_v): the shipped tiny model (32, and 64 in its LRPE layer), the 385M (128, and
# 256 in layer 0), and the widths in between.
WIDTHS = [(32, 32), (64, 32), (64, 64), (128, 128), (256, 128)]


@pytest.mark.parametrize("itemsize", [4, 2], ids=["fp32", "16-bit"])
@pytest.mark.parametrize("limit", SHARED_MEMORY.values(), ids=SHARED_MEMORY.keys())
@pytest.mark.parametrize("d_qk,d_v", WIDTHS, ids=str)
def test_launch_plans_fit_the_devices_shared_memory_and_grid(d_qk, d_v, limit, itemsize):
    plan = launch_plan(d_qk, d_v, itemsize, limit)
    assert shared_memory_bytes(plan, itemsize) <= limit, plan
    assert plan.block_d >= d_qk and plan.num_stages >= 1
    # 8,192 documents of 8 heads: more (sequence, head) pairs than grid axes 1 and 2 may hold.
    grid = plan.grid(8192 * 8, d_v)
    assert all(size <= most for size, most in zip(grid, MAX_GRID)), grid


def test_each_smaller_plan_needs_less_shared_memory():
    plan, sizes = launch_plan(256, 128, 4), []
    while plan is not None:
        sizes.append(shared_memory_bytes(plan, 4))
        plan = plan.smaller()
    assert len(sizes) > 3 and all(a > b for a, b in zip(sizes, sizes[1:])), sizes


def test_a_plan_cut_down_to_little_shared_memory_computes_the_same():
    q, k, v, _ = inputs(2, 4, 45, 32, 32, torch.float32, KERNEL_DEVICE, seed=6)
    decay = DECAYS["mixed"]
    roomy, tight = launch_plan(32, 32, 4), launch_plan(32, 32, 4, shared_memory=12_000)
    assert shared_memory_bytes(tight, 4) <= 12_000 < shared_memory_bytes(roomy, 4)
    want = lightning_quadratic(q, k, v, decay)[0]
    for plan in (roomy, tight):
        got, _ = lightning_triton(q, k, v, decay, plan=plan)
        assert relative_error(got, want) < 2e-5, plan


@pytest.mark.gpu
def test_more_sequence_heads_than_a_grid_axis_of_65535_launch():
    q, k, v, _ = inputs(8200, 8, 3, 16, 16, torch.float32, "cuda", seed=7)
    decay = decay_rates(8, 0, 24)
    got, _ = lightning_attention(q, k, v, decay)
    ref, _ = lightning_attention(q, k, v, decay, backend="torch")
    assert relative_error(got, ref.double().cpu()) < 2e-5


# --- the bf16 path, emulated ------------------------------------------------------------------------

def emulated_bf16_kernel(q, k, v, decay, plan):
    """The kernel's bf16 path in PyTorch, on the CPU: bf16 operands (exact in fp32), fp32 products and
    sums, and a rounding to bf16 wherever the kernel casts (the decayed QKᵀ and the state before their
    products, the decayed k, the output). The interpreter cannot run these products in bf16."""
    def bf16(x):
        return x.to(torch.bfloat16).float()
    b, h, n, d = q.shape
    e = v.shape[-1]
    s = decay.float().view(1, h, 1, 1)
    q, k, v = q.float(), k.float(), v.float()
    out = torch.empty(b, h, n, e)
    pos = torch.arange(plan.block_n, dtype=torch.float32)
    gap = pos[:, None] - pos[None, :]
    diag = torch.exp(torch.where(gap >= 0, -s * gap, torch.tensor(float("-inf"))))
    for e0 in range(0, e, plan.block_e):
        ve = v[..., e0:e0 + plan.block_e]
        kv = torch.zeros(b, h, d, ve.shape[-1])
        for start in range(0, n, plan.block_n):
            m = min(plan.block_n, n - start)
            qi, ki, vi = q[:, :, start:start + m], k[:, :, start:start + m], ve[:, :, start:start + m]
            qk = (qi @ ki.transpose(-1, -2)) * diag[..., :m, :m]
            o = bf16(qk) @ vi + (qi @ bf16(kv)) * torch.exp(-s * (pos[:m, None] + 1.0))
            out[:, :, start:start + m, e0:e0 + plan.block_e] = bf16(o)
            k_decayed = bf16(ki * torch.exp(-s * (m - 1.0 - pos[:m, None])))
            kv = torch.exp(-s * m) * kv + k_decayed.transpose(-1, -2) @ vi
    return out


@pytest.mark.parametrize("d_qk", [128, 256], ids=["head", "lrpe_layer"])
def test_the_bf16_path_at_the_385m_shapes_is_near_the_rounding_of_its_output(d_qk):
    """What a GPU run in bf16 should see at the 385M shapes over 2,048 tokens: most of the error is
    the bf16 output's own rounding; the casts inside add about half as much again."""
    q, k, v, _ = inputs(1, 8, 2048, d_qk, 128, torch.bfloat16, "cpu", seed=8)
    decay = decay_rates(8, 0, 24)
    want, _ = lightning_quadratic(q, k, v, decay)
    rounding = relative_error(want.to(torch.bfloat16), want)
    got = emulated_bf16_kernel(q, k, v, decay, launch_plan(d_qk, 128, 2))
    error = relative_error(got, want)
    assert rounding <= error < 1.6 * rounding and error < 5e-3, (error, rounding)
