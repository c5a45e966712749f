"""What every command of the command line shares: the config options, the config they build, and
running one stage with its summary and exit code. Each stage's package adds its own commands
(``add_commands`` in its ``commands`` module, reached through the stage registry)."""
from __future__ import annotations

import argparse
import signal
from pathlib import Path

from datacleaning import storage
from datacleaning.config import DEFAULT_PROFILE, NO_RULES_PROFILE, Config, load_config, parse_override
from datacleaning.errors import ConfigError
from datacleaning.execution import StageResult, stop_signals
from datacleaning.rules.registry import KINDS
from datacleaning.stages import run_stage, stage
from datacleaning.storage import is_url

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2

# Flags that set one config key each; everything else goes through --set.
CONFIG_FLAGS = [
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
    ("--work-dir", "run.work_dir", lambda p: p if is_url(p) else str(Path(p).absolute()), "DIR",
     "folder for intermediate files (default: inside the output folder; needed when the output is a URL)"),
]

STAGE_OUTPUT = "output folder: a local path or a URL (a URL needs --work-dir)"


def add_key_flags(parser: argparse.ArgumentParser, flags: list[tuple[str, str, type, str, str]]) -> None:
    """Flags that set one config key each: (flag, key, type, metavar, what it sets)."""
    for flag, key, kind, metavar, text in flags:
        parser.add_argument(flag, dest=key, type=kind, metavar=metavar, help=f"{text} [{key}]")


def add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="TOML config file (paths in it, and in the files it extends, are relative to its folder)")
    # Paths typed on the command line are the shell's, from the working directory, not the config's.
    parser.add_argument("--profile", metavar="NAME", type=lambda p: str(Path(p).absolute()) if Path(p).is_file() else p,
                        help="start from a bundled rule profile (see `datacleaning rules`) or a TOML file; "
                             "the config's own keys go on top; without --config and --profile: "
                             f"{DEFAULT_PROFILE}; no rules at all: {NO_RULES_PROFILE} [extends]")
    add_key_flags(parser, CONFIG_FLAGS)
    parser.add_argument("--text-field", dest="input.text_fields", action="append", metavar="FIELD",
                        help="input field holding the text; repeat to try several in order [input.text_fields]")
    parser.add_argument("--text-part", dest="input.text_parts", action="append", metavar="PATH",
                        help="field path whose value joins the text (title, content, 段落[].内容); repeat in order "
                             "[input.text_parts]")
    parser.add_argument("--plugin", dest="clean.plugins", action="append", metavar="MODULE",
                        type=lambda p: str(Path(p).absolute()) if p.endswith(".py") else p,
                        help="module or .py file with user rules to import; repeatable [clean.plugins]")
    parser.add_argument("--no-progress", dest="run.progress", action="store_false", default=None,
                        help="no progress bar")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="set any config key, the value read as TOML, e.g. --set "
                             "clean.rule_settings.length.min_chars=20 (one rule of the profile) or --set "
                             "clean.filters='[{name=\"length\"}]' (the whole list)")
    parser.add_argument("--storage-option", dest="overrides", action="append", type=storage_option,
                        metavar="PROTOCOL.KEY=VALUE",
                        help="an fsspec option for URLs of PROTOCOL, the value read as TOML; repeatable, e.g. "
                             "--storage-option s3.endpoint_url=http://127.0.0.1:9000 (MinIO), s3.anon=true (a public "
                             "bucket); credentials come from the environment (AWS_ACCESS_KEY_ID, ...) "
                             "[storage.options]")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])


def storage_option(assignment: str) -> str:
    protocol, dot, _ = assignment.partition("=")[0].partition(".")
    if not (protocol and dot and "=" in assignment):
        raise argparse.ArgumentTypeError(f"{assignment!r}: expected PROTOCOL.KEY=VALUE, "
                                         f"e.g. s3.endpoint_url=http://...")
    return f"storage.options.{assignment}"


def config_from_args(args: argparse.Namespace) -> Config:
    overrides = [parse_override(o) for o in args.overrides]
    for key, value in vars(args).items():
        if "." in key and value is not None:
            overrides.append((key.split("."), value))
    profile = args.profile or (None if args.config else DEFAULT_PROFILE)
    config = load_config(args.config, overrides, profile=profile)
    storage.configure(config.storage.options)
    return config


def dump_inputs(named: list[str], config: Config) -> list[str]:
    """The raw dumps the clean stage reads: the INPUTs named on the command line, else the
    config's ``input.paths`` (from the config's folder)."""
    return named or [config.resolve(p) for p in config.input.paths]


def refuse_no_rules(config: Config) -> None:
    """A clean stage that would keep every readable document must be asked for by name."""
    if config.profile != NO_RULES_PROFILE and not any(getattr(config.clean, kind) for kind in KINDS):
        raise ConfigError(f"clean: the config names no rules, so every readable document would be kept; extend "
                          f"a profile (extends = \"{DEFAULT_PROFILE}\", see `datacleaning rules`), name your "
                          f"rules, or ask for no rules with --profile {NO_RULES_PROFILE}")


def exit_code(result) -> int:
    """0, 1 for a failed unit, or 128 + the stop signal (143 for SIGTERM, 130 for Ctrl-C), as a
    shell reports a process that signal ended."""
    if result.outcome.interrupted:
        return 128 + (stop_signals.received or signal.SIGTERM)
    return EXIT_OK if result.ok else EXIT_FAILED


def say_if_done_before(name: str, output, result: StageResult) -> None:
    """A line saying that ``output`` already held this run, complete, so nothing was redone (the
    summary that follows is that run's)."""
    if result.done_before:
        print(f"{name}: {output} holds this run, already complete: nothing was redone (delete the folder to run "
              f"the stage again). Its summary:", flush=True)


def run_stage_command(name: str, config: Config, source, output) -> int:
    """Run one stage, print its summary, and say how it ended as an exit code."""
    chosen = stage(name)
    result = run_stage(chosen, config, source, output)
    say_if_done_before(name, output, result)
    print(chosen.summary(result.stats), flush=True)
    if not result.done_before:
        say_how_to_go_on(name, result)
    return exit_code(result)


def say_how_to_go_on(name: str, result: StageResult) -> None:
    """After a summary: that the run resumed an earlier one (whose wall time the summary does not
    count), or, for a run that did not finish, that the same command resumes it."""
    if not result.ok:
        print(f"{name}: run the same command again to resume: the units that finished are kept and only the "
              f"rest is done", flush=True)
    elif result.stats.get("resumed"):
        print(f"{name}: resumed a run that an earlier command began; the wall time above is this command's",
              flush=True)
