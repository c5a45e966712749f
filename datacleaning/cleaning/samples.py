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
from collections.abc import Callable

import pyarrow as pa

from datacleaning.config import ReviewSamplesConfig
from datacleaning.document import Document
from datacleaning.shards import iter_batches, write_atomic
from datacleaning.storage import StoragePath

SAMPLES = "samples"
SAMPLES_FILE = "review_samples.jsonl"
KEPT_CATEGORY = "kept"
SAMPLES_SCHEMA = pa.schema([
    ("category", pa.string()), ("key", pa.uint64()), ("id", pa.string()), ("source", pa.string()),
    ("lang", pa.string()), ("reason", pa.string()), ("value", pa.string()), ("chars", pa.int64()),
    ("text", pa.string()),
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

    def offer(self, doc: Document, rejected_by: str | None, value: str | None) -> None:
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
        row = {"category": category, "key": key, "id": doc.id, "source": doc.source, "lang": doc.lang,
               "reason": rejected_by, "value": value, "chars": len(text), "text": text[:self.settings.max_chars]}
        entry = (-key, self._n, row)
        if len(heap) < limit:
            heapq.heappush(heap, entry)
        else:
            heapq.heapreplace(heap, entry)

    def rows(self) -> list[dict]:
        return [row for heap in self._heaps.values() for _, _, row in heap]


def merge_samples(output: StoragePath, settings: ReviewSamplesConfig,
                  renamed: Callable[[set[str]], dict[str, list[tuple[bool, str, str]]]] | None = None) -> int:
    """Write ``review_samples.jsonl`` from the units' candidates; returns how many documents it holds.
    ``renamed``: of a set of ids, the occurrences renamed since the units drew them, as
    ``unique_ids.renamed_occurrences`` gives them; each sample then bears the id of its own
    document (the units drew it by the id it was read with)."""
    best: dict[str, list] = {}
    limits = {KEPT_CATEGORY: settings.kept}
    seen = 0
    for batch in iter_batches(output / SAMPLES):
        for row in batch.to_pylist():
            category = row["category"]
            limit = limits.get(category, settings.per_rule)
            heap = best.setdefault(category, [])
            seen += 1  # ties (an id read twice) fall to the one read first, never to comparing rows
            entry = (-row["key"], row["id"], -seen, row)
            if len(heap) < limit:
                heapq.heappush(heap, entry)
            elif entry > heap[0]:
                heapq.heapreplace(heap, entry)
    order = sorted(best, key=lambda c: (c != KEPT_CATEGORY, c))
    chosen = [row for category in order for *_, row in sorted(best[category], reverse=True)]
    if renamed is not None:
        _follow_renames(chosen, renamed({row["id"] for row in chosen}), settings.max_chars)
    lines = [json.dumps({k: v for k, v in row.items() if k != "key"}, ensure_ascii=False) for row in chosen]
    write_atomic(output / SAMPLES_FILE, ("\n".join(lines) + "\n" if lines else "").encode())
    return len(lines)


def _follow_renames(rows: list[dict], renamed: dict[str, list[tuple[bool, str, str]]], max_chars: int) -> None:
    """Give each sample of a renamed id the id its document bears now: the renamed occurrence,
    kept or rejected as the sample is, whose text it shows (kept: the cleaned text; rejected: the
    text as read), else the first occurrence, which kept the id. Occurrences of one text are alike
    whichever is named."""
    for row in rows:
        candidates = renamed.get(row["id"], [])
        for i, (kept, new_id, text) in enumerate(candidates):
            if (kept == (row["category"] == KEPT_CATEGORY) and len(text) == row["chars"]
                    and text[:max_chars] == row["text"]):
                row["id"] = new_id
                del candidates[i]
                break
