"""``datacleaning export``: a folder of shards (a stage's ``kept/``) as JSON lines or parquet files,
the formats training code and Hugging Face ``datasets`` read without us.

Output layout of ``DIR``::

    train-<unit>.jsonl.zst | .jsonl.gz | .jsonl | .parquet   one file per work unit (a run of
                  record batches of one input shard, about ``unit_bytes`` of it), written atomically
    stats.json    documents and characters written, the files
    manifest.json the fingerprint a resumed export must match
    .units/       completion records of the files written (what a rerun skips)
"""
from __future__ import annotations

import base64
import contextlib
import gzip
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import BinaryIO, Literal

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import zstandard

from datacleaning import storage
from datacleaning.errors import ConfigError
from datacleaning.execution import FileUnit, StageResult, UnitContext, load_done_stats, run_units, stop_signals
from datacleaning.logs import log_event
from datacleaning.manifest import STATS, Fingerprint, claim_output, exclusive_output, mark_complete, settings_digest
from datacleaning.shard_input import input_record, input_schema, plan_scan_units, read_unit_batches
from datacleaning.shards import atomic_file
from datacleaning.stages import status
from datacleaning.stats import merge_counters, write_stats
from datacleaning.storage import StoragePath

logger = logging.getLogger("datacleaning.export")

UNITS_DIR = ".units"
# Hugging Face datasets reads the files of a folder named train-* as its train split and nothing
# else, so `load_dataset(DIR)` leaves stats.json and manifest.json out (it would read them as data).
DATA_PREFIX = "train-"
DEFAULT_COLUMNS = ("id", "text", "source", "lang", "meta")
_SUFFIXES = {("jsonl", "zstd"): ".jsonl.zst", ("jsonl", "gzip"): ".jsonl.gz", ("jsonl", "none"): ".jsonl",
             ("parquet", "zstd"): ".parquet", ("parquet", "gzip"): ".parquet", ("parquet", "none"): ".parquet"}


@dataclass(frozen=True)
class ExportSettings:
    """``compression`` is the file's own for JSON lines (zstd: ``.jsonl.zst``) and parquet's
    column compression for parquet."""

    format: Literal["jsonl", "parquet"] = "jsonl"
    compression: Literal["zstd", "gzip", "none"] = "zstd"
    columns: tuple[str, ...] = DEFAULT_COLUMNS
    unit_bytes: int = 256 << 20


@dataclass
class ExportUnitProcessor:
    output: StoragePath
    settings: ExportSettings
    schema: pa.Schema  # of the exported columns

    def __call__(self, unit: FileUnit, context: UnitContext) -> dict:
        settings = self.settings
        target = self.output / (DATA_PREFIX + unit.id + _SUFFIXES[settings.format, settings.compression])
        documents = chars = 0
        with atomic_file(target) as f:
            if settings.format == "parquet":
                writer = None
                compression = settings.compression if settings.compression != "none" else None
                for batch in read_unit_batches(unit, list(settings.columns)):
                    context.check_stop()
                    writer = writer or pq.ParquetWriter(f, batch.schema, compression=compression)
                    writer.write_batch(batch)
                    documents, chars = documents + batch.num_rows, chars + _chars(batch)
                if writer is None:  # a unit of no rows still gives a readable (empty) file
                    writer = pq.ParquetWriter(f, self.schema, compression=compression)
                writer.close()
            else:
                with _compressed(f, settings.compression) as stream:
                    for batch in read_unit_batches(unit, list(settings.columns)):
                        context.check_stop()
                        stream.write(b"".join(orjson.dumps(row, default=_json_value) + b"\n"
                                              for row in batch.to_pylist()))
                        documents, chars = documents + batch.num_rows, chars + _chars(batch)
        context.progress(unit.size)
        return {"documents": documents, "chars": chars}


def _json_value(value):
    """A value JSON has no type for: bytes (a quarantine row's ``raw``) as base64, which reads back
    byte for byte (parquet keeps them as binary)."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _holds_empty_struct(kind: pa.DataType) -> bool:
    if pa.types.is_struct(kind):
        return kind.num_fields == 0 or any(_holds_empty_struct(kind.field(i).type) for i in range(kind.num_fields))
    return pa.types.is_list(kind) and _holds_empty_struct(kind.value_type)


def _chars(batch: pa.RecordBatch) -> int:
    if "text" not in batch.schema.names:
        return 0
    return pc.sum(pc.utf8_length(batch.column("text"))).as_py() or 0


@contextlib.contextmanager
def _compressed(f, compression: str) -> Iterator[BinaryIO]:
    """The binary file ``f`` seen through a compressor (or none), finished when the block ends."""
    if compression == "none":
        yield f
        return
    if compression == "zstd":
        stream = zstandard.ZstdCompressor(level=3).stream_writer(f, closefd=False)
    else:
        stream = gzip.GzipFile(fileobj=f, mode="wb", compresslevel=6, mtime=0)
    with stream:
        yield stream


def fingerprint(settings: ExportSettings, units: list[FileUnit]) -> Fingerprint:
    relevant = {"settings": asdict(settings), **input_record(units, settings.unit_bytes)}
    return settings_digest(relevant)


def run_export(input_dir: str | os.PathLike, output: str | os.PathLike, settings: ExportSettings, *,
               workers: int = 1, progress: bool = True) -> StageResult:
    """Export the shards in ``input_dir`` into ``output`` (local paths or URLs); resumes an export
    interrupted there."""
    if workers < 1 or settings.unit_bytes < 1:
        raise ConfigError(f"workers and unit bytes must be 1 or more, not {workers} and {settings.unit_bytes}")
    output = storage.as_path(output)
    storage.refuse_overlap([input_dir], output)
    started = time.time()
    schema = input_schema(input_dir, "export", ())
    missing = [c for c in settings.columns if c not in schema.names]
    if missing:
        raise ConfigError(f"the shards in {input_dir} have no column {', '.join(missing)} "
                          f"(they have {', '.join(schema.names)})")
    empty = [c for c in settings.columns if _holds_empty_struct(schema.field(c).type)]
    if settings.format == "parquet" and empty:
        raise ConfigError(f"column {', '.join(empty)} holds a struct without fields (nothing was measured into "
                          f"it), which parquet cannot store: leave it out of --columns or export jsonl")
    units = plan_scan_units(input_dir, settings.unit_bytes)
    digest = fingerprint(settings, units)
    with stop_signals, exclusive_output(output):
        finished = claim_output(output, "export", digest)
        if finished is not None:
            return StageResult.already_complete(finished, len(units))
        log_event(logger, "start", units=len(units), format=settings.format, output=output)
        exported = pa.schema([schema.field(c) for c in settings.columns])
        outcome = run_units(units, ExportUnitProcessor(output, settings, exported), state_dir=output / UNITS_DIR,
                            workers=workers, description="export", show_progress=progress)
        done = load_done_stats(output / UNITS_DIR, units)
        stats = {"documents": 0, "chars": 0, **merge_counters(done)}
        stats.update(status=status(outcome),
                     files=len(done), format=settings.format, compression=settings.compression,
                     columns=list(settings.columns), failed_units=outcome.failed,
                     wall_seconds=round(time.time() - started, 3))
        write_stats(output / STATS, stats)
        if outcome.ok:
            mark_complete(output, "export", digest)
        log_event(logger, "finish", status=stats["status"], documents=stats["documents"], files=stats["files"])
        return StageResult(stats, outcome)
