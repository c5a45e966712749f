"""Build a benchmark corpus of a chosen size by repeating the development data.

    python bench/build_corpus.py --dev-data ../shared/data/dev --size-mb 200 --mix mixed --files 8

Sources are the ``*.jsonl`` files under the dev data's ``en/`` and/or ``zh/`` folders. Documents
are drawn by a byte-weighted round-robin: the next document always comes from the source that has
so far emitted the smallest fraction of its own size, cycling through each source's documents in
order and starting over when it runs out. Every source therefore keeps its share of the dev data
*by bytes* (within one document) in the corpus as a whole and in every prefix of it, so each of
the ``--files`` parts, cut in order from that stream, has the same mix. A document's n-th repeat
gets the id ``<id>~r<n>`` so ids stay unique; all other fields are kept, and every record is
written as compact JSON (so sizes and shares are measured on what is written).

Sizes are decimal MB of jsonl (lines and newlines). A ``.corpus.json`` manifest beside the parts
records the mix and each source's share; ``clean_throughput.py`` reads it.
"""
from __future__ import annotations

import argparse
import heapq
import sys
from pathlib import Path

import orjson

from _common import BENCH_OUT, MANIFEST_NAME, MB, PART_GLOB, add_dev_data_option, dev_data_or_exit, write_manifest

MIXES = {"mixed": ("en", "zh"), "en": ("en",), "zh": ("zh",)}


class Source:
    """One dev-data file, held in memory as parsed records and cycled through on demand."""

    def __init__(self, name: str, path: Path):
        self.name = name
        self.records: list[dict] = []
        self.size = 0
        with open(path, "rb") as f:
            for line in f:
                if line.strip():
                    record = orjson.loads(line)
                    self.records.append(record)
                    # Measured as written (compact orjson), so shares compare like with like.
                    self.size += len(orjson.dumps(record)) + 1
        self.position = 0
        self.copy = 0
        self.emitted_bytes = 0
        self.emitted_docs = 0

    def next_line(self) -> bytes:
        record = self.records[self.position]
        if self.copy:
            record = {**record, "id": f"{record.get('id', f'{self.name}:{self.position}')}~r{self.copy}"}
        line = orjson.dumps(record) + b"\n"
        self.position += 1
        if self.position == len(self.records):
            self.position = 0
            self.copy += 1
        self.emitted_bytes += len(line)
        self.emitted_docs += 1
        return line


def load_sources(dev_data: Path, mix: str) -> list[Source]:
    sources = []
    for lang in MIXES[mix]:
        files = sorted((dev_data / lang).glob("*.jsonl"))
        if not files:
            sys.exit(f"build_corpus: no *.jsonl files in {dev_data / lang}")
        sources.extend(Source(f"{lang}/{f.name}", f) for f in files)
    return [s for s in sources if s.records]


def build(sources: list[Source], out: Path, target_bytes: int, n_files: int) -> int:
    """Write the interleaved stream into ``n_files`` parts of about equal size; returns bytes written."""
    # Heap of (fraction of the source already emitted, tie-break, source index).
    heap = [(0.0, i, i) for i in range(len(sources))]
    written = 0
    part_files = [open(out / f"part-{i:05d}.jsonl", "wb") for i in range(n_files)]
    try:
        for i, part in enumerate(part_files):
            part_end = target_bytes * (i + 1) // n_files
            while written < part_end:
                _, tie, index = heapq.heappop(heap)
                source = sources[index]
                line = source.next_line()
                part.write(line)
                written += len(line)
                heapq.heappush(heap, (source.emitted_bytes / source.size, tie, index))
    finally:
        for part in part_files:
            part.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_dev_data_option(parser)
    parser.add_argument("--size-mb", type=float, default=200, help="target size in decimal MB (default: 200)")
    parser.add_argument("--mix", choices=sorted(MIXES), default="mixed",
                        help="which dev-data languages to draw from (default: mixed = en and zh)")
    parser.add_argument("--files", type=int, default=8, help="number of jsonl parts to write (default: 8)")
    parser.add_argument("--out", type=Path, help="output folder (default: bench/out/corpus_<mix>)")
    args = parser.parse_args(argv)
    if args.size_mb <= 0 or args.files <= 0:
        parser.error("--size-mb and --files must be positive")

    dev_data = dev_data_or_exit(args.dev_data, "build_corpus", needs=MIXES[args.mix])
    out = args.out or BENCH_OUT / f"corpus_{args.mix}"
    sources = load_sources(dev_data, args.mix)
    out.mkdir(parents=True, exist_ok=True)
    # Only what an earlier build wrote here: parts left over from a larger --files would
    # otherwise be read as part of the corpus.
    for stale in [*out.glob(PART_GLOB), out / MANIFEST_NAME]:
        stale.unlink(missing_ok=True)

    written = build(sources, out, int(args.size_mb * MB), args.files)
    dev_bytes = sum(s.size for s in sources)
    manifest = {
        "mix": args.mix,
        "bytes": written,
        "docs": sum(s.emitted_docs for s in sources),
        "files": args.files,
        "sources": {s.name: {"dev_bytes": s.size, "dev_share": round(s.size / dev_bytes, 4),
                             "bytes": s.emitted_bytes, "share": round(s.emitted_bytes / written, 4),
                             "docs": s.emitted_docs, "passes": round(s.emitted_bytes / s.size, 2)}
                    for s in sources},
    }
    write_manifest(out, manifest)
    print(f"wrote {out}: {args.files} files, {written / MB:.1f} MB, {manifest['docs']:,} docs ({args.mix})")
    for name, s in manifest["sources"].items():
        print(f"  {name:<48} {s['share']:6.1%} of bytes  {s['docs']:>9,} docs  {s['passes']:6.2f} passes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
