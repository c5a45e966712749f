"""Document ids unique within a clean run.

A document keeps the id its record names, or gets its place in its file when it names none. Input
can still repeat an id: a file that repeats its own, two files that number their records alike, two
folders holding files of the same name. Once every unit is written, :func:`make_ids_unique` finds
the ids that occur more than once across the kept and rejected shards and renames every occurrence
after the first (in shard order) to ``{id}#{folder}/{shard}:{row}`` (a unit's kept and rejected
shards share their names): unique, the same on every rerun of the same input, and the same again
when a pass killed halfway is run again. The id as read is kept in
``meta``. Memory: eight bytes a document, and the rows of one shard while it is rewritten.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datacleaning.readers.jsonl import parse_json
from datacleaning.readers.records import json_text
from datacleaning.shards import SHARD_SUFFIX, read_shard, shard_paths, shard_unit, write_shard
from datacleaning.storage import StoragePath


def make_ids_unique(folders: list[StoragePath], id_field: str) -> int:
    """Rename the repeated ids of the shards in ``folders``; returns how many documents bear a
    renamed id, those a pass killed halfway renamed included. The id each had is kept in its
    ``meta`` as ``id_field`` (unless meta has that key)."""
    shards = [path for folder in folders for path in shard_paths(folder)]
    shard_ids = [_ids(path) for path in shards]
    renamed_before = sum(_renamed_here(path, ids) for path, ids in zip(shards, shard_ids))
    hashes = [_id_hashes(ids) for ids in shard_ids]
    del shard_ids
    counted, counts = np.unique(np.concatenate(hashes) if hashes else np.empty(0, np.int64), return_counts=True)
    suspects = counted[counts > 1]  # ids that repeat, and any that merely share a 64-bit hash
    if not len(suspects):
        return renamed_before
    first_seen: set[str] = set()
    renames: list[tuple[StoragePath, dict[int, str]]] = []
    for path, shard_hashes in zip(shards, hashes):
        rows = np.flatnonzero(np.isin(shard_hashes, suspects))
        if not len(rows):
            continue
        ids = _ids(path)
        mark = _rename_mark(path)
        renamed = {}
        for row in rows.tolist():
            doc_id = ids[row].as_py()
            if doc_id in first_seen:
                renamed[row] = f"{doc_id}{mark}{row}"
            else:
                first_seen.add(doc_id)
        if renamed:
            renames.append((path, renamed))
    for path, renamed in renames:
        _rewrite(path, renamed, id_field)
    return renamed_before + sum(len(renamed) for _, renamed in renames)


def _rename_mark(path: StoragePath) -> str:
    """What a renamed id of the shard at ``path`` bears after the id as read, before its row."""
    return f"#{path.parent.name}/{path.name.removesuffix(SHARD_SUFFIX)}:"


def _renamed_here(path: StoragePath, ids: pa.ChunkedArray) -> int:
    """How many of the shard's documents bear the id this pass gives a repeat in its place:
    ``{id}#{folder}/{shard}:{row}``, their own folder, shard and row (or ``{id}#{shard}:{row}``,
    as a version before 2026-12-07 renamed them, in a run it began)."""
    stem = path.name.removesuffix(SHARD_SUFFIX)
    marked = pc.indices_nonzero(pc.match_substring(ids, f"{stem}:")).to_pylist()
    return sum(ids[row].as_py().endswith((f"{_rename_mark(path)}{row}", f"#{stem}:{row}")) for row in marked)


def _ids(path: StoragePath) -> pa.ChunkedArray:
    return read_shard(path, ["id"]).column("id")


def _id_hashes(ids: pa.ChunkedArray) -> np.ndarray:
    # Python's string hash: fast, and the same for the same string within this one process.
    return np.fromiter(map(hash, ids.to_pylist()), dtype=np.int64, count=len(ids))


def _rewrite(path: StoragePath, renamed: dict[int, str], id_field: str) -> None:
    table = read_shard(path, memory_map=False)
    ids = table.column("id").to_pylist()
    metas = table.column("meta").to_pylist()
    for row, new_id in renamed.items():
        meta = parse_json(metas[row].encode(), None)
        meta.setdefault(id_field, ids[row])
        metas[row] = json_text(meta)
        ids[row] = new_id
    table = table.set_column(table.schema.get_field_index("id"), "id", pa.array(ids, pa.string()))
    table = table.set_column(table.schema.get_field_index("meta"), "meta", pa.array(metas, pa.string()))
    write_shard(path, table)


def ids_at(folder: StoragePath, positions: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """The id the documents at ``positions`` bear now, by (unit, its row among the rows that unit
    wrote to ``folder``): read from the id column of those units' shards alone."""
    rows_of: dict[str, set[int]] = {}
    for unit, row in positions:
        rows_of.setdefault(unit, set()).add(row)
    found, offsets = {}, {}
    for path in shard_paths(folder):  # a unit's shards in the order it wrote them (s00000, s00001, ...)
        unit = shard_unit(path)
        if unit not in rows_of:
            continue
        ids = _ids(path)
        offset = offsets.get(unit, 0)
        for row in rows_of[unit]:
            if offset <= row < offset + len(ids):
                found[(unit, row)] = ids[row - offset].as_py()
        offsets[unit] = offset + len(ids)
    return found
