"""Train the tiny TransNormerLLM shipped in datacleaning/model_probe/tiny/, reproducibly, on a CPU.

    python bench/probe_train_tiny.py --dev-data ../shared/data/dev            # writes the shipped model
    python bench/probe_train_tiny.py --dev-data ../shared/data/dev --out bench/out/tiny-try --steps 20

Data: the clean reference text of the development corpus (Chinese Wikipedia paragraphs, the Debian
Reference in Chinese and English, Chinese man pages, English WikiText-2 articles, detokenized),
tokenized with its SentencePiece model, which is copied beside the weights with its licence. Every
50th document of each file (by position) is held out; the held-out loss is measured with the scorer.
Writes config.json, model.safetensors (fp16, LRPE θ fp32), tokenizer.model, tokenizer.LICENSE.md and
TRAINING.md (command, data, steps, losses) to --out.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch

from datacleaning.model_probe import TINY, Scorer, TrainConfig, save_model, train_model
from datacleaning.model_probe.loader import SHIPPED_TINY
from datacleaning.model_probe.model import TransNormerLM

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCES = [  # file, licence
    ("zh/zh_clean_wiki_cmrc2018.jsonl", "CC-BY-SA-4.0"),
    ("zh/zh_clean_tech_debian_reference.jsonl", "GPL-2+"),
    ("zh/zh_clean_tech_manpages_zh.jsonl", "GFDL-1.2+"),
    ("en/en_clean_wiki_wikitext2.jsonl", "CC-BY-SA-3.0"),
    ("en/en_clean_tech_debian_reference.jsonl", "GPL-2+"),
]
TOKENIZER = "models/chinese_sp.model"
TOKENIZER_LICENCE = "models/chinese_sp.LICENSE.md"
HOLD_OUT_EVERY = 50


def detokenize_wikitext(text: str) -> str:
    """Undo WikiText's tokenization (`` @-@ ``, spaces before punctuation, ``<unk>``)."""
    text = re.sub(r" @(.)@ ", r"\1", text)
    text = re.sub(r" ([.,;:!?)\]'\"%])", r"\1", text)
    text = re.sub(r"([(\[]) ", r"\1", text)
    return text.replace(" <unk>", "").replace("<unk>", "")


def read_sources(dev_data: Path) -> dict[str, list[str]]:
    texts = {}
    for name, _ in SOURCES:
        with open(dev_data / name, encoding="utf-8") as f:
            docs = [json.loads(line)["text"] for line in f if line.strip()]
        texts[name] = [detokenize_wikitext(t) for t in docs] if "wikitext" in name else docs
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_data = os.environ.get("DATACLEANING_DEV_DATA", REPO_ROOT.parent / "shared" / "data" / "dev")
    parser.add_argument("--dev-data", type=Path, default=Path(default_data))
    parser.add_argument("--out", type=Path, default=SHIPPED_TINY)
    parser.add_argument("--steps", type=int, default=900)
    parser.add_argument("--batch-tokens", type=int, default=4096)
    parser.add_argument("--seq-len", type=int, default=256)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=str(args.dev_data / TOKENIZER))
    config = TINY.with_vocab(sp.vocab_size(), pad_token_id=None, bos_token_id=sp.bos_id(), eos_token_id=sp.eos_id())
    train_docs, held_out, rows = [], [], []
    for name, texts in read_sources(args.dev_data).items():
        ids = [np.array(sp.encode(t), dtype=np.int32) for t in texts]
        train_docs += [d for i, d in enumerate(ids) if i % HOLD_OUT_EVERY]
        held_out += [d for i, d in enumerate(ids) if not i % HOLD_OUT_EVERY]
        rows.append((name, len(texts), sum(d.size for d in ids)))
        print(f"{name}: {len(texts)} documents, {rows[-1][2]} tokens", flush=True)

    train = TrainConfig(steps=args.steps, batch_tokens=args.batch_tokens, seq_len=args.seq_len, lr=args.lr,
                        warmup_steps=max(1, args.steps // 10), seed=args.seed, log_every=10)
    model, result = train_model(train_docs, config, train, device="cpu", log=lambda m: print(m, flush=True))
    began = time.perf_counter()
    scores = Scorer(model, chunk_tokens=1024).score(held_out)
    held_out_loss = sum(s.nll for s in scores) / sum(s.n_tokens for s in scores)
    score_seconds = time.perf_counter() - began
    untrained = Scorer(TransNormerLM(config).eval(), chunk_tokens=1024).score(held_out[:20])
    untrained_loss = sum(s.nll for s in untrained) / sum(s.n_tokens for s in untrained)

    args.out.mkdir(parents=True, exist_ok=True)
    save_model(model, args.out, dtype=torch.float16, tokenizer=args.dev_data / TOKENIZER)
    shutil.copyfile(args.dev_data / TOKENIZER_LICENCE, args.out / "tokenizer.LICENSE.md")
    size = sum(f.stat().st_size for f in args.out.iterdir() if f.is_file() and f.name != "TRAINING.md")
    command = "python " + " ".join(shlex.quote(a) for a in [os.path.relpath(__file__, REPO_ROOT), *sys.argv[1:]])
    summary = {
        "command": command, "threads": args.threads, "config": config.to_hf(), "train": train.__dict__,
        "train_tokens": result.tokens, "train_seconds": round(result.seconds, 1),
        "final_loss": round(result.final_loss, 4), "first_loss": round(result.losses[0], 4),
        "held_out_docs": len(held_out), "held_out_tokens": sum(s.n_tokens for s in scores),
        "held_out_loss": round(held_out_loss, 4), "held_out_ppl": round(float(np.exp(held_out_loss)), 1),
        "untrained_held_out_loss": round(untrained_loss, 4),
        "held_out_scoring_tokens_per_s": round(sum(s.n_tokens for s in scores) / score_seconds),
        "folder_bytes": size,
    }
    print(json.dumps(summary, indent=2))
    (args.out / "TRAINING.md").write_text(training_notes(summary, rows), encoding="utf-8")


def training_notes(s: dict, rows: list[tuple[str, int, int]]) -> str:
    licences = dict(SOURCES)
    data = "\n".join(f"| `{name}` | {docs} | {tokens:,} | {licences[name]} |" for name, docs, tokens in rows)
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

The clean reference text of the project's development corpus; every {HOLD_OUT_EVERY}th document of each
file is held out. WikiText-2 is detokenized first (`@-@`, spaces before punctuation, `<unk>`).

| file | documents | tokens | licence |
|---|---|---|---|
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

Weights are stored in fp16 (LRPE θ in fp32) and loaded in fp32 on a CPU.
"""


if __name__ == "__main__":
    main()
