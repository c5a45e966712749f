"""The dedup stage's steps, each a work-unit processor for the executor.

Scan steps read the input shards unit by unit; grouping steps read every scan unit's sorted run
for one key range. Every unit writes its outputs atomically before its completion record, so a
killed run redoes only unfinished units. Documents are named by their position in the input
(``ordinal``) once the keys step has counted every unit's rows.

    keys        scan   exact hash of every document; line hashes  → exact_keys/, line_keys/<unit>-<n>.npy
    exact       range  groups of equal hashes; earlier-run matches → exact/<part>.*
    flags       scan   which of the unit's documents are exact duplicates → exact_flags/<unit>.npy
    lines       range  lines in more than max_docs documents       → lines/<part>.npy
    signatures  scan   MinHash of each exact-unique document       → band_keys/<unit>-<n>.npy, shingles/
    buckets     range  documents sharing a band key → candidates   → edges/<part>.npy
    verify      range  exact Jaccard of candidate pairs            → verified/<part>.npy
    (clustering.py: exact and verified pairs → clusters → decisions/<unit>.arrow)
    write       scan   kept/ and removed/ shards (and exact_index/)
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datacleaning.config import DedupConfig
from datacleaning.dedup.components import merge_edges, roots
from datacleaning.dedup.lines import cut_text
from datacleaning.dedup.lsh import BandParams
from datacleaning.dedup.minhash import band_keys, signatures
from datacleaning.dedup.runs import EXACT_RECORD, KEY_RECORD, KEY_SPACE, PAIR_RECORD, ROW_MASK, SORT_OVERHEAD, UNIT_SHIFT, \
    ArrayFile, RunWriter, distinct, load_array, load_range, ordinals, range_bounds, run_path, save_array, save_run, \
    unique_pairs, unit_doc_ids
from datacleaning.dedup.text import DedupText
from datacleaning.execution import FileUnit, Part, RowRange, Unit, UnitContext
from datacleaning.shard_input import read_unit_batches
from datacleaning.shards import atomic_file, read_shard, shard_paths, unit_writers, write_atomic
from datacleaning.stats import count_by_column
from datacleaning.storage import StoragePath

KEPT, REMOVED, EXACT_INDEX = "kept", "removed", "exact_index"
# Kinds of sorted runs the scan steps write, each in a folder of that name under .work.
EXACT_KEYS, LINE_KEYS, BAND_KEYS = "exact_keys", "line_keys", "band_keys"
# Per scan unit, which of its documents are exact duplicates.
EXACT_FLAGS = "exact_flags"
SHINGLE_DTYPE = np.dtype("<u8")
CLUSTER_COLUMN = "dup_cluster"
REMOVED_SCHEMA = pa.schema([("id", pa.string()), (CLUSTER_COLUMN, pa.int64()), ("kept_id", pa.string()),
                            ("dup_kind", pa.string())])
EXACT_INDEX_SCHEMA = pa.schema([("hash_hi", pa.uint64()), ("hash_lo", pa.uint64()), ("id", pa.string())])
DECISION_SCHEMA = pa.schema([("row", pa.int64()), (CLUSTER_COLUMN, pa.int64()), ("kept_id", pa.string()),
                             ("dup_kind", pa.string())])
# dup_kind of a decision: why a document was removed, or "kept" for the representative of a cluster.
EXACT, NEAR, EARLIER, BOILERPLATE, REPRESENTATIVE = "exact", "near", "earlier_run", "boilerplate", "kept"

# Verification tags each shingle hash with its pair's number (24 bits) and side (1 bit) in place
# of its low bits, so one sort finds the shared shingles of up to 2^24 pairs at once.
_PAIR_BITS = 24
_VERIFY_CHUNK_SHINGLES = 1 << 20


@dataclass
class WorkLayout:
    """Where the stage keeps its intermediate files (``OUTPUT/.work``)."""

    root: Path

    def path(self, step: str, name: str) -> Path:
        return self.folder(step) / name

    def folder(self, step: str) -> Path:
        folder = self.root / step
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @property
    def boilerplate(self) -> Path:
        return self.root / "boilerplate.npy"


@dataclass
class RunState:
    """What the steps share: the configuration, the input's units and, once the keys step has
    counted them, where each unit's documents start in the whole input."""

    config: DedupConfig
    output: StoragePath
    work: WorkLayout
    scan_units: list[FileUnit]
    schema: pa.Schema
    params: BandParams | None
    max_shard_bytes: int
    index_dirs: list[StoragePath]
    worker_memory: int
    shingles_per_doc: float = 0.0
    unit_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    partitions: dict[str, list[Part | RowRange]] = field(default_factory=dict)
    # How many sorted runs of each kind (EXACT_KEYS, LINE_KEYS, BAND_KEYS) each scan unit wrote.
    run_counts: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self):
        self.unit_index = {u.id: i for i, u in enumerate(self.scan_units)}

    @property
    def unit_bases(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.unit_rows)[:-1]]).astype(np.int64)

    @property
    def total_docs(self) -> int:
        return int(self.unit_rows.sum())

    def unit_span(self, unit_id: str) -> tuple[int, int, int]:
        """A scan unit's number and the [low, high) range of its documents' ordinals."""
        number = self.unit_index[unit_id]
        low = int(self.unit_bases[number])
        return number, low, low + int(self.unit_rows[number])

    def unit_of(self, ordinal_values: np.ndarray) -> np.ndarray:
        return np.searchsorted(np.cumsum(self.unit_rows), ordinal_values, side="right")

    def run_writer(self, kind: str, unit: Unit, dtype: np.dtype, field: str) -> RunWriter:
        # A unit's records are sorted when written: about SORT_OVERHEAD times their size at once.
        return RunWriter(self.work.folder(kind), unit.id, dtype, field, self.worker_memory // SORT_OVERHEAD)

    def run_paths(self, kind: str, unit_numbers: list[int] | None = None) -> list[Path]:
        numbers = range(len(self.scan_units)) if unit_numbers is None else unit_numbers
        return [run_path(self.work.root / kind, self.scan_units[u].id, n)
                for u in numbers for n in range(self.run_counts[kind][u])]

    def partition_files(self, kind: str, step: str) -> list[Path]:
        """The file of ``kind`` each unit of the grouping step ``step`` wrote."""
        return [self.work.path(kind, f"{u.id}.npy") for u in self.partitions[step]]

    def exact_removed(self, unit_number: int) -> np.ndarray:
        """Whether each of the unit's documents is an exact duplicate (of this run or an earlier
        one), as the flags step wrote it; all False with exact dedup off."""
        if not self.config.exact.enabled:
            return np.zeros(int(self.unit_rows[unit_number]), dtype=bool)
        return load_array(self.work.path(EXACT_FLAGS, f"{self.scan_units[unit_number].id}.npy"))

    def exact_removed_ids(self, doc_ids: np.ndarray) -> np.ndarray:
        """:meth:`exact_removed` for unit-local document ids of any units."""
        units = (doc_ids >> UNIT_SHIFT).astype(np.int64)
        removed = np.zeros(len(doc_ids), dtype=bool)
        for number in distinct(units).tolist():
            mine = units == number
            removed[mine] = self.exact_removed(number)[(doc_ids[mine] & ROW_MASK).astype(np.int64)]
        return removed

    def earlier(self, low: int, high: int) -> pa.Table:
        """(ordinal, kept_id) of the documents in [low, high) that an earlier run's index removes."""
        tables = [pa.table({"ordinal": pa.array([], pa.int64()), "kept_id": pa.array([], pa.string())})]
        for part in self.partitions.get("exact", []):
            earlier = read_arrow_file(self.work.path("exact", f"{part.id}.earlier.arrow"))
            ordinal = earlier.column("ordinal").to_numpy()
            tables.append(earlier.filter(pa.array((ordinal >= low) & (ordinal < high))))
        return pa.concat_tables(tables)

    def shingle_files(self, unit_id: str) -> tuple[Path, Path]:
        """A unit's shingles (raw uint64, the unit's documents in row order) and the offset of each
        row's first shingle in it (rows + 1 int64)."""
        return self.work.path("shingles", f"{unit_id}.u64"), self.work.path("shingles", f"{unit_id}.offsets.npy")


def part_id(step: str, part: int, parts: int) -> str:
    """The id of a step's unit that does part ``part`` of ``parts``."""
    return f"{step}-{part:04d}-of-{parts:04d}"


def partition_unit(step: str, part: int, parts: int, size: int) -> Part:
    return Part(id=part_id(step, part, parts), size=size, index=part, count=parts)


def _texts(batch: pa.RecordBatch, column: str = "text") -> list[str]:
    return batch.column(column).fill_null("").to_pylist()


@dataclass
class KeysStep:
    state: RunState
    text: DedupText

    def __call__(self, unit: FileUnit, context: UnitContext) -> dict:
        config, unit_number = self.state.config, self.state.unit_index[unit.id]
        exact = self.state.run_writer(EXACT_KEYS, unit, EXACT_RECORD, "hi")
        lines = self.state.run_writer(LINE_KEYS, unit, KEY_RECORD, "key")
        rows = empty = 0
        for batch in read_unit_batches(unit, ["text"]):
            context.check_stop()
            texts = _texts(batch)
            for first, chunk in self.text.chunks(texts):
                doc_ids = unit_doc_ids(unit_number, np.arange(rows + first, rows + first + len(chunk)))
                if config.exact.enabled:
                    hashes, has_content = self.text.exact(chunk)
                    records = np.empty(len(hashes), EXACT_RECORD)
                    records["hi"], records["lo"], records["doc"] = hashes[:, 0], hashes[:, 1], doc_ids[has_content]
                    exact.add(records)
                    empty += int((~has_content).sum())
                if config.lines.enabled:
                    hashes, doc = self.text.line_records(chunk)
                    records = np.empty(len(hashes), KEY_RECORD)
                    records["key"], records["doc"] = hashes, doc_ids[doc]
                    lines.add(records)
            rows += len(texts)
            context.progress(unit.size // max(unit.end - unit.start, 1))
        return {"rows": rows, "no_content_docs": empty,
                "runs": {EXACT_KEYS: exact.close() if config.exact.enabled else 0,
                         LINE_KEYS: lines.close() if config.lines.enabled else 0}}


def _index_entries(index_dirs: list[Path], low: int, high: int) -> tuple[np.ndarray, list[tuple[Path, np.ndarray]]]:
    """Earlier runs' exact hashes with ``hi`` in [low, high): (records whose ``doc`` numbers the
    entry, per shard the rows those numbers stand for)."""
    records, sources, taken = [np.zeros(0, EXACT_RECORD)], [], 0
    for folder in index_dirs:
        for path in shard_paths(folder):
            table = read_shard(path, ["hash_hi", "hash_lo"])
            hi = table.column("hash_hi").to_numpy()
            rows = np.flatnonzero((hi >= np.uint64(low)) & ((hi < np.uint64(high)) if high < KEY_SPACE else True))
            part = np.empty(len(rows), EXACT_RECORD)
            part["hi"], part["lo"] = hi[rows], table.column("hash_lo").to_numpy()[rows]
            part["doc"] = np.arange(taken, taken + len(rows), dtype=np.uint64)
            records.append(part)
            sources.append((path, rows))
            taken += len(rows)
    return np.concatenate(records), sources


def _index_ids(sources: list[tuple[Path, np.ndarray]], entries: np.ndarray) -> list[str]:
    """The ids of index entries numbered ``entries`` by :func:`_index_entries`."""
    ids = np.empty(len(entries), dtype=object)
    first = 0
    for path, rows in sources:
        mine = (entries >= first) & (entries < first + len(rows))
        if mine.any():
            column = read_shard(path, ["id"]).column("id")
            ids[mine] = column.take(pa.array(rows[entries[mine] - first])).to_pylist()
        first += len(rows)
    return ids.tolist()


@dataclass
class ExactStep:
    """Groups equal exact hashes of one hash range: the first document of a group (in input
    order) is kept, the others are exact duplicates of it. A group whose hash is in an earlier
    run's index is removed whole."""

    state: RunState

    def __call__(self, unit: Part, context: UnitContext) -> dict:
        low, high = range_bounds(KEY_SPACE, unit.count, unit.index)
        records = load_range(self.state.run_paths(EXACT_KEYS), "hi", low, high, EXACT_RECORD)
        docs = ordinals(records["doc"], self.state.unit_bases)
        order = np.lexsort((docs, records["lo"], records["hi"]))
        hi, lo, docs = records["hi"][order], records["lo"][order], docs[order]
        opens = np.ones(len(docs), dtype=bool)
        opens[1:] = (hi[1:] != hi[:-1]) | (lo[1:] != lo[:-1])
        group = np.cumsum(opens) - 1
        first_doc = docs[opens][group]

        earlier_group = np.full(int(opens.sum()), -1, dtype=np.int64)
        index_ids: list[str] = []
        if self.state.index_dirs:
            entries, sources = _index_entries(self.state.index_dirs, low, high)
            # Group keys (tag 0) sort just before equal index keys (tag 1).
            keys = np.concatenate([np.stack([hi[opens], lo[opens]], 1), np.stack([entries["hi"], entries["lo"]], 1)])
            tag = np.concatenate([np.zeros(int(opens.sum()), np.int8), np.ones(len(entries), np.int8)])
            number = np.concatenate([np.arange(int(opens.sum())), entries["doc"].astype(np.int64)])
            by_key = np.lexsort((tag, keys[:, 1], keys[:, 0]))
            keys, tag, number = keys[by_key], tag[by_key], number[by_key]
            hit = (tag[:-1] == 0) & (tag[1:] == 1) & (keys[:-1] == keys[1:]).all(axis=1)
            earlier_group[number[:-1][hit]] = number[1:][hit]
            index_ids = _index_ids(sources, number[1:][hit])
        matched = earlier_group[group] >= 0
        duplicate = ~opens & ~matched

        pairs = np.empty(int(duplicate.sum()), PAIR_RECORD)
        pairs["a"], pairs["b"] = docs[duplicate], first_doc[duplicate]
        save_run(self.state.work.path("exact", f"{unit.id}.pairs.npy"), pairs, "a")
        hit_ids = dict(zip(number[:-1][hit].tolist(), index_ids)) if self.state.index_dirs else {}
        earlier = pa.table({"ordinal": pa.array(docs[matched], pa.int64()),
                            "kept_id": pa.array([hit_ids[g] for g in group[matched].tolist()], pa.string())})
        write_table(self.state.work.path("exact", f"{unit.id}.earlier.arrow"), earlier)
        return {"exact_duplicates": len(pairs), "earlier_run_duplicates": int(matched.sum())}


@dataclass
class ExactFlagsStep:
    """Flags the unit's documents that are exact duplicates: those the exact step paired with
    their group's first document, and those an earlier run's index removes."""

    state: RunState

    def __call__(self, unit: FileUnit, context: UnitContext) -> dict:
        state = self.state
        _, low, high = state.unit_span(unit.id)
        files = [state.work.path("exact", f"{part.id}.pairs.npy") for part in state.partitions["exact"]]
        flags = np.zeros(high - low, dtype=bool)
        flags[load_range(files, "a", low, high, PAIR_RECORD)["a"].astype(np.int64) - low] = True
        flags[state.earlier(low, high).column("ordinal").to_numpy() - low] = True
        save_array(state.work.path(EXACT_FLAGS, f"{unit.id}.npy"), flags)
        return {"exact_removed": int(flags.sum())}


def write_table(path: Path, table: pa.Table) -> None:
    """Write one Arrow IPC file (an intermediate file of a step) atomically."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    write_atomic(path, sink.getvalue().to_pybytes())


def read_arrow_file(path: Path) -> pa.Table:
    """One Arrow IPC file (an intermediate file of a step) as a table."""
    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_file(source).read_all()


def fetch_rows(state: RunState, docs: np.ndarray, columns: list[str]):
    """For sorted ordinals ``docs``: (positions in ``docs``, the selected rows of ``columns``),
    batch by batch in input order."""
    units = state.unit_of(docs)
    bases = state.unit_bases
    for number in distinct(units).tolist():
        positions = np.flatnonzero(units == number)
        rows = docs[positions] - bases[number]
        first_row = 0
        for batch in read_unit_batches(state.scan_units[number], columns):
            lo, hi = np.searchsorted(rows, [first_row, first_row + batch.num_rows])
            if hi > lo:
                yield positions[lo:hi], batch.take(pa.array(rows[lo:hi] - first_row))
            first_row += batch.num_rows


@dataclass
class LinesStep:
    """Counts, for one range of line hashes, the documents (exact duplicates left out) each line
    occurs in; lines in more than max_docs documents are boilerplate."""

    state: RunState

    def __call__(self, unit: Part, context: UnitContext) -> dict:
        low, high = range_bounds(KEY_SPACE, unit.count, unit.index)
        records = load_range(self.state.run_paths(LINE_KEYS), "key", low, high, KEY_RECORD)
        if self.state.config.exact.enabled:
            records = records[~self.state.exact_removed_ids(records["doc"])]
        keys, documents = np.unique(records["key"], return_counts=True)
        boilerplate = keys[documents > self.state.config.lines.max_docs]
        save_array(self.state.work.path("lines", f"{unit.id}.npy"), boilerplate)
        return {"boilerplate_lines": len(boilerplate), "distinct_lines": len(keys)}


@dataclass
class SignatureStep:
    """MinHash signatures of the unit's documents that are not exact duplicates, cut into band
    keys (one record per document and band); with verification on, also the documents'
    shingles, for the verify step to read back instead of shingling the text again."""

    state: RunState
    text: DedupText

    def __call__(self, unit: FileUnit, context: UnitContext) -> dict:
        state, minhash = self.state, self.state.config.minhash
        number = state.unit_index[unit.id]
        unit_rows = int(state.unit_rows[number])
        removed = state.exact_removed(number)
        bands = state.run_writer(BAND_KEYS, unit, KEY_RECORD, "key")
        shingle_path, offsets_path = state.shingle_files(unit.id)
        shingle_counts = np.zeros(unit_rows, dtype=np.int64)
        counts = {"signed_docs": 0, "short_docs": 0, "unsigned_docs": 0, "shingles": 0}
        first_row = 0
        with atomic_file(shingle_path) if minhash.verify else contextlib.nullcontext() as spill:
            for batch in read_unit_batches(unit, ["text", "lang"]):
                context.check_stop()
                rows = np.flatnonzero(~removed[first_row:first_row + batch.num_rows])
                texts, langs = _texts(batch), _texts(batch, "lang")
                texts, langs = [texts[i] for i in rows], [langs[i] for i in rows]
                for first, chunk in self.text.chunks(texts):
                    shingles = self.text.shingles(chunk, langs[first:first + len(chunk)])
                    chunk_rows = first_row + rows[first:first + len(chunk)]
                    signed = np.flatnonzero(shingles.counts > 0)
                    counts["signed_docs"] += len(signed)
                    counts["short_docs"] += int(shingles.short.sum())
                    counts["unsigned_docs"] += len(chunk) - len(signed)
                    counts["shingles"] += len(shingles.hashes)
                    if minhash.verify:
                        spill.write(shingles.hashes.astype(SHINGLE_DTYPE, copy=False).tobytes())
                        shingle_counts[chunk_rows] = shingles.counts
                    if not len(signed):
                        continue
                    # Unsigned documents add no shingles, so the signed ones' offsets are contiguous.
                    offsets = np.append(shingles.offsets[signed], shingles.offsets[-1])
                    keys = band_keys(signatures(shingles.hashes, offsets, minhash.num_perm, minhash.seed), state.params)
                    records = np.empty(keys.size, KEY_RECORD)
                    records["key"] = keys.ravel()
                    records["doc"] = np.repeat(unit_doc_ids(number, chunk_rows[signed]), keys.shape[1])
                    bands.add(records)
                first_row += batch.num_rows
                context.progress(unit.size // max(unit.end - unit.start, 1))
        if minhash.verify:
            save_array(offsets_path, np.concatenate([[0], np.cumsum(shingle_counts)]))
        return {**counts, "runs": {BAND_KEYS: bands.close()}}


@dataclass
class BucketStep:
    """For one range of band keys, the documents sharing a key (a bucket) become candidate pairs:
    the bucket's first document in input order paired with each of the others."""

    state: RunState

    def __call__(self, unit: Part, context: UnitContext) -> dict:
        low, high = range_bounds(KEY_SPACE, unit.count, unit.index)
        records = load_range(self.state.run_paths(BAND_KEYS), "key", low, high, KEY_RECORD)
        # Stable: runs are concatenated in unit order and each is in document order within a
        # key, so every bucket lists its documents in input order.
        order = np.argsort(records["key"], kind="stable")
        keys, docs = records["key"][order], ordinals(records["doc"][order], self.state.unit_bases)
        opens = np.ones(len(keys), dtype=bool)
        opens[1:] = keys[1:] != keys[:-1]
        bucket_first = np.maximum.accumulate(np.where(opens, np.arange(len(keys)), 0))
        members = ~opens
        pairs = np.empty(int(members.sum()), PAIR_RECORD)
        pairs["a"], pairs["b"] = docs[bucket_first[members]], docs[members]
        pairs = unique_pairs(pairs)
        save_run(self.state.work.path("edges", f"{unit.id}.npy"), pairs, "a")
        return {"candidate_pairs": len(pairs), "shared_buckets": int((opens[:-1] & members[1:]).sum())}


def jaccard(values: np.ndarray, offsets: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Jaccard similarity of the sets of values[offsets[i]:offsets[i + 1]] (repeats allowed) for
    each pair (a[k], b[k]), computed for many pairs per sort."""
    sizes = np.diff(offsets)
    similarity = np.empty(len(a))
    weight = np.cumsum(sizes[a] + sizes[b])
    start = 0
    while start < len(a):
        done = weight[start - 1] if start else 0
        end = int(np.searchsorted(weight, done + _VERIFY_CHUNK_SHINGLES, side="right"))
        end = min(max(end, start + 1), start + (1 << _PAIR_BITS))
        similarity[start:end] = _jaccard_chunk(values, offsets, sizes, a[start:end], b[start:end])
        start = end
    return similarity


def _jaccard_chunk(values, offsets, sizes, a, b) -> np.ndarray:
    """One sort for all pairs: each shingle becomes (its top 39 bits, pair number, side), so
    repeats within a side become equal keys and a shingle both sides share becomes two keys that
    differ in the side bit only. Truncating to 39 bits merges two different shingles of a pair
    with probability about (shingles)² / 2^40: negligible."""
    tag_bits = _PAIR_BITS + 1
    top = np.uint64(((1 << 64) - 1) ^ ((1 << tag_bits) - 1))

    def tagged(doc, side):
        counts = sizes[doc]
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        tag = np.repeat(np.arange(len(doc), dtype=np.uint64) << np.uint64(1) | np.uint64(side), counts)
        return (values[np.repeat(offsets[doc], counts) + within] & top) | tag

    keys = distinct(np.concatenate([tagged(a, 0), tagged(b, 1)]))
    tags = (keys & np.uint64((1 << tag_bits) - 1)).astype(np.int64)
    set_sizes = np.bincount(tags, minlength=2 * len(a))
    both = (keys[1:] >> np.uint64(1)) == (keys[:-1] >> np.uint64(1))
    intersection = np.bincount(tags[1:][both] >> 1, minlength=len(a))
    return intersection / (set_sizes[0::2] + set_sizes[1::2] - intersection)


def read_shingles(state: RunState, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The shingles of each of the sorted ordinals ``docs`` as the signature step wrote them
    (repeats included), read back with positioned reads, one per run of consecutive rows:
    (values, offsets) with document i's shingles at values[offsets[i]:offsets[i + 1]]."""
    units = state.unit_of(docs)
    values, counts = [np.zeros(0, np.uint64)], [np.zeros(0, np.int64)]
    for number in distinct(units).tolist():
        rows = docs[units == number] - state.unit_bases[number]
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        shingle_path, offsets_path = state.shingle_files(state.scan_units[number].id)
        with ArrayFile(offsets_path) as offsets, ArrayFile(shingle_path, SHINGLE_DTYPE) as shingles:
            for run in np.split(rows, breaks):
                bounds = offsets.read(int(run[0]), int(run[-1]) + 2)
                counts.append(np.diff(bounds))
                values.append(shingles.read(int(bounds[0]), int(bounds[-1])))
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(np.concatenate(counts), out=offsets[1:])
    return np.concatenate(values), offsets


@dataclass
class VerifyStep:
    """Keeps the candidate pairs whose first document lies in the unit's ordinal range and whose
    shingle sets have a Jaccard similarity of at least the threshold. Pairs are checked in rounds
    small enough for the memory budget, and a pair whose two documents the pairs verified so far
    already connect is skipped: it could not change a cluster, and groups of near-identical
    documents make many such pairs."""

    state: RunState

    def __call__(self, unit: RowRange, context: UnitContext) -> dict:
        state = self.state
        pairs = unique_pairs(load_range(state.partition_files("edges", "buckets"), "a", unit.start, unit.end,
                                        PAIR_RECORD))
        docs = distinct(np.concatenate([pairs["a"], pairs["b"]])).astype(np.int64)
        left = np.searchsorted(docs, pairs["a"].astype(np.int64))
        right = np.searchsorted(docs, pairs["b"].astype(np.int64))
        # A round reads the shingle sets of up to two documents a pair.
        round_pairs = int(np.clip(state.worker_memory // (2 * SORT_OVERHEAD * 8 * max(state.shingles_per_doc, 1)),
                                  256, 1 << 16))
        connected = np.arange(len(docs))
        verified, checked = [np.zeros(0, PAIR_RECORD)], 0
        for start in range(0, len(pairs), round_pairs):
            context.check_stop()
            a, b = left[start:start + round_pairs], right[start:start + round_pairs]
            open_pairs = np.flatnonzero(roots(connected, a) != roots(connected, b))
            if not len(open_pairs):
                continue
            needed = distinct(np.concatenate([a[open_pairs], b[open_pairs]]))
            values, offsets = read_shingles(state, docs[needed])
            similarity = jaccard(values, offsets, np.searchsorted(needed, a[open_pairs]),
                                 np.searchsorted(needed, b[open_pairs]))
            similar = open_pairs[similarity >= state.config.minhash.threshold]
            checked += len(open_pairs)
            merge_edges(connected, a[similar], b[similar])
            verified.append(pairs[start:start + round_pairs][similar])
        verified_pairs = np.concatenate(verified)
        save_run(state.work.path("verified", f"{unit.id}.npy"), verified_pairs, "a")
        return {"candidate_pairs": len(pairs), "pairs_checked": checked, "pairs_verified": len(verified_pairs)}


def decision_path(state: RunState, unit_id: str) -> Path:
    return state.work.path("decisions", f"{unit_id}.arrow")


def kept_schema(input_schema: pa.Schema) -> pa.Schema:
    """The input's columns, then ``dup_cluster`` (replacing one the input already had)."""
    fields = [f for f in input_schema if f.name != CLUSTER_COLUMN]
    return pa.schema([*fields, pa.field(CLUSTER_COLUMN, pa.int64())])


@dataclass
class WriteStep:
    """Writes the unit's kept documents (boilerplate lines cut, ``dup_cluster`` added) and its
    removed ones (id, cluster, the kept representative's id, why)."""

    state: RunState
    text: DedupText

    def __call__(self, unit: FileUnit, context: UnitContext) -> dict:
        state = self.state
        number = state.unit_index[unit.id]
        unit_rows = int(state.unit_rows[number])
        decisions = read_arrow_file(decision_path(state, unit.id))
        decided_rows = decisions.column("row").to_numpy()
        is_removed = pc.not_equal(decisions.column("dup_kind"), REPRESENTATIVE).to_numpy(zero_copy_only=False)
        removed = np.zeros(unit_rows, dtype=bool)
        removed[decided_rows[is_removed]] = True
        cluster = np.zeros(unit_rows, dtype=np.int64)
        has_cluster = np.zeros(unit_rows, dtype=bool)
        cluster_column = decisions.column(CLUSTER_COLUMN)
        valid = cluster_column.is_valid().to_numpy(zero_copy_only=False)
        cluster[decided_rows[valid]] = cluster_column.drop_null().to_numpy()
        has_cluster[decided_rows[valid]] = True
        index_hashes = self._hashes_by_row(unit, unit_rows) if state.config.exact.save_index else None

        schema = kept_schema(state.schema)
        counts = {"lines_removed": 0, "line_chars_removed": 0, "boilerplate_only_docs": 0}
        first_row = 0
        schemas = {KEPT: schema, REMOVED: REMOVED_SCHEMA, EXACT_INDEX: EXACT_INDEX_SCHEMA}
        with unit_writers(state.output, unit.id, schemas, state.max_shard_bytes) as writers:
            for batch in read_unit_batches(unit):
                context.check_stop()
                rows = np.arange(first_row, first_row + batch.num_rows)
                text = batch.column("text")
                emptied = np.zeros(batch.num_rows, dtype=bool)
                if len(self.text.boilerplate):
                    text, emptied = self._cut_boilerplate(batch, ~removed[rows], counts)
                keep = ~removed[rows] & ~emptied
                count_by_column(counts, batch, keep, "removed_docs", text=text)
                columns = [text if f.name == "text" else batch.column(f.name)
                           for f in schema if f.name != CLUSTER_COLUMN]
                columns.append(pa.array(cluster[rows], pa.int64(), mask=~has_cluster[rows]))
                writers[KEPT].add_batch(pa.RecordBatch.from_arrays(columns, schema=schema).filter(pa.array(keep)))
                writers[REMOVED].add_batch(
                    self._removed_rows(batch, decisions, first_row, emptied, cluster, has_cluster))
                if index_hashes is not None:
                    hi, lo, hashed = index_hashes
                    indexed = keep & hashed[rows]
                    writers[EXACT_INDEX].add_batch(pa.RecordBatch.from_arrays(
                        [pa.array(hi[rows][indexed]), pa.array(lo[rows][indexed]),
                         batch.column("id").filter(pa.array(indexed))], schema=EXACT_INDEX_SCHEMA))
                first_row += batch.num_rows
                context.progress(unit.size // max(unit.end - unit.start, 1))
        return {"input_docs": unit_rows, "kept_docs": writers[KEPT].rows, "removed_docs": writers[REMOVED].rows,
                **counts}

    def _hashes_by_row(self, unit: FileUnit, unit_rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        paths = self.state.run_paths(EXACT_KEYS, [self.state.unit_index[unit.id]])
        run = np.concatenate([load_array(path) for path in paths])
        rows = (run["doc"] & ROW_MASK).astype(np.int64)
        hi, lo, hashed = np.zeros(unit_rows, np.uint64), np.zeros(unit_rows, np.uint64), np.zeros(unit_rows, bool)
        hi[rows], lo[rows], hashed[rows] = run["hi"], run["lo"], True
        return hi, lo, hashed

    def _cut_boilerplate(self, batch: pa.RecordBatch, candidates: np.ndarray,
                         counts: dict) -> tuple[pa.Array, np.ndarray]:
        """The text column with boilerplate lines cut from the kept documents, and which of them
        were nothing but boilerplate."""
        texts = _texts(batch)
        emptied = np.zeros(len(texts), dtype=bool)
        rows = np.flatnonzero(candidates)
        for first, chunk in self.text.chunks([texts[i] for i in rows]):
            starts, ends, doc = self.text.boilerplate_spans(chunk)
            counts["lines_removed"] += len(doc)
            for j in distinct(doc).tolist():
                row = int(rows[first + j])
                mine = doc == j
                offset = int(chunk.starts[j])
                cut = cut_text(texts[row], (starts[mine] - offset).tolist(), (ends[mine] - offset).tolist())
                counts["line_chars_removed"] += len(texts[row]) - len(cut)
                texts[row] = cut
                emptied[row] = not cut.strip()
        counts["boilerplate_only_docs"] += int(emptied.sum())
        return pa.array(texts, pa.string()), emptied

    @staticmethod
    def _removed_rows(batch: pa.RecordBatch, decisions: pa.Table, first_row: int, emptied: np.ndarray,
                      cluster: np.ndarray, has_cluster: np.ndarray) -> pa.RecordBatch:
        rows = decisions.column("row").to_numpy()
        lo, hi = np.searchsorted(rows, [first_row, first_row + batch.num_rows])
        mine = decisions.slice(lo, hi - lo)
        mine = mine.filter(pc.not_equal(mine.column("dup_kind"), REPRESENTATIVE))
        local = mine.column("row").to_numpy() - first_row
        emptied_rows = np.flatnonzero(emptied)
        cluster_rows = emptied_rows + first_row
        return pa.RecordBatch.from_arrays([
            pa.concat_arrays([batch.column("id").take(pa.array(local, pa.int64())),
                              batch.column("id").take(pa.array(emptied_rows, pa.int64()))]),
            pa.concat_arrays([mine.column(CLUSTER_COLUMN).combine_chunks(),
                              pa.array(cluster[cluster_rows], pa.int64(), mask=~has_cluster[cluster_rows])]),
            pa.concat_arrays([mine.column("kept_id").combine_chunks(), pa.nulls(len(emptied_rows), pa.string())]),
            pa.concat_arrays([mine.column("dup_kind").combine_chunks(),
                              pa.array([BOILERPLATE] * len(emptied_rows), pa.string())]),
        ], schema=REMOVED_SCHEMA)
