"""The dedup stage's input: a folder of Arrow shards (the clean stage's ``kept/``), cut into work
units of consecutive record batches of one shard, checked before anything runs."""
from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from datacleaning.executor import WorkUnit
from datacleaning.readers.discover import InputError
from datacleaning.shards import shard_paths

REQUIRED_COLUMNS = ("id", "text", "lang")
SCAN_FORMAT = "arrow-batches"


class DedupInputError(InputError):
    """The input folder cannot be deduplicated as it is (no shards, unreadable shard, missing column)."""


@contextlib.contextmanager
def _open(path: Path) -> Iterator[pa.ipc.RecordBatchFileReader]:
    # Read, not memory-mapped: pages of a mapped file count in the process's resident memory
    # while it stays open, so a large shard would grow it with every batch read.
    try:
        source = pa.OSFile(str(path))
        reader = pa.ipc.open_file(source)
    except (OSError, pa.ArrowException) as e:
        raise DedupInputError(f"cannot read shard {path}: {e}") from None
    with source:
        yield reader


def input_schema(input_dir: Path) -> pa.Schema:
    """The schema every shard shares; raises DedupInputError naming the shard that is unreadable,
    lacks a required column or differs from the others."""
    paths = shard_paths(input_dir)
    if not paths:
        raise DedupInputError(f"no .arrow shards in {input_dir} (dedup reads the clean stage's kept/ folder)")
    schema = None
    for path in paths:
        with _open(path) as reader:
            found = reader.schema
        missing = [c for c in REQUIRED_COLUMNS if c not in found.names]
        if missing:
            raise DedupInputError(f"shard {path} has no {', '.join(missing)} column (dedup needs {REQUIRED_COLUMNS})")
        if schema is None:
            schema = found
        elif not found.equals(schema):
            raise DedupInputError(f"shard {path} has schema {found}, unlike the shards before it ({schema})")
    return schema


def plan_scan_units(input_dir: Path, unit_bytes: int) -> list[WorkUnit]:
    """Units of about ``unit_bytes`` of shard, in input order (shards by name, batches in order):
    a document's position in the run follows this order."""
    units = []
    for path in shard_paths(input_dir):
        with _open(path) as reader:
            batches = reader.num_record_batches
        size = path.stat().st_size
        pieces = max(1, min(batches, math.ceil(size / unit_bytes)))
        for piece in range(pieces):
            start, end = batches * piece // pieces, batches * (piece + 1) // pieces
            units.append(WorkUnit(id=f"{path.stem}-b{start:05d}", path=str(path), format=SCAN_FORMAT, start=start,
                                  end=end, size=size * (end - start) // max(batches, 1), name=path.name))
    return units


def read_unit_batches(unit: WorkUnit, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
    """The unit's record batches; a shard that cannot be read raises DedupInputError naming it."""
    with _open(Path(unit.path)) as reader:
        for index in range(unit.start, unit.end):
            try:
                batch = reader.get_batch(index)
            except (OSError, pa.ArrowException) as e:
                raise DedupInputError(f"cannot read record batch {index} of shard {unit.path}: {e}") from None
            yield batch.select(columns) if columns else batch


def input_listing(units: list[WorkUnit]) -> list[tuple[str, int]]:
    """What a resumed run must find again: every shard's name and size."""
    return sorted({(u.name, os.path.getsize(u.path)) for u in units})
