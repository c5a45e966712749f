"""Clean-stage throughput, side by side with an I/O floor and with datatrove, on one corpus.

    python bench/build_corpus.py --dev-data ../shared/data/dev --mix en --size-mb 40
    python bench/clean_throughput.py --corpus bench/out/corpus_en --repeat 3

Configurations, each run in a fresh Python process so that its peak RSS is its own:

- ``ours``: the clean stage (``run_clean``) with the rules of ``--config`` (default
  configs/example.toml), 1 and 2 workers, writing kept/rejected Arrow shards as usual.
- ``read+write only``: the same stage with every rule section emptied, so it reads jsonl,
  guesses the language (the pipeline always does), and writes the same shards: the floor the
  rules add to.
- ``datatrove``: GopherRepetitionFilter, GopherQualityFilter, C4QualityFilter and
  FineWebQualityFilter with their default (English) settings, in one process, reading the parts
  with datatrove's JsonlReader and writing kept documents with its JsonlWriter and each filter's
  rejected documents with a JsonlWriter as its exclusion writer, all zstd-compressed: like ours,
  every document read is written once, compressed. Its word tokenizer for English is
  ``spacy.blank("en")``, rule-based and shipped inside the spacy wheel; C4QualityFilter splits
  on lines by default, so NLTK is never loaded. Nothing is downloaded at run time
  (``HF_HUB_OFFLINE=1`` is set for the run to make sure).

Timing covers the run itself, including each tool's one-time setup (our rule building and
process pool, datatrove's spacy tokenizer), but not interpreter start-up or imports. With
``--repeat N`` every configuration runs N times, the rounds interleaved so that a burst of
load on this shared machine spreads over configurations, and the *fastest* run of each counts
(noise only ever adds time); every run is kept in the JSON report.

The time breakdown printed last lists each rule's own seconds as the pipeline counts them; a
text signal that several filters share (words, sentences, lines) is computed once, lazily, and
counted against the first filter that asks for it.

Peak RSS "per worker" is ``ru_maxrss`` of the largest worker process (``RUSAGE_CHILDREN`` in the
process that ran the pool) for ours, and of the one process for datatrove. RSS counts pages a
forked worker still shares with its parent, so it over-states what each worker adds.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path

from _common import (BENCH_OUT, DEFAULT_CONFIG, MB, PART_GLOB, REPO_ROOT, corpus_parts, measure_in_child, read_manifest,
                     write_measurement)

OURS, FLOOR, DATATROVE = "ours", "read+write only", "datatrove"
WORKER_COUNTS = (1, 2)
TOP_RULES = 10  # rules listed one by one in the time breakdown; the rest are summed

# The project's targets; ratios() says which corpus mix each is stated for.
TARGET_VS_DATATROVE = 10.0
TARGET_PER_CORE_MBS = 2.0
TARGET_SPEEDUP = 1.8
TARGET_RSS_MB = 1000.0


# --- measurement, in a fresh child process -------------------------------------------------------
# Imports of the measured tools stay inside these functions: the parent process never loads
# them, and a child loads only the tool it measures, so neither's RSS includes the other.

def _peak_rss(who: int) -> int:
    return resource.getrusage(who).ru_maxrss * 1024  # kilobytes on Linux


def _tree_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure_clean(spec: dict) -> dict:
    from datacleaning.stages import run_stage
    from datacleaning.config import load_config

    overrides = [(["run", "workers"], spec["workers"]), (["run", "progress"], False),
                 (["input", "chunk_bytes"], spec["chunk_bytes"])]
    if spec["name"] == FLOOR:
        overrides += [(["clean", section], []) for section in ("normalizers", "edits", "filters")]
    config = load_config(spec["config"], overrides)
    out = Path(spec["scratch"])
    # A leftover output folder would be resumed (its finished units skipped), not redone.
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    result = run_stage("clean", config, spec["inputs"], out)
    wall = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(f"{spec['name']}: clean run did not complete: {result.stats['failed_units']}")
    stats = result.stats
    measured = {
        "wall_seconds": wall,
        "input_bytes": stats["input_bytes"],
        "docs": stats["input_docs"],
        "kept_docs": stats["kept_docs"],
        "rejected_docs": stats["rejected_docs"],
        "quarantined_docs": stats["quarantined_docs"],
        "units": stats["units"]["total"],
        "output_bytes": _tree_bytes(out),
        # Time inside the workers' unit processing, summed over workers: wall x workers minus
        # this is what the pool itself (start-up, scheduling, idle tails) costs.
        "worker_busy_seconds": stats.get("seconds", 0.0),
        "rule_seconds": {label: c["seconds"] for label, c in stats["rules"].items() if c["seconds"]},
        "peak_rss_worker": _peak_rss(resource.RUSAGE_CHILDREN),
        "peak_rss_main": _peak_rss(resource.RUSAGE_SELF),
    }
    shutil.rmtree(out)
    return measured


def measure_datatrove(spec: dict) -> dict:
    from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter, GopherQualityFilter,
                                            GopherRepetitionFilter)
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.logging import logger

    logger.disable("datatrove")  # one log line per file and step would bury the report
    out = Path(spec["scratch"])
    shutil.rmtree(out, ignore_errors=True)

    def writer(name: str) -> JsonlWriter:
        return JsonlWriter(str(out / name), compression="zstd")

    steps = [
        GopherRepetitionFilter(exclusion_writer=writer("removed/gopher_repetition")),
        GopherQualityFilter(exclusion_writer=writer("removed/gopher_quality")),
        C4QualityFilter(exclusion_writer=writer("removed/c4_quality")),
        FineWebQualityFilter(exclusion_writer=writer("removed/fineweb_quality")),
        writer("kept"),
    ]
    read = 0

    def counted(docs):
        nonlocal read
        for doc in docs:
            read += 1
            yield doc

    started = time.perf_counter()
    data = counted(JsonlReader(spec["corpus"], glob_pattern=PART_GLOB, recursive=False)())
    for step in steps:
        data = step(data)
    kept = sum(1 for _ in data)
    wall = time.perf_counter() - started
    measured = {
        "wall_seconds": wall,
        "input_bytes": sum(os.path.getsize(p) for p in spec["inputs"]),
        "docs": read,
        "kept_docs": kept,
        "rejected_docs": read - kept,
        "output_bytes": _tree_bytes(out),
        "peak_rss_worker": _peak_rss(resource.RUSAGE_SELF),
    }
    shutil.rmtree(out)
    return measured


def measure(spec: dict) -> dict:
    return measure_datatrove(spec) if spec["name"] == DATATROVE else measure_clean(spec)


# --- orchestration, in the parent process --------------------------------------------------------

def warm_page_cache(parts: list[Path]) -> None:
    """Read the corpus once so the first configuration does not pay for disk reads the others skip."""
    for part in parts:
        with open(part, "rb") as f:
            while f.read(16 << 20):
                pass


def derive(name: str, workers: int, runs: list[dict]) -> dict:
    best = min(runs, key=lambda r: r["wall_seconds"])
    mbs = best["input_bytes"] / MB / best["wall_seconds"]
    walls = [r["wall_seconds"] for r in runs]
    return {
        "name": name,
        "workers": workers,
        "mb_per_s": mbs,
        "mb_per_s_per_core": mbs / workers,
        "docs_per_s": best["docs"] / best["wall_seconds"],
        # A peak, so the largest of all runs, not the fastest run's.
        "peak_rss_worker_mb": max(r["peak_rss_worker"] for r in runs) / MB,
        "wall_seconds": best["wall_seconds"],
        "wall_seconds_median": statistics.median(walls),
        "wall_seconds_max": max(walls),
        "best": best,
        "runs": runs,
    }


def ratios(results: dict[tuple[str, int], dict], mix: str) -> list[dict]:
    ours = {w: results[(OURS, w)] for w in WORKER_COUNTS}
    floor = {w: results[(FLOOR, w)] for w in WORKER_COUNTS}
    rows = []

    def add(what: str, value: float, unit: str, target: float | None = None, higher: bool = True,
            for_mix: str | None = None) -> None:
        if target is None:
            status = target_text = ""
        else:
            target_text = f"{'≥' if higher else '<'} {target:g}{unit}"
            if for_mix is not None and mix != for_mix:
                status = f"n/a (target is for the {for_mix} corpus)"
            else:
                status = "met" if (value >= target if higher else value < target) else "NOT met"
        rows.append({"ratio": what, "value": value, "unit": unit, "target": target_text, "status": status})

    dt = results.get((DATATROVE, 1))
    if dt:
        for w in WORKER_COUNTS:
            add(f"ours MB/s per core ÷ datatrove's ({w} worker{'s' * (w > 1)})",
                ours[w]["mb_per_s_per_core"] / dt["mb_per_s_per_core"], "×", TARGET_VS_DATATROVE, for_mix="en")
    for w in WORKER_COUNTS:
        add(f"ours MB/s per core ({w} worker{'s' * (w > 1)})", ours[w]["mb_per_s_per_core"], " MB/s",
            TARGET_PER_CORE_MBS, for_mix="mixed")
    for w in WORKER_COUNTS:
        add(f"ours ÷ read+write only ({w} worker{'s' * (w > 1)})",
            ours[w]["mb_per_s"] / floor[w]["mb_per_s"], "×")
    add("speed-up 2 ÷ 1 workers, ours", ours[2]["mb_per_s"] / ours[1]["mb_per_s"], "×", TARGET_SPEEDUP)
    add("speed-up 2 ÷ 1 workers, read+write only", floor[2]["mb_per_s"] / floor[1]["mb_per_s"], "×")
    add("peak RSS per worker, ours (largest)", max(o["peak_rss_worker_mb"] for o in ours.values()), " MB",
        TARGET_RSS_MB, higher=False)
    return rows


def markdown(results: list[dict], ratio_rows: list[dict], corpus_line: str) -> str:
    lines = [corpus_line, "",
             "| configuration | workers | MB/s | MB/s per core | docs/s | peak RSS per worker (MB) | wall (s) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['label']} | {r['workers']} | {r['mb_per_s']:.2f} | {r['mb_per_s_per_core']:.2f} | "
                     f"{r['docs_per_s']:,.0f} | {r['peak_rss_worker_mb']:.0f} | {r['wall_seconds']:.1f} |")
    lines += ["", "| ratio | value | target | status |", "|---|---:|---|---|"]
    for row in ratio_rows:
        value = f"{row['value']:.1f}" if row["unit"] == " MB" else f"{row['value']:.2f}"
        lines.append(f"| {row['ratio']} | {value}{row['unit']} | {row['target']} | {row['status']} |")
    return "\n".join(lines)


def time_breakdown(ours1: dict, floor1: dict) -> str:
    """Where one worker's time goes: each rule's own seconds, and the read/parse/write floor."""
    rules = sorted(ours1["best"]["rule_seconds"].items(), key=lambda kv: -kv[1])
    wall = ours1["wall_seconds"]
    lines = [f"Where the time goes (ours, 1 worker, {wall:.1f} s wall):",
             f"  {'read + language guess + write (read+write-only run)':<60}{floor1['wall_seconds']:8.1f} s  "
             f"{floor1['wall_seconds'] / wall:6.1%}"]
    for label, seconds in rules[:TOP_RULES]:
        lines.append(f"  {'rule ' + label:<60}{seconds:8.1f} s  {seconds / wall:6.1%}")
    if len(rules) > TOP_RULES:
        others = sum(s for _, s in rules[TOP_RULES:])
        lines.append(f"  {f'{len(rules) - TOP_RULES} other rules':<60}{others:8.1f} s  {others / wall:6.1%}")
    rest = wall - floor1["wall_seconds"] - sum(s for _, s in rules)
    lines.append(f"  {'rest (rule bookkeeping, scores to serialise, noise)':<60}{rest:8.1f} s  {rest / wall:6.1%}")
    return "\n".join(lines)


def _git_state() -> dict | None:
    """The commit measured, and the package files that differed from it (others may be editing)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout

    try:
        return {"commit": git("rev-parse", "HEAD").strip(),
                "modified": git("status", "--porcelain", "--", "datacleaning", "configs").splitlines()}
    except (OSError, subprocess.CalledProcessError):
        return None


def _package_digest() -> str:
    """A hash of the datacleaning sources the child processes will import (found without
    importing the package here). Other people edit the tree while benchmarks run; a digest that
    differs after the runs means the numbers mix two versions of the code."""
    package = Path(find_spec("datacleaning").submodule_search_locations[0])
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _version(module: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=BENCH_OUT / "corpus_mixed",
                        help="corpus folder made by build_corpus.py (default: bench/out/corpus_mixed)")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                        help="clean config whose rules to run (default: configs/example.toml of this repository)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per configuration; the fastest counts (default: 1)")
    parser.add_argument("--skip-datatrove", action="store_true", help="do not run the datatrove comparison")
    parser.add_argument("--chunk-bytes", type=int, default=8 << 20,
                        help="work unit size for our clean stage (default: 8 MiB, enough units to keep 2 workers busy)")
    parser.add_argument("--json-out", type=Path, help="report file (default: bench/out/throughput_<corpus>.json)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # child mode: one measurement
    args = parser.parse_args(argv)
    if args.measure:
        write_measurement(args.measure, measure)
        return 0
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    corpus = args.corpus.resolve()
    parts = corpus_parts(corpus)
    if not parts:
        sys.exit(f"clean_throughput: no {PART_GLOB} files in {corpus}; build one with bench/build_corpus.py")
    config = args.config.resolve()
    if not config.is_file():
        sys.exit(f"clean_throughput: config file not found: {config}")
    manifest = read_manifest(corpus)
    mix = manifest.get("mix", "unknown")
    input_bytes = sum(p.stat().st_size for p in parts)
    if not args.skip_datatrove:
        missing = [m for m in ("datatrove", "spacy") if find_spec(m) is None]
        if missing:
            sys.exit(f"clean_throughput: {' and '.join(missing)} not installed; run "
                     f"`pip install -e '.[bench]' spacy` (datatrove tokenizes English words with spacy) "
                     f"or pass --skip-datatrove")
    configurations = [(OURS, w) for w in WORKER_COUNTS] + [(FLOOR, w) for w in WORKER_COUNTS]
    if not args.skip_datatrove:
        configurations.append((DATATROVE, 1))
    labels = {OURS: f"ours ({config.name} rules)", FLOOR: "read+write only (no rules)",
              DATATROVE: "datatrove Gopher rep. + Gopher quality + C4 + FineWeb"}

    docs = f"{manifest['docs']:,}" if "docs" in manifest else "?"
    corpus_line = (f"Corpus {corpus.name}: {mix}, {input_bytes / MB:.1f} MB, {docs} docs "
                   f"in {len(parts)} files; {os.cpu_count()} cores; best of {args.repeat}.")
    print(corpus_line, flush=True)
    git_state = _git_state()
    digest_before = _package_digest()
    warm_page_cache(parts)
    runs: dict[tuple[str, int], list[dict]] = {c: [] for c in configurations}
    BENCH_OUT.mkdir(parents=True, exist_ok=True)
    # Per invocation, so two benchmarks running at once do not delete each other's outputs.
    with tempfile.TemporaryDirectory(prefix="scratch-", dir=BENCH_OUT) as scratch:
        for round_ in range(args.repeat):
            for name, workers in configurations:
                spec = {"name": name, "workers": workers, "config": str(config), "corpus": str(corpus),
                        "inputs": [str(p) for p in parts], "chunk_bytes": args.chunk_bytes}
                measured = measure_in_child(__file__, spec, Path(scratch))
                runs[(name, workers)].append(measured)
                mbs = measured["input_bytes"] / MB / measured["wall_seconds"]
                print(f"  run {round_ + 1}/{args.repeat}  {name:<16} workers {workers}: "
                      f"{measured['wall_seconds']:7.1f} s  {mbs:7.2f} MB/s"
                      f"  (load before {measured['load_average_before']:.2f})", flush=True)

    source_changed = _package_digest() != digest_before
    results = {c: derive(c[0], c[1], r) for c, r in runs.items()}
    for (name, _), r in results.items():
        r["label"] = labels[name]
    ratio_rows = ratios(results, mix)
    table = markdown(list(results.values()), ratio_rows, corpus_line)
    print()
    print(table)
    print()
    print(time_breakdown(results[(OURS, 1)], results[(FLOOR, 1)]))
    if source_changed:
        print("\nWARNING: the datacleaning sources changed while the benchmark ran; these numbers mix "
              "two versions of the code. Run it again.")

    report = {
        "corpus": {"path": corpus.name, "parts": len(parts), "input_bytes": input_bytes, "manifest": manifest},
        "config": str(config.relative_to(REPO_ROOT)) if config.is_relative_to(REPO_ROOT) else str(config),
        "repeat": args.repeat,
        "counted_run": "fastest",
        "chunk_bytes": args.chunk_bytes,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "versions": {"datacleaning": _version("datacleaning"), "datatrove": _version("datatrove"),
                     "spacy": _version("spacy")},
        "git": git_state,
        "package_digest": digest_before,
        "source_changed_during_run": source_changed,
        "results": list(results.values()),
        "ratios": ratio_rows,
        "markdown": table,
    }
    json_out = args.json_out or BENCH_OUT / f"throughput_{corpus.name}.json"
    json_out.parent.mkdir(parents=True, exist_ok=True)
    json_out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
