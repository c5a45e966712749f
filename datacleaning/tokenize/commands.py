"""``datacleaning tokenize encode``, ``train-spm``, ``inspect`` and ``merge``."""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from datacleaning import storage
from datacleaning.command_line import EXIT_CONFIG, EXIT_OK, STAGE_OUTPUT, add_config_options, add_key_flags, \
    config_from_args, run_stage_command
from datacleaning.manifest import MANIFEST, STATS
from datacleaning.tokenize import TokenBins, TokenBinsError, locate_bins, merge_bins, open_tokenizer, train_tokenizer
from datacleaning.tokenize.indexed import bin_path, idx_path
from datacleaning.tokenize.merge import bins_tokenizer
from datacleaning.tokenize.stage import PARTS_DIR
from datacleaning.tokenize.tokenizer import folder_tokenizer

# Flags of the tokenize sub-commands that train a model (train-spm, and encode without --model).
TRAIN_FLAGS = [
    ("--vocab-size", "tokenize.train.vocab_size", int, "N", "pieces of the model (at most: a small corpus gets fewer)"),
    ("--model-type", "tokenize.train.model_type", str, "TYPE", "bpe or unigram"),
    ("--character-coverage", "tokenize.train.character_coverage", float, "F",
     "share of characters with pieces of their own; the rest become bytes"),
    ("--sample-bytes", "tokenize.train.sample_bytes", int, "BYTES", "text sampled from the input to train on"),
]


def cmd_tokenize_encode(args: argparse.Namespace) -> int:
    if args.shuffle_seed is not None:
        args.overrides += ["tokenize.shuffle=true", f"tokenize.seed={args.shuffle_seed}"]
    return run_stage_command("tokenize", config_from_args(args), args.input, args.output)


def cmd_tokenize_train(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    trained = train_tokenizer(config, args.input, storage.local_path(args.output, "--output"))
    print(f"train-spm: {args.output}: {config.tokenize.train.model_type}, {trained['vocab_size']:,} pieces, trained on "
          f"{trained['sample_docs']:,} of {trained['input_docs']:,} documents "
          f"({trained['sample_bytes'] / 1e6:.1f} of {trained['input_bytes'] / 1e6:.1f} MB of text)", flush=True)
    return EXIT_OK


def cmd_tokenize_inspect(args: argparse.Namespace) -> int:
    prefix, tokenizer_folder = locate_bins(args.path)
    bins = TokenBins(prefix)
    print(f"{prefix}: {len(bins):,} documents, {bins.num_tokens:,} tokens of {bins.dtype}")
    if args.doc:
        tokenizer = open_tokenizer(args.model or tokenizer_folder)
        for number in args.doc:
            try:
                tokens = bins.document(number)
            except IndexError as e:
                print(f"datacleaning: {e}", file=sys.stderr)
                return EXIT_CONFIG
            if tokens.size and int(tokens.max()) >= tokenizer.vocab_size:
                print(f"datacleaning: document {number} holds token id {int(tokens.max()):,}, beyond the "
                      f"{tokenizer.vocab_size:,} pieces of the tokenizer given: these bins were encoded with "
                      f"another one", file=sys.stderr)
                return EXIT_CONFIG
            print(f"--- document {number}: {len(tokens):,} tokens")
            if args.ids:
                print(" ".join(map(str, tokens.tolist())))
            print(tokenizer.decode(tokens.tolist()))
    return EXIT_OK


def cmd_tokenize_merge(args: argparse.Namespace) -> int:
    located = [locate_bins(p) for p in args.inputs]
    seen: dict[Path, str] = {}
    for (prefix, _), named in zip(located, args.inputs):
        if prefix.resolve() in seen:
            raise TokenBinsError(f"{named} and {seen[prefix.resolve()]} are the same bins: merged, every document "
                                 f"of them would be in the output twice")
        seen[prefix.resolve()] = named
    _refuse_mixed_marks(located)
    tokenizer = bins_tokenizer([folder for _, folder in located])
    output = Path(storage.local_path(args.output, "--output"))
    if (output.parent / MANIFEST).exists() and (bin_path(output).exists() or idx_path(output).exists()):
        raise TokenBinsError(f"{output} are the bins of the run in {output.parent}: merged over, its stats.json "
                             f"would describe other bins; merge into another folder")
    present = folder_tokenizer(output.parent)
    if tokenizer is not None and present is not None and present.read_bytes() != tokenizer.read_bytes():
        raise TokenBinsError(f"{output.parent} holds {present.name}, another tokenizer than the one these bins "
                             f"were encoded with ({tokenizer}): inspect and training would decode the merged "
                             f"bins with it; merge into another folder")
    output.parent.mkdir(parents=True, exist_ok=True)
    merged = merge_bins([prefix for prefix, _ in located], output, shuffle_seed=args.shuffle_seed)
    # The model beside the merged bins, as beside the encoded ones, so that `inspect` decodes them.
    if tokenizer is not None and folder_tokenizer(output.parent) is None:
        shutil.copyfile(tokenizer, output.parent / tokenizer.name)
    print(f"merge: {args.output}.bin/.idx: {merged['documents']:,} documents, {merged['tokens']:,} tokens", flush=True)
    return EXIT_OK


def _refuse_mixed_marks(located: list[tuple[Path, Path]]) -> None:
    """Bins an encode run made, whose stats.json records the marks around each document (BOS,
    EOS), must all have the same ones: merged, part of the documents would have no separator."""
    marked: dict[tuple, Path] = {}
    for _, folder in located:
        # An unmerged run's parts (tokenize.merge = false) lie in a folder below its stats.json.
        run = folder.parent if folder.name == PARTS_DIR else folder
        try:
            stats = json.loads((run / STATS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # bins no encode run describes: from elsewhere
        marked.setdefault((stats.get("bos_id"), stats.get("eos_id")), run)
    if len(marked) > 1:
        (first, one), (second, other) = list(marked.items())[:2]
        raise TokenBinsError(f"{one} marks its documents with (BOS, EOS) ids {first}, {other} with {second}: merged, "
                             f"some documents would end with no separator; encode them alike (--bos, --no-eos)")


def add_commands(sub: argparse._SubParsersAction) -> None:
    """The tokenize stage's commands: encode (the stage), train-spm, inspect and merge."""
    tokenize = sub.add_parser("tokenize", help="kept shards → token bins (Megatron .bin/.idx)",
                              description="Encode shards into token bins in the Megatron-LM indexed-dataset layout "
                                          "with a SentencePiece model or a Hugging Face tokenizer.json, train a "
                                          "SentencePiece model, inspect or merge bins.")
    tokenize_sub = tokenize.add_subparsers(dest="tokenize_command", required=True)
    encode = tokenize_sub.add_parser(
        "encode", help="shards → DIR/tokens.bin + DIR/tokens.idx",
        description="Encode the documents of a folder of Arrow shards (a clean or dedup run's kept/) into "
                    "DIR/tokens.bin and DIR/tokens.idx, with an EOS after every document, and DIR/stats.json "
                    "(tokens per source). Without --model (or tokenize.model), a model is trained on a sample "
                    "of the input first, as [tokenize.train] says, into DIR/tokenizer.model. Rerunning with the "
                    "same DIR resumes an interrupted run.")
    encode.add_argument("input", metavar="INPUT_DIR",
                        help="folder of .arrow shards (a kept/ folder): a local path or a URL")
    encode.add_argument("--output", "-o", required=True, metavar="DIR", help=STAGE_OUTPUT)
    encode.add_argument("--model", dest="tokenize.model", type=lambda p: str(Path(p).resolve()), metavar="FILE",
                        help="tokenizer to encode with: a SentencePiece .model (LLaMA's or Baichuan's "
                             "tokenizer.model, or one from train-spm) or a Hugging Face tokenizer.json (Llama-3's, "
                             "Qwen's), or a folder holding one [tokenize.model]")
    encode.add_argument("--shuffle-seed", type=int, metavar="N",
                        help="shuffle the order of the documents with this seed [tokenize.shuffle, tokenize.seed]")
    encode.add_argument("--no-eos", dest="tokenize.eos", action="store_false", default=None,
                        help="no EOS after each document [tokenize.eos]")
    encode.add_argument("--bos", dest="tokenize.bos", action="store_true", default=None,
                        help="a BOS before each document [tokenize.bos]")
    encode.add_argument("--dtype", dest="tokenize.dtype", choices=["auto", "uint16", "int32"],
                        help="token type of the .bin (default: uint16 when the ids fit) [tokenize.dtype]")
    train_spm = tokenize_sub.add_parser(
        "train-spm", help="shards → a SentencePiece .model",
        description="Train a SentencePiece model (BPE or unigram, byte fallback) on a sample of the documents "
                    "of a folder of Arrow shards, as [tokenize.train] says.")
    train_spm.add_argument("input", metavar="INPUT_DIR",
                           help="folder of .arrow shards (a kept/ folder): a local path or a URL")
    train_spm.add_argument("--output", "-o", required=True, metavar="FILE",
                           help="the .model to write (a local or shared-filesystem path)")
    for command, func in ((encode, cmd_tokenize_encode), (train_spm, cmd_tokenize_train)):
        add_key_flags(command, TRAIN_FLAGS)
        add_config_options(command)
        command.set_defaults(func=func)
    inspect_bins = tokenize_sub.add_parser(
        "inspect", help="count documents and tokens of bins; decode documents back to text",
        description="Print the documents, tokens and dtype of a .bin/.idx pair, and decode the documents "
                    "given with --doc back to text with the model beside the bins.")
    inspect_bins.add_argument("path", type=Path, metavar="PATH",
                              help="a tokenize output folder, or the prefix of a .bin/.idx pair")
    inspect_bins.add_argument("--doc", type=int, action="append", metavar="N", help="decode document N; repeatable")
    inspect_bins.add_argument("--ids", action="store_true", help="print the token ids too")
    inspect_bins.add_argument("--model", type=Path, metavar="FILE",
                              help="the tokenizer: a .model or tokenizer.json file, or a folder holding one "
                                   "(default: the one beside the bins)")
    inspect_bins.set_defaults(func=cmd_tokenize_inspect)
    merge = tokenize_sub.add_parser(
        "merge", help="several .bin/.idx pairs → one",
        description="Merge the documents of several .bin/.idx pairs of one model into one pair, in the order "
                    "given or shuffled; bins beside different tokenizers are refused, and the tokenizer is "
                    "copied beside the merged pair.")
    merge.add_argument("inputs", nargs="+", type=Path, metavar="PATH",
                       help="tokenize output folders or .bin/.idx prefixes")
    merge.add_argument("--output", "-o", required=True, metavar="PREFIX",
                       help="writes PREFIX.bin and PREFIX.idx")
    merge.add_argument("--shuffle-seed", type=int, metavar="N",
                       help="shuffle the order of the documents with this seed")
    merge.set_defaults(func=cmd_tokenize_merge)
