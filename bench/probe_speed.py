"""Scoring speed of the perplexity probe, and the kernel's accuracy, in each dtype:

- the Triton lightning-attention kernel alone, and the PyTorch block form alone, over every layer's
  attention shapes for the benchmark's batch (their max relative error against an fp64 oracle on
  one document);
- the whole scorer with the Triton kernel, with the PyTorch block form, and with the same network's
  attention computed as causal softmax attention (SDPA) over the same q, k, v after the same SiLU and
  LRPE, gate and norm, so only the attention differs.

    python bench/probe_speed.py                      # GPU: the 385M config, bf16 and fp32
    python bench/probe_speed.py --json bench/out/probe_speed.json
    python bench/probe_speed.py --tiny               # a tiny random model: the wiring, in seconds

Documents are random tokens of ragged lengths (from a quarter of --doc-tokens to all of it), scored
in token-budget batches with right padding, in chunks of --chunk-tokens that carry the attention
state from one chunk to the next (the softmax rows read each document whole: softmax attention has no
fixed-size state to carry). Each row runs once to warm up (kernel compilation, allocator),
then until --min-seconds have passed and at least --repeat times; the median run counts.

FLOPs are what each row executes: 2 per weight per token in the matrix products (the output layer
included), plus per layer and head and token, for lightning attention of block B with the kernel's
value tiles of width E_t: 2·B·d_qk·(d_v/E_t) (QKᵀ, computed again for each value tile) + 2·B·d_v +
4·d_qk·d_v (the state), and for causal softmax attention 2·c·(d_qk + d_v) with c the mean context of a
token. Achieved FLOP/s is set against the device's dense peak in the dtype (bf16 tensor cores; fp32
rows against the same peak, for scale). Without CUDA and without --tiny, the shipped tiny model is
measured on the CPU in fp32 without the Triton rows; with --tiny on a CPU, TRITON_INTERPRET=1 runs the
Triton rows in Triton's interpreter (a check of the wiring, not a speed).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from datacleaning.model_probe import SIZE_385M, Scorer, TransNormerLM, load_model
from datacleaning.model_probe.config import ModelConfig
from datacleaning.model_probe.lightning import lightning_quadratic, lightning_reference
from datacleaning.model_probe.model import TokenMixer, decay_rates

# Dense bf16 tensor-core peaks (FLOP/s); the longest name that torch.cuda.get_device_name() contains
# wins, so "H100 NVL" is not read as "H100" nor "L40S" as "L4".
BF16_PEAK = {
    "H100 NVL": 835e12,
    "H100 PCIe": 756e12,
    "H100": 989e12,   # SXM
    "H200": 989e12,
    "H800": 989e12,
    "A100": 312e12,
    "L40S": 362e12,
    "L40": 181e12,
    "L4": 121e12,
    "A10G": 70e12,
}
TINY = ModelConfig(d_model=64, n_layers=2, n_heads=2, glu_dim=128, vocab_size=512)


def device_peak(name: str) -> float | None:
    matches = [key for key in BF16_PEAK if key in name]
    return BF16_PEAK[max(matches, key=len)] if matches else None


class SoftmaxTokenMixer(torch.nn.Module):
    """A lightning token mixer's weights and its whole computation, with causal softmax attention
    (SDPA) in place of lightning attention."""

    def __init__(self, mixer: TokenMixer):
        super().__init__()
        self.mixer = mixer

    def forward(self, x, state, offset, backend):
        m = self.mixer
        b, n, _ = x.shape
        q, k, v, u = m.qkvu_proj(x).chunk(4, dim=-1)
        q, k, v = (t.view(b, n, m.n_heads, m.head_dim).transpose(1, 2) for t in (q, k, v))
        q, k = m.act(q), m.act(k)
        if m.lrpe is not None:
            q, k = m.lrpe(q, offset), m.lrpe(k, offset)
        o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return m.out_proj(u * m.norm(o.transpose(1, 2).reshape(b, n, -1))), None


def softmax_variant(model: TransNormerLM) -> TransNormerLM:
    """The same model object with every token mixer wrapped (weights shared, nothing copied); undone
    by :func:`lightning_again`."""
    for layer in model.model.layers:
        layer.token_mixer = SoftmaxTokenMixer(layer.token_mixer)
    return model


def lightning_again(model: TransNormerLM) -> TransNormerLM:
    for layer in model.model.layers:
        if isinstance(layer.token_mixer, SoftmaxTokenMixer):
            layer.token_mixer = layer.token_mixer.mixer
    return model


def layer_widths(cfg: ModelConfig) -> list[tuple[int, int]]:
    """(d_qk, d_v) of every layer's heads: LRPE layers' q and k are twice as wide."""
    return [(2 * cfg.head_dim if i in cfg.lrpe_layers else cfg.head_dim, cfg.head_dim) for i in range(cfg.n_layers)]


def attention_flops(cfg: ModelConfig, attention: str, dtype: torch.dtype, mean_context: float) -> float:
    """Attention FLOPs per token over all layers and heads, as the row executes them."""
    total = 0.0
    for d_qk, d_v in layer_widths(cfg):
        if attention == "triton":
            from datacleaning.model_probe.lightning_triton import launch_plan
            plan = launch_plan(d_qk, d_v, torch.tensor([], dtype=dtype).element_size())
            tiles = -(-d_v // plan.block_e)
            per_head = 2 * plan.block_n * d_qk * tiles + 2 * plan.block_n * d_v + 4 * d_qk * d_v
        elif attention == "torch":
            block = 128
            per_head = 2 * block * (d_qk + d_v) + 4 * d_qk * d_v
        else:
            per_head = 2 * mean_context * (d_qk + d_v)
        total += cfg.n_heads * per_head
    return total


def weight_flops(model: TransNormerLM) -> float:
    return 2.0 * sum(p.numel() for p in model.parameters() if p.dim() == 2)  # the embedding is the output layer


def timed(run, device: torch.device, repeat: int, min_seconds: float) -> float:
    """The median time of ``run()`` after a warm-up, over at least ``repeat`` runs and ``min_seconds``
    (a device shared with others can slow any run, so the best one would favour the shortest rows)."""
    run()
    times: list[float] = []
    while len(times) < repeat or sum(times) < min_seconds:
        if device.type == "cuda":
            torch.cuda.synchronize()
        began = time.perf_counter()
        run()
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def kernel_rows(cfg: ModelConfig, dtype: torch.dtype, device: torch.device, lengths: list[int], args,
                backends: list[str]) -> list[dict]:
    """Lightning attention alone over every layer's shapes for the batch (padded to its longest
    document), and its error against the fp64 oracle on the first document."""
    from datacleaning.model_probe.lightning_triton import lightning_triton
    torch.manual_seed(0)
    b, n = len(lengths), max(lengths)
    # One set of inputs per head width, made on the device, read by every layer of that width.
    inputs = {}
    for d_qk, d_v in set(layer_widths(cfg)):
        q, k = (F.silu(torch.randn(b, cfg.n_heads, n, d_qk, device=device)).to(dtype) for _ in range(2))
        inputs[d_qk, d_v] = (q, k, torch.randn(b, cfg.n_heads, n, d_v, device=device).to(dtype))
    layers = [(*inputs[widths], decay_rates(cfg.n_heads, i, cfg.n_layers))
              for i, widths in enumerate(layer_widths(cfg))]
    kernels = {"triton": lambda q, k, v, s: lightning_triton(q, k, v, s),
               "torch": lambda q, k, v, s: lightning_reference(q, k, v, s)}
    rows = []
    for backend in backends:
        kernel = kernels[backend]
        seconds = timed(lambda: [kernel(*layer) for layer in layers], device, args.repeat, args.min_seconds)
        q, k, v, s = layers[0]
        one = [x[:1, :, :lengths[0]] for x in (q, k, v)]
        want, _ = lightning_quadratic(*one, s)
        got, _ = kernel(*one, s)
        error = ((got.double().cpu() - want).abs().max() / want.abs().max()).item()
        tokens = b * n
        rows.append({"what": f"kernel alone: {'Triton' if backend == 'triton' else 'PyTorch block form'}",
                     "dtype": str(dtype).removeprefix("torch."), "seconds": seconds, "tokens": tokens,
                     "flops_per_token": attention_flops(cfg, backend, dtype, 0), "max_rel_error": error})
    return rows


def scorer_rows(model: TransNormerLM, dtype: torch.dtype, device: torch.device, docs: list[np.ndarray], args,
                backends: list[str]) -> list[dict]:
    cfg = model.config
    lengths = [len(doc) for doc in docs]
    tokens = sum(lengths)
    mean_context = sum(n * (n + 1) / 2 for n in lengths) / tokens
    rows = []
    for backend in [*backends, "softmax"]:
        if backend == "softmax":
            softmax_variant(model)
        else:
            model.backend = backend
        # Softmax attention carries no fixed-size state from chunk to chunk: it reads whole documents.
        chunk = max(lengths) if backend == "softmax" else args.chunk_tokens
        scorer = Scorer(model, token_budget=max(args.token_budget, chunk), chunk_tokens=chunk)
        scores = []
        seconds = timed(lambda: scores.append(scorer.score(docs)), device, args.repeat, args.min_seconds)
        assert all(np.isfinite(s.ppl) for s in scores[-1])
        lightning_again(model)
        model.backend = "auto"
        name = {"triton": "Triton", "torch": "PyTorch block form", "softmax": "softmax (SDPA)"}[backend]
        rows.append({"what": f"scorer: {name}", "dtype": str(dtype).removeprefix("torch."), "seconds": seconds,
                     "tokens": tokens,
                     "flops_per_token": weight_flops(model) + attention_flops(cfg, backend, dtype, mean_context)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--doc-tokens", type=int, default=2048, help="the longest document (default 2048)")
    parser.add_argument("--docs", type=int, default=None, help="default: 32 on a GPU, 8 on a CPU")
    parser.add_argument("--chunk-tokens", type=int, default=None, help="default: half of --doc-tokens")
    parser.add_argument("--token-budget", type=int, default=16384)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--min-seconds", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (CPU runs only)")
    parser.add_argument("--tiny", action="store_true", help="a tiny random model (wiring; interpreter on a CPU)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    args.chunk_tokens = args.chunk_tokens or max(1, args.doc_tokens // 2)

    cuda = torch.cuda.is_available()
    device = torch.device("cuda" if cuda else "cpu")
    interpreted = not cuda and os.environ.get("TRITON_INTERPRET") == "1"
    torch.manual_seed(0)
    if args.tiny:
        model, name = TransNormerLM(TINY), "tiny, random weights"
    elif cuda:
        model, name = TransNormerLM(SIZE_385M), "385M, random weights"
    else:
        model, name = load_model(), "tiny (shipped)"
    model = model.to(device).eval()
    backends = ["triton", "torch"] if cuda or interpreted else ["torch"]
    dtypes = [torch.bfloat16, torch.float32] if cuda or args.tiny else [torch.float32]
    if cuda:
        device_name = torch.cuda.get_device_name()
    else:
        torch.set_num_threads(args.threads)
        device_name = f"CPU, {args.threads} thread(s)" + (", Triton interpreter" if interpreted else "")
        if not interpreted:
            print("Triton rows: skipped, no CUDA device (on a CPU the kernel runs only in Triton's interpreter: "
                  "TRITON_INTERPRET=1 with --tiny)")
    peak = device_peak(device_name) if cuda else None
    n_docs = args.docs or (32 if cuda else 8)
    rng = np.random.default_rng(0)
    lengths = [int(n) for n in rng.integers(max(1, args.doc_tokens // 4), args.doc_tokens + 1, size=n_docs)]
    lengths[0] = args.doc_tokens
    docs = [rng.integers(3, model.config.vocab_size, size=n) for n in lengths]

    rows = []
    for dtype in dtypes:
        model.cast(dtype)
        rows += kernel_rows(model.config, dtype, device, lengths, args, backends)
        rows += scorer_rows(model, dtype, device, docs, args, backends)
    for row in rows:
        row["tokens_per_s"] = row["tokens"] / row["seconds"]
        row["tflops"] = row["tokens_per_s"] * row["flops_per_token"] / 1e12
        row["of_peak"] = row["tflops"] * 1e12 / peak if peak else None

    print(f"\nmodel {name}, {device_name}; {n_docs} documents of {min(lengths)}–{max(lengths)} tokens, chunks of "
          f"{args.chunk_tokens}, token budget {args.token_budget}\n")
    print("| what | dtype | tokens/s | TFLOP/s | of dense bf16 peak | max rel. error vs fp64 |")
    print("|---|---|---:|---:|---:|---:|")
    for row in rows:
        share = f"{row['of_peak']:.1%}" if row["of_peak"] is not None else "n/a"
        error = f"{row['max_rel_error']:.1e}" if "max_rel_error" in row else ""
        print(f"| {row['what']} | {row['dtype']} | {row['tokens_per_s']:,.0f} | {row['tflops']:.3f} | {share} | {error} |")
    if args.json:
        import triton
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "model": name, "device": device_name, "peak_bf16": peak, "docs": n_docs, "doc_tokens": max(lengths),
            "doc_tokens_min": min(lengths), "chunk_tokens": args.chunk_tokens, "token_budget": args.token_budget,
            "torch": torch.__version__, "triton": triton.__version__, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
