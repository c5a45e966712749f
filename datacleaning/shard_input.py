"""The input of a stage that reads an earlier stage's output: a folder of Arrow shards (a ``kept/``
folder), cut into work units of consecutive record batches of one shard, checked before anything
runs. Dedup, probe and tokenize plan and read their input this way, from a local folder or a URL."""
from __future__ import annotations

import contextlib
import logging
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa

from datacleaning import storage
from datacleaning.errors import InputError
from datacleaning.execution import FileUnit
from datacleaning.execution.units import unit_bytes_for, unit_size_record
from datacleaning.manifest import completed_stats, unfinished_run
from datacleaning.shards import open_shard, shard_paths
from datacleaning.storage import StoragePath

logger = logging.getLogger("datacleaning.input")

SCAN_FORMAT = "arrow-batches"
# Each input shard's name, size and modification time.
Listing = list[tuple[str, int, str | None]]


class ShardInputError(InputError):
    """An input folder of shards that a stage cannot read as it is (no shards, an unreadable
    shard, a missing column)."""


@dataclass
class ShardInput:
    """A stage's input folder of shards, checked, and cut into units."""

    folder: StoragePath
    schema: pa.Schema
    units: list[FileUnit]


def open_shard_input(source: str | os.PathLike, stage: str, required: tuple[str, ...], unit_bytes: int,
               output: StoragePath) -> ShardInput:
    """The folder of shards ``source`` as the input of ``stage``: its shards hold the ``required``
    columns and one schema (else ShardInputError), cut into units of about ``unit_bytes``; an
    ``output`` inside it is refused."""
    folder = storage.as_path(source)
    schema = input_schema(folder, stage, required)
    units = plan_scan_units(folder, unit_bytes)
    storage.refuse_overlap([folder], output)
    return ShardInput(folder, schema, units)


@contextlib.contextmanager
def _open(path: str | os.PathLike, columns: list[str] | None = None) -> Iterator[pa.ipc.RecordBatchFileReader]:
    """A shard's reader, which reads (and decompresses) only ``columns`` when they are given."""
    # Read, not memory-mapped: pages of a mapped file count in the process's resident memory
    # while it stays open, so a large shard would grow it with every batch read.
    try:
        source = storage.open_arrow(path)
        reader = open_shard(source, columns)
    except (OSError, pa.ArrowException) as e:
        raise ShardInputError(f"cannot read shard {path}: {e}") from None
    with source:
        yield reader


def input_schema(input_dir: str | os.PathLike, stage: str, required: tuple[str, ...]) -> pa.Schema:
    """The schema every shard shares; raises ShardInputError naming the shard that is unreadable,
    lacks one of the ``required`` columns or differs from the others."""
    paths = shard_paths(input_dir)
    if not paths:
        finished = completed_stats(storage.as_path(input_dir).parent)
        if finished is not None and finished[1].get("kept_docs") == 0:
            earlier, stats = finished
            raise ShardInputError(f"{input_dir} holds no documents: the {earlier} run there kept none of its "
                                  f"{stats.get('input_docs', 0):,} (its stats.json says what rejected them)")
        if not storage.exists(input_dir):
            raise ShardInputError(f"{input_dir} does not exist ({stage} reads the kept/ folder of an earlier stage, "
                                  f"such as the clean stage's)")
        raise ShardInputError(f"no .arrow shards in {input_dir} ({stage} reads the kept/ folder of an earlier "
                              f"stage, such as the clean stage's)")
    unfinished = unfinished_run(storage.as_path(input_dir).parent)
    if unfinished is not None:
        earlier, status = unfinished
        logger.warning("%s is the output of a %s run that has not completed (%s): %s reads only what it wrote so "
                       "far; finish that run first for all of it", input_dir, earlier, status, stage)
    schema = None
    for path in paths:
        with _open(path) as reader:
            found = reader.schema
        missing = [c for c in required if c not in found.names]
        if missing:
            raise ShardInputError(f"shard {path} has no {', '.join(missing)} column ({stage} needs {required})")
        if schema is None:
            schema = found
        elif not found.equals(schema):
            raise ShardInputError(f"shard {path} has schema {found}, unlike the shards before it ({schema})")
    return _without_views(schema)


# polars writes its strings as Arrow's view types, which few compute kernels take yet: the stages
# read them as the plain types.
_PLAIN_TYPES = {pa.string_view(): pa.string(), pa.binary_view(): pa.binary()}


def _without_views(schema: pa.Schema) -> pa.Schema:
    if not any(field.type in _PLAIN_TYPES for field in schema):
        return schema
    return pa.schema([field.with_type(_PLAIN_TYPES.get(field.type, field.type)) for field in schema],
                     metadata=schema.metadata)


def plan_scan_units(input_dir: str | os.PathLike, unit_bytes: int) -> list[FileUnit]:
    """Units of about ``unit_bytes`` of shard (less on a small input: execution.units.unit_bytes_for),
    in input order (shards by name, batches in order): a document's position in the run follows
    this order."""
    paths = shard_paths(input_dir)
    unit_bytes = unit_bytes_for(sum(storage.size(path) for path in paths), unit_bytes)
    units = []
    for path in paths:
        with _open(path) as reader:
            batches = reader.num_record_batches
        size = storage.size(path)
        pieces = max(1, min(batches, math.ceil(size / unit_bytes)))
        for piece in range(pieces):
            start, end = batches * piece // pieces, batches * (piece + 1) // pieces
            units.append(FileUnit(id=f"{path.stem}-b{start:05d}", path=str(path), format=SCAN_FORMAT, start=start,
                                  end=end, size=size * (end - start) // max(batches, 1), name=path.name))
    return units


def read_unit_batches(unit: FileUnit, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
    """The unit's record batches; a shard that cannot be read raises ShardInputError naming it."""
    with _open(unit.path, columns) as reader:
        for index in range(unit.start, unit.end):
            try:
                batch = reader.get_batch(index)
            except (OSError, pa.ArrowException) as e:
                raise ShardInputError(f"cannot read record batch {index} of shard {unit.path}: {e}") from None
            plain = _without_views(batch.schema)
            yield batch if plain is batch.schema else batch.cast(plain)


def input_listing(units: list[FileUnit]) -> Listing:
    """What a resumed run must find again: every shard's name, size and version (modification
    time), one look at each shard."""
    shards = {u.path: u.name for u in units}
    return sorted((name, (found := storage.stat(path)).size, found.version) for path, name in shards.items())


def input_record(units: list[FileUnit], unit_bytes: int) -> dict:
    """What a stage's fingerprint records of its input: every shard (input_listing), and the unit
    size used where it is smaller than the configured ``unit_bytes``."""
    listing = input_listing(units)
    return {"input": listing, **unit_size_record(sum(size for _, size, _ in listing), unit_bytes)}
