"""What each blacklist category removes from each source of the development corpus.

    python bench/blacklist_effects.py --dev-data ../shared/data/dev --profile mixed_web

For each dev source (each jsonl under zh/ and en/) the clean stage runs twice:

- with the profile's normalizers and edits and its ``blacklist`` step alone (its lists and
  thresholds, the optional ``zh_politics`` added): the share of documents each category flags
  (a document can be flagged by several), and the share the profile's own lists reject;
- with the whole profile: the share the blacklist step rejects there, after the filters before it.

Prints a Markdown table; output folders go under bench/out/blacklist_effects/.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections import Counter
from pathlib import Path

from _common import BENCH_OUT, add_dev_data_option, dev_data_or_exit
from datacleaning.blacklists.rule import DEFAULT_LISTS
from datacleaning.config import load_config
from datacleaning.rules.registry import build_rule
from datacleaning.shards import read_table, shard_paths
from datacleaning.stages import run_stage

CATEGORIES = ["porn", "gambling", "violence", "drugs", "abuse", "ads", "politics"]
OPTIONAL = {"politics"}


def rejected_values(out: Path) -> list[tuple[str, dict]]:
    if not shard_paths(out / "rejected"):
        return []
    table = read_table(out / "rejected", ["rejected_by", "reject_value"]).to_pydict()
    return [(by, json.loads(value)) for by, value in zip(table["rejected_by"], table["reject_value"])
            if by.split(":")[0] == "blacklist"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_dev_data_option(parser)
    parser.add_argument("--profile", default="mixed_web")
    parser.add_argument("--workers", type=int, default=1, help="most dev sources are a single work unit (default: 1)")
    parser.add_argument("--out", type=Path, default=BENCH_OUT / "blacklist_effects")
    args = parser.parse_args()
    dev = dev_data_or_exit(args.dev_data, "blacklist_effects")
    sources = sorted(dev.glob("*/*.jsonl"))
    run = [(["run", "workers"], args.workers), (["run", "progress"], False)]
    profile = load_config(None, run, profile=args.profile)
    # The profile's own blacklist step (its thresholds), with the optional politics list added.
    step = next(table for table in profile.clean.filters if table["name"] == "blacklist")
    alone = {**step, "lists": [*step.get("lists", DEFAULT_LISTS), "zh_politics"]}
    configs = {"alone": load_config(None, [*run, (["clean", "filters"], [alone])], profile=args.profile),
               "profile": profile}
    # Every category a rejected value holds over the thresholds, not only the first that rejected it.
    rule = build_rule("filters", 0, alone)
    rule.prepare(profile.base_dir)
    rows = []
    for source in sources:
        row = {"source": source.stem}
        for mode, config in configs.items():
            out = args.out / args.profile / mode / source.stem
            shutil.rmtree(out, ignore_errors=True)
            stats = run_stage("clean", config, [str(source)], out).stats
            values = [rule.flagged(value) for _, value in rejected_values(out)]
            row["docs"] = stats["input_docs"]
            row[mode] = {
                "rejected": len(values),
                "by_category": Counter(c for flagged in values for c in set(flagged)),
                "by_url": sum(1 for _, value in rejected_values(out) if "url" in value),
                "by_profile_lists": sum(1 for flagged in values if set(flagged) - OPTIONAL),
            }
        rows.append(row)
    print(f"Blacklist on each dev source, profile `{args.profile}`: % of documents each category flags with the "
          f"profile's blacklist step as the only filter (politics is optional, off by default), % the profile's "
          f"lists reject, and % the blacklist step rejects within the whole profile.\n")
    print("| source | docs | " + " | ".join(CATEGORIES) + " | URL | profile's lists | in the profile |")
    print("|---|---:|" + "---:|" * (len(CATEGORIES) + 3))

    def pct(count: int, docs: int) -> str:
        if not count:
            return "0"
        share = 100 * count / docs
        return f"{share:.2f}" if share >= 0.01 else "<0.01"

    for row in rows:
        n = row["docs"] or 1
        cells = [pct(row["alone"]["by_category"][c], n) for c in CATEGORIES]
        cells += [pct(row["alone"]["by_url"], n), pct(row["alone"]["by_profile_lists"], n),
                  pct(row["profile"]["rejected"], n)]
        print(f"| {row['source']} | {row['docs']:,} | " + " | ".join(cells) + " |")
    report = [{**row, **{mode: {**row[mode], "by_category": dict(row[mode]["by_category"])} for mode in configs}}
              for row in rows]
    (args.out / f"{args.profile}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
