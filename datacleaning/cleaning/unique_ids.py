"""Document ids unique within a clean run.

A document keeps the id its record names, or gets its place in its file when it names none. Input
can still repeat an id: a file that repeats its own, two files that number their records alike, two
folders holding files of the same name. Once every unit is written, :func:`make_ids_unique` finds
the ids that occur more than once across the kept and rejected shards and renames every occurrence
after the first (in shard order) to ``{id}#{shard}:{row}``: unique, the same on every rerun of the
same input, and the same again when a pass killed halfway is run again. The id as read is kept in
``meta``. Memory: eight bytes a document, and the rows of one shard while it is rewritten.
"""
from __future__ import annotations

import numpy as np
import orjson
import pyarrow as pa

from datacleaning import storage
from datacleaning.shards import SHARD_SUFFIX, open_shard, shard_paths, write_shard
from datacleaning.storage import StoragePath


def make_ids_unique(folders: list[StoragePath], id_field: str) -> int:
    """Rename the repeated ids of the shards in ``folders``; returns how many documents were
    renamed. The id each had is kept in its ``meta`` as ``id_field`` (unless meta has that key)."""
    shards = [path for folder in folders for path in shard_paths(folder)]
    hashes = [_id_hashes(_ids(path)) for path in shards]
    counted, counts = np.unique(np.concatenate(hashes) if hashes else np.empty(0, np.int64), return_counts=True)
    suspects = counted[counts > 1]  # ids that repeat, and any that merely share a 64-bit hash
    if not len(suspects):
        return 0
    first_seen: set[str] = set()
    renames: list[tuple[StoragePath, dict[int, str]]] = []
    for path, shard_hashes in zip(shards, hashes):
        rows = np.flatnonzero(np.isin(shard_hashes, suspects))
        if not len(rows):
            continue
        ids = _ids(path)
        stem = path.name.removesuffix(SHARD_SUFFIX)
        renamed = {}
        for row in rows.tolist():
            doc_id = ids[row].as_py()
            if doc_id in first_seen:
                renamed[row] = f"{doc_id}#{stem}:{row}"
            else:
                first_seen.add(doc_id)
        if renamed:
            renames.append((path, renamed))
    for path, renamed in renames:
        _rewrite(path, renamed, id_field)
    return sum(len(renamed) for _, renamed in renames)


def _ids(path: StoragePath) -> pa.ChunkedArray:
    with storage.open_arrow(path, memory_map=True) as source:
        return open_shard(source, ["id"]).read_all().column("id")


def _id_hashes(ids: pa.ChunkedArray) -> np.ndarray:
    # Python's string hash: fast, and the same for the same string within this one process.
    return np.fromiter(map(hash, ids.to_pylist()), dtype=np.int64, count=len(ids))


def _rewrite(path: StoragePath, renamed: dict[int, str], id_field: str) -> None:
    with storage.open_arrow(path) as source:
        table = pa.ipc.open_file(source).read_all()
    ids = table.column("id").to_pylist()
    metas = table.column("meta").to_pylist()
    for row, new_id in renamed.items():
        meta = orjson.loads(metas[row])
        meta.setdefault(id_field, ids[row])
        metas[row] = orjson.dumps(meta).decode()
        ids[row] = new_id
    table = table.set_column(table.schema.get_field_index("id"), "id", pa.array(ids, pa.string()))
    table = table.set_column(table.schema.get_field_index("meta"), "meta", pa.array(metas, pa.string()))
    write_shard(path, table)
