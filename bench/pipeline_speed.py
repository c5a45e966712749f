"""The rules alone: one process runs ``RuleChain.process`` over a corpus held in memory, no
reading, writing or worker pool, and prints the time and each rule's share. For comparing two
versions of the rules side by side, run it from each checkout in alternation:

    python bench/pipeline_speed.py --corpus bench/out/corpus_en --repeat 3
    python bench/pipeline_speed.py --corpus bench/out/corpus_en --without blacklist

The corpus is read once, a first pass warms what rules load lazily, then ``--repeat`` passes are
counted in CPU seconds of this process; the median pass counts, with the range. MB are the UTF-8
bytes of the documents' text.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import orjson

from _common import DEFAULT_CONFIG, MB, PART_GLOB, cpu_passes
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
    text_mb = sum(len(t.encode()) for t, _ in texts) / MB

    def one_pass() -> None:
        for text, source in texts:
            pipeline.process(Document(id="", text=text, source=source))

    cpu = cpu_passes(args.repeat, one_pass)
    print(f"{len(texts):,} docs, {text_mb:.1f} MB of text: {cpu['median']:.2f} CPU s "
          f"({cpu['low']:.2f}–{cpu['high']:.2f}), {text_mb / cpu['median']:.2f} MB per CPU s "
          f"(median of {args.repeat} passes)")
    # The rules' own clocks, summed over every pass (the warm-up included): each rule's share.
    counters = pipeline.take_counters()
    total = sum(counter["seconds"] for counter in counters.values())
    for label, counter in sorted(counters.items(), key=lambda kv: -kv[1]["seconds"])[:args.top]:
        print(f"  {label:32s} {counter['seconds'] / total:6.1%}")


if __name__ == "__main__":
    main()
