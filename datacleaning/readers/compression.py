"""Compressed input: gzip, zstd, bzip2 and xz streams, decoded up to their first fault.

Every reader of a line- or file-based layout (JSON lines, JSON, CSV/TSV, text, HTML) reads its file
through :func:`open_decompressed`, so each layout takes each compression the same way. WARC files
carry their own compression, which fastwarc reads.
"""
from __future__ import annotations

import bz2
import io
import lzma
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import zstandard

from datacleaning import storage
from datacleaning.document import Quarantined

# Name of each compression a file name may end in, and how a stream of it is decoded: a new
# decoder per frame (gzip member, zstd frame, bzip2 stream, xz stream), and the bytes allowed
# between frames (gzip and xz pad with NULs).
DECODERS: dict[str, tuple[Callable[[], object], bytes]] = {
    "gz": (lambda: zlib.decompressobj(wbits=31), b"\0"),
    "zst": (lambda: zstandard.ZstdDecompressor().decompressobj(), b""),
    "bz2": (bz2.BZ2Decompressor, b""),
    "xz": (lambda: lzma.LZMADecompressor(format=lzma.FORMAT_XZ), b"\0"),
}
SUFFIXES = ((".gz", "gz"), (".zst", "zst"), (".zstd", "zst"), (".bz2", "bz2"), (".xz", "xz"))
_DECODE_ERRORS = (zlib.error, zstandard.ZstdError, OSError, EOFError, lzma.LZMAError)
# A deflate stream (gzip) checks its data only at the end of a member: a damaged byte before then
# can decode to wrong text without an error, and this is the first sign of it.
_CHECKSUM_FAILED = re.compile(r"incorrect (?:data|length) check")
# Compressed bytes given to a decoder at a time: what decoded before a fault in the same call is
# lost with it (see _Frames._decompress); at this size, feeding costs about 1 ms per compressed MB.
_PIECE = 256


def split_format(fmt: str) -> tuple[str, str]:
    """(layout, compression) of a format name such as ``jsonl.gz`` (compression "" when none)."""
    layout, _, compression = fmt.partition(".")
    return layout, compression


class _Frames(io.RawIOBase):
    """Concatenated frames (zstd frames, gzip members, bzip2 or xz streams) as one stream of decompressed bytes, which ends at
    the first fault (bytes that are no frame, a frame the file ends inside) after delivering every
    byte decoded before it; ``fault`` then holds the compressed offset of the frame that could not
    be decoded, and why.

    zstandard's own stream reader ends quietly at a cut, and gzip.GzipFile raises and loses what it
    decoded in the same read; the input is fed in small pieces so that a fault inside a frame loses
    nothing of the output decoded before it (gzip) or only the block it corrupts (zstd, bzip2, xz).
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
        parts: list[bytes] = []
        start = self._read  # file offset of data[0]
        self._read += len(data)
        pos = 0
        try:
            while pos < len(data):
                if self._decoder is None:
                    while pos < len(data) and data[pos] in self._padding:
                        pos += 1
                    if pos == len(data):
                        break
                    self._decoder, self._frame_start = self._new_decoder(), start + pos
                piece = data[pos:pos + _PIECE]
                self._decompress(piece, parts)
                pos += len(piece)
                if self._decoder.eof:
                    pos -= len(self._decoder.unused_data)
                    self._decoder = None
        except _DECODE_ERRORS as e:
            if _CHECKSUM_FAILED.search(str(e)):
                self.fault = (self._frame_start, f"corrupt: the gzip member from byte {self._frame_start} fails "
                                                 f"the checksum at its end (byte {self._read} or before), so the "
                                                 f"records read from it may hold corrupt text: {e}")
            else:
                self.fault = (self._frame_start, f"corrupt: the data from byte {self._frame_start} does not decode "
                                                 f"(found reading up to byte {self._read}): {e}")
        return b"".join(parts)

    def _decompress(self, piece: bytes, parts: list[bytes]) -> None:
        """Append what ``piece`` decodes to. A decoder that raises keeps nothing of what the same
        call decoded before the fault; one that can be copied (zlib's: gzip) is given the piece
        again a byte at a time from its state before it, so a corrupt deflate stream loses no byte
        decoded before the fault. The others decode whole blocks, lost whole at a fault anyway."""
        saved = self._decoder.copy() if hasattr(self._decoder, "copy") else None
        try:
            parts.append(self._decoder.decompress(piece))
        except _DECODE_ERRORS:
            if saved is None:
                raise
            self._decoder = saved
            for i in range(len(piece)):
                parts.append(self._decoder.decompress(piece[i:i + 1]))
            raise


class Decompressed:
    """A file's decompressed bytes as a buffered stream (``stream``), its compressed position
    (``position``, for progress) and, once the stream has ended, ``fault``: None when the file
    decoded to its end, else (compressed offset of the frame that could not be decoded, why).
    An uncompressed file is its own stream and never faults."""

    def __init__(self, raw, compression: str):
        self.position = raw.tell
        if compression:
            self._frames = _Frames(raw, *DECODERS[compression])
            self.stream = io.BufferedReader(self._frames, buffer_size=1 << 20)
        else:
            self._frames = None
            self.stream = raw

    @property
    def fault(self) -> tuple[int, str] | None:
        return self._frames.fault if self._frames is not None else None


@contextmanager
def open_decompressed(path: str, compression: str) -> Iterator[Decompressed]:
    with storage.open_input(path) as raw:
        yield Decompressed(raw, compression)


def quarantined_fault(fault: tuple[int, str], unit, raw: bytes = b"") -> Quarantined:
    """The quarantine record of a stream's fault: at the compressed offset where decoding failed."""
    offset, error = fault
    return Quarantined(unit.path, offset, raw, f"{split_format(unit.format)[1]} stream {error}")


def read_whole(unit) -> tuple[bytes, Quarantined | None]:
    """The decompressed bytes of a file read as one unit, and the quarantine record of the fault
    that cut them short, if one did: the bytes are then those decoded before it (a JSON array's
    items before the cut count; a page or a text file cut short is not read)."""
    with open_decompressed(unit.path, split_format(unit.format)[1]) as source:
        data = source.stream.read()
        return data, None if source.fault is None else quarantined_fault(source.fault, unit)
