"""``datacleaning``: one command, a sub-command per stage, and ``run`` for the whole pipeline."""
from __future__ import annotations

import argparse
import inspect
import logging
import signal
import sys
from dataclasses import MISSING, fields
from pathlib import Path

from datacleaning import logs
from datacleaning.cleaning.stage import run_clean
from datacleaning.config import Config, load_config, parse_override, profile_names
from datacleaning.dedup import format_dedup_summary, run_dedup
from datacleaning.readers.discover import InputError
from datacleaning.rules.registry import ConfigError, registered_rules
from datacleaning.stats import format_clean_summary

logger = logging.getLogger("datacleaning.cli")

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2

# Flags that set one config key each; everything else goes through --set.
_CONFIG_FLAGS = [
    ("--workers", "run.workers", int, "N", "worker processes (default: all cores)"),
    ("--chunk-bytes", "input.chunk_bytes", int, "BYTES", "target size of a work unit of uncompressed jsonl"),
    ("--max-shard-bytes", "output.max_shard_bytes", int, "BYTES", "start a new output shard past this size"),
    ("--id-field", "input.id_field", str, "FIELD", "input field holding the document id"),
    ("--source-field", "input.source_field", str, "FIELD", "input field naming the document's source"),
    ("--max-input-chars", "clean.max_input_chars", int, "N", "reject longer documents before any rule runs"),
]

# Flags of the dedup sub-command only.
_DEDUP_FLAGS = [
    ("--threshold", "dedup.minhash.threshold", float, "J", "Jaccard similarity that makes a near duplicate"),
    ("--memory-mb", "dedup.memory_mb", int, "MB", "memory budget of the sort-and-group steps"),
]


def _add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, metavar="FILE", help="TOML config file (paths in it are relative to its folder)")
    parser.add_argument("--profile", metavar="NAME",
                        help="start from a bundled rule profile (see `datacleaning rules`) or a TOML file; "
                             "the config's own keys go on top [extends]")
    for flag, key, kind, metavar, text in _CONFIG_FLAGS:
        parser.add_argument(flag, dest=key, type=kind, metavar=metavar, help=f"{text} [{key}]")
    parser.add_argument("--text-field", dest="input.text_fields", action="append", metavar="FIELD",
                        help="input field holding the text; repeat to try several in order [input.text_fields]")
    parser.add_argument("--plugin", dest="clean.plugins", action="append", metavar="MODULE",
                        help="module or .py file with user rules to import; repeatable [clean.plugins]")
    parser.add_argument("--no-warc-main-content", dest="input.warc_main_content", action="store_false", default=None,
                        help="WARC HTML: keep the whole page text, not only the main content")
    parser.add_argument("--no-progress", dest="run.progress", action="store_false", default=None,
                        help="no progress bar")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="set any config key, the value read as TOML, e.g. --set clean.filters='[{name=\"length\"}]'")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])


def _config_from_args(args: argparse.Namespace) -> Config:
    overrides = [parse_override(o) for o in args.overrides]
    for key, value in vars(args).items():
        if "." in key and value is not None:
            overrides.append((key.split("."), value))
    return load_config(args.config, overrides, profile=args.profile)


def _exit_code(result) -> int:
    if result.outcome.interrupted:
        return 128 + signal.SIGTERM
    return EXIT_OK if result.ok else EXIT_FAILED


def cmd_clean(args: argparse.Namespace) -> int:
    config = _config_from_args(args)
    result = run_clean(config, [str(p) for p in args.inputs], args.output)
    print(format_clean_summary(result.stats), flush=True)
    return _exit_code(result)


def cmd_dedup(args: argparse.Namespace) -> int:
    config = _config_from_args(args)
    result = run_dedup(config, args.input, args.output)
    print(format_dedup_summary(result.stats), flush=True)
    return _exit_code(result)


def cmd_run(args: argparse.Namespace) -> int:
    config = _config_from_args(args)
    inputs = [str(p) for p in args.inputs] or [config.resolve(p) for p in config.input.paths]
    output = args.output or Path(config.resolve(config.output.dir))
    code = EXIT_OK
    for stage in config.run.stages:
        if stage == "clean":
            result = run_clean(config, inputs, output / "clean")
            print(format_clean_summary(result.stats), flush=True)
            code = _exit_code(result)
        if stage == "dedup":
            result = run_dedup(config, output / "clean" / "kept", output / "dedup")
            print(format_dedup_summary(result.stats), flush=True)
            code = _exit_code(result)
        if code != EXIT_OK:
            break
    return code


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
        print(f"{name}  [{cls.kind}; languages: {langs}]\n    params: {params}\n    {doc}\n")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="datacleaning", description=__doc__.splitlines()[0].strip("`"))
    sub = parser.add_subparsers(dest="command", required=True)

    clean = sub.add_parser("clean", help="raw dumps → kept/rejected/quarantine Arrow shards",
                           description="Clean raw dumps (jsonl, jsonl.gz, jsonl.zst, parquet, txt, WARC/WET) into "
                                       "DIR/kept, DIR/rejected, DIR/quarantine and DIR/stats.json. "
                                       "Rerunning with the same DIR resumes an interrupted run.")
    clean.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="files, folders or glob patterns")
    clean.add_argument("--output", "-o", type=Path, required=True, metavar="DIR", help="output folder")
    _add_config_options(clean)
    clean.set_defaults(func=cmd_clean)

    dedup = sub.add_parser("dedup", help="kept shards → exact and near-duplicate-free shards",
                           description="Remove exact duplicates (normalized text) and near duplicates (MinHash LSH, "
                                       "verified by shingle Jaccard) from a folder of Arrow shards, the clean "
                                       "stage's DIR/kept, into DIR/kept, DIR/removed and DIR/stats.json. "
                                       "Rerunning with the same DIR resumes an interrupted run.")
    dedup.add_argument("input", type=Path, metavar="INPUT_DIR", help="folder of .arrow shards (a clean run's kept/)")
    dedup.add_argument("--output", "-o", type=Path, required=True, metavar="DIR", help="output folder")
    for flag, key, kind, metavar, text in _DEDUP_FLAGS:
        dedup.add_argument(flag, dest=key, type=kind, metavar=metavar, help=f"{text} [{key}]")
    _add_config_options(dedup)
    dedup.set_defaults(func=cmd_dedup)

    run = sub.add_parser("run", help="run every stage the config names",
                         description="Run the configured stages (run.stages) in order, each into OUTPUT/<stage>.")
    run.add_argument("inputs", nargs="*", type=Path, metavar="INPUT", help="inputs (default: input.paths of the config)")
    run.add_argument("--output", "-o", type=Path, metavar="DIR", help="output folder (default: output.dir)")
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
    except (FileNotFoundError, InputError) as e:
        print(f"datacleaning: {e}", file=sys.stderr)
        return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())
