"""How long ``datacleaning report`` takes for a run of many sources. The report reads only the
stages' stats.json and the review samples, whose size grows with the number of sources (input
files), not of documents: this copies a finished output folder's stats, spreads each stage's
``by_source`` over ``--sources`` sources (each a source of the original with a suffix, its counts
kept), and times the report of the copy.

    bash run_data_cleaning.sh                       # the example run, in output/
    python bench/report_speed.py --output output --sources 10000

Prints the stats' size and the seconds to write the report, with the report's size.
"""
from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from datacleaning.report import write_report
from datacleaning.cleaning.samples import SAMPLES_FILE
from datacleaning.stages import STAGE_ORDER


def spread(stats: dict, sources: int) -> dict:
    """``stats`` with every by_source table (and tokenize's sources) grown to ``sources`` entries."""
    for table in ("by_source", "sources"):
        if table in stats and stats[table]:
            original = list(stats[table].items())
            stats[table] = {f"{name}#{i}": counts for i in range(sources // len(original) + 1)
                            for name, counts in original}
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, required=True, help="a finished run's output folder")
    parser.add_argument("--sources", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "run"
        stats_bytes = 0
        for stage in STAGE_ORDER:
            if not (args.output / stage / "stats.json").exists():
                continue
            (copy / stage).mkdir(parents=True)
            stats = spread(json.loads((args.output / stage / "stats.json").read_text()), args.sources)
            text = json.dumps(stats)
            stats_bytes += len(text)
            (copy / stage / "stats.json").write_text(text)
        if (args.output / "clean" / SAMPLES_FILE).exists():
            shutil.copy(args.output / "clean" / SAMPLES_FILE, copy / "clean" / SAMPLES_FILE)
        start = time.perf_counter()
        page = write_report(copy)
        seconds = time.perf_counter() - start
        print(f"{args.sources:,} sources, stats {stats_bytes / 1e6:.1f} MB: report in {seconds:.1f} s, "
              f"{page.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
