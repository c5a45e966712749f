"""Sorted runs on disk: how records larger than memory are grouped.

Every work unit writes its records (exact hashes, band keys, line hashes, candidate pairs) as
``.npy`` files sorted by their key, *runs* (a unit writes another run whenever the records it holds
reach its share of the memory budget). A grouping step then splits the key space
into ranges small enough for the memory budget and, for each range, reads the matching slice of
every run (a binary search by positioned reads, so only that slice is read), concatenates the
slices in unit order and sorts them. Equal keys end up adjacent, in document order, which is all
grouping needs: an external sort whose merge is done by key range instead of by a k-way merge.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from datacleaning.shards import atomic_file

# A document is named by (unit index << 32 | row in unit) until the number of rows in every unit
# is known; ``ordinals`` turns that into its position in the whole input.
UNIT_SHIFT = np.uint64(32)
ROW_MASK = np.uint64(0xFFFFFFFF)

EXACT_RECORD = np.dtype([("hi", "<u8"), ("lo", "<u8"), ("doc", "<u8")])
KEY_RECORD = np.dtype([("key", "<u8"), ("doc", "<u8")])
PAIR_RECORD = np.dtype([("a", "<u8"), ("b", "<u8")])

KEY_SPACE = 1 << 64
# Bytes of working memory per byte of records loaded: the slices, their concatenation, the
# sort order and the sorted copy.
SORT_OVERHEAD = 4


def unit_doc_ids(unit_index: int, rows: np.ndarray) -> np.ndarray:
    return (np.uint64(unit_index) << UNIT_SHIFT) | rows.astype(np.uint64)


def ordinals(doc_ids: np.ndarray, unit_bases: np.ndarray) -> np.ndarray:
    """Unit-local document ids → positions in the whole input (``unit_bases[u]`` is the number of
    rows in the units before u)."""
    return unit_bases[(doc_ids >> UNIT_SHIFT).astype(np.int64)] + (doc_ids & ROW_MASK).astype(np.int64)


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values: a sort and a comparison of neighbours, which on large integer
    arrays is many times faster than ``np.unique`` (hash-based in numpy 2)."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def unique_pairs(pairs: np.ndarray) -> np.ndarray:
    """The distinct (a, b) records, sorted by a then b (document ordinals, below 2^32)."""
    packed = distinct((pairs["a"] << UNIT_SHIFT) | pairs["b"])
    records = np.empty(len(packed), PAIR_RECORD)
    records["a"], records["b"] = packed >> UNIT_SHIFT, packed & ROW_MASK
    return records


def save_run(path: Path, records: np.ndarray, field: str) -> None:
    """Sort ``records`` by ``field`` (stable: equal keys keep their order) and write them atomically."""
    save_array(path, records[np.argsort(records[field], kind="stable")])


def save_array(path: Path, values: np.ndarray) -> None:
    with atomic_file(path) as f:
        np.save(f, values, allow_pickle=False)


class RunWriter:
    """One unit's records, written as sorted runs ``<stem>-<n>.npy`` of at most ``max_bytes``
    each, in the order the records came (so equal keys stay in document order across runs)."""

    def __init__(self, folder: Path, stem: str, dtype: np.dtype, field: str, max_bytes: int):
        self.folder, self.stem, self.dtype, self.field, self.max_bytes = folder, stem, dtype, field, max_bytes
        self._parts: list[np.ndarray] = []
        self._bytes = 0
        self.runs = 0

    def add(self, records: np.ndarray) -> None:
        self._parts.append(records)
        self._bytes += records.nbytes
        if self._bytes >= self.max_bytes:
            self._write()

    def _write(self) -> None:
        records = np.concatenate([np.zeros(0, self.dtype), *self._parts])
        self._parts, self._bytes = [], 0
        save_run(run_path(self.folder, self.stem, self.runs), records, self.field)
        self.runs += 1

    def close(self) -> int:
        """Write what is left (an empty run when nothing was added); returns the number of runs."""
        if self._parts or not self.runs:
            self._write()
        return self.runs


def run_path(folder: Path, stem: str, number: int) -> Path:
    return folder / f"{stem}-{number:04d}.npy"


def load_array(path: Path) -> np.ndarray:
    return np.load(path, allow_pickle=False)


class ArrayFile:
    """A one-dimensional ``.npy`` file read piece by piece with positioned reads. Not memory-mapped:
    the pages of a mapped file that a search or a slice touches stay in the process's resident
    memory until it is unmapped, which for large runs would defeat the memory budget."""

    def __init__(self, path: Path, raw_dtype: np.dtype | None = None):
        """``raw_dtype``: the file is headerless, elements of that type from its first byte."""
        self.path = path
        if raw_dtype is not None:
            self.dtype, self.header = np.dtype(raw_dtype), 0
            self.length = path.stat().st_size // self.dtype.itemsize
        else:
            with open(path, "rb") as f:
                version = np.lib.format.read_magic(f)
                shape, _, self.dtype = (np.lib.format.read_array_header_1_0(f) if version == (1, 0)
                                        else np.lib.format.read_array_header_2_0(f))
                self.header = f.tell()
            self.length = shape[0]
        self._file = open(path, "rb")

    def __len__(self) -> int:
        return self.length

    def read(self, start: int, stop: int) -> np.ndarray:
        """Elements [start, stop)."""
        size = self.dtype.itemsize
        data = os.pread(self._file.fileno(), size * (stop - start), self.header + size * start)
        return np.frombuffer(data, dtype=self.dtype).copy()

    def first_not_below(self, field: str, value: int) -> int:
        """Position of the first element whose ``field`` is >= ``value`` (the file sorted by it)."""
        low, high = 0, self.length
        while low < high:
            middle = (low + high) // 2
            if int(self.read(middle, middle + 1)[field][0]) < value:
                low = middle + 1
            else:
                high = middle
        return low

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> ArrayFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def run_length(path: Path) -> int:
    with ArrayFile(path) as run:
        return len(run)


def load_range(paths: list[Path], field: str, low: int, high: int, dtype: np.dtype) -> np.ndarray:
    """Every record of these runs whose ``field`` lies in [low, high), in run order."""
    slices = [np.zeros(0, dtype=dtype)]
    for path in paths:
        with ArrayFile(path) as run:
            first = run.first_not_below(field, low)
            last = len(run) if high >= KEY_SPACE else run.first_not_below(field, high)
            if last > first:
                slices.append(run.read(first, last))
    return np.concatenate(slices)


def partition_count(total_records: int, record_bytes: int, memory_bytes: int, workers: int) -> int:
    """Ranges enough that ``workers`` of them, sorted at once, fit the memory budget."""
    return max(1, math.ceil(total_records * record_bytes * SORT_OVERHEAD / worker_memory(memory_bytes, workers)))


def worker_memory(memory_bytes: int, workers: int) -> int:
    """Each worker's share of the memory budget."""
    return max(memory_bytes // max(workers, 1), 1)


def range_bounds(space: int, parts: int, part: int) -> tuple[int, int]:
    """Range ``part`` of ``parts`` equal ranges of [0, space)."""
    return space * part // parts, space * (part + 1) // parts


def balanced_bounds(paths: list[Path], field: str, space: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` ranges of [0, space) holding about equal numbers of the runs' records (by
    ``field``), where equal-width ranges could put most records in one: each bound is found by
    bisection on counts, which binary searches in the runs answer."""
    runs = [ArrayFile(path) for path in paths]
    try:
        total = sum(len(run) for run in runs)
        bounds = [0]
        for part in range(1, parts):
            target, low, high = total * part // parts, bounds[-1], space
            while low < high:
                middle = (low + high) // 2
                if sum(run.first_not_below(field, middle) for run in runs) < target:
                    low = middle + 1
                else:
                    high = middle
            bounds.append(low)
    finally:
        for run in runs:
            run.close()
    bounds.append(space)
    return list(zip(bounds[:-1], bounds[1:]))
