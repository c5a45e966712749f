"""JSON lines: plain (split into line-aligned byte ranges), gzip and zstd (one unit per file)."""
from __future__ import annotations

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


def _lines(stream, start: int, end: int | None, position: Callable[[], int],
           progress: Progress) -> Iterator[tuple[int, bytes]]:
    """(byte offset, line) of every non-blank line from ``start`` that starts before ``end``."""
    offset = start
    reported = position()
    while end is None or offset < end:
        line = stream.readline()
        if not line:
            break
        if line.strip():
            yield offset, line
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
        for offset, line in _lines(f, start, unit.end, f.tell, progress):
            yield _parse_line(line, offset, unit.path, name, options)


class _Frames(io.RawIOBase):
    """Concatenated zstd frames or gzip members as one stream of decompressed bytes, which ends at
    the first fault (bytes that are no frame, a frame the file ends inside) after delivering every
    byte decoded before it; ``fault`` then holds the compressed offset of the frame that could not
    be decoded, and why.

    zstandard's own stream reader ends quietly at a cut, and gzip.GzipFile raises and loses what it
    decoded in the same read; the input is fed in small pieces so that a fault inside a frame loses
    little of the output decoded just before it.
    """

    def __init__(self, raw, new_decoder: Callable[[], object], padding: bytes):
        self._raw = raw
        self._new_decoder = new_decoder
        self._padding = padding  # bytes allowed between frames (gzip: NULs)
        self._decoder = None  # None between frames
        self._frame_start = 0
        self._read = 0
        self._out = b""
        self._pos = 0
        self.fault: tuple[int, str] | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._pos >= len(self._out):
            if self.fault is not None:
                return 0
            chunk = self._raw.read(1 << 16)
            if not chunk:
                if self._decoder is not None:
                    self.fault = (self._frame_start, f"truncated: the file ({self._read} bytes) ends inside "
                                                     f"the frame that starts at byte {self._frame_start}")
                return 0
            self._out, self._pos = self._decode(chunk), 0
        n = min(len(buffer), len(self._out) - self._pos)
        buffer[:n] = self._out[self._pos:self._pos + n]
        self._pos += n
        return n

    def _decode(self, data: bytes) -> bytes:
        parts = []
        offset = self._read  # of data[0] in the file
        self._read += len(data)
        try:
            while data:
                if self._decoder is None:
                    rest = data.lstrip(self._padding)
                    offset += len(data) - len(rest)
                    data = rest
                    if not data:
                        break
                    self._decoder, self._frame_start = self._new_decoder(), offset
                parts.append(self._decoder.decompress(data))
                if not self._decoder.eof:
                    break
                offset += len(data) - len(self._decoder.unused_data)
                data = self._decoder.unused_data
                self._decoder = None
        except (zlib.error, zstandard.ZstdError) as e:
            self.fault = (self._frame_start, f"corrupt: the data from byte {self._frame_start} does not decode "
                                             f"(found reading up to byte {self._read}): {e}")
        return b"".join(parts)


_DECODERS = {
    "jsonl.gz": (lambda: zlib.decompressobj(wbits=31), b"\0"),
    "jsonl.zst": (lambda: zstandard.ZstdDecompressor().decompressobj(), b""),
}


def read_compressed(unit: WorkUnit, options: ReaderOptions, progress: Progress) -> Iterator[Document | Quarantined]:
    """A whole gzip or zstd file, read up to its first fault. Every line decoded before the fault
    is read; the fault is one quarantine record at the compressed offset of the frame that cannot
    be decoded, holding the line the fault cut short (record offsets are in decompressed bytes)."""
    name = unit.name
    with storage.open_input(unit.path) as raw:
        frames = _Frames(raw, *_DECODERS[unit.format])
        stream = io.BufferedReader(frames, buffer_size=1 << 20)
        cut = b""
        for offset, line in _lines(stream, 0, None, raw.tell, progress):
            if frames.fault is not None and not line.endswith(b"\n"):
                cut = line
            else:
                yield _parse_line(line, offset, unit.path, name, options)
        if frames.fault is not None:
            offset, error = frames.fault
            yield Quarantined(unit.path, offset, cut, f"{unit.format} stream {error}")
