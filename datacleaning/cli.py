"""datacleaning: one command, every registered stage's sub-commands, and run for them all."""
from __future__ import annotations

import argparse
import inspect
import logging
import sys
from dataclasses import MISSING, fields
from pathlib import Path

from datacleaning import logs, storage
from datacleaning.command_line import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, add_config_options, config_from_args, \
    dump_inputs, exit_code, refuse_no_rules, run_stage_command, say_if_done_before, storage_option
from datacleaning.config import default_workers, parse_override, profile_names
from datacleaning.errors import ConfigError, InputError, RuleFailure, TokenBinsError, WriteError
from datacleaning.export import DEFAULT_COLUMNS, ExportSettings, run_export
from datacleaning.manifest import check_run_folder, completed_stats, exclusive_output
from datacleaning.rules.registry import parameter_defaults, registered_rules
from datacleaning.stages import STAGE_ORDER, stage

logger = logging.getLogger("datacleaning.cli")


def cmd_export(args: argparse.Namespace) -> int:
    columns = tuple(c.strip() for c in args.columns.split(",") if c.strip())
    if not columns:
        raise ConfigError(f"--columns names no column ({args.columns!r}); leave it out for {','.join(DEFAULT_COLUMNS)}")
    settings = ExportSettings(args.format, args.compression, columns, args.unit_bytes)
    workers = default_workers() if args.workers is None else args.workers
    result = run_export(args.input, args.output, settings, workers=workers, progress=args.progress)
    say_if_done_before("export", args.output, result)
    stats = result.stats
    print(f"export {stats['status']}: {stats['documents']:,} documents, {stats['chars']:,} characters in "
          f"{stats['files']:,} {settings.format} files → {args.output}", flush=True)
    return exit_code(result)


def _add_good_and_bad(command: argparse.ArgumentParser) -> None:
    """The two sides a command trains a model to tell apart."""
    command.add_argument("--good", nargs="+", required=True, metavar="PATH", help="text of the kind to keep")
    command.add_argument("--bad", nargs="+", required=True, metavar="PATH", help="text of the kind to reject")


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
                                    epochs=args.epochs, lr=args.lr, hold_out=args.hold_out, models=args.models),
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


def cmd_reference_lm_train_ratio(args: argparse.Namespace) -> int:
    from datacleaning.reference_lm import LMSettings
    from datacleaning.reference_lm.ratio import train_from_paths
    record = _train_model_file(
        args, lambda: LMSettings(order=2, min_count=args.min_count, max_chars=args.max_chars, hold_out=args.hold_out),
        lambda output, settings: train_from_paths(args.good, args.bad, args.tokenizer, output, settings,
                                                  log=logger.info))
    auc = record["held_out_auc"]
    print(f"reference-lm train-ratio: {args.output}: {record['good_documents']:,} good and "
          f"{record['bad_documents']:,} bad documents in {record['seconds']}s; held-out ROC AUC "
          f"{auc if auc is not None else 'not measured'}" + _unreadable(record), flush=True)
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from datacleaning.report import REPORT_FILE, is_run_report
    config = config_from_args(args)
    if args.inputs and not any(stage(name).reads_dumps for name in config.run.stages):
        stages = ", ".join(config.run.stages)
        raise ConfigError(f"INPUT names the dumps the clean stage reads, and run.stages ({stages}) has none: each "
                          f"stage reads the kept/ of the one before it in --output; run one stage on a folder with "
                          f"its own command (datacleaning {config.run.stages[0]} INPUT --output DIR)")
    inputs = dump_inputs(args.inputs, config)
    # output.dir a config sets is from the config's folder; the default, from where the command runs
    # (not into the folder of a config shipped with the package, such as a layout's).
    named = "dir" in config.output.model_fields_set
    output = storage.as_path(args.output or (config.resolve(config.output.dir) if named else config.output.dir))
    check_run_folder(output, set(STAGE_ORDER), REPORT_FILE, is_run_report)
    if "clean" in config.run.stages:
        refuse_no_rules(config)
    # A stage that could not start (a URL output without a work folder) is refused before any runs.
    for name in config.run.stages:
        if not stage(name).reads_dumps:
            config.work_folder(name, output / name)
    # One run at a time in a run folder, held for all its stages: a second run is refused here, before
    # it prints any stage's summary or writes the report into the folder the first one is writing.
    with exclusive_output(output):
        code = EXIT_OK
        for position, name in enumerate(config.run.stages):
            source = inputs if stage(name).reads_dumps else output / config.run.input_stage(name) / "kept"
            try:
                code = run_stage_command(name, config, source, output / name)
            except ConfigError:
                if position:  # the stages before the refused one may have run again: the report shows them
                    _write_report(output)
                raise
            if code != EXIT_OK:
                break
            later = config.run.stages[position + 1:]
            finished = completed_stats(output / name)
            if later and finished is not None and finished[1].get("kept_docs") == 0:
                read_any = finished[1].get("input_docs")
                print(f"run: {name} {'kept' if read_any else 'read'} no documents, so {', '.join(later)} had nothing "
                      f"to read and did not run" + (f"; {output / name / 'stats.json'} says what rejected them"
                                                     if read_any else ""), file=sys.stderr, flush=True)
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
        # A languages field with a default_factory leaves no class attribute (dataclass removes it).
        langs = ",".join(sorted(parameter_defaults(cls).get("languages", cls.languages))) or "all"
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
    parser = argparse.ArgumentParser(prog="datacleaning", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    for name in STAGE_ORDER:
        stage(name).add_commands(sub)

    quality = sub.add_parser("quality", help="train a quality classifier (the quality_classifier filter's model)",
                             description="Train the hashed character n-gram classifier that the "
                                         "quality_classifier filter scores documents with.")
    quality_sub = quality.add_subparsers(dest="quality_command", required=True)
    quality_train = quality_sub.add_parser(
        "train", help="good and bad text → a classifier .npz",
        description="Train a classifier to tell the records of the --good inputs from those of the --bad ones "
                    "(files or folders in any format `clean` reads: jsonl, parquet, WARC, text; or the Arrow "
                    "shards of a stage's kept/ or rejected/ folder), holding out a share of each side, spread "
                    "evenly, to measure its ROC AUC, and write it to FILE, which the quality_classifier filter "
                    "loads as its `model`.")
    _add_good_and_bad(quality_train)
    quality_train.add_argument("--output", "-o", required=True, metavar="FILE", help="the .npz to write")
    from datacleaning.quality import FeatureSettings, TrainSettings
    _add_setting_flags(quality_train, [
        ("--bits", int, FeatureSettings.bits, "the model has 2**BITS weights"),
        ("--max-n", int, FeatureSettings.max_n, "character n-grams of 1 to N characters"),
        ("--max-chars", int, FeatureSettings.max_chars, "read the first N characters of each text"),
        ("--epochs", int, TrainSettings.epochs, "passes over the training text"),
        ("--lr", float, TrainSettings.lr, "Adam's learning rate"),
        ("--hold-out", float, TrainSettings.hold_out, "share of each side held out to measure the model"),
        ("--models", int, TrainSettings.models, "models trained with successive seeds, their weights averaged: "
                                                "scores that do not hang on one shuffle, N times the training time")])
    quality_train.set_defaults(func=cmd_quality_train)

    reference_lm = sub.add_parser("reference-lm", help="count n-gram language models (the reference_perplexity and "
                                                       "lm_ratio filters' models)",
                                  description="Count the n-gram language model of edited text that the "
                                              "reference_perplexity filter scores documents with, or the pair of "
                                              "models of good text and junk that the lm_ratio filter compares.")
    reference_lm_sub = reference_lm.add_subparsers(dest="reference_lm_command", required=True)
    reference_lm_train = reference_lm_sub.add_parser(
        "train", help="reference text → an n-gram model .npz",
        description="Count an n-gram model of the records of the inputs (files or folders in any format `clean` "
                    "reads, or a stage's Arrow shards) over the pieces of a SentencePiece model, holding out a "
                    "share of the records, spread evenly, to measure its NLL per character, and write it to FILE "
                    "(with the SentencePiece model inside), which the reference_perplexity filter loads as its "
                    "`model`.")
    reference_lm_train.add_argument("inputs", nargs="+", metavar="PATH", help="text of the kind to call likely")
    from datacleaning.reference_lm import LMSettings

    def add_counting_flags(command: argparse.ArgumentParser, leading: list, held_out: str) -> None:
        """What both reference-lm commands take: the pieces to count over, the file to write, and
        how the counting is done (``leading`` flags first)."""
        command.add_argument("--tokenizer", required=True, metavar="MODEL",
                             help="a SentencePiece .model file, or a folder holding tokenizer.model")
        command.add_argument("--output", "-o", required=True, metavar="FILE", help="the .npz to write")
        _add_setting_flags(command, [
            *leading,
            ("--min-count", int, LMSettings.min_count, "drop n-grams above order 1 seen fewer times"),
            ("--max-chars", int, LMSettings.max_chars, "score the first N characters of each text"),
            ("--hold-out", float, LMSettings.hold_out, held_out)])

    add_counting_flags(reference_lm_train, [("--order", int, LMSettings.order, "n-grams of 1 to N pieces")],
                       "share of the records held out to measure the model")
    reference_lm_train.set_defaults(func=cmd_reference_lm_train)
    train_ratio = reference_lm_sub.add_parser(
        "train-ratio", help="good and bad text → a pair of n-gram models .npz",
        description="Count a bigram model of the records of the --good inputs and one of the --bad inputs (files "
                    "or folders in any format `clean` reads, or a stage's Arrow shards) over the pieces of a "
                    "SentencePiece model, holding out a share of each side, spread evenly, to measure the ROC AUC "
                    "of the log-likelihood ratio between them, and write both to FILE, which the lm_ratio filter "
                    "loads as its `model`.")
    _add_good_and_bad(train_ratio)
    add_counting_flags(train_ratio, [], "share of each side held out to measure the pair")
    train_ratio.set_defaults(func=cmd_reference_lm_train_ratio)

    report = sub.add_parser("report", help="a finished output folder → one HTML page of charts and samples to read",
                            description="Writes OUTPUT/report.html (or --to FILE): the funnel across stages, each "
                                        "rule's rejections and edits, the signals' distributions with their "
                                        "thresholds, quality scores, duplicates, tokens and review samples, by "
                                        "source and language. It reads only the stages' stats.json and the review "
                                        "samples, and opens with no network. `run` writes it at its end.")
    report.add_argument("output", metavar="OUTPUT", help="a run's output folder, or one stage's (local or URL)")
    report.add_argument("--to", metavar="FILE", help="where to write the page: a name ending in .html (or .htm), or "
                        "a folder to hold report.html (default OUTPUT/report.html); missing folders are made")
    report.add_argument("--storage-option", dest="overrides", action="append", default=[], type=storage_option,
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
                     help="output folder (default: output.dir); a URL too, with --work-dir where a stage "
                          "after clean needs a local or shared folder to work in")
    add_config_options(run)
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
            from datacleaning.rules.registry import import_plugin
            for plugin in args.plugins:
                import_plugin(plugin, Path.cwd())
        return args.func(args)
    except ConfigError as e:
        print(f"datacleaning: config error: {e}", file=sys.stderr)
        return EXIT_CONFIG
    except WriteError as e:
        print(f"datacleaning: {e.strerror}; rerun the same command to resume once that is fixed", file=sys.stderr)
        return EXIT_FAILED
    except RuleFailure as e:  # a rejudge judges in this process: a rule's bug stops it, named
        print(f"datacleaning: {e}; mend the rule and run the same command again", file=sys.stderr)
        return EXIT_FAILED
    except (FileNotFoundError, InputError, TokenBinsError) as e:
        print(f"datacleaning: {e}", file=sys.stderr)
        return EXIT_CONFIG
    except OSError as e:
        print(f"datacleaning: {e}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as e:
        # An object store's client says why it cannot reach the store: no credentials, no such
        # endpoint, an option its session does not take. Its traceback says nothing more to a user.
        if not _from_object_store_client(e):
            raise
        print(f"datacleaning: storage: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_FAILED


# The packages whose errors are an object store's answer, not a fault of ours.
OBJECT_STORE_CLIENTS = frozenset({"botocore", "aiobotocore", "s3fs", "gcsfs", "google", "aiohttp", "adlfs", "azure"})


def _from_object_store_client(error: Exception) -> bool:
    """Whether ``error`` is one of those packages' or was raised inside their code."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    raised_in = tb.tb_frame.f_globals.get("__name__", "") if tb is not None else ""
    return bool({type(error).__module__.partition(".")[0], raised_in.partition(".")[0]} & OBJECT_STORE_CLIENTS)


if __name__ == "__main__":
    sys.exit(main())
