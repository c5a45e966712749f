"""JSON lines: plain (split into line-aligned byte ranges), gzip and zstd (one unit per file)."""
from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterator

import orjson
import zstandard

from datacleaning import storage
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
    name = unit.name
    with storage.open_input(unit.path) as f:
        start = unit.start
        if start > 0:
            f.seek(start - 1)
            if f.read(1) != b"\n":
                start += len(f.readline())
        yield from _iter_lines(f, unit.path, name, start, unit.end, options, f.tell, progress)


class _ZstdFrames(io.RawIOBase):
    """Concatenated zstd frames as one stream, raising where the input ends inside a frame.

    zstandard's own stream reader ends quietly at a cut, which would drop a truncated file's
    tail without a trace.
    """

    def __init__(self, raw):
        self._raw = raw
        self._context = zstandard.ZstdDecompressor()
        self._frame = self._context.decompressobj()
        self._in_frame = False
        self._out = b""
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._pos >= len(self._out):
            chunk = self._raw.read(1 << 20)
            if not chunk:
                if self._in_frame:
                    raise EOFError("zstd stream ends inside a frame (truncated file)")
                return 0
            self._out, self._pos = self._decompress(chunk), 0
        n = min(len(buffer), len(self._out) - self._pos)
        buffer[:n] = self._out[self._pos:self._pos + n]
        self._pos += n
        return n

    def _decompress(self, data: bytes) -> bytes:
        parts = []
        while data:
            self._in_frame = True
            parts.append(self._frame.decompress(data))
            if not self._frame.eof:
                break
            data = self._frame.unused_data
            self._frame = self._context.decompressobj()
            self._in_frame = False
        return b"".join(parts)


def read_compressed(unit: WorkUnit, options: ReaderOptions, progress: Progress) -> Iterator[Document | Quarantined]:
    """A whole gzip or zstd file; a truncated or corrupt stream ends in one quarantine record."""
    name = unit.name
    with storage.open_input(unit.path) as raw:
        if unit.format == "jsonl.gz":
            stream = gzip.GzipFile(fileobj=raw, mode="rb")
        else:
            stream = io.BufferedReader(_ZstdFrames(raw), buffer_size=1 << 20)
        lines = _iter_lines(stream, unit.path, name, 0, None, options, raw.tell, progress)
        try:
            for item in lines:
                yield item
        except (EOFError, OSError, zlib.error, zstandard.ZstdError) as e:
            # The offset is in compressed bytes: decompression stopped there.
            yield Quarantined(unit.path, raw.tell(), b"", f"corrupt or truncated {unit.format} stream: {e}")
