"""Scoring speed of the perplexity probe: lightning attention (Triton kernel, PyTorch block form) against
an equal-size softmax-attention model (scaled_dot_product_attention).

    python bench/probe_speed.py                   # GPU: the 385M config in bf16; CPU: the shipped tiny model
    python bench/probe_speed.py --json bench/out/probe_speed.json

Every configuration scores the same documents of --doc-tokens random tokens with the Scorer (token
budget batches, BOS, fp32 log-softmax in slices), after one warm-up pass; the best of --repeat runs
counts. The softmax model is the same network with the token mixer's lightning attention replaced by
causal softmax attention over the same q, k, v (same weights, same u gate and norm), so only the
attention differs. On a GPU, achieved FLOP/s is reported against the device's dense bf16 peak:

    FLOPs/token = 2 × (weights in matrix products, lm_head included)
                + per layer and head: lightning  2·B·(d_qk + d_v) + 4·d_qk·d_v   (block B, fp32 state)
                                      softmax    2·(n/2)·(d_qk + d_v)            (causal half of n×n)

Without CUDA the Triton row is skipped with a message (the kernel runs on GPUs; on a CPU it only runs in
Triton's interpreter, for the tests), and the shipped tiny model is measured in fp32 on --threads threads.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from datacleaning.model_probe import SIZE_385M, Scorer, TransNormerLM, load_model
from datacleaning.model_probe.model import TokenMixer

# Dense bf16 tensor-core peaks (FLOP/s), by a substring of torch.cuda.get_device_name().
BF16_PEAK = [
    ("H100 PCIe", 756e12),
    ("H100", 989e12),  # SXM
    ("H200", 989e12),
    ("H800", 989e12),
    ("A100", 312e12),
    ("L40S", 362e12),
    ("A10G", 70e12),
    ("L4", 121e12),
]


class SoftmaxTokenMixer(torch.nn.Module):
    """A lightning token mixer's weights, with causal softmax attention in place of lightning attention."""

    def __init__(self, mixer: TokenMixer):
        super().__init__()
        self.mixer = mixer

    def forward(self, x, state, offset, backend):
        m = self.mixer
        b, n, _ = x.shape
        q, k, v, u = m.qkvu_proj(x).chunk(4, dim=-1)
        q, k, v = (t.view(b, n, m.n_heads, m.head_dim).transpose(1, 2) for t in (q, k, v))
        o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return m.out_proj(u * m.norm(o.transpose(1, 2).reshape(b, n, -1))), None


def softmax_variant(model: TransNormerLM) -> TransNormerLM:
    """The same model object with every token mixer wrapped (weights shared, nothing copied)."""
    for layer in model.model.layers:
        layer.token_mixer = SoftmaxTokenMixer(layer.token_mixer)
    return model


def flops_per_token(model: TransNormerLM, n: int, attention: str, block: int) -> float:
    cfg = model.config
    matmul_weights = sum(p.numel() for name, p in model.named_parameters() if p.dim() == 2)  # embedding = lm_head
    d_v = cfg.head_dim
    total = 2.0 * matmul_weights
    for i in range(cfg.n_layers):
        d_qk = 2 * d_v if i in cfg.lrpe_layers and attention == "lightning" else d_v
        per_head = (2 * block * (d_qk + d_v) + 4 * d_qk * d_v if attention == "lightning"
                    else 2 * (n / 2) * (d_qk + d_v))
        total += cfg.n_heads * per_head
    return total


def measure(model: TransNormerLM, docs, repeat: int, token_budget: int, chunk: int, device) -> float:
    scorer = Scorer(model, token_budget=token_budget, chunk_tokens=chunk)
    scorer.score(docs[:max(1, len(docs) // 4)])  # warm-up: kernel compilation, allocator, caches
    best = float("inf")
    for _ in range(repeat):
        if device.type == "cuda":
            torch.cuda.synchronize()
        began = time.perf_counter()
        scores = scorer.score(docs)
        if device.type == "cuda":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - began)
        assert all(np.isfinite(s.ppl) for s in scores)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--doc-tokens", type=int, default=2048)
    parser.add_argument("--docs", type=int, default=None, help="default: 64 on a GPU, 8 on a CPU")
    parser.add_argument("--token-budget", type=int, default=16384)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (CPU runs only)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    cuda = torch.cuda.is_available()
    device = torch.device("cuda" if cuda else "cpu")
    if cuda:
        torch.manual_seed(0)
        model, dtype, name = TransNormerLM(SIZE_385M).to(device).cast(torch.bfloat16).eval(), "bf16", "385M"
        backends = ["triton", "torch"]
        device_name = torch.cuda.get_device_name()
        peak = next((p for key, p in BF16_PEAK if key in device_name), None)
    else:
        torch.set_num_threads(args.threads)
        model, dtype, name = load_model(), "fp32", "tiny (shipped)"
        backends = ["torch"]
        device_name, peak = f"CPU, {args.threads} thread(s)", None
        print("Triton kernel: skipped, no CUDA device (on a CPU it runs only in Triton's interpreter, for tests)")
    n_docs = args.docs or (64 if cuda else 8)
    rng = np.random.default_rng(0)
    docs = [rng.integers(3, model.config.vocab_size, size=args.doc_tokens) for _ in range(n_docs)]
    tokens = n_docs * args.doc_tokens

    rows = []
    for backend in backends:
        model.backend = backend
        seconds = measure(model, docs, args.repeat, args.token_budget, args.doc_tokens, device)
        block = 64 if backend == "triton" else 128  # the backends' default block sizes
        rows.append({"attention": f"lightning ({'Triton' if backend == 'triton' else 'PyTorch block form'})",
                     "seconds": seconds, "flops_per_token": flops_per_token(model, args.doc_tokens, "lightning", block)})
    model.backend = "auto"
    softmax = softmax_variant(model)
    seconds = measure(softmax, docs, args.repeat, args.token_budget, args.doc_tokens, device)
    rows.append({"attention": "softmax (SDPA)", "seconds": seconds,
                 "flops_per_token": flops_per_token(softmax, args.doc_tokens, "softmax", 0)})

    print(f"\nmodel {name}, {dtype}, {device_name}; {n_docs} documents of {args.doc_tokens} tokens, "
          f"token budget {args.token_budget}, best of {args.repeat}\n")
    print("| attention | tokens/s | docs/s | TFLOP/s | of bf16 peak |")
    print("|---|---|---|---|---|")
    for row in rows:
        row["tokens_per_s"] = tokens / row["seconds"]
        row["docs_per_s"] = n_docs / row["seconds"]
        row["tflops"] = row["tokens_per_s"] * row["flops_per_token"] / 1e12
        row["of_peak"] = row["tflops"] * 1e12 / peak if peak else None
        share = f"{row['of_peak']:.1%}" if peak else "n/a"
        print(f"| {row['attention']} | {row['tokens_per_s']:,.0f} | {row['docs_per_s']:,.2f} | "
              f"{row['tflops']:.3f} | {share} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"model": name, "dtype": dtype, "device": device_name, "docs": n_docs,
                                         "doc_tokens": args.doc_tokens, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
