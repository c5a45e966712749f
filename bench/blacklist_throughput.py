"""Blacklist matcher throughput, and the blacklist step's share of the clean stage's time.

    python bench/build_corpus.py --dev-data ../shared/data/dev --size-mb 40 --mix mixed --files 8 --out bench/out/corpus_mixed40
    python bench/blacklist_throughput.py --corpus bench/out/corpus_mixed40 --repeat 3

Two measurements, both in this one process on one core:

- the matcher alone: one ``TermMatcher`` over every bundled word list (the optional
  ``zh_politics`` included) finding terms in every document's text, and the ``blacklist`` filter
  with its default lists scoring every document (matching, per-category density, the URL lookup
  in ``meta``). MB counts the UTF-8 bytes of the texts; seconds are CPU seconds of this process,
  the median of ``--repeat`` passes (with their range);
- the clean stage with ``--config`` (default configs/example.toml, the ``mixed_web`` profile) and
  one worker: the seconds the pipeline counts against the ``blacklist`` rule over the seconds
  the worker spent on its units (reading, every rule, writing), and the stage's MB of text per
  CPU second of the process and its worker.

Writes bench/out/blacklist_throughput_<corpus>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import orjson

from _common import BENCH_OUT, DEFAULT_CONFIG, MB, corpus_or_exit, cpu_passes, cpu_seconds
from datacleaning.blacklists.matcher import DATA_DIR, TermMatcher, WordList
from datacleaning.blacklists.rule import Blacklist
from datacleaning.config import load_config
from datacleaning.document import Document
from datacleaning.stages import run_stage


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=BENCH_OUT / "corpus_mixed40",
                        help="corpus folder made by build_corpus.py (default: bench/out/corpus_mixed40)")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                        help="clean config for the stage share (default: configs/example.toml)")
    parser.add_argument("--repeat", type=int, default=3, help="matcher passes; the median counts (default: 3)")
    args = parser.parse_args()
    args.corpus, parts = corpus_or_exit(args.corpus, "blacklist_throughput")

    docs = []
    for part in parts:
        with open(part, "rb") as f:
            for line in f:
                record = orjson.loads(line)
                meta = {k: v for k, v in record.items() if k not in ("id", "text", "source")}
                docs.append(Document(record["id"], record["text"], meta=orjson.dumps(meta).decode()))
    text_mb = sum(len(d.text.encode()) for d in docs) / MB

    lists = [WordList.load(p) for p in sorted(DATA_DIR.glob("*.txt")) if not p.name.startswith("domains_")]
    matcher = TermMatcher(lists)
    rule = Blacklist()
    rule.prepare(Path("."))
    matcher_s = cpu_passes(args.repeat, lambda: [matcher.find(d.text) for d in docs])
    filter_s = cpu_passes(args.repeat, lambda: [rule.score(d) for d in docs])

    config = load_config(args.config, [(["run", "workers"], 1), (["run", "progress"], False)])
    with tempfile.TemporaryDirectory(prefix="scratch-", dir=BENCH_OUT) as scratch:
        out = Path(scratch) / "clean"
        started = cpu_seconds()
        stats = run_stage("clean", config, [str(p) for p in parts], out).stats
        cpu = cpu_seconds() - started
        shutil.rmtree(out)
    blacklist_s = stats["rules"]["blacklist"]["seconds"]
    busy_s = stats["seconds"]

    report = {
        "corpus": args.corpus.name, "docs": len(docs), "text_mb": round(text_mb, 2), "cpus": os.cpu_count(),
        "lists": {"word_lists": len(lists), "terms": matcher.n_terms, "categories": matcher.categories},
        "matcher_all_lists_mb_per_cpu_s": round(text_mb / matcher_s["median"], 2),
        "matcher_cpu_seconds": matcher_s,
        "filter_default_lists_mb_per_cpu_s": round(text_mb / filter_s["median"], 2),
        "filter_cpu_seconds": filter_s,
        "clean_stage": {"config": str(args.config), "workers": 1, "cpu_seconds": round(cpu, 2),
                        "worker_busy_seconds": round(busy_s, 2), "blacklist_seconds": round(blacklist_s, 2),
                        "blacklist_share": round(blacklist_s / busy_s, 4),
                        "stage_mb_per_cpu_s": round(text_mb / cpu, 2)},
    }
    print(f"Corpus {args.corpus.name}: {len(docs):,} docs, {text_mb:.1f} MB of text; median of {args.repeat} passes "
          f"in CPU seconds, range in brackets.")
    print(f"  matcher, all {len(lists)} word lists ({matcher.n_terms:,} terms): "
          f"{report['matcher_all_lists_mb_per_cpu_s']:.1f} MB per CPU s "
          f"({text_mb / matcher_s['high']:.1f}–{text_mb / matcher_s['low']:.1f})")
    print(f"  blacklist filter, default lists + URL lists: {report['filter_default_lists_mb_per_cpu_s']:.1f} MB per CPU s "
          f"({text_mb / filter_s['high']:.1f}–{text_mb / filter_s['low']:.1f})")
    print(f"  clean stage ({args.config.name}, 1 worker): {report['clean_stage']['stage_mb_per_cpu_s']:.2f} MB per CPU s, "
          f"blacklist {blacklist_s:.2f} s of {busy_s:.2f} s = {blacklist_s / busy_s:.1%} (target < 33.3%)")
    (BENCH_OUT / f"blacklist_throughput_{args.corpus.name}.json").write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
