"""Train the tiny TransNormerLLM shipped in datacleaning/model_probe/tiny/ (or one of other sizes:
``--d-model``, ``--layers``, ``--heads``, ``--glu``), reproducibly, on a CPU.

    python bench/probe_train_tiny.py --dev-data ../shared/data/dev            # writes the shipped model
    python bench/probe_train_tiny.py --dev-data ../shared/data/dev --out bench/out/tiny-try --steps 20

Data: the clean reference prose the shipped quality classifier and reference n-gram model learn
from (bench/quality_train_default.py's GOOD: Chinese Wikipedia, statutes, LibreOffice help, Debian
Reference and man pages; English WikiText-2 detokenized, Debian Reference, nltk's public-domain
prose, GUM's CC-BY documents), the even positions of each file in pieces of about 3,000
characters, at most 1,000 pieces a file, tokenized with the development corpus' SentencePiece
model, which is copied beside the weights with its licence. The held-out loss is measured per file
on its odd positions (at most ``HELD_OUT_DOCS``, their first ``HELD_OUT_CHARS`` characters), which
bench/judgment.py measures too. Writes config.json, model.safetensors (fp16, LRPE θ fp32),
tokenizer.model, tokenizer.LICENSE.md and TRAINING.md (command, data, steps, losses) to --out.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from _common import TOKENIZER, add_dev_data_option, dev_data_or_exit
from judgment import evenly
from quality_train_default import GOOD, good_texts, reference_texts
from datacleaning.model_probe import TINY, Scorer, TrainConfig, save_model, train_model
from datacleaning.model_probe.loader import SHIPPED_TINY
from datacleaning.model_probe.model import TransNormerLM

REPO_ROOT = Path(__file__).resolve().parent.parent
TOKENIZER_LICENCE = "models/chinese_sp.LICENSE.md"
PIECE_CHARS = 3000
HELD_OUT_DOCS = 200
HELD_OUT_CHARS = 3000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_dev_data_option(parser, default=REPO_ROOT.parent / "shared" / "data" / "dev")
    parser.add_argument("--out", type=Path, default=SHIPPED_TINY)
    parser.add_argument("--steps", type=int, default=900)
    parser.add_argument("--batch-tokens", type=int, default=4096)
    parser.add_argument("--seq-len", type=int, default=256)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--d-model", type=int, default=TINY.d_model, help="width (default: the tiny model's)")
    parser.add_argument("--layers", type=int, default=TINY.n_layers)
    parser.add_argument("--heads", type=int, default=TINY.n_heads)
    parser.add_argument("--glu", type=int, default=TINY.glu_dim, help="GLU hidden width")
    args = parser.parse_args()
    dev = dev_data_or_exit(args.dev_data, "probe_train_tiny")
    torch.set_num_threads(args.threads)

    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=str(dev / TOKENIZER))
    sizes = replace(TINY, d_model=args.d_model, n_layers=args.layers, n_heads=args.heads, glu_dim=args.glu)
    config = sizes.with_vocab(sp.vocab_size(), pad_token_id=None, bos_token_id=sp.bos_id(), eos_token_id=sp.eos_id())
    by_lang, table = good_texts(dev, PIECE_CHARS)
    train_docs = [np.array(sp.encode(t), dtype=np.int32) for texts in by_lang.values() for t in texts]
    held_out = {name: [np.array(sp.encode(t[:HELD_OUT_CHARS]), dtype=np.int32)
                       for t in evenly(reference_texts(dev, name, 1), HELD_OUT_DOCS)] for name, _, _ in GOOD}
    print(f"{len(train_docs)} pieces, {sum(d.size for d in train_docs):,} tokens", flush=True)

    train = TrainConfig(steps=args.steps, batch_tokens=args.batch_tokens, seq_len=args.seq_len, lr=args.lr,
                        warmup_steps=max(1, args.steps // 10), seed=args.seed, log_every=10)
    model, result = train_model(train_docs, config, train, device="cpu", log=lambda m: print(m, flush=True))
    began = time.perf_counter()
    scorer = Scorer(model, chunk_tokens=1024)
    per_source = {}
    for name, docs in held_out.items():
        scores = scorer.score(docs)
        per_source[name] = {"documents": len(docs), "tokens": sum(s.n_tokens for s in scores),
                            "loss": round(sum(s.nll for s in scores) / max(sum(s.n_tokens for s in scores), 1), 4)}
    score_seconds = time.perf_counter() - began
    held_out_tokens = sum(v["tokens"] for v in per_source.values())
    held_out_loss = sum(v["loss"] * v["tokens"] for v in per_source.values()) / held_out_tokens
    first_docs = [d for docs in held_out.values() for d in docs[:3]]
    untrained = Scorer(TransNormerLM(config).eval(), chunk_tokens=1024).score(first_docs)
    untrained_loss = sum(s.nll for s in untrained) / sum(s.n_tokens for s in untrained)

    args.out.mkdir(parents=True, exist_ok=True)
    save_model(model, args.out, dtype=torch.float16, tokenizer=dev / TOKENIZER)
    shutil.copyfile(dev / TOKENIZER_LICENCE, args.out / "tokenizer.LICENSE.md")
    size = sum(f.stat().st_size for f in args.out.iterdir() if f.is_file() and f.name != "TRAINING.md")
    command = "python " + " ".join(shlex.quote(a) for a in [os.path.relpath(__file__, REPO_ROOT), *sys.argv[1:]])
    summary = {
        "command": command, "threads": args.threads, "config": config.to_hf(), "train": train.__dict__,
        "train_tokens": result.tokens, "train_seconds": round(result.seconds, 1),
        "final_loss": round(result.final_loss, 4), "first_loss": round(result.losses[0], 4),
        "held_out_docs": sum(v["documents"] for v in per_source.values()), "held_out_tokens": held_out_tokens,
        "held_out_loss": round(held_out_loss, 4), "held_out_ppl": round(float(np.exp(held_out_loss)), 1),
        "held_out_by_source": per_source, "untrained_held_out_loss": round(untrained_loss, 4),
        "held_out_scoring_tokens_per_s": round(held_out_tokens / score_seconds),
        "folder_bytes": size,
    }
    print(json.dumps(summary, indent=2))
    (args.out / "TRAINING.md").write_text(training_notes(summary, table), encoding="utf-8")


def training_notes(s: dict, table: list[tuple[str, str, int, int]]) -> str:
    held = s["held_out_by_source"]
    data = "\n".join(f"| `{name}` | {docs:,} | {pieces:,} | {licence} | {held[name]['documents']} | {held[name]['loss']} |"
                     for name, licence, docs, pieces in table)
    t = s["train"]
    return f"""# The tiny TransNormerLLM shipped with datacleaning

A {s['config']['decoder_layers']}-layer TransNormerLLM (d_model {s['config']['decoder_embed_dim']},
{s['config']['decoder_attention_heads']} heads, GLU {s['config']['glu_dim']}, LRPE in layer 0,
vocabulary {s['config']['vocab_size']}) trained from scratch on a CPU, so that the perplexity
probe works out of the box. It tells clean reference text from noise; it is no language model to
rank good prose finely. Train a larger one on your own reference corpus for real use.

Reproduce (from the repository root, about {s['train_seconds'] / 60:.0f} minutes with {s['threads']} CPU threads):

    {s['command']}

## Data

The clean reference prose of the project's development corpus, the even positions of each file
(the text the quality classifier and the reference n-gram model learn from), in pieces of about
{PIECE_CHARS:,} characters, at most 1,000 pieces a file; WikiText-2 detokenized first (`@-@`, spaces
before punctuation, `<unk>`). Held out: the odd positions of each file (at most {HELD_OUT_DOCS}
documents taken evenly, their first {HELD_OUT_CHARS:,} characters), never trained on.

| file | documents | pieces | licence | held-out documents | held-out loss (nats/token) |
|---|---:|---:|---|---:|---:|
{data}

Tokenizer: `tokenizer.model`, the development corpus' `models/chinese_sp.model` (SentencePiece,
20,000 pieces, Apache-2.0: `tokenizer.LICENSE.md`). No BOS/EOS are added by the tokenizer; the
trainer and the scorer put BOS (id {s['config']['bos_token_id']}) before every document.

## Training

AdamW (betas {tuple(t['betas'])}, weight decay {t['weight_decay']}, not on LRPE θ), lr {t['lr']} with
{t['warmup_steps']} warm-up steps then cosine to {t['min_lr_ratio']}×, gradient clip {t['grad_clip']},
seed {t['seed']}; {t['steps']} steps of at most {t['batch_tokens']} positions, pieces of at most
{t['seq_len']} tokens, one document per row (never packed), fp32.

| | |
|---|---|
| target tokens trained on | {s['train_tokens']:,} |
| time | {s['train_seconds']} s |
| first-step loss | {s['first_loss']} nats/token |
| final loss (mean of the last 5% of steps) | **{s['final_loss']}** nats/token |
| held-out loss ({s['held_out_docs']} documents, {s['held_out_tokens']:,} tokens) | \
**{s['held_out_loss']}** nats/token (ppl {s['held_out_ppl']}) |
| same, untrained model | {s['untrained_held_out_loss']} nats/token |
| files in this folder (without this one) | {s['folder_bytes'] / 1e6:.2f} MB |

Weights are stored in fp16 (LRPE θ in fp32); the probe stage loads them in bf16 where the
hardware computes it, else in fp32 (`probe.dtype`).
"""


if __name__ == "__main__":
    main()
