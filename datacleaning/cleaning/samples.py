"""Review samples: documents a person reads to check a run by eye, as the team we succeed read a
hundred documents of every dataset.

Which documents are the sample is decided by their ids alone: each category (``kept``, and
``rejected:<rule>`` for every rule that rejected any) keeps the documents whose keyed hash of their
id is smallest. Each work unit keeps the smallest of its own (``samples/``, written with its
shards, so a rerun of the unit rewrites them), and the stage's end keeps the smallest of those:
the same sample whatever the units, the workers or the order, and the same on every rerun.
``review_samples.jsonl`` holds them, category by category, each document's text cut to
``max_chars`` (with its whole length beside it).
"""
from __future__ import annotations

import hashlib
import heapq
import json

import pyarrow as pa

from datacleaning.config import ReviewSamplesConfig
from datacleaning.document import Document
from datacleaning.cleaning.unique_ids import ids_at
from datacleaning.shards import read_shard, shard_paths, shard_unit, write_atomic
from datacleaning.storage import StoragePath

SAMPLES = "samples"
SAMPLES_FILE = "review_samples.jsonl"
KEPT_CATEGORY = "kept"
SAMPLES_SCHEMA = pa.schema([
    ("category", pa.string()), ("key", pa.uint64()), ("id", pa.string()), ("source", pa.string()),
    ("lang", pa.string()), ("reason", pa.string()), ("value", pa.string()), ("chars", pa.int64()),
    ("text", pa.string()),
    # The document's row among the rows its unit wrote to kept/ or rejected/: where to read the
    # id it bears once repeated ids are renamed (the unit drew it by the id as read).
    ("row", pa.int64()),
])


def _key(seed: int, doc_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8,
                                          key=seed.to_bytes(8, "little")).digest(), "little")


class UnitSamples:
    """One work unit's candidates: the documents of smallest key in each category."""

    def __init__(self, settings: ReviewSamplesConfig):
        self.settings = settings
        self._heaps: dict[str, list] = {}  # category -> heap of (-key, n, row)
        self._n = 0

    def offer(self, doc: Document, rejected_by: str | None, value: str | None, row: int | None = None) -> None:
        if rejected_by is None:
            category, limit, text = KEPT_CATEGORY, self.settings.kept, doc.text
        else:
            category, limit, text = f"rejected:{rejected_by}", self.settings.per_rule, doc.original_text
        if not limit:
            return
        key = _key(self.settings.seed, doc.id)
        heap = self._heaps.setdefault(category, [])
        if len(heap) >= limit and -heap[0][0] <= key:
            return
        self._n += 1
        sample = {"category": category, "key": key, "id": doc.id, "source": doc.source, "lang": doc.lang,
                  "reason": rejected_by, "value": value, "chars": len(text), "text": text[:self.settings.max_chars],
                  "row": row}
        entry = (-key, self._n, sample)
        if len(heap) < limit:
            heapq.heappush(heap, entry)
        else:
            heapq.heapreplace(heap, entry)

    def rows(self) -> list[dict]:
        return [row for heap in self._heaps.values() for _, _, row in heap]


def merge_samples(output: StoragePath, settings: ReviewSamplesConfig,
                  id_folders: tuple[StoragePath, StoragePath] | None = None) -> int:
    """Write ``review_samples.jsonl`` from the units' candidates; returns how many documents it
    holds. ``id_folders``, the kept and rejected folders where repeated ids were renamed since the
    units drew the samples: each sample then bears the id its document bears there."""
    best: dict[str, list] = {}
    limits = {KEPT_CATEGORY: settings.kept}
    seen = 0
    for path in shard_paths(output / SAMPLES):
        unit = shard_unit(path)
        for row in read_shard(path).to_pylist():
            category = row["category"]
            limit = limits.get(category, settings.per_rule)
            heap = best.setdefault(category, [])
            seen += 1  # ties (an id read twice) fall to the one read first, never to comparing rows
            entry = (-row["key"], row["id"], -seen, unit, row)
            if len(heap) < limit:
                heapq.heappush(heap, entry)
            elif entry > heap[0]:
                heapq.heapreplace(heap, entry)
    order = sorted(best, key=lambda c: (c != KEPT_CATEGORY, c))
    chosen = [(unit, row) for category in order for *_, unit, row in sorted(best[category], reverse=True)]
    if id_folders is not None:
        _ids_borne_now(chosen, id_folders)
    lines = [json.dumps({k: v for k, v in row.items() if k not in ("key", "row")}, ensure_ascii=False)
             for _, row in chosen]
    write_atomic(output / SAMPLES_FILE, ("\n".join(lines) + "\n" if lines else "").encode())
    return len(lines)


def _ids_borne_now(chosen: list[tuple[str, dict]], id_folders: tuple[StoragePath, StoragePath]) -> None:
    """Give each sample the id its document bears in the kept or rejected folder now, read at
    its unit's row there (samples of units written before rows were recorded keep theirs)."""
    for kept, folder in zip((True, False), id_folders):
        mine = [(unit, row) for unit, row in chosen
                if (row["category"] == KEPT_CATEGORY) == kept and row.get("row") is not None]
        found = ids_at(folder, {(unit, row["row"]) for unit, row in mine})
        for unit, row in mine:
            row["id"] = found.get((unit, row["row"]), row["id"])
