"""Where a whole run's time goes: every stage of ``datacleaning run``, end to end, on one corpus.

    python bench/build_corpus.py --dev-data ../shared/data/dev --size-mb 10 --mix mixed --out bench/out/corpus_mixed10
    python bench/stage_breakdown.py --corpus bench/out/corpus_mixed10 --workers 2

The stages named by the config's ``run.stages`` (default: configs/example.toml, which names all
four: clean, dedup, probe on the CPU here, tokenize with a tokenizer trained on the run's own
text) run one after the other in one fresh process, each through the same ``run_stage`` as the
command line, each reading the kept shards of the one before. For each stage: its wall seconds,
its CPU seconds (the process and its worker processes, which every stage joins before it
returns), its share of the run's CPU seconds, the text MB it read (UTF-8 text of its input
documents) and text MB per CPU second. With ``--repeat N`` the whole run is repeated N times and
each stage's medians are reported.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import BENCH_OUT, DEFAULT_CONFIG, MB, corpus_or_exit, cpu_seconds, measure_in_child, read_manifest, \
    text_bytes, write_measurement


def measure(spec: dict) -> dict:
    """Child side: every configured stage in turn, with its wall and CPU seconds."""
    import pyarrow.compute as pc

    from datacleaning.config import load_config
    from datacleaning.shards import iter_batches
    from datacleaning.stages import run_stage, stage

    config = load_config(spec["config"], [(["run", "workers"], spec["workers"]), (["run", "progress"], False)])
    out = Path(spec["scratch"])
    shutil.rmtree(out, ignore_errors=True)
    stages = {}
    for name in config.run.stages:
        chosen = stage(name)
        source = spec["inputs"] if chosen.reads_dumps else out / config.run.input_stage(name) / "kept"
        text = (spec["text_bytes"] if chosen.reads_dumps else
                sum(pc.sum(pc.binary_length(pc.cast(batch.column("text"), "binary"))).as_py() or 0
                    for batch in iter_batches(source, ["text"])))
        started, cpu_before = time.perf_counter(), cpu_seconds()
        result = run_stage(chosen, config, source, out / name)
        wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
        if not result.ok:
            raise SystemExit(f"{name}: the stage did not complete: {result.stats.get('failed_units')}")
        stages[name] = {"wall_seconds": wall, "cpu_seconds": cpu, "text_bytes": text}
    shutil.rmtree(out)
    return {"stages": stages}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=BENCH_OUT / "corpus_mixed10",
                        help="corpus folder made by build_corpus.py (default: bench/out/corpus_mixed10)")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                        help="config whose run.stages to run (default: configs/example.toml)")
    parser.add_argument("--workers", type=int, default=2, help="run.workers (default: 2)")
    parser.add_argument("--repeat", type=int, default=1, help="whole runs; each stage's medians count (default: 1)")
    parser.add_argument("--json-out", type=Path, default=BENCH_OUT / "stage_breakdown.json")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # child mode: one measurement
    args = parser.parse_args(argv)
    if args.measure:
        write_measurement(args.measure, measure)
        return 0
    corpus, parts = corpus_or_exit(args.corpus, "stage_breakdown")
    text = text_bytes(parts)
    manifest = read_manifest(corpus)
    spec = {"name": "run", "workers": args.workers, "config": str(args.config.resolve()),
            "inputs": [str(p) for p in parts], "text_bytes": text}
    runs = []
    BENCH_OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="scratch-", dir=BENCH_OUT) as scratch:
        for round_ in range(args.repeat):
            runs.append(measure_in_child(__file__, spec, Path(scratch))["stages"])
            print(f"  run {round_ + 1}/{args.repeat}: " + ", ".join(
                f"{name} {m['cpu_seconds']:.1f} CPU s" for name, m in runs[-1].items()), flush=True)
    names = list(runs[0])
    rows = []
    for name in names:
        cpu = statistics.median(r[name]["cpu_seconds"] for r in runs)
        wall = statistics.median(r[name]["wall_seconds"] for r in runs)
        rows.append({"stage": name, "wall_seconds": wall, "cpu_seconds": cpu,
                     "text_mb": runs[0][name]["text_bytes"] / MB})
    total = sum(r["cpu_seconds"] for r in rows)
    lines = [f"Corpus {corpus.name}: {manifest.get('mix', '?')}, {text / MB:.1f} MB of text, "
             f"{manifest.get('docs', 0):,} docs; config {args.config.name}; {args.workers} workers; "
             f"{os.cpu_count()} cores; medians of {args.repeat} run(s).", "",
             "| stage | text MB in | wall s | CPU s | share of the run's CPU | text MB per CPU s |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['stage']} | {r['text_mb']:.1f} | {r['wall_seconds']:.1f} | {r['cpu_seconds']:.1f} | "
                     f"{r['cpu_seconds'] / total:.1%} | {r['text_mb'] / r['cpu_seconds']:.2f} |")
    lines.append(f"| whole run | {text / MB:.1f} | {sum(r['wall_seconds'] for r in rows):.1f} | {total:.1f} | 100% | "
                 f"{text / MB / total:.2f} |")
    table = "\n".join(lines)
    print()
    print(table)
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps({"corpus": corpus.name, "config": str(args.config), "workers": args.workers,
                                         "runs": runs, "stages": rows, "markdown": table}, indent=1) + "\n")
    print(f"\nwrote {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
