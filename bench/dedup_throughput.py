"""Dedup-stage throughput and memory, side by side with datatrove's MinHash pipeline, on one corpus.

    python bench/build_corpus.py --dev-data ../shared/data/dev --size-mb 101.5 --mix mixed --out bench/out/corpus_dedup
    python bench/build_corpus.py --dev-data ../shared/data/dev --size-mb 1015 --mix mixed --out bench/out/corpus_dedup10
    python bench/dedup_throughput.py --corpus bench/out/corpus_dedup --scale-corpus bench/out/corpus_dedup10

Input: the corpus' documents as Arrow shards in the clean stage's kept schema (written once, with
the project's ShardWriter, about 16 MB of text a shard; not timed), which is what the clean stage
writes when no rule rejects anything. Configurations, each in a fresh Python process so that its
peak RSS is its own:

- ``ours``: the dedup stage (``run_stage("dedup", ...)``: exact hashes, MinHash signatures, band buckets,
  verification, clustering, writing kept/ and removed/ shards), with 1 and 2 workers, with
  datatrove's LSH shape (112 permutations, 14 bands of 8, word or character 5-grams), and with
  its own defaults (128 permutations, 16 bands of 8) at 2 workers.
- ``datatrove``: MinhashDedupSignature, MinhashDedupBuckets (one pass per bucket),
  MinhashDedupCluster and MinhashDedupFilter with MinhashConfig(n_grams=5, num_buckets=14,
  hashes_per_bucket=8) and its default 64-bit xxhash, in one process, reading the same documents
  from the jsonl parts and writing kept and removed documents as zstd-compressed jsonl. Its word
  tokenizer is its default (English, spacy's rule-based tokenizer); it gives no signature to a
  document of fewer than 5 words, which leaves most short Chinese reviews out of its dedup.

The corpora are made from the development data by repetition, so most of their documents would
be exact copies of others; to make every step do its work on every document, each repeat (id
``...~rN``) gets the marker `` rN`` appended to its text, for ours and datatrove alike, turning
exact copies into near duplicates.

What is counted: a run's CPU seconds (the process and its worker processes) over the run itself,
reading and writing included, not interpreter start-up or imports; "per core" is documents per
CPU second. Wall time is reported too. With ``--repeat N`` every configuration runs N times in
interleaved rounds; medians are reported and the ratio to datatrove is paired per round (median
and range). Every headline names its settings. Peak RSS is ``ru_maxrss`` of the largest
process: the main process or any worker (``RUSAGE_CHILDREN``); RSS counts pages a forked worker
still shares with its parent.

The scale check (``--scale-corpus``, a corpus 10x the size) runs ours with 2 workers on both
corpora, under ``--memory-mb`` and under the default ``dedup.memory_mb``, and compares peak RSS.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path

from _common import BENCH_OUT, MB, PART_GLOB, corpus_or_exit, cpu_seconds, kept_shards, measure_in_child, \
    package_version, paired, read_manifest, write_measurement

OURS, OURS_DEFAULT, DATATROVE, SCALE = "ours", "ours (default config)", "datatrove", "ours (scale check)"
DATATROVE_SHAPE = {"num_perm": 112, "bands": 14, "rows": 8}
TARGET_DOCS_PER_CORE = 10_000
TARGET_RSS_GROWTH = 1.2


def _peak_rss(who: int) -> int:
    return resource.getrusage(who).ru_maxrss * 1024  # kilobytes on Linux


# --- measurement, in a fresh child process ----------------------------------------------------------

def measure_ours(spec: dict) -> dict:
    from datacleaning.config import load_config
    from datacleaning.stages import run_stage

    overrides = [(["run", "workers"], spec["workers"]), (["run", "progress"], False)]
    overrides += [(["dedup", "minhash", key], value) for key, value in spec.get("minhash", {}).items()]
    if spec.get("memory_mb"):
        overrides.append((["dedup", "memory_mb"], spec["memory_mb"]))
    config = load_config(None, overrides)
    out = Path(spec["scratch"])
    shutil.rmtree(out, ignore_errors=True)
    started, cpu_before = time.perf_counter(), cpu_seconds()
    result = run_stage("dedup", config, spec["shards"], out)
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    if not result.ok:
        raise SystemExit(f"dedup run did not complete: {result.stats['failed_units']}")
    stats = result.stats
    measured = {
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "docs": stats["input_docs"],
        "kept_docs": stats["kept_docs"],
        "removed_docs": stats["removed_docs"],
        "exact_duplicates": stats["exact_duplicates"],
        "near_duplicates": stats["near_duplicates"],
        "minhash": stats["minhash"],
        "partitions": stats["partitions"],
        "step_seconds": stats["step_seconds"],
        "peak_rss_workers": _peak_rss(resource.RUSAGE_CHILDREN),
        "peak_rss_main": _peak_rss(resource.RUSAGE_SELF),
    }
    shutil.rmtree(out)
    return measured


def measure_datatrove(spec: dict) -> dict:
    from datatrove.pipeline.dedup.minhash import (MinhashConfig, MinhashDedupBuckets, MinhashDedupCluster,
                                                  MinhashDedupFilter, MinhashDedupSignature)
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.logging import logger

    logger.disable("datatrove")  # a log line per file and step would bury the report
    out = Path(spec["scratch"])
    shutil.rmtree(out, ignore_errors=True)
    config = MinhashConfig(n_grams=5, num_buckets=DATATROVE_SHAPE["bands"], hashes_per_bucket=DATATROVE_SHAPE["rows"])
    read = 0

    def documents():
        nonlocal read
        for doc in JsonlReader(spec["corpus"], glob_pattern=PART_GLOB, recursive=False)():
            read += 1
            if "~r" in doc.id:  # the marker kept_shards(mark_repeats=True) gives our input
                doc.text += " r" + doc.id.rsplit("~r", 1)[1]
            yield doc

    started, cpu_before = time.perf_counter(), cpu_seconds()
    MinhashDedupSignature(output_folder=str(out / "signatures"), config=config).run(documents())
    buckets = MinhashDedupBuckets(input_folder=str(out / "signatures"), output_folder=str(out / "buckets"),
                                  config=config)
    for bucket in range(config.num_buckets):
        buckets.run(rank=bucket, world_size=config.num_buckets)
    MinhashDedupCluster(input_folder=str(out / "buckets"), output_folder=str(out / "remove_ids"), config=config).run()
    docs = read
    kept = 0
    dedup_filter = MinhashDedupFilter(input_folder=str(out / "remove_ids"),
                                      exclusion_writer=JsonlWriter(str(out / "removed"), compression="zstd"))
    writer = JsonlWriter(str(out / "kept"), compression="zstd")
    for _ in writer.run(dedup_filter.run(documents())):
        kept += 1
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    measured = {"wall_seconds": wall, "cpu_seconds": cpu, "docs": docs, "kept_docs": kept, "removed_docs": docs - kept,
                "peak_rss_workers": 0, "peak_rss_main": _peak_rss(resource.RUSAGE_SELF)}
    shutil.rmtree(out)
    return measured


def measure(spec: dict) -> dict:
    measured = measure_datatrove(spec) if spec["name"] == DATATROVE else measure_ours(spec)
    measured["peak_rss"] = max(measured["peak_rss_workers"], measured["peak_rss_main"])
    return measured


# --- orchestration, in the parent process -----------------------------------------------------------

def summarize(label: str, workers: int, runs: list[dict]) -> dict:
    wall = statistics.median(r["wall_seconds"] for r in runs)
    cpu = statistics.median(r["cpu_seconds"] for r in runs)
    typical = min(runs, key=lambda r: abs(r["wall_seconds"] - wall))
    return {"label": label, "workers": workers, "docs": typical["docs"], "wall_seconds": wall, "cpu_seconds": cpu,
            "docs_per_s": typical["docs"] / wall, "docs_per_cpu_s": typical["docs"] / cpu,
            "peak_rss_mb": max(r["peak_rss"] for r in runs) / MB, "typical": typical, "runs": runs}


def markdown(rows: list[dict], corpus_line: str) -> str:
    lines = [corpus_line, "", "| configuration | workers | docs | wall s | CPU s | docs/s (wall) | docs per CPU s | "
             "removed | peak RSS, largest process (MB) |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['label']} | {r['workers']} | {r['docs']:,} | {r['wall_seconds']:.1f} | "
                     f"{r['cpu_seconds']:.1f} | {r['docs_per_s']:,.0f} | {r['docs_per_cpu_s']:,.0f} | "
                     f"{r['typical']['removed_docs']:,} | {r['peak_rss_mb']:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=BENCH_OUT / "corpus_dedup",
                        help="corpus folder made by build_corpus.py (default: bench/out/corpus_dedup)")
    parser.add_argument("--scale-corpus", type=Path, help="a corpus 10x the size, for the peak RSS check")
    parser.add_argument("--memory-mb", type=int, default=64, help="dedup.memory_mb of the scale check (default 64)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="interleaved rounds of every configuration; medians count, ratios paired (default 3)")
    parser.add_argument("--skip-datatrove", action="store_true", help="do not run the datatrove comparison")
    parser.add_argument("--json-out", type=Path, default=BENCH_OUT / "dedup_throughput.json")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # child mode: one measurement
    args = parser.parse_args(argv)
    if args.measure:
        write_measurement(args.measure, measure)
        return 0
    corpus, parts = corpus_or_exit(args.corpus, "dedup_throughput")
    if not args.skip_datatrove:
        missing = [m for m in ("datatrove", "spacy", "xxhash", "tokenizers") if find_spec(m) is None]
        if missing:
            sys.exit(f"dedup_throughput: {', '.join(missing)} not installed; run `pip install -e '.[bench]'` "
                     f"or pass --skip-datatrove")

    manifest = read_manifest(corpus)
    size_mb = sum(p.stat().st_size for p in parts) / MB
    corpus_line = (f"Corpus {corpus.name}: {manifest.get('mix', '?')}, {size_mb:.1f} MB, "
                   f"{manifest.get('docs', 0):,} docs in {len(parts)} files; {os.cpu_count()} cores; "
                   f"{args.repeat} interleaved rounds; repeats marked as near duplicates.")
    print(corpus_line, flush=True)
    shards = kept_shards(corpus, mark_repeats=True)
    configurations = [(f"{OURS}, datatrove's LSH shape", 1, {"minhash": DATATROVE_SHAPE}),
                      (f"{OURS}, datatrove's LSH shape", 2, {"minhash": DATATROVE_SHAPE}),
                      (OURS_DEFAULT, 2, {})]
    if not args.skip_datatrove:
        configurations.append((DATATROVE, 1, {}))
    runs: dict[tuple[str, int], list[dict]] = {(label, w): [] for label, w, _ in configurations}
    BENCH_OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="scratch-", dir=BENCH_OUT) as scratch:
        for round_ in range(args.repeat):
            for label, workers, extra in configurations:
                spec = {"name": DATATROVE if label == DATATROVE else OURS, "workers": workers, "shards": str(shards),
                        "corpus": str(corpus), **extra}
                measured = measure_in_child(__file__, spec, Path(scratch))
                runs[(label, workers)].append(measured)
                print(f"  run {round_ + 1}/{args.repeat}  {label:<34} workers {workers}: "
                      f"{measured['wall_seconds']:7.1f} s wall {measured['cpu_seconds']:7.1f} CPU s "
                      f"{measured['docs'] / measured['cpu_seconds']:9,.0f} docs per CPU s  "
                      f"peak RSS {measured['peak_rss'] / MB:6.0f} MB", flush=True)
        rows = [summarize(label, workers, r) for (label, workers), r in runs.items()]
        table = markdown(rows, corpus_line)

        scale: dict[str, list[dict]] = {}
        if args.scale_corpus:
            for budget in (args.memory_mb, None):
                name = f"dedup.memory_mb = {budget}" if budget else "dedup.memory_mb default"
                scale[name] = []
                for which in (corpus, args.scale_corpus.resolve()):
                    marked = kept_shards(which, mark_repeats=True)
                    spec = {"name": OURS, "workers": 2, "shards": str(marked), "memory_mb": budget}
                    measured = measure_in_child(__file__, spec, Path(scratch))
                    scale[name].append(summarize(f"{SCALE}, {which.name}, {name}", 2, [measured]))
                    print(f"  scale check {which.name}, {name}: {measured['docs']:,} docs "
                          f"{measured['wall_seconds']:.1f} s peak RSS {measured['peak_rss'] / MB:.0f} MB, "
                          f"partitions {measured['partitions']}", flush=True)

    ours_default = next(r for r in rows if r["label"] == OURS_DEFAULT)
    lines = [table, ""]
    met = ours_default["docs_per_cpu_s"] >= TARGET_DOCS_PER_CORE
    lines.append(f"ours with its default settings (128 permutations, 16 bands of 8), 2 workers, end to end: "
                 f"{ours_default['docs_per_cpu_s']:,.0f} docs per CPU second "
                 f"(target >= {TARGET_DOCS_PER_CORE:,}: {'met' if met else 'NOT met'})")
    datatrove = next((r for r in rows if r["label"] == DATATROVE), None)
    if datatrove:
        ours1 = next(r for r in rows if r["label"].startswith(OURS) and r["workers"] == 1)
        ratio = paired([r["cpu_seconds"] for r in datatrove["runs"]], [r["cpu_seconds"] for r in ours1["runs"]])
        lines.append(f"docs per CPU second, ours ÷ datatrove, both with datatrove's LSH shape (112 permutations, 14 "
                     f"bands of 8) and one process doing the work: {ratio['median']:.1f}× "
                     f"(range {ratio['low']:.1f}–{ratio['high']:.1f} over {ratio['rounds']} rounds)")
    for name, pair in scale.items():
        growth = pair[1]["peak_rss_mb"] / pair[0]["peak_rss_mb"]
        lines += ["", markdown(pair, f"Scale check: {name}, 2 workers."), "",
                  f"peak RSS {pair[1]['docs'] / pair[0]['docs']:.1f}x the documents ÷ 1x: {growth:.2f} "
                  f"(target <= {TARGET_RSS_GROWTH}: {'met' if growth <= TARGET_RSS_GROWTH else 'NOT met'})"]
    steps = ours_default["typical"]["step_seconds"]
    lines += ["", f"Where the time goes ({ours_default['label']}, 2 workers, {ours_default['wall_seconds']:.1f} s "
              f"wall): " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in steps.items())]
    report = "\n".join(lines)
    print()
    print(report)

    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps({
        "corpus": {"path": corpus.name, "manifest": manifest},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "versions": {m: package_version(m) for m in ("datacleaning", "rensa", "numpy", "pyarrow", "datatrove")},
        "results": rows, "scale_check": scale, "markdown": report,
    }, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
