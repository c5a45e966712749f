"""The rules alone: one process runs ``RuleChain.process`` over a corpus held in memory, no
reading, writing or worker pool, and prints the time and each rule's share. For comparing two
versions of the rules side by side, run it from each checkout in alternation:

    python bench/pipeline_speed.py --corpus bench/out/corpus_en --repeat 3
    python bench/pipeline_speed.py --corpus bench/out/corpus_en --without blacklist

The corpus is read once, a first pass warms what rules load lazily, then the best of ``--repeat``
passes counts (noise on a shared machine only ever adds time).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import orjson

from _common import DEFAULT_CONFIG, PART_GLOB
from datacleaning.cleaning.stage import build_rule_chain
from datacleaning.config import load_config
from datacleaning.document import Document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder of jsonl parts (bench/build_corpus.py)")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--top", type=int, default=15, help="rules to list, slowest first (default: 15)")
    parser.add_argument("--without", action="append", default=[], metavar="RULE",
                        help="leave this rule out (repeatable), e.g. to compare versions that differ in it")
    args = parser.parse_args()

    config = load_config(args.config, [])
    for section in ("normalizers", "edits", "filters"):
        rules = getattr(config.clean, section)
        setattr(config.clean, section, [r for r in rules if r["name"] not in args.without])
    pipeline = build_rule_chain(config)
    records = [orjson.loads(line) for part in sorted(args.corpus.glob(PART_GLOB)) for line in part.open("rb")]
    texts = [(r.get("text") or "", r.get("source") or "") for r in records]
    text_mb = sum(len(t.encode()) for t, _ in texts) / 1e6

    def one_pass() -> float:
        pipeline.take_counters()
        started = time.perf_counter()
        for text, source in texts:
            pipeline.process(Document(id="", text=text, source=source))
        return time.perf_counter() - started

    one_pass()
    seconds = min(one_pass() for _ in range(args.repeat))
    print(f"{len(texts):,} docs, {text_mb:.1f} MB of text: {seconds:.2f} s, {text_mb / seconds:.2f} MB/s (best of {args.repeat})")
    counters = pipeline.take_counters()
    for label, counter in sorted(counters.items(), key=lambda kv: -kv[1]["seconds"])[:args.top]:
        print(f"  {label:32s} {counter['seconds']:7.2f} s")


if __name__ == "__main__":
    main()
