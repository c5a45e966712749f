"""``datacleaning dedup``."""
from __future__ import annotations

import argparse

from datacleaning.command_line import STAGE_OUTPUT, add_config_options, add_key_flags, config_from_args, \
    run_stage_command

# Flags of the dedup sub-command only.
DEDUP_FLAGS = [
    ("--threshold", "dedup.minhash.threshold", float, "J", "Jaccard similarity that makes a near duplicate"),
    ("--memory-mb", "dedup.memory_mb", int, "MB", "memory budget of the sort-and-group steps"),
]


def cmd_dedup(args: argparse.Namespace) -> int:
    return run_stage_command("dedup", config_from_args(args), args.input, args.output)


def add_commands(sub: argparse._SubParsersAction) -> None:
    """The dedup stage's command."""
    dedup = sub.add_parser("dedup", help="kept shards → exact and near-duplicate-free shards",
                           description="Remove exact duplicates (normalized text) and near duplicates (MinHash LSH, "
                                       "verified by shingle Jaccard) from a folder of Arrow shards, the clean "
                                       "stage's DIR/kept, into DIR/kept, DIR/removed and DIR/stats.json. "
                                       "Rerunning with the same DIR resumes an interrupted run.")
    dedup.add_argument("input", metavar="INPUT_DIR", help="folder of .arrow shards (a clean run's kept/)")
    dedup.add_argument("--output", "-o", required=True, metavar="DIR", help=STAGE_OUTPUT)
    add_key_flags(dedup, DEDUP_FLAGS)
    add_config_options(dedup)
    dedup.set_defaults(func=cmd_dedup)
