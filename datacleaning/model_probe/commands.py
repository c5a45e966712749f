"""``datacleaning probe score`` and ``datacleaning probe train``."""
from __future__ import annotations

import argparse
from pathlib import Path

from datacleaning import storage
from datacleaning.command_line import EXIT_OK, STAGE_OUTPUT, add_config_options, add_key_flags, \
    config_from_args, run_stage_command

# Flags of `probe train`.
TRAIN_FLAGS = [
    ("--steps", "probe.train.steps", int, "N", "optimizer steps"),
    ("--d-model", "probe.train.d_model", int, "N", "embedding width"),
    ("--layers", "probe.train.n_layers", int, "N", "decoder layers"),
    ("--heads", "probe.train.n_heads", int, "N", "attention heads"),
    ("--lr", "probe.train.lr", float, "LR", "peak learning rate"),
    ("--batch-tokens", "probe.train.batch_tokens", int, "N", "positions per step"),
]


def cmd_probe_score(args: argparse.Namespace) -> int:
    return run_stage_command("probe", config_from_args(args), args.input, args.output)


def cmd_probe_train(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    output = storage.local_path(args.output, "--output")
    from datacleaning.model_probe.train import train_reference_model
    record = train_reference_model(config, args.inputs, output, args.tokenizer,
                                   log=lambda line: print(line, flush=True))
    held = f", held-out loss {record['held_out_loss']}" if record["held_out_loss"] is not None else ""
    print(f"probe train: {args.output}: {record['documents']:,} documents, {record['target_tokens']:,} tokens in "
          f"{record['seconds']}s; final loss {record['final_loss']} nats/token{held}", flush=True)
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction) -> None:
    """The probe stage's commands: score (the stage) and train (its model)."""
    probe = sub.add_parser("probe", help="kept shards → the same with their perplexity under a TransNormerLLM",
                           description="Score documents by their perplexity under a small TransNormerLLM (Triton "
                                       "lightning attention on a GPU, PyTorch on a CPU), or train such a model.")
    probe_sub = probe.add_subparsers(dest="probe_command", required=True)
    score = probe_sub.add_parser(
        "score", help="shards → DIR/kept (+ nll, n_tokens, ppl, nll_per_char, main_nll_per_char) and DIR/rejected",
        description="Add nll, n_tokens, ppl, nll_per_char and main_nll_per_char columns to the documents of a folder "
                    "of Arrow shards (a dedup or clean run's kept/), writing DIR/kept, DIR/rejected (a score above "
                    "its probe.max_* limit) and DIR/stats.json. The default model is the tiny one shipped in the "
                    "package. Rerunning with the same DIR resumes an interrupted run.")
    score.add_argument("input", metavar="INPUT_DIR",
                       help="folder of .arrow shards (a kept/ folder): a local path or a URL")
    score.add_argument("--output", "-o", required=True, metavar="DIR", help=STAGE_OUTPUT)
    score.add_argument("--model", dest="probe.model", type=lambda p: str(Path(p).resolve()), metavar="DIR",
                       help="a Hugging Face TransNormerLLM folder (default: the shipped tiny model) [probe.model]")
    score.add_argument("--device", dest="probe.device", choices=["auto", "cuda", "cpu"],
                       help="auto = the GPU when there is one [probe.device]")
    score.add_argument("--dtype", dest="probe.dtype", choices=["auto", "float32", "bfloat16", "float16"],
                       help="auto = bf16 where the hardware computes it (a GPU that has it, a CPU with "
                            "AVX512-BF16 or AMX), else fp32 [probe.dtype]")
    score.add_argument("--token-budget", dest="probe.token_budget", type=int, metavar="N",
                       help="positions in one scoring batch [probe.token_budget]")
    add_config_options(score)
    score.set_defaults(func=cmd_probe_score)
    train = probe_sub.add_parser(
        "train", help="reference shards → a small TransNormerLLM folder",
        description="Train a TransNormerLLM from scratch on clean reference text (folders of Arrow shards, such "
                    "as a clean run's kept/) with a SentencePiece model, as [probe.train] says, into DIR "
                    "(config.json, model.safetensors, tokenizer.model, training.json), which `probe score "
                    "--model DIR` loads.")
    train.add_argument("inputs", nargs="+", metavar="INPUT_DIR", help="folders of .arrow shards: local paths or URLs")
    train.add_argument("--output", "-o", required=True, metavar="DIR",
                       help="model folder to write (a local or shared-filesystem path)")
    train.add_argument("--tokenizer", type=Path, required=True, metavar="FILE",
                       help="SentencePiece .model (one from `tokenize train-spm`, or your model's)")
    train.add_argument("--device", dest="probe.device", choices=["auto", "cuda", "cpu"],
                       help="auto = the GPU when there is one [probe.device]")
    add_key_flags(train, TRAIN_FLAGS)
    add_config_options(train)
    train.set_defaults(func=cmd_probe_train)
