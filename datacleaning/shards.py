"""Arrow IPC shards: the on-disk format between stages.

Each shard is an Arrow IPC *file* of zstd-compressed record batches. A writer rotates to a new
shard when the current one passes ``max_shard_bytes`` (uncompressed Arrow size), and writes every
shard under a temporary name until ``commit()`` moves them all to their final names, so readers
never see a half-written file. A folder is a local path or a URL (see :mod:`datacleaning.storage`).
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import BinaryIO

import pyarrow as pa

from datacleaning import storage
from datacleaning.errors import WriteError
from datacleaning.storage import TMP_PREFIX, StoragePath

SHARD_SUFFIX = ".arrow"
_IPC_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """A file to write under a temporary name, moved to ``path`` (a local path after fsync, or a
    URL) when the block ends, so that ``path`` is either absent or complete; an exception leaves
    neither."""
    staged = storage.StagedFile(storage.as_path(path))
    try:
        with open(staged.temp, "wb") as f:
            yield f
        staged.commit()
    except OSError as e:
        staged.discard()
        raise WriteError(e.errno, f"cannot write {path}: {e.strerror or e}") from e
    except BaseException:
        staged.discard()
        raise


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so that the file is either absent or complete."""
    with atomic_file(path) as f:
        f.write(data)


class ShardWriter:
    """Buffers rows as Python column lists and writes them as record batches.

    Shards are named ``{prefix}-s{n:05d}.arrow`` inside ``directory``.
    """

    def __init__(self, directory: str | os.PathLike, prefix: str, schema: pa.Schema, *,
                 max_shard_bytes: int = 256 << 20, batch_rows: int = 2048, batch_bytes: int = 16 << 20):
        self.directory = storage.as_path(directory)
        self.prefix = prefix
        self.schema = schema
        self.max_shard_bytes = max_shard_bytes
        self.batch_rows = batch_rows
        self.batch_bytes = batch_bytes
        self._columns: dict[str, list] = {name: [] for name in schema.names}
        self._buffered_bytes = 0
        self._writer: pa.ipc.RecordBatchFileWriter | None = None
        self._sink = None
        self._shard_bytes = 0
        self._pending: list[storage.StagedFile] = []
        self.rows = 0

    def add(self, row: dict, size_hint: int = 0) -> None:
        """Append one row; ``size_hint`` (e.g. the text length) decides when to flush a batch."""
        for name, values in self._columns.items():
            values.append(row.get(name))
        self._buffered_bytes += size_hint
        self.rows += 1
        if len(self._columns[self.schema.names[0]]) >= self.batch_rows or self._buffered_bytes >= self.batch_bytes:
            self.flush()

    def add_batch(self, batch: pa.RecordBatch) -> None:
        """Append a whole record batch of this writer's schema, after the rows added so far."""
        self.flush()
        if batch.num_rows:
            self._write(batch)
            self.rows += batch.num_rows

    def flush(self) -> None:
        if not self._columns[self.schema.names[0]]:
            return
        batch = pa.RecordBatch.from_pydict(self._columns, schema=self.schema)
        for values in self._columns.values():
            values.clear()
        self._buffered_bytes = 0
        self._write(batch)

    def _write(self, batch: pa.RecordBatch) -> None:
        if self._writer is not None and self._shard_bytes >= self.max_shard_bytes:
            self._close_shard()
        if self._writer is None:
            self._open_shard()
        self._writer.write_batch(batch)
        self._shard_bytes += batch.nbytes

    def _open_shard(self) -> None:
        storage.make_dirs(self.directory)
        staged = storage.StagedFile(self.directory / f"{self.prefix}-s{len(self._pending):05d}{SHARD_SUFFIX}")
        self._sink = pa.OSFile(str(staged.temp), "wb")
        self._writer = pa.ipc.new_file(self._sink, self.schema, options=_IPC_OPTIONS)
        self._pending.append(staged)
        self._shard_bytes = 0

    def _close_shard(self) -> None:
        self._writer.close()
        self._sink.close()
        self._writer = None
        self._sink = None

    def commit(self) -> list[StoragePath]:
        """Flush, close and move every shard to its final name; returns the final paths."""
        self.flush()
        if self._writer is not None:
            self._close_shard()
        for staged in self._pending:
            staged.commit()
        if self._pending:
            storage.sync_dir(self.directory)
        return [staged.final for staged in self._pending]

    def abort(self) -> None:
        """Drop everything written so far."""
        if self._writer is not None:
            try:
                self._writer.close()
                self._sink.close()
            except (OSError, pa.ArrowException):
                pass
            self._writer = None
        for staged in self._pending:
            staged.discard()
        self._pending.clear()


def write_shard(path: str | os.PathLike, table: pa.Table) -> None:
    """Write ``table`` as the shard ``path`` (new, or replacing one), atomically."""
    with atomic_file(path) as f, pa.ipc.new_file(f, table.schema, options=_IPC_OPTIONS) as writer:
        writer.write_table(table)


def shard_unit(path: StoragePath) -> str:
    """The work unit (the writer's prefix) that wrote the shard at ``path``: ``{prefix}-s{n}``."""
    return path.name.removesuffix(SHARD_SUFFIX).rpartition("-s")[0]


def remove_unit_outputs(directory: StoragePath, prefix: str) -> None:
    """Delete the shards (final or temporary) an interrupted attempt at a unit left behind."""
    for path in storage.list_dir(directory):
        name = path.name.removeprefix(TMP_PREFIX)
        if name.startswith(prefix + "-s"):
            storage.remove(path)


@contextlib.contextmanager
def unit_writers(output: StoragePath, unit_id: str, schemas: dict[str, pa.Schema],
                 max_shard_bytes: int) -> Iterator[dict[str, ShardWriter]]:
    """A work unit's shard writers, one per output folder named in ``schemas``: what an earlier
    attempt at the unit left there is removed first; the shards of all are committed when the
    block ends, and those of none if it raises."""
    for name in schemas:
        remove_unit_outputs(output / name, unit_id)
    writers = {name: ShardWriter(output / name, unit_id, schema, max_shard_bytes=max_shard_bytes)
               for name, schema in schemas.items()}
    try:
        yield writers
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise
    for writer in writers.values():
        writer.commit()


def shard_paths(directory: str | os.PathLike) -> list[StoragePath]:
    """The committed shards of a folder (a local path or a URL), in a stable order."""
    return sorted((p for p in storage.list_dir(directory)
                   if p.suffix == SHARD_SUFFIX and not p.name.startswith(TMP_PREFIX)), key=lambda p: p.name)


def open_shard(source: pa.NativeFile, columns: list[str] | None = None) -> pa.ipc.RecordBatchFileReader:
    """A shard's reader that decodes only ``columns`` (all without), in their order: a compressed
    shard's other columns are never decompressed."""
    reader = pa.ipc.open_file(source)
    if not columns:
        return reader
    fields = [reader.schema.get_field_index(c) for c in columns]
    reader = pa.ipc.open_file(source, options=pa.ipc.IpcReadOptions(included_fields=fields))
    return _Reordered(reader, columns) if sorted(fields) != fields else reader


def read_shard(path: str | os.PathLike, columns: list[str] | None = None, *, memory_map: bool = True) -> pa.Table:
    """One shard as a table of ``columns`` (all without), only those decoded. ``memory_map=False``
    for a shard about to be replaced by a rewrite of itself."""
    with storage.open_arrow(path, memory_map=memory_map) as source:
        return open_shard(source, columns).read_all()


class _Reordered:
    """A reader whose batches come with their columns in the order asked for (included_fields
    keeps the file's order)."""

    def __init__(self, reader: pa.ipc.RecordBatchFileReader, columns: list[str]):
        self._reader, self._columns = reader, columns
        self.num_record_batches = reader.num_record_batches

    def get_batch(self, i: int) -> pa.RecordBatch:
        return self._reader.get_batch(i).select(self._columns)

    def read_all(self) -> pa.Table:
        return self._reader.read_all().select(self._columns)


def iter_batches(directory: str | os.PathLike, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
    """Stream the record batches of every shard in a folder, memory-mapped when local; with
    ``columns``, only those are read."""
    for path in shard_paths(directory):
        with storage.open_arrow(path, memory_map=True) as source:
            reader = open_shard(source, columns)
            for i in range(reader.num_record_batches):
                yield reader.get_batch(i)


def read_table(directory: str | os.PathLike, columns: list[str] | None = None) -> pa.Table:
    """Read a whole folder of shards into one table (for tests and small outputs)."""
    paths = shard_paths(directory)
    if not paths:
        raise FileNotFoundError(f"no {SHARD_SUFFIX} shards in {directory}")
    return pa.concat_tables([read_shard(path, columns) for path in paths])
