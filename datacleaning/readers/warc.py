"""WARC and WET files: HTML responses turned into text by Resiliparse, WET conversions taken as is.

Request, metadata and warcinfo records, and responses that are not text (images, PDFs), are not
documents; they are counted as skipped records in the stage's stats.
"""
from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator

import brotli
from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType
from resiliparse.parse.encoding import bytes_to_str, detect_encoding

from datacleaning import storage
from datacleaning.document import QUARANTINE_HEAD_BYTES, Document, Quarantined
from datacleaning.errors import RecordError
from datacleaning.execution import FileUnit
from datacleaning.readers.page import binary_page, decoded_page, page_text
from datacleaning.readers.records import ReaderOptions, page_record, record_to_document

_DOCUMENT_TYPES = WarcRecordType.response | WarcRecordType.resource | WarcRecordType.conversion
_HTML_TYPES = ("text/html", "application/xhtml")
# How an HTML page may open, for a response that names no Content-Type (lowercase, after white space).
_HTML_OPENINGS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<title")
_COMPRESSED_MAGIC = (b"\x1f\x8b", b"\x28\xb5\x2f\xfd", b"\x04\x22\x4d\x18")  # gzip, zstd, lz4
_GZIP_MEMBER = b"\x1f\x8b\x08"  # a gzip member's magic and its method, deflate
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")  # the end of an HTTP message's headers, line ends as stored
_HEADER_LIMIT = 1 << 20
_TRAILER_PEEK = 64
# The most an HTTP body may grow to when its Content-Encoding is undone (a page is rarely a tenth
# of it; a compressed bomb is cut off here).
_MAX_BODY_BYTES = 64 << 20


def _opens_as_html(payload: bytes) -> bool:
    """Whether a body that names no Content-Type opens as an HTML page does, after white space and
    any comments (a saved page's ``<!-- saved from url=... -->``, a CMS's banner)."""
    head = payload[:4096].lstrip()
    while head.startswith(b"<!--"):
        end = head.find(b"-->")
        if end < 0:
            return False
        head = head[end + 3:].lstrip()
    return head[:16].lower().startswith(_HTML_OPENINGS)


class SkippedRecord:
    """A WARC record that is not a document; the stage counts these."""

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason


def _header(record, name: str) -> str:
    return (record.headers.get(name) or "").strip().strip("<>")


def _content_type(record) -> str:
    if record.record_type == WarcRecordType.response and record.http_headers is not None:
        value = record.http_headers.get("Content-Type") or ""
    else:
        value = record.headers.get("Content-Type") or ""
    return value.split(";")[0].strip().lower()


def read_warc(unit: FileUnit, options: ReaderOptions,
              progress: Callable[[int], None]) -> Iterator[Document | Quarantined | SkippedRecord]:
    """An uncompressed WARC is cut into records by its own framing, so a record whose framing does
    not hold is quarantined alone and reading goes on at the next record; a compressed one is read
    by fastwarc up to its first fault."""
    reported = 0
    with storage.open_input(unit.path) as f:
        compressed = f.read(4).startswith(_COMPRESSED_MAGIC)
        f.seek(0)
        records = _stream_records(f, unit.path) if compressed else _framed_records(f, unit.path)
        for position, record in records:
            progress(position - reported)
            reported = position
            if isinstance(record, Quarantined):
                yield record
                continue
            try:
                item = _record_item(record, position, unit, options)
            except Exception as e:  # one hostile record must not end its file
                item = Quarantined(unit.path, position, b"", f"WARC record unreadable: {type(e).__name__}: {e}")
            yield item
    progress(unit.size - reported)


def _record_item(record: WarcRecord, position: int, unit: FileUnit,
                 options: ReaderOptions) -> Document | Quarantined | SkippedRecord:
    if not record.record_type & _DOCUMENT_TYPES:
        return SkippedRecord(f"warc {record.record_type}")
    if _header(record, "WARC-Target-URI").startswith("metadata:"):  # wget's log and arguments
        return SkippedRecord("warc resource about the crawl itself (metadata: URI)")
    block = record.reader.read()
    if len(block) < record.content_length:
        return Quarantined(unit.path, position, block[:QUARANTINE_HEAD_BYTES],
                           f"truncated WARC record: {len(block)} of {record.content_length} bytes")
    payload = block
    if record.is_http:
        raw = block[:QUARANTINE_HEAD_BYTES]
        record.set_bytes_content(_crlf_http_head(block))
        # The record holds its own copy now: a large body is not kept twice while its payload is read.
        del block, payload
        try:
            record.parse_http()
        except OSError as e:
            return Quarantined(unit.path, position, raw, f"HTTP message unreadable: {e}")
        payload = record.reader.read()
    status = record.http_headers.status_code if record.http_headers is not None else None
    if status and not 200 <= status < 300:  # error pages and redirects: the server's text, not the page's
        return SkippedRecord(f"HTTP {status // 100}xx response")
    content_type = _content_type(record)
    if record.http_headers is not None:
        try:
            payload = http_body(payload, record.http_headers)
        except ValueError as e:
            return Quarantined(unit.path, position, payload[:QUARANTINE_HEAD_BYTES], str(e))
    if not content_type and _opens_as_html(payload):
        content_type = "text/html"
    title = ""
    try:
        textual = record.record_type == WarcRecordType.conversion or content_type.startswith(("text/plain", *_HTML_TYPES))
        if textual and binary_page(payload):
            return Quarantined(unit.path, position, payload[:QUARANTINE_HEAD_BYTES],
                               f"binary content (NUL byte) in a {content_type or 'text'} record")
        if record.record_type == WarcRecordType.conversion or content_type.startswith("text/plain"):
            text = bytes_to_str(payload, detect_encoding(payload))
        elif content_type.startswith(_HTML_TYPES):
            text, title = page_text(decoded_page(payload, getattr(record, "http_charset", None)),
                                options.html_extractor)
        else:
            return SkippedRecord(f"non-text {content_type or 'unknown'} payload")
    except Exception as e:  # extraction of one hostile page must not stop the file
        return Quarantined(unit.path, position, payload[:QUARANTINE_HEAD_BYTES], f"text extraction failed: {e}")
    page = page_record(text, title, url=_header(record, "WARC-Target-URI"), warc_date=_header(record, "WARC-Date"),
                       content_type=content_type)
    doc_id = _header(record, "WARC-Record-ID") or f"{unit.name}:{position}"
    try:
        return record_to_document(page, options, doc_id, unit.name, text_field="text")
    except RecordError as e:
        return Quarantined(unit.path, position, payload[:QUARANTINE_HEAD_BYTES], str(e))


def _crlf_http_head(block: bytes) -> bytes:
    """An HTTP message with its status line and headers ended by CRLF, as fastwarc reads them:
    some crawlers store them with bare line feeds, whose body fastwarc would read as more headers."""
    if not block.startswith(b"HTTP/"):
        return block
    blank = _BLANK_LINE.search(block, 0, _HEADER_LIMIT)
    if blank is None or blank.group() == b"\r\n\r\n":
        return block
    head = block[:blank.start()].replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return head + b"\r\n\r\n" + block[blank.end():]


def http_body(payload: bytes, headers) -> bytes:
    """An HTTP body as its server meant it, where the crawler stored it as sent: chunks joined
    (Transfer-Encoding: chunked, whose size lines would run into the text) and gzip, deflate or
    brotli undone (Content-Encoding). Bytes the headers misdescribe (a body stored already
    decoded under its original headers) are taken as they are; ValueError for a body that grows
    past _MAX_BODY_BYTES."""
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        payload = _dechunked(payload) or payload
    coding = (headers.get("Content-Encoding") or "").strip().lower()
    body = None
    if coding in ("gzip", "x-gzip", "deflate"):
        # wbits 47: gzip or zlib framing, told from the header; raw deflate, which some servers
        # send as "deflate", after. A gzip or zlib stream cut short (a crawler's size limit) is
        # the page as far as it came; raw deflate has no header to vouch for bytes decoded
        # without an end, so such a stream is not one.
        for wbits in (47, -15) if coding == "deflate" else (47,):
            decoder = zlib.decompressobj(wbits)
            try:
                decoded = decoder.decompress(payload, _MAX_BODY_BYTES + 1)
            except zlib.error:
                continue
            if decoder.eof or len(decoded) > _MAX_BODY_BYTES or (wbits == 47 and decoded):
                body = decoded
                break
    elif coding == "br":
        try:
            body = brotli.Decompressor().process(payload, output_buffer_limit=_MAX_BODY_BYTES + 1)
        except brotli.error:
            pass
    if body is None:
        return payload
    if len(body) > _MAX_BODY_BYTES:
        raise ValueError(f"HTTP body over {_MAX_BODY_BYTES >> 20} MB once its {coding} is undone")
    return body


def _dechunked(payload: bytes) -> bytes | None:
    """The chunks of a chunked body joined; None where the bytes are not chunks. A body the
    crawler cut short is its chunks as far as they came."""
    out, at = [], 0
    while True:
        end = payload.find(b"\r\n", at)
        if end < 0:
            return b"".join(out) if out else None  # cut inside a size line
        try:
            size = int(payload[at:end].split(b";")[0].strip(), 16)
        except ValueError:
            return None
        if size == 0:
            return b"".join(out)
        start = end + 2
        out.append(payload[start:start + size])
        if start + size > len(payload):
            return b"".join(out)
        at = start + size + 2


def _stream_records(f, path: str) -> Iterator[tuple[int, WarcRecord | Quarantined]]:
    """(offset, record) of every record of a compressed WARC file, read by fastwarc. A fault is one
    quarantine record at the gzip member it is in; in a file compressed record by record (as
    crawlers write them) reading goes on at the next member that holds a record, and in a file
    compressed as one stream, or with zstd or lz4, the fault ends the file."""
    start = 0
    while True:
        f.seek(start)
        position = None  # of the last record read
        try:
            for record in ArchiveIterator(f, parse_http=False):  # parsed record by record: _record_item
                position = record.stream_pos
                yield position, record
            return
        except OSError as e:
            fault = e
        # The member that failed is the one after the last record's, or the first one read.
        corrupt = start if position is None else _member_end(f, position)
        resume = _next_member(f, corrupt + 1) if corrupt is not None else None
        at = corrupt if corrupt is not None else position
        where = f"the gzip member at byte {corrupt}" if corrupt is not None else f"after the record at byte {position}"
        then = f"; reading goes on at byte {resume}" if resume is not None else "; the rest of the file is not read"
        f.seek(at)
        raw = f.read(QUARANTINE_HEAD_BYTES if resume is None else min(resume - at, QUARANTINE_HEAD_BYTES))
        yield at, Quarantined(path, at, raw, f"corrupt or truncated WARC, {where}: {fault}{then}")
        if resume is None:
            return
        start = resume


def _member_end(f, start: int) -> int | None:
    """Where the gzip member that starts at ``start`` ends; None where none starts there or it
    does not decode to its end."""
    f.seek(start)
    decoder, end = zlib.decompressobj(31), start
    while not decoder.eof:
        chunk = f.read(1 << 16)
        if not chunk:
            return None
        try:
            decoder.decompress(chunk)
        except zlib.error:
            return None
        end += len(chunk)
    return end - len(decoder.unused_data)


def _next_member(f, start: int) -> int | None:
    """Offset of the first gzip member at or after ``start`` that opens with a WARC record; None
    if none does."""
    f.seek(start)
    data, data_start = f.read(1 << 20), start
    while data:
        found = data.find(_GZIP_MEMBER)
        while found >= 0:
            f.seek(data_start + found)
            try:
                if zlib.decompressobj(31).decompress(f.read(1 << 16), 5) == b"WARC/":
                    return data_start + found
            except zlib.error:
                pass
            found = data.find(_GZIP_MEMBER, found + 1)
        data_start += len(data) - len(_GZIP_MEMBER) + 1
        f.seek(data_start)
        data = f.read(1 << 20)
        if len(data) < len(_GZIP_MEMBER):
            return None
    return None


def _framed_records(f, path: str) -> Iterator[tuple[int, WarcRecord | Quarantined]]:
    """(offset, record) of every record of an uncompressed WARC file, cut by the file's framing: a
    version line, header lines up to a blank line, a block of Content-Length bytes, blank lines.
    Where that does not hold (no version line, a length that is not a number or does not end the
    record where the next one starts, a file ending inside the record), the bytes from there to the
    next line that starts with ``WARC/`` are one quarantine record, and reading goes on there."""
    position = 0
    while True:
        position = _after_blank_lines(f, position)
        data, fault = _frame(f)
        if not data:
            return
        if fault is None:
            try:
                record = WarcRecord.from_bytes(data)
            except OSError as e:
                fault = f"invalid WARC record: {e}"
            else:
                yield position, record
                position += len(data)
                continue
        end = _next_record(f, position + 1)
        f.seek(position)
        raw = f.read(QUARANTINE_HEAD_BYTES if end is None else min(end - position, QUARANTINE_HEAD_BYTES))
        yield position, Quarantined(path, position, raw, fault)
        if end is None:
            return
        position = end


def _after_blank_lines(f, position: int) -> int:
    """The offset of the first line at or after ``position`` that is not blank; the file is left
    there."""
    f.seek(position)
    while (line := f.readline(_HEADER_LIMIT)) in (b"\r\n", b"\n"):
        position += len(line)
    f.seek(position)
    return position


def _frame(f) -> tuple[bytes, str | None]:
    """The bytes of the record at the file's position (through the blank lines after its block) and
    what is wrong with its framing, if anything; no bytes at the end of the file."""
    first = f.readline(_HEADER_LIMIT)
    if not first:
        return b"", None
    if not first.startswith(b"WARC/"):
        return first, "not a WARC record: no WARC/ version line where a record starts"
    lines, length = [first], None
    while lines[-1] not in (b"\r\n", b"\n"):
        line = f.readline(_HEADER_LIMIT)
        lines.append(line)
        if not line.endswith(b"\n"):
            cut = len(line) < _HEADER_LIMIT
            return b"".join(lines), ("truncated WARC record: the file ends inside its header" if cut
                                     else "WARC header line longer than 1 MiB")
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = value.strip()
    head = b"".join(lines)
    if length is None or not length.isdigit():
        return head, f"WARC Content-Length is not a number: {length!r}"
    block = f.read(int(length))
    if len(block) < int(length):
        return head + block, (f"truncated WARC record: the file ends {len(block)} bytes into its "
                              f"{int(length)}-byte block")
    # The block ends in the blank lines that end every record, or the next record or the file follow.
    after = f.read(_TRAILER_PEEK)
    rest = after.lstrip(b"\r\n")
    if not (after.startswith(b"\r\n\r\n") or not rest or rest.startswith(b"WARC/")):
        return head + block, f"WARC Content-Length {int(length)} does not end the record where a record ends"
    return head + block + after[:len(after) - len(rest)], None


def _next_record(f, start: int) -> int | None:
    """Offset of the first line at or after ``start`` that begins with ``WARC/``; None if none."""
    marker = b"\nWARC/"
    f.seek(start - 1)
    data, data_start = b"", start - 1
    while chunk := f.read(1 << 20):
        data += chunk
        found = data.find(marker)
        if found >= 0:
            return data_start + found + 1
        data_start += len(data) - len(marker) + 1
        data = data[-(len(marker) - 1):]
    return None
