"""Clean-stage throughput, side by side with an I/O floor and with datatrove, on one corpus.

    python bench/build_corpus.py --dev-data ../shared/data/dev --mix en --size-mb 40
    python bench/clean_throughput.py --corpus bench/out/corpus_en --repeat 3

Configurations, each run in a fresh Python process so that its peak RSS is its own:

- ``ours``: the clean stage (``run_stage("clean", ...)``) with the rules of ``--config`` (default
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

What is counted: MB are megabytes of the documents' text (UTF-8), not of the jsonl files; a run's
cost is its CPU seconds, of the measuring process and of its worker processes, over the run
itself, including each tool's one-time setup (our rule building and process pool, datatrove's
spacy tokenizer) but not interpreter start-up or imports. "Per core" is text MB per CPU second:
on a shared machine, wall time divided by workers would count time the processes were waiting
for a core. Wall time is reported too, and decides the speed-up from a second worker. With
``--repeat N`` every configuration runs N times, the rounds interleaved so that a burst of load
falls on every configuration of a round; each ratio is computed per round (paired) and reported
as its median and range over the rounds; every run is kept in the JSON report.

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

from _common import (BENCH_OUT, DEFAULT_CONFIG, MB, PART_GLOB, REPO_ROOT, corpus_or_exit, cpu_seconds, measure_in_child,
                     package_version, paired, read_manifest, shown_path, text_bytes, write_measurement)

OURS, FLOOR, DATATROVE = "ours", "read+write only", "datatrove"
WORKER_COUNTS = (1, 2)
TOP_RULES = 10  # rules listed one by one in the time breakdown; the rest are summed

# The project's targets (the judgment issue's for the default profile); ratios() says which corpus mix each
# is stated for.
TARGET_VS_DATATROVE = 8.0
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

    overrides = [(["run", "workers"], spec["workers"]), (["run", "progress"], False)]
    if spec["chunk_bytes"]:
        overrides.append((["input", "chunk_bytes"], spec["chunk_bytes"]))
    if spec["name"] == FLOOR:
        overrides += [(["clean", section], []) for section in ("normalizers", "edits", "filters")]
    config = load_config(spec["config"], overrides)
    out = Path(spec["scratch"])
    # A leftover output folder would be resumed (its finished units skipped), not redone.
    shutil.rmtree(out, ignore_errors=True)
    started, cpu_before = time.perf_counter(), cpu_seconds()
    result = run_stage("clean", config, spec["inputs"], out)
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    if not result.ok:
        raise SystemExit(f"{spec['name']}: clean run did not complete: {result.stats['failed_units']}")
    stats = result.stats
    measured = {
        "wall_seconds": wall,
        "cpu_seconds": cpu,
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

    started, cpu_before = time.perf_counter(), cpu_seconds()
    data = counted(JsonlReader(spec["corpus"], glob_pattern=PART_GLOB, recursive=False)())
    for step in steps:
        data = step(data)
    kept = sum(1 for _ in data)
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    measured = {
        "wall_seconds": wall,
        "cpu_seconds": cpu,
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


def derive(name: str, workers: int, runs: list[dict], text_mb: float) -> dict:
    """One configuration's runs: medians, and the run nearest the median wall time as its example."""
    walls, cpus = [r["wall_seconds"] for r in runs], [r["cpu_seconds"] for r in runs]
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    typical = min(runs, key=lambda r: abs(r["wall_seconds"] - wall))
    return {
        "name": name,
        "workers": workers,
        "text_mb_per_s": text_mb / wall,
        "text_mb_per_cpu_s": text_mb / cpu,
        "docs_per_cpu_s": typical["docs"] / cpu,
        # A peak, so the largest of all runs.
        "peak_rss_worker_mb": max(r["peak_rss_worker"] for r in runs) / MB,
        "wall_seconds": wall,
        "wall_seconds_range": [min(walls), max(walls)],
        "cpu_seconds": cpu,
        "cpu_seconds_range": [min(cpus), max(cpus)],
        "typical": typical,
        "runs": runs,
    }


def ratios(results: dict[tuple[str, int], dict], mix: str, text_mb: float) -> list[dict]:
    """The headline ratios, each paired per round (median and range over the rounds)."""
    ours = {w: results[(OURS, w)]["runs"] for w in WORKER_COUNTS}
    floor = {w: results[(FLOOR, w)]["runs"] for w in WORKER_COUNTS}
    rows = []

    def cpu(runs: list[dict]) -> list[float]:
        return [r["cpu_seconds"] for r in runs]

    def wall(runs: list[dict]) -> list[float]:
        return [r["wall_seconds"] for r in runs]

    def add(what: str, value: dict, unit: str, target: float | None = None, higher: bool = True,
            for_mix: str | None = None) -> None:
        if target is None:
            status = target_text = ""
        else:
            target_text = f"{'≥' if higher else '<'} {target:g}{unit}"
            if for_mix is not None and mix != for_mix:
                status = f"n/a (target is for the {for_mix} corpus)"
            else:
                median = value["median"]
                status = "met" if (median >= target if higher else median < target) else "NOT met"
        rows.append({"ratio": what, **value, "unit": unit, "target": target_text, "status": status})

    def workers_text(w: int) -> str:
        return f"{w} worker{'s' * (w > 1)}"

    dt = results.get((DATATROVE, 1))
    if dt:
        for w in WORKER_COUNTS:
            add(f"text MB per CPU second, ours ÷ datatrove's ({workers_text(w)})",
                paired(cpu(dt["runs"]), cpu(ours[w])), "×", TARGET_VS_DATATROVE, for_mix="en")
    for w in WORKER_COUNTS:
        add(f"text MB per CPU second, ours ({workers_text(w)})",
            paired([text_mb] * len(ours[w]), cpu(ours[w])), " MB/s", TARGET_PER_CORE_MBS, for_mix="mixed")
    for w in WORKER_COUNTS:
        add(f"CPU seconds, ours ÷ read+write only ({workers_text(w)})", paired(cpu(ours[w]), cpu(floor[w])), "×")
    add("speed-up 2 ÷ 1 workers (wall time), ours", paired(wall(ours[1]), wall(ours[2])), "×", TARGET_SPEEDUP)
    add("speed-up 2 ÷ 1 workers (wall time), read+write only", paired(wall(floor[1]), wall(floor[2])), "×")
    largest = max(r["peak_rss_worker"] for w in WORKER_COUNTS for r in ours[w]) / MB
    add("peak RSS per worker, ours (largest of all runs)", {"median": largest, "low": largest, "high": largest},
        " MB", TARGET_RSS_MB, higher=False)
    return rows


def markdown(results: list[dict], ratio_rows: list[dict], corpus_line: str, settings_line: str) -> str:
    lines = [corpus_line, settings_line, "",
             "| configuration | workers | text MB per CPU s | text MB/s (wall) | docs per CPU s | CPU s (range) | "
             "wall s (range) | peak RSS per worker (MB) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        cpu_low, cpu_high = r["cpu_seconds_range"]
        wall_low, wall_high = r["wall_seconds_range"]
        lines.append(f"| {r['label']} | {r['workers']} | {r['text_mb_per_cpu_s']:.2f} | {r['text_mb_per_s']:.2f} | "
                     f"{r['docs_per_cpu_s']:,.0f} | {r['cpu_seconds']:.1f} ({cpu_low:.1f}–{cpu_high:.1f}) | "
                     f"{r['wall_seconds']:.1f} ({wall_low:.1f}–{wall_high:.1f}) | {r['peak_rss_worker_mb']:.0f} |")
    lines += ["", "| ratio (paired per round) | median | range | target | status |", "|---|---:|---:|---|---|"]
    for row in ratio_rows:
        digits = 1 if row["unit"] == " MB" else 2
        lines.append(f"| {row['ratio']} | {row['median']:.{digits}f}{row['unit']} | "
                     f"{row['low']:.{digits}f}–{row['high']:.{digits}f} | {row['target']} | {row['status']} |")
    return "\n".join(lines)


def time_breakdown(ours1: dict, floor1: dict) -> str:
    """Where one worker's CPU time goes: each rule's own seconds, and the read/parse/write floor."""
    rules = sorted(ours1["typical"]["rule_seconds"].items(), key=lambda kv: -kv[1])
    wall = ours1["cpu_seconds"]
    lines = [f"Where the time goes (ours, 1 worker, {wall:.1f} CPU s, median run):",
             f"  {'read + language guess + write (read+write-only run)':<60}{floor1['cpu_seconds']:8.1f} s  "
             f"{floor1['cpu_seconds'] / wall:6.1%}"]
    for label, seconds in rules[:TOP_RULES]:
        lines.append(f"  {'rule ' + label:<60}{seconds:8.1f} s  {seconds / wall:6.1%}")
    if len(rules) > TOP_RULES:
        others = sum(s for _, s in rules[TOP_RULES:])
        lines.append(f"  {f'{len(rules) - TOP_RULES} other rules':<60}{others:8.1f} s  {others / wall:6.1%}")
    rest = wall - floor1["cpu_seconds"] - sum(s for _, s in rules)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=BENCH_OUT / "corpus_mixed",
                        help="corpus folder made by build_corpus.py (default: bench/out/corpus_mixed)")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                        help="clean config whose rules to run (default: configs/example.toml of this repository)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="interleaved rounds of every configuration; ratios are paired per round (default: 3)")
    parser.add_argument("--skip-datatrove", action="store_true", help="do not run the datatrove comparison")
    parser.add_argument("--chunk-bytes", type=int,
                        help="input.chunk_bytes for our clean stage (default: the config's, as a user runs it)")
    parser.add_argument("--json-out", type=Path, help="report file (default: bench/out/throughput_<corpus>.json)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # child mode: one measurement
    args = parser.parse_args(argv)
    if args.measure:
        write_measurement(args.measure, measure)
        return 0
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    corpus, parts = corpus_or_exit(args.corpus, "clean_throughput")
    config = args.config.resolve()
    if not config.is_file():
        sys.exit(f"clean_throughput: config file not found: {config}")
    manifest = read_manifest(corpus)
    mix = manifest.get("mix", "unknown")
    input_bytes = sum(p.stat().st_size for p in parts)
    text_mb = text_bytes(parts) / MB
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
    corpus_line = (f"Corpus {corpus.name}: {mix}, {text_mb:.1f} MB of text ({input_bytes / MB:.1f} MB of jsonl), "
                   f"{docs} docs in {len(parts)} files; {os.cpu_count()} cores; {args.repeat} interleaved rounds.")
    chunk = f"{args.chunk_bytes:,}" if args.chunk_bytes else "the config's"
    settings_line = (f"Settings: ours with the rules of {config.name}, input.chunk_bytes = {chunk}, "
                     f"1 and {max(WORKER_COUNTS)} worker processes; datatrove in one process with its defaults.")
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
                print(f"  run {round_ + 1}/{args.repeat}  {name:<16} workers {workers}: "
                      f"{measured['wall_seconds']:7.1f} s wall {measured['cpu_seconds']:7.1f} CPU s  "
                      f"{text_mb / measured['cpu_seconds']:6.2f} text MB per CPU s"
                      f"  (load before {measured['load_average_before']:.2f})", flush=True)

    source_changed = _package_digest() != digest_before
    results = {c: derive(c[0], c[1], r, text_mb) for c, r in runs.items()}
    for (name, _), r in results.items():
        r["label"] = labels[name]
    ratio_rows = ratios(results, mix, text_mb)
    table = markdown(list(results.values()), ratio_rows, corpus_line, settings_line)
    print()
    print(table)
    print()
    print(time_breakdown(results[(OURS, 1)], results[(FLOOR, 1)]))
    if source_changed:
        print("\nWARNING: the datacleaning sources changed while the benchmark ran; these numbers mix "
              "two versions of the code. Run it again.")

    report = {
        "corpus": {"path": corpus.name, "parts": len(parts), "input_bytes": input_bytes,
                   "text_bytes": round(text_mb * MB), "manifest": manifest},
        "config": shown_path(config),
        "repeat": args.repeat,
        "counted": "median CPU and wall seconds; ratios paired per round",
        "chunk_bytes": args.chunk_bytes,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "versions": {"datacleaning": package_version("datacleaning"), "datatrove": package_version("datatrove"),
                     "spacy": package_version("spacy")},
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
