"""JSON lines: plain (split into line-aligned byte ranges), or compressed (one unit per file)."""
from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import orjson

from datacleaning import storage
from datacleaning.document import Document, Quarantined
from datacleaning.errors import RecordError
from datacleaning.execution import FileUnit
from datacleaning.readers.compression import open_decompressed, quarantined_fault, split_format
from datacleaning.readers.encoding import detect_text_encoding
from datacleaning.readers.records import ReaderOptions, record_to_document

Progress = Callable[[int], None]
_PROGRESS_EVERY = 1 << 20
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# The encodings other than UTF-8 that JSON lines are read in, as detect_text_encoding names them.
JSON_LEGACY_ENCODINGS = frozenset({"gbk", "gb18030", "big5", "big5hkscs"})
# The head of a file its encoding is told from: a few lines' worth, read again by every unit.
_SNIFF_BYTES = 1 << 16


def file_encoding(path: str, compression: str | None) -> str | None:
    """The codec of a JSON file's lines when they are not UTF-8 (Chinese dumps still come in GBK,
    GB18030 or Big5), told from the file's head as text files are; None for UTF-8, and for a head
    in no encoding recognised (its lines then fail as invalid UTF-8, each quarantined)."""
    with open_decompressed(path, compression) as source:
        head = source.stream.read(_SNIFF_BYTES)
    encoding = detect_text_encoding(head)
    # JSON is UTF-8 by its standard; the Chinese encodings are what real dumps break it with. A
    # detector's other answers (a Windows code page for a few Latin-1 bytes) would be a guess.
    return encoding if encoding in JSON_LEGACY_ENCODINGS else None


def _parse_line(line: bytes, offset: int, path: str, name: str, options: ReaderOptions,
                file_encoding: str | None) -> Document | Quarantined:
    # A file told to be GBK or Big5 by its head may go on in UTF-8 (dumps concatenated): a line
    # that is valid UTF-8 is read as such; Chinese in GBK or Big5 almost never is. The other way
    # round too: a head in UTF-8 (or ASCII alone) may be followed by GBK or Big5 lines, each then
    # told by its own bytes (looked at only where the line fails as UTF-8: most never do).
    encoding = None if file_encoding is None or line.isascii() or _is_utf8(line) else file_encoding
    record = _json_value(line, encoding, "the encoding of the file's head")
    if isinstance(record, _Fault) and encoding is None and not _is_utf8(line):
        own = detect_text_encoding(line)
        record = _json_value(line, own, "the encoding its bytes look like") if own in JSON_LEGACY_ENCODINGS \
            else _Fault("holds bytes that are not UTF-8")
    if isinstance(record, _Fault):
        return Quarantined(path, offset, line, record.reason)
    if not isinstance(record, dict):
        return Quarantined(path, offset, line, f"JSON value is {type(record).__name__}, not an object")
    try:
        return record_to_document(record, options, f"{name}:{offset}", name)
    except RecordError as e:
        return Quarantined(path, offset, line, str(e))


@dataclass(frozen=True)
class _Fault:
    """Why a line is not a JSON value (any value, null included, is one)."""

    reason: str


def _json_value(line: bytes, encoding: str | None, told_by: str):
    """The line's JSON value in ``encoding`` (None: UTF-8), or the _Fault that it is not one."""
    try:
        return parse_json(line, encoding)
    except UnicodeDecodeError:
        return _Fault(f"holds bytes that are neither UTF-8 nor {encoding}, {told_by}")
    except orjson.JSONDecodeError as e:
        return _Fault(f"invalid JSON: {e}")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse_json(data: bytes, encoding: str | None):
    """The JSON value of ``data`` (a line, or a whole file) in ``encoding`` (None: UTF-8, a byte
    order mark allowed), read by orjson, or by Python's json module where orjson reads it wrong or
    not at all (as_python_wrote_it, past_64_bits). Raises orjson.JSONDecodeError where neither reads
    it, UnicodeDecodeError where the bytes are not in ``encoding``."""
    try:
        # A UTF-8 byte order mark opens the files some Windows tools write; orjson refuses it.
        value = orjson.loads(data.removeprefix(codecs.BOM_UTF8) if encoding is None else data.decode(encoding))
    except orjson.JSONDecodeError:
        value = as_python_wrote_it(data, encoding)
        if value is None:
            raise
        return value
    if past_64_bits(value):  # orjson reads an integer past 64 bits as a float; Python exactly
        return as_python_wrote_it(data, encoding) or value
    return value


def as_python_wrote_it(line: bytes, encoding: str | None):
    """JSON (a line, or a whole file) that orjson refuses but Python's json module wrote, and reads: NaN and Infinity
    (its default for a float without a JSON value) and half of a surrogate pair in a string (an
    emoji cut in two, escaped as \\ud83d), each half then U+FFFD, the mark of text that could not
    be decoded (the mojibake filter counts it; Arrow cannot hold a lone surrogate). None when it
    is not JSON that way either."""
    try:
        return replace_lone_surrogates(json.loads(line.decode(encoding or "utf-8-sig")))
    except (ValueError, RecursionError):  # RecursionError: nested deeper than Python recurses
        return None


def past_64_bits(value) -> bool:
    """Whether orjson read a number at or past 2**64 (as a float, since it reads integers of 64
    bits only): then the text is read again by Python's json module, which keeps integers exact."""
    pending = [value]  # walked without recursion: orjson reads 1,023 levels, Python recurses 1,000
    while pending:
        value = pending.pop()
        if type(value) is float:
            if abs(value) >= 18446744073709551616.0:
                return True
        elif type(value) is dict:
            pending.extend(value.values())
        elif type(value) is list:
            pending.extend(value)
    return False


def replace_lone_surrogates(value):
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [replace_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {replace_lone_surrogates(key): replace_lone_surrogates(item) for key, item in value.items()}
    return value


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


def read_plain(unit: FileUnit, options: ReaderOptions, progress: Progress) -> Iterator[Document | Quarantined]:
    """Lines that *start* inside ``[unit.start, unit.end)`` belong to the unit."""
    name = unit.name
    encoding = file_encoding(unit.path, None)
    with storage.open_input(unit.path) as f:
        start = unit.start
        if start > 0:
            f.seek(start - 1)
            if f.read(1) != b"\n":
                start += len(f.readline())
        for offset, line in _lines(f, start, unit.end, f.tell, progress):
            yield _parse_line(line, offset, unit.path, name, options, encoding)


def read_jsonl(unit: FileUnit, options: ReaderOptions, progress: Progress) -> Iterator[Document | Quarantined]:
    reader = read_compressed if split_format(unit.format)[1] else read_plain
    yield from reader(unit, options, progress)


def read_compressed(unit: FileUnit, options: ReaderOptions, progress: Progress) -> Iterator[Document | Quarantined]:
    """A whole compressed file, read up to its first fault. Every line decoded before the fault
    is read; the fault is one quarantine record at the compressed offset of the frame that cannot
    be decoded, holding the line the fault cut short (record offsets are in decompressed bytes)."""
    compression = split_format(unit.format)[1]
    encoding = file_encoding(unit.path, compression)
    with open_decompressed(unit.path, compression) as source:
        cut = b""
        for offset, line in _lines(source.stream, 0, None, source.position, progress):
            if source.fault is not None and not line.endswith(b"\n"):
                cut = line
            else:
                yield _parse_line(line, offset, unit.path, unit.name, options, encoding)
        if source.fault is not None:
            yield quarantined_fault(source.fault, unit, cut)
