"""What each rule of a profile does to each source of the development corpus.

    python bench/rule_effects.py --dev-data ../shared/data/dev --profile mixed_web

Runs the clean stage once per dev source (each jsonl under zh/ and en/) and prints a Markdown
table: documents kept, and per rule the share of documents it rejected or the share of
characters it removed. Output folders go under bench/out/rule_effects/.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from _common import BENCH_OUT, add_dev_data_option, dev_data_or_exit
from datacleaning.config import load_config
from datacleaning.stages import run_stage


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_dev_data_option(parser)
    parser.add_argument("--profile", default="mixed_web")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=BENCH_OUT / "rule_effects")
    args = parser.parse_args()
    dev = dev_data_or_exit(args.dev_data, "rule_effects")
    sources = sorted(dev.glob("*/*.jsonl"))
    config = load_config(None, [(["run", "workers"], args.workers), (["run", "progress"], False)], profile=args.profile)
    rows = []
    for source in sources:
        out = args.out / args.profile / source.stem
        shutil.rmtree(out, ignore_errors=True)
        stats = run_stage("clean", config, [str(source)], out).stats
        rows.append((source.stem, stats))
    rules = [name for name, c in rows[0][1]["rules"].items()
             if any(s["rules"][name]["rejected"] or s["rules"][name]["chars_removed"] for _, s in rows)]
    print(f"Profile `{args.profile}`: % of documents kept; per rule, % of documents rejected (filters) or "
          f"% of characters removed (edits, marked ✂).\n")
    print("| source | docs | kept | " + " | ".join(rules) + " |")
    print("|---|---:|---:|" + "---:|" * len(rules))
    for name, s in rows:
        n = s["input_docs"] or 1
        cells = []
        for rule in rules:
            c = s["rules"][rule]
            if c["kind"] in ("normalizer", "editor"):
                cells.append(f"✂{100 * c['chars_removed'] / max(s['input_chars'], 1):.1f}" if c["chars_removed"] > 0 else "")
            else:
                cells.append(f"{100 * c['rejected'] / n:.1f}" if c["rejected"] else "")
        print(f"| {name} | {s['input_docs']:,} | {100 * s['kept_docs'] / n:.1f}% | " + " | ".join(cells) + " |")
    (args.out / f"{args.profile}.json").write_text(json.dumps(dict(rows), indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
