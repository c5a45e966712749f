"""Train a small TransNormerLLM from scratch on token arrays (AdamW, linear warm-up then cosine decay).

Every row of a batch is one piece of one document and starts from an empty attention state:
documents are never packed together, because TransNormerLLM's upper layers barely decay and would
carry one document into the next. A document's first piece is read from BOS (as the scorer reads it);
a later piece from the token before it. Rows of similar length are batched together up to
``batch_tokens`` positions. With a seed, the run is reproducible on a CPU with a fixed thread count.
"""
from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from datacleaning.config import Config
from datacleaning.errors import ConfigError
from datacleaning.model_probe.config import ModelConfig
from datacleaning.model_probe.model import TransNormerLM
from datacleaning.shard_input import input_schema, plan_scan_units, read_unit_batches
from datacleaning.model_probe.text import model_texts
from datacleaning.tokenize.spm import encode_texts
from datacleaning.tokenize.spm import load_model as load_spm
from datacleaning.model_probe.score import pick_device


@dataclass(frozen=True)
class TrainConfig:
    steps: int = 1000
    batch_tokens: int = 8192
    seq_len: int = 512
    lr: float = 3e-3
    min_lr_ratio: float = 0.1  # the cosine ends at lr · min_lr_ratio
    warmup_steps: int = 50
    weight_decay: float = 0.1
    betas: tuple[float, float] = (0.9, 0.95)
    grad_clip: float = 1.0
    seed: int = 0
    log_every: int = 50


@dataclass
class TrainResult:
    final_loss: float  # mean training loss (nats/token) over the last 5% of steps
    losses: list[float] = field(repr=False)
    tokens: int  # target tokens trained on
    seconds: float


def document_pieces(docs: Sequence[np.ndarray], seq_len: int, bos: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(inputs, targets) pieces of at most ``seq_len`` targets, in document order."""
    pieces = []
    for doc in docs:
        doc = np.asarray(doc, dtype=np.int64)
        for start in range(0, doc.size, seq_len):
            targets = doc[start:start + seq_len]
            inputs = (np.concatenate([[bos], targets[:-1]]) if start == 0
                      else doc[start - 1:start - 1 + targets.size])
            pieces.append((inputs, targets))
    return pieces


def _epoch_batches(lengths: np.ndarray, batch_tokens: int, rng: np.random.Generator) -> list[np.ndarray]:
    order = rng.permutation(lengths.size)
    order = order[np.argsort(-lengths[order], kind="stable")]
    batches, start = [], 0
    while start < order.size:
        rows = max(1, batch_tokens // int(lengths[order[start]]))
        batches.append(order[start:start + rows])
        start += rows
    return [batches[i] for i in rng.permutation(len(batches))]


def _collate(pieces, rows: np.ndarray, filler: int, device) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(pieces[i][1].size for i in rows)
    ids = np.full((rows.size, width), filler, dtype=np.int64)
    targets = np.full((rows.size, width), -1, dtype=np.int64)
    for r, i in enumerate(rows):
        inputs, tgt = pieces[i]
        ids[r, :inputs.size] = inputs
        targets[r, :tgt.size] = tgt
    return torch.from_numpy(ids).to(device), torch.from_numpy(targets).to(device)


def train_model(docs: Sequence[np.ndarray], config: ModelConfig, train: TrainConfig = TrainConfig(), *,
                device: str | torch.device | None = None, log: Callable[[str], None] | None = None
                ) -> tuple[TransNormerLM, TrainResult]:
    """Train a fresh model of ``config`` on documents of token ids (without BOS) for ``train.steps``
    steps; returns it in eval mode, in fp32, with the loss curve."""
    if train.steps < 1:
        raise ValueError("train.steps must be at least 1")
    device = pick_device(device)
    pieces = document_pieces(docs, train.seq_len, config.bos_token_id)
    if not pieces:
        raise ValueError("no tokens to train on")
    lengths = np.array([p[1].size for p in pieces])
    filler = config.pad_token_id if config.pad_token_id is not None else config.eos_token_id
    rng = np.random.default_rng(train.seed)
    torch.manual_seed(train.seed)

    model = TransNormerLM(config).to(device).train()
    model.backend = "torch"  # the Triton kernel is forward-only
    named = list(model.named_parameters())
    groups = [  # no weight decay on LRPE θ (a frequency, not a weight matrix)
        {"params": [p for n, p in named if not n.endswith("lrpe.theta")], "weight_decay": train.weight_decay},
        {"params": [p for n, p in named if n.endswith("lrpe.theta")], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=train.lr, betas=train.betas)

    def lr_factor(step: int) -> float:
        if step < train.warmup_steps:
            return (step + 1) / train.warmup_steps
        progress = (step - train.warmup_steps) / max(1, train.steps - train.warmup_steps)
        return train.min_lr_ratio + (1 - train.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)
    losses, tokens, began = [], 0, time.perf_counter()
    batches: list[np.ndarray] = []
    for step in range(train.steps):
        if not batches:
            batches = _epoch_batches(lengths, train.batch_tokens, rng)
        ids, targets = _collate(pieces, batches.pop(), filler, device)
        nll, _ = model.token_nll(ids, targets)
        n = int((targets >= 0).sum())
        loss = nll.sum() / n
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), train.grad_clip)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        tokens += n
        if log and (step + 1) % train.log_every == 0:
            log(f"step {step + 1}/{train.steps} loss {losses[-1]:.4f} lr {schedule.get_last_lr()[0]:.2e} "
                f"tokens {tokens} {time.perf_counter() - began:.0f}s")
    tail = losses[-max(1, train.steps // 20):]
    result = TrainResult(sum(tail) / len(tail), losses, tokens, time.perf_counter() - began)
    model.backend = "auto"
    return model.eval(), result


def read_reference(inputs: Sequence[str | os.PathLike], tokenizer, max_docs: int = 0,
                   fold_script: bool = True) -> list[np.ndarray]:
    """The token ids of every document (of at least one token) in folders of Arrow shards (local
    or URLs), in input order, at most ``max_docs`` of them (0: all), read as the probe reads them
    (``fold_script``: datacleaning.model_probe.text)."""
    docs: list[np.ndarray] = []
    for folder in inputs:
        input_schema(folder, "probe train", ("text",))
        for unit in plan_scan_units(folder, 1 << 30):
            for batch in read_unit_batches(unit, ["text"]):
                texts = model_texts(batch.column("text"), fold_script)
                docs += [ids for ids in encode_texts(tokenizer, texts) if ids.size]
                if max_docs and len(docs) >= max_docs:
                    return docs[:max_docs]
    return docs


def train_reference_model(config: Config, inputs: Sequence[str | os.PathLike], output: Path, tokenizer_path: Path,
                          log: Callable[[str], None] | None = None) -> dict:
    """Train a TransNormerLLM of ``config.probe.train``'s sizes on the documents of the shard
    folders ``inputs`` with the SentencePiece model ``tokenizer_path``, and write a folder the probe
    loads (config.json, model.safetensors, tokenizer.model, training.json). A ``hold_out`` share
    of the documents, spread evenly, is held out and scored after training."""
    from datacleaning.model_probe.loader import save_model
    from datacleaning.model_probe.score import Scorer
    from datacleaning.quality.train import split_held_out
    settings = config.probe.train
    tokenizer = load_spm(tokenizer_path)
    bos, eos, pad = tokenizer.bos_id(), tokenizer.eos_id(), tokenizer.pad_id()
    if bos < 0:
        raise ValueError(f"{tokenizer_path} has no BOS piece, which the probe reads every document from")
    try:  # the model's shape is checked before any text is read
        model_config = ModelConfig(d_model=settings.d_model, n_layers=settings.n_layers, n_heads=settings.n_heads,
                                   glu_dim=settings.glu_dim, vocab_size=tokenizer.vocab_size(),
                                   pad_token_id=pad if pad >= 0 else None, bos_token_id=bos,
                                   eos_token_id=eos if eos >= 0 else bos)
    except ValueError as e:
        raise ConfigError(f"probe.train (--d-model, --layers, --heads): {e}") from None
    docs = read_reference(inputs, tokenizer, settings.max_docs, config.probe.fold_script)
    train_docs, held_out = split_held_out(docs, settings.hold_out)
    if not train_docs:
        raise ValueError(f"no text to train on in {', '.join(map(str, inputs))}")
    schedule = TrainConfig(steps=settings.steps, batch_tokens=settings.batch_tokens, seq_len=settings.seq_len,
                           lr=settings.lr, warmup_steps=settings.warmup_steps, seed=settings.seed)
    device = None if config.probe.device == "auto" else config.probe.device
    model, result = train_model(train_docs, model_config, schedule, device=device, log=log)
    held = Scorer(model).score(held_out) if held_out else []
    held_tokens = sum(s.n_tokens for s in held)
    save_model(model, output, dtype=torch.float16, tokenizer=tokenizer_path)
    record = {
        "inputs": [str(p) for p in inputs], "tokenizer": str(tokenizer_path),
        "documents": len(train_docs), "held_out_documents": len(held_out),
        "train": settings.model_dump(), "fold_script": config.probe.fold_script, "target_tokens": result.tokens, "seconds": round(result.seconds, 1),
        "first_loss": round(result.losses[0], 4), "final_loss": round(result.final_loss, 4),
        "held_out_loss": round(sum(s.nll for s in held) / held_tokens, 4) if held_tokens else None,
    }
    (Path(output) / "training.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record
