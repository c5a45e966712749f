"""``datacleaning``: one command, a sub-command per stage, and ``run`` for the whole pipeline."""
from __future__ import annotations

import argparse
import inspect
import logging
import signal
import sys
from dataclasses import MISSING, fields
from pathlib import Path

from datacleaning import logs, storage
from datacleaning.cleaning.rejudge import format_rejudge_summary, run_rejudge
from datacleaning.config import DEFAULT_PROFILE, NO_RULES_PROFILE, Config, default_workers, load_config, \
    parse_override, profile_names
from datacleaning.errors import ConfigError, InputError, TokenBinsError, WriteError
from datacleaning.export import DEFAULT_COLUMNS, ExportSettings, run_export
from datacleaning.rules.registry import KINDS, registered_rules
from datacleaning.stages import run_stage, stage
from datacleaning.tokenize import TokenBins, locate_bins, merge_bins, open_tokenizer, train_tokenizer

logger = logging.getLogger("datacleaning.cli")

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2

# Flags that set one config key each; everything else goes through --set.
_CONFIG_FLAGS = [
    ("--workers", "run.workers", int, "N", "worker processes (default: all cores)"),
    ("--chunk-bytes", "input.chunk_bytes", int, "BYTES", "target size of a work unit of uncompressed jsonl"),
    ("--max-shard-bytes", "output.max_shard_bytes", int, "BYTES", "start a new output shard past this size"),
    ("--id-field", "input.id_field", str, "FIELD", "input field holding the document id"),
    ("--source-field", "input.source_field", str, "FIELD", "input field naming the document's source"),
    ("--html-field", "input.html_field", str, "FIELD", "input field holding raw HTML, turned into the document text"),
    ("--html-extractor", "input.html_extractor", str, "NAME",
     "how HTML becomes text: resiliparse (main content), trafilatura, full_page"),
    ("--max-input-chars", "clean.max_input_chars", int, "N", "reject longer documents before any rule runs"),
    ("--executor", "run.executor", str, "local|ray", "where work units run: local processes or Ray tasks"),
    ("--ray-address", "run.ray_address", str, "ADDR", "the Ray cluster to join (default: a local Ray instance)"),
    ("--work-dir", "run.work_dir", str, "DIR", "folder for intermediate files (default: inside the output folder; "
                                                "needed when the output is a URL)"),
]

_STAGE_OUTPUT = "output folder: a local path or a URL (a URL needs --work-dir)"

# Flags of the dedup sub-command only.
_DEDUP_FLAGS = [
    ("--threshold", "dedup.minhash.threshold", float, "J", "Jaccard similarity that makes a near duplicate"),
    ("--memory-mb", "dedup.memory_mb", int, "MB", "memory budget of the sort-and-group steps"),
]


# Flags of the tokenize sub-commands that train a model (train-spm, and encode without --model).
_TOKENIZE_TRAIN_FLAGS = [
    ("--vocab-size", "tokenize.train.vocab_size", int, "N", "pieces of the model (at most: a small corpus gets fewer)"),
    ("--model-type", "tokenize.train.model_type", str, "TYPE", "bpe or unigram"),
    ("--character-coverage", "tokenize.train.character_coverage", float, "F",
     "share of characters with pieces of their own; the rest become bytes"),
    ("--sample-bytes", "tokenize.train.sample_bytes", int, "BYTES", "text sampled from the input to train on"),
]


# Flags of `probe train`.
_PROBE_TRAIN_FLAGS = [
    ("--steps", "probe.train.steps", int, "N", "optimizer steps"),
    ("--d-model", "probe.train.d_model", int, "N", "embedding width"),
    ("--layers", "probe.train.n_layers", int, "N", "decoder layers"),
    ("--heads", "probe.train.n_heads", int, "N", "attention heads"),
    ("--lr", "probe.train.lr", float, "LR", "peak learning rate"),
    ("--batch-tokens", "probe.train.batch_tokens", int, "N", "positions per step"),
]


def _add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, metavar="FILE", help="TOML config file (paths in it are relative to its folder)")
    parser.add_argument("--profile", metavar="NAME",
                        help="start from a bundled rule profile (see `datacleaning rules`) or a TOML file; "
                             "the config's own keys go on top; without --config and --profile: "
                             f"{DEFAULT_PROFILE}; no rules at all: {NO_RULES_PROFILE} [extends]")
    for flag, key, kind, metavar, text in _CONFIG_FLAGS:
        parser.add_argument(flag, dest=key, type=kind, metavar=metavar, help=f"{text} [{key}]")
    parser.add_argument("--text-field", dest="input.text_fields", action="append", metavar="FIELD",
                        help="input field holding the text; repeat to try several in order [input.text_fields]")
    parser.add_argument("--text-part", dest="input.text_parts", action="append", metavar="PATH",
                        help="field path whose value joins the text (title, content, 段落[].内容); repeat in order "
                             "[input.text_parts]")
    parser.add_argument("--plugin", dest="clean.plugins", action="append", metavar="MODULE",
                        help="module or .py file with user rules to import; repeatable [clean.plugins]")
    parser.add_argument("--no-progress", dest="run.progress", action="store_false", default=None,
                        help="no progress bar")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="set any config key, the value read as TOML, e.g. --set clean.filters='[{name=\"length\"}]'")
    parser.add_argument("--storage-option", dest="overrides", action="append", type=_storage_option,
                        metavar="PROTOCOL.KEY=VALUE",
                        help="an fsspec option for URLs of PROTOCOL, the value read as TOML; repeatable, e.g. "
                             "--storage-option s3.endpoint_url=http://127.0.0.1:9000 (MinIO), s3.anon=true (a public "
                             "bucket); credentials come from the environment (AWS_ACCESS_KEY_ID, ...) "
                             "[storage.options]")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])


def _storage_option(assignment: str) -> str:
    protocol, dot, _ = assignment.partition("=")[0].partition(".")
    if not (protocol and dot and "=" in assignment):
        raise argparse.ArgumentTypeError(f"{assignment!r}: expected PROTOCOL.KEY=VALUE, "
                                         f"e.g. s3.endpoint_url=http://...")
    return f"storage.options.{assignment}"


def _config_from_args(args: argparse.Namespace) -> Config:
    overrides = [parse_override(o) for o in args.overrides]
    for key, value in vars(args).items():
        if "." in key and value is not None:
            overrides.append((key.split("."), value))
    profile = args.profile or (None if args.config else DEFAULT_PROFILE)
    config = load_config(args.config, overrides, profile=profile)
    storage.configure(config.storage.options)
    return config


def _refuse_no_rules(config: Config) -> None:
    """A clean stage that would keep every readable document must be asked for by name."""
    if config.profile != NO_RULES_PROFILE and not any(getattr(config.clean, kind) for kind in KINDS):
        raise ConfigError(f"clean: the config names no rules, so every readable document would be kept; extend "
                          f"a profile (extends = \"{DEFAULT_PROFILE}\", see `datacleaning rules`), name your "
                          f"rules, or ask for no rules with --profile {NO_RULES_PROFILE}")


def _exit_code(result) -> int:
    if result.outcome.interrupted:
        return 128 + signal.SIGTERM
    return EXIT_OK if result.ok else EXIT_FAILED


def _run_stage(name: str, config: Config, source, output) -> int:
    """Run one stage, print its summary, and say how it ended as an exit code."""
    chosen = stage(name)
    result = run_stage(chosen, config, source, output)
    print(chosen.summary(result.stats), flush=True)
    return _exit_code(result)


def cmd_clean(args: argparse.Namespace) -> int:
    config = _config_from_args(args)
    _refuse_no_rules(config)
    return _run_stage("clean", config, args.inputs, args.output)


def cmd_rejudge(args: argparse.Namespace) -> int:
    config = _config_from_args(args)
    print(format_rejudge_summary(run_rejudge(config, args.input, args.output)), flush=True)
    return EXIT_OK


def cmd_dedup(args: argparse.Namespace) -> int:
    return _run_stage("dedup", _config_from_args(args), args.input, args.output)


def cmd_export(args: argparse.Namespace) -> int:
    settings = ExportSettings(args.format, args.compression, tuple(args.columns.split(",")), args.unit_bytes)
    result = run_export(args.input, args.output, settings, workers=args.workers or default_workers(),
                        progress=args.progress)
    stats = result.stats
    print(f"export {stats['status']}: {stats['documents']:,} documents, {stats['chars']:,} characters in "
          f"{stats['files']:,} {settings.format} files → {args.output}", flush=True)
    return _exit_code(result)


def cmd_tokenize_encode(args: argparse.Namespace) -> int:
    if args.shuffle_seed is not None:
        args.overrides += ["tokenize.shuffle=true", f"tokenize.seed={args.shuffle_seed}"]
    return _run_stage("tokenize", _config_from_args(args), args.input, args.output)


def cmd_tokenize_train(args: argparse.Namespace) -> int:
    config = _config_from_args(args)
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
            print(f"--- document {number}: {len(tokens):,} tokens")
            if args.ids:
                print(" ".join(map(str, tokens.tolist())))
            print(tokenizer.decode(tokens.tolist()))
    return EXIT_OK


def cmd_tokenize_merge(args: argparse.Namespace) -> int:
    merged = merge_bins([locate_bins(p)[0] for p in args.inputs], storage.local_path(args.output, "--output"),
                        shuffle_seed=args.shuffle_seed)
    print(f"merge: {args.output}.bin/.idx: {merged['documents']:,} documents, {merged['tokens']:,} tokens", flush=True)
    return EXIT_OK


def cmd_probe_score(args: argparse.Namespace) -> int:
    return _run_stage("probe", _config_from_args(args), args.input, args.output)


def cmd_probe_train(args: argparse.Namespace) -> int:
    config = _config_from_args(args)
    output = storage.local_path(args.output, "--output")
    from datacleaning.model_probe.train import train_reference_model
    record = train_reference_model(config, args.inputs, output, args.tokenizer,
                                   log=lambda line: print(line, flush=True))
    held = f", held-out loss {record['held_out_loss']}" if record["held_out_loss"] is not None else ""
    print(f"probe train: {args.output}: {record['documents']:,} documents, {record['target_tokens']:,} tokens in "
          f"{record['seconds']}s; final loss {record['final_loss']} nats/token{held}", flush=True)
    return EXIT_OK


def _train_model_file(args: argparse.Namespace, settings, train) -> dict:
    """Shared by the commands that train a model file from inputs: ``settings()`` builds the
    trainer's settings from the flags, ``train(output, settings)`` writes the file at the local
    ``--output`` and returns its record. Bad settings, or inputs without the text needed, are a
    ConfigError (exit 2), not a traceback."""
    try:
        built = settings()
    except ValueError as e:
        raise ConfigError(str(e)) from e
    output = storage.local_path(args.output, "--output")
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    try:
        return train(output, built)
    except ValueError as e:  # no text (or no text of one side) in the inputs
        raise ConfigError(str(e)) from e


def _unreadable(record: dict) -> str:
    return f"; {record['unreadable_records']:,} records could not be read" if record["unreadable_records"] else ""


def cmd_quality_train(args: argparse.Namespace) -> int:
    from datacleaning.quality import FeatureSettings, TrainSettings, train_from_paths
    record = _train_model_file(
        args, lambda: TrainSettings(features=FeatureSettings(bits=args.bits, max_n=args.max_n, max_chars=args.max_chars),
                                    epochs=args.epochs, lr=args.lr, hold_out=args.hold_out),
        lambda output, settings: train_from_paths(args.good, args.bad, output, settings, log=logger.info))
    auc = record["held_out_auc"]
    print(f"quality train: {args.output}: {record['good_documents']:,} good and {record['bad_documents']:,} bad "
          f"documents in {record['seconds']}s; held-out ROC AUC {auc if auc is not None else 'not measured'}"
          + _unreadable(record), flush=True)
    return EXIT_OK


def cmd_reference_lm_train(args: argparse.Namespace) -> int:
    from datacleaning.reference_lm import LMSettings, train_from_paths
    record = _train_model_file(
        args, lambda: LMSettings(order=args.order, min_count=args.min_count, max_chars=args.max_chars,
                                 hold_out=args.hold_out),
        lambda output, settings: train_from_paths(args.inputs, args.tokenizer, output, settings, log=logger.info))
    held = record["held_out_nll_per_char"]
    print(f"reference-lm train: {args.output}: {record['texts']:,} texts, {record['pieces']:,} pieces, n-grams by "
          f"order {record['ngrams']} in {record['seconds']}s; held-out NLL per character "
          f"{held if held is not None else 'not measured'}" + _unreadable(record), flush=True)
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    config = _config_from_args(args)
    inputs = args.inputs or [config.resolve(p) for p in config.input.paths]
    output = storage.as_path(args.output or config.resolve(config.output.dir))
    if "clean" in config.run.stages:
        _refuse_no_rules(config)
    # A stage that could not start (a URL output without a work folder) is refused before any runs.
    for name in config.run.stages:
        if not stage(name).reads_dumps:
            config.work_folder(name, output / name)
    code = EXIT_OK
    for name in config.run.stages:
        source = inputs if stage(name).reads_dumps else output / config.run.input_stage(name) / "kept"
        code = _run_stage(name, config, source, output / name)
        if code != EXIT_OK:
            break
    _write_report(output)
    return code


def _write_report(output) -> None:
    """The run's report, of whatever stages finished; a report that cannot be written is said so,
    and leaves the run's outcome as it was."""
    from datacleaning.report import write_report
    try:
        print(f"report: {write_report(output)}", flush=True)
    except Exception as e:  # noqa: BLE001 - the stages' outputs stand without it
        logger.exception("report not written")
        print(f"report: not written ({type(e).__name__}: {e}); `datacleaning report {output}` tries again",
              file=sys.stderr, flush=True)


def cmd_report(args: argparse.Namespace) -> int:
    from datacleaning.report import write_report
    options: dict[str, dict] = {}
    for keys, value in (parse_override(o) for o in args.overrides):
        options.setdefault(keys[2], {})[".".join(keys[3:])] = value
    storage.configure(options)
    print(f"report: {write_report(args.output, args.to)}", flush=True)
    return EXIT_OK


def _default(f) -> str:
    if f.default_factory is not MISSING:
        return f"={f.default_factory()!r}"
    return f"={f.default!r}" if f.default is not MISSING else ""


def cmd_rules(args: argparse.Namespace) -> int:
    print("profiles: " + ", ".join(profile_names()) + "\n")
    for name, cls in sorted(registered_rules().items()):
        params = ", ".join(f"{f.name}{_default(f)}" for f in fields(cls) if f.init) or "-"
        langs = ",".join(sorted(cls.languages)) or "all"
        doc = inspect.cleandoc(cls.__doc__ or "").replace("\n", " ")
        thresholds = getattr(cls, "thresholds", frozenset())
        judged = f"\n    thresholds (a rejudge may change them): {', '.join(sorted(thresholds))}" if thresholds else ""
        print(f"{name}  [{cls.kind}; languages: {langs}]\n    params: {params}{judged}\n    {doc}\n")
    return EXIT_OK


def _add_setting_flags(parser: argparse.ArgumentParser, flags: list[tuple[str, type, object, str]]) -> None:
    """A trainer's settings as flags: (flag, type, default, what it sets)."""
    for flag, kind, default, text in flags:
        parser.add_argument(flag, type=kind, default=default, metavar=flag[2:].upper().replace("-", "_"),
                            help=f"{text} (default {default})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="datacleaning", description=__doc__.splitlines()[0].strip("`"))
    sub = parser.add_subparsers(dest="command", required=True)

    clean = sub.add_parser("clean", help="raw dumps → kept/rejected/quarantine Arrow shards",
                           description="Clean raw dumps (JSON lines, JSON, CSV/TSV, text, HTML, each also "
                                       ".gz/.zst/.bz2/.xz; parquet; WARC/WET) into DIR/kept, DIR/rejected, "
                                       "DIR/quarantine and DIR/stats.json. "
                                       "Rerunning with the same DIR resumes an interrupted run.")
    clean.add_argument("inputs", nargs="+", metavar="INPUT",
                       help="files, folders or glob patterns: local paths or URLs (s3://bucket/dumps/, see "
                            "--storage-option)")
    clean.add_argument("--output", "-o", required=True, metavar="DIR",
                       help="output folder: a local path or a URL (s3://bucket/out)")
    _add_config_options(clean)
    clean.set_defaults(func=cmd_clean)

    rejudge = sub.add_parser(
        "rejudge", help="a clean output judged again with other thresholds, from its stored scores",
        description="Judge the documents of a finished clean output (made with clean.score_all = true) again with "
                    "the filters of another config, from the values they stored: only thresholds may change, and "
                    "filters be dropped or reordered. Writes DIR/kept, DIR/rejected, DIR/quarantine and "
                    "DIR/stats.json like clean; documents kept now that were rejected are cleaned again from "
                    "their text as read.")
    rejudge.add_argument("input", metavar="CLEAN_DIR", help="a clean run's output folder")
    rejudge.add_argument("--output", "-o", required=True, metavar="DIR", help="output folder: a local path or a URL")
    _add_config_options(rejudge)
    rejudge.set_defaults(func=cmd_rejudge)

    dedup = sub.add_parser("dedup", help="kept shards → exact and near-duplicate-free shards",
                           description="Remove exact duplicates (normalized text) and near duplicates (MinHash LSH, "
                                       "verified by shingle Jaccard) from a folder of Arrow shards, the clean "
                                       "stage's DIR/kept, into DIR/kept, DIR/removed and DIR/stats.json. "
                                       "Rerunning with the same DIR resumes an interrupted run.")
    dedup.add_argument("input", metavar="INPUT_DIR", help="folder of .arrow shards (a clean run's kept/)")
    dedup.add_argument("--output", "-o", required=True, metavar="DIR", help=_STAGE_OUTPUT)
    for flag, key, kind, metavar, text in _DEDUP_FLAGS:
        dedup.add_argument(flag, dest=key, type=kind, metavar=metavar, help=f"{text} [{key}]")
    _add_config_options(dedup)
    dedup.set_defaults(func=cmd_dedup)

    probe = sub.add_parser("probe", help="kept shards → the same with their perplexity under a TransNormerLLM",
                           description="Score documents by their perplexity under a small TransNormerLLM (Triton "
                                       "lightning attention on a GPU, PyTorch on a CPU), or train such a model.")
    probe_sub = probe.add_subparsers(dest="probe_command", required=True)
    score = probe_sub.add_parser(
        "score", help="shards → DIR/kept (+ nll, n_tokens, ppl, nll_per_char) and DIR/rejected",
        description="Add nll, n_tokens, ppl and nll_per_char columns to the documents of a folder of Arrow shards (a dedup or "
                    "clean run's kept/), writing DIR/kept, DIR/rejected (ppl above probe.max_ppl) and "
                    "DIR/stats.json. The default model is the tiny one shipped in the package. Rerunning with "
                    "the same DIR resumes an interrupted run.")
    score.add_argument("input", metavar="INPUT_DIR",
                       help="folder of .arrow shards (a kept/ folder): a local path or a URL")
    score.add_argument("--output", "-o", required=True, metavar="DIR", help=_STAGE_OUTPUT)
    score.add_argument("--model", dest="probe.model", type=lambda p: str(Path(p).resolve()), metavar="DIR",
                       help="a Hugging Face TransNormerLLM folder (default: the shipped tiny model) [probe.model]")
    score.add_argument("--device", dest="probe.device", choices=["auto", "cuda", "cpu"],
                       help="auto = the GPU when there is one [probe.device]")
    score.add_argument("--dtype", dest="probe.dtype", choices=["auto", "float32", "bfloat16", "float16"],
                       help="auto = bf16 on a GPU, fp32 on a CPU [probe.dtype]")
    score.add_argument("--token-budget", dest="probe.token_budget", type=int, metavar="N",
                       help="positions in one scoring batch [probe.token_budget]")
    _add_config_options(score)
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
    for flag, key, kind, metavar, text in _PROBE_TRAIN_FLAGS:
        train.add_argument(flag, dest=key, type=kind, metavar=metavar, help=f"{text} [{key}]")
    _add_config_options(train)
    train.set_defaults(func=cmd_probe_train)

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
    encode.add_argument("--output", "-o", required=True, metavar="DIR", help=_STAGE_OUTPUT)
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
        for flag, key, kind, metavar, text in _TOKENIZE_TRAIN_FLAGS:
            command.add_argument(flag, dest=key, type=kind, metavar=metavar, help=f"{text} [{key}]")
        _add_config_options(command)
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
                    "given or shuffled.")
    merge.add_argument("inputs", nargs="+", type=Path, metavar="PATH",
                       help="tokenize output folders or .bin/.idx prefixes")
    merge.add_argument("--output", "-o", required=True, metavar="PREFIX",
                       help="writes PREFIX.bin and PREFIX.idx")
    merge.add_argument("--shuffle-seed", type=int, metavar="N",
                       help="shuffle the order of the documents with this seed")
    merge.set_defaults(func=cmd_tokenize_merge)

    quality = sub.add_parser("quality", help="train a quality classifier (the quality_classifier filter's model)",
                             description="Train the hashed character n-gram classifier that the "
                                         "quality_classifier filter scores documents with.")
    quality_sub = quality.add_subparsers(dest="quality_command", required=True)
    quality_train = quality_sub.add_parser(
        "train", help="good and bad text → a classifier .npz",
        description="Train a classifier to tell the records of the --good inputs from those of the --bad ones "
                    "(files or folders in any format `clean` reads: jsonl, parquet, WARC, text), holding out "
                    "every 1/hold-out-th document of each side to measure its ROC AUC, and write it to FILE, "
                    "which the quality_classifier filter loads as its `model`.")
    quality_train.add_argument("--good", nargs="+", required=True, metavar="PATH", help="text of the kind to keep")
    quality_train.add_argument("--bad", nargs="+", required=True, metavar="PATH", help="text of the kind to reject")
    quality_train.add_argument("--output", "-o", required=True, metavar="FILE", help="the .npz to write")
    from datacleaning.quality import FeatureSettings, TrainSettings
    _add_setting_flags(quality_train, [
        ("--bits", int, FeatureSettings.bits, "the model has 2**BITS weights"),
        ("--max-n", int, FeatureSettings.max_n, "character n-grams of 1 to N characters"),
        ("--max-chars", int, FeatureSettings.max_chars, "read the first N characters of each text"),
        ("--epochs", int, TrainSettings.epochs, "passes over the training text"),
        ("--lr", float, TrainSettings.lr, "Adam's learning rate"),
        ("--hold-out", float, TrainSettings.hold_out, "share of each side held out to measure the model")])
    quality_train.set_defaults(func=cmd_quality_train)

    reference_lm = sub.add_parser("reference-lm", help="count a reference language model (the reference_perplexity "
                                                       "filter's model)",
                                  description="Count the n-gram language model of edited text that the "
                                              "reference_perplexity filter scores documents with.")
    reference_lm_sub = reference_lm.add_subparsers(dest="reference_lm_command", required=True)
    reference_lm_train = reference_lm_sub.add_parser(
        "train", help="reference text → an n-gram model .npz",
        description="Count an n-gram model of the records of the inputs (files or folders in any format `clean` "
                    "reads) over the pieces of a SentencePiece model, holding out every 1/hold-out-th record to "
                    "measure its NLL per character, and write it to FILE (with the SentencePiece model inside), "
                    "which the reference_perplexity filter loads as its `model`.")
    reference_lm_train.add_argument("inputs", nargs="+", metavar="PATH", help="text of the kind to call likely")
    reference_lm_train.add_argument("--tokenizer", required=True, metavar="MODEL", help="a SentencePiece .model file")
    reference_lm_train.add_argument("--output", "-o", required=True, metavar="FILE", help="the .npz to write")
    from datacleaning.reference_lm import LMSettings
    _add_setting_flags(reference_lm_train, [
        ("--order", int, LMSettings.order, "n-grams of 1 to N pieces"),
        ("--min-count", int, LMSettings.min_count, "drop n-grams above order 1 seen fewer times"),
        ("--max-chars", int, LMSettings.max_chars, "score the first N characters of each text"),
        ("--hold-out", float, LMSettings.hold_out, "share of the records held out to measure the model")])
    reference_lm_train.set_defaults(func=cmd_reference_lm_train)

    report = sub.add_parser("report", help="a finished output folder → one HTML page of charts and samples to read",
                            description="Writes OUTPUT/report.html (or --to FILE): the funnel across stages, each "
                                        "rule's rejections and edits, the signals' distributions with their "
                                        "thresholds, quality scores, duplicates, tokens and review samples, by "
                                        "source and language. It reads only the stages' stats.json and the review "
                                        "samples, and opens with no network. `run` writes it at its end.")
    report.add_argument("output", metavar="OUTPUT", help="a run's output folder, or one stage's (local or URL)")
    report.add_argument("--to", metavar="FILE", help="where to write the page (default OUTPUT/report.html)")
    report.add_argument("--storage-option", dest="overrides", action="append", default=[], type=_storage_option,
                        metavar="PROTOCOL.KEY=VALUE", help="an fsspec option for URLs of PROTOCOL (as for the stages)")
    report.set_defaults(func=cmd_report)

    export = sub.add_parser("export", help="kept shards → JSON lines or parquet files for other tools",
                            description="Write a folder of Arrow shards (a stage's DIR/kept) as JSON lines or "
                                        "parquet files, one per work unit, that Hugging Face datasets, pandas or "
                                        "training code read as they are. Rerunning with the same DIR resumes.")
    export.add_argument("input", metavar="INPUT_DIR", help="folder of .arrow shards (a stage's kept/)")
    export.add_argument("--output", "-o", required=True, metavar="DIR", help="folder of the exported files")
    export.add_argument("--format", choices=("jsonl", "parquet"), default="jsonl", help="file format (default: jsonl)")
    export.add_argument("--compression", choices=("zstd", "gzip", "none"), default="zstd",
                        help="JSON lines: the file's (.jsonl.zst, .jsonl.gz); parquet: its columns' (default: zstd)")
    export.add_argument("--columns", default=",".join(DEFAULT_COLUMNS), metavar="A,B,...",
                        help=f"columns to write (default: {','.join(DEFAULT_COLUMNS)})")
    export.add_argument("--unit-bytes", type=int, default=ExportSettings.unit_bytes, metavar="BYTES",
                        help="about this many bytes of shard go into one output file")
    export.add_argument("--workers", type=int, metavar="N", help="worker processes (default: all cores)")
    export.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    export.set_defaults(func=cmd_export)

    run = sub.add_parser("run", help="run every stage the config names",
                         description="Run the configured stages (run.stages) in order, each into OUTPUT/<stage>.")
    run.add_argument("inputs", nargs="*", metavar="INPUT",
                     help="inputs of the clean stage, local paths or URLs (default: input.paths of the config)")
    run.add_argument("--output", "-o", metavar="DIR",
                     help="output folder (default: output.dir); a URL only when clean is the only stage")
    _add_config_options(run)
    run.set_defaults(func=cmd_run)

    rules = sub.add_parser("rules", help="list every rule a config can name, with its parameters")
    rules.add_argument("--plugin", dest="plugins", action="append", default=[], help="import user rules first")
    rules.set_defaults(func=cmd_rules)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logs.configure(getattr(logging, getattr(args, "log_level", "INFO")))
    try:
        if getattr(args, "plugins", None):
            from datacleaning.config import import_plugin
            for plugin in args.plugins:
                import_plugin(plugin, Path.cwd())
        return args.func(args)
    except ConfigError as e:
        print(f"datacleaning: config error: {e}", file=sys.stderr)
        return EXIT_CONFIG
    except WriteError as e:
        print(f"datacleaning: {e.strerror}; rerun the same command to resume once that is fixed", file=sys.stderr)
        return EXIT_FAILED
    except (FileNotFoundError, InputError, TokenBinsError) as e:
        print(f"datacleaning: {e}", file=sys.stderr)
        return EXIT_CONFIG
    except OSError as e:
        print(f"datacleaning: {e}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
