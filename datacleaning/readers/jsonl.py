"""JSON lines: plain (split into line-aligned byte ranges), gzip and zstd (one unit per file)."""
from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Callable, Iterator

import orjson
import zstandard

from datacleaning.document import Document, Quarantined
from datacleaning.executor import WorkUnit
from datacleaning.readers.records import ReaderOptions, RecordError, record_to_document

Progress = Callable[[int], None]
_PROGRESS_EVERY = 1 << 20


def _parse_line(line: bytes, offset: int, path: str, name: str, options: ReaderOptions) -> Document | Quarantined:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as e:
        return Quarantined(path, offset, line, f"invalid JSON: {e}")
    if not isinstance(record, dict):
        return Quarantined(path, offset, line, f"JSON value is {type(record).__name__}, not an object")
    try:
        return record_to_document(record, options, f"{name}:{offset}", name)
    except RecordError as e:
        return Quarantined(path, offset, line, str(e))


def _iter_lines(stream, path: str, name: str, start: int, end: int | None, options: ReaderOptions,
                position: Callable[[], int], progress: Progress) -> Iterator[Document | Quarantined]:
    offset = start
    reported = position()
    while end is None or offset < end:
        line = stream.readline()
        if not line:
            break
        if line.strip():
            yield _parse_line(line, offset, path, name, options)
        offset += len(line)
        if position() - reported >= _PROGRESS_EVERY:
            now = position()
            progress(now - reported)
            reported = now
    progress(position() - reported)


def read_plain(unit: WorkUnit, options: ReaderOptions, progress: Progress) -> Iterator[Document | Quarantined]:
    """Lines that *start* inside ``[unit.start, unit.end)`` belong to the unit."""
    name = os.path.basename(unit.path)
    with open(unit.path, "rb") as f:
        start = unit.start
        if start > 0:
            f.seek(start - 1)
            if f.read(1) != b"\n":
                start += len(f.readline())
        yield from _iter_lines(f, unit.path, name, start, unit.end, options, f.tell, progress)


def read_compressed(unit: WorkUnit, options: ReaderOptions, progress: Progress) -> Iterator[Document | Quarantined]:
    """A whole gzip or zstd file; a truncated or corrupt stream ends in one quarantine record."""
    name = os.path.basename(unit.path)
    with open(unit.path, "rb") as raw:
        if unit.format == "jsonl.gz":
            stream = gzip.GzipFile(fileobj=raw, mode="rb")
        else:
            reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
            stream = io.BufferedReader(reader, buffer_size=1 << 20)
        lines = _iter_lines(stream, unit.path, name, 0, None, options, raw.tell, progress)
        try:
            for item in lines:
                yield item
        except (EOFError, OSError, zlib.error, zstandard.ZstdError) as e:
            # The offset is in compressed bytes: decompression stopped there.
            yield Quarantined(unit.path, raw.tell(), b"", f"corrupt or truncated {unit.format} stream: {e}")
