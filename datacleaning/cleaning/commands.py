"""``datacleaning clean`` and ``datacleaning rejudge``."""
from __future__ import annotations

import argparse

from datacleaning.cleaning.rejudge import format_rejudge_summary, run_rejudge
from datacleaning.command_line import EXIT_OK, add_config_options, config_from_args, dump_inputs, \
    refuse_no_rules, run_stage_command

def cmd_clean(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    refuse_no_rules(config)
    return run_stage_command("clean", config, dump_inputs(args.inputs, config), args.output)


def cmd_rejudge(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    print(format_rejudge_summary(run_rejudge(config, args.input, args.output)), flush=True)
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction) -> None:
    """The clean stage's command, and rejudge, which judges its output again."""
    clean = sub.add_parser("clean", help="raw dumps → kept/rejected/quarantine Arrow shards",
                           description="Clean raw dumps (JSON lines, JSON, CSV/TSV, text, HTML, each also "
                                       ".gz/.zst/.bz2/.xz; parquet; WARC/WET) into DIR/kept, DIR/rejected, "
                                       "DIR/quarantine and DIR/stats.json. "
                                       "Rerunning with the same DIR resumes an interrupted run.")
    clean.add_argument("inputs", nargs="*", metavar="INPUT",
                       help="files, folders or glob patterns: local paths or URLs (s3://bucket/dumps/, see "
                            "--storage-option); default: input.paths of the config")
    clean.add_argument("--output", "-o", required=True, metavar="DIR",
                       help="output folder: a local path or a URL (s3://bucket/out)")
    add_config_options(clean)
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
    add_config_options(rejudge)
    rejudge.set_defaults(func=cmd_rejudge)
