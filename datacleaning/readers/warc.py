"""WARC and WET files: HTML responses turned into text by Resiliparse, WET conversions taken as is.

Request, metadata and warcinfo records, and responses that are not text (images, PDFs), are not
documents; they are counted as skipped records in the stage's stats.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

import orjson
from fastwarc.warc import ArchiveIterator, WarcRecordType
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding

from datacleaning import storage
from datacleaning.document import Document, Quarantined
from datacleaning.executor import WorkUnit
from datacleaning.readers.records import ReaderOptions

_DOCUMENT_TYPES = WarcRecordType.response | WarcRecordType.resource | WarcRecordType.conversion
_HTML_TYPES = ("text/html", "application/xhtml")


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


def read_warc(unit: WorkUnit, options: ReaderOptions,
              progress: Callable[[int], None]) -> Iterator[Document | Quarantined | SkippedRecord]:
    name = unit.name
    reported = 0
    with storage.open_input(unit.path) as f:
        try:
            for record in ArchiveIterator(f, parse_http=True):
                position = record.stream_pos
                progress(position - reported)
                reported = position
                if not record.record_type & _DOCUMENT_TYPES:
                    yield SkippedRecord(f"warc {record.record_type}")
                    continue
                content_type = _content_type(record)
                payload = record.reader.read()
                if len(payload) < record.content_length:
                    yield Quarantined(unit.path, position, payload[:65536],
                                      f"truncated WARC record: {len(payload)} of {record.content_length} bytes")
                    continue
                try:
                    if record.record_type == WarcRecordType.conversion or content_type.startswith("text/plain"):
                        text = bytes_to_str(payload, detect_encoding(payload))
                    elif content_type.startswith(_HTML_TYPES):
                        html = bytes_to_str(payload, getattr(record, "http_charset", None) or detect_encoding(payload))
                        text = extract_plain_text(html, main_content=options.warc_main_content)
                    else:
                        yield SkippedRecord(f"non-text {content_type or 'unknown'} payload")
                        continue
                except Exception as e:  # extraction of one hostile page must not stop the file
                    yield Quarantined(unit.path, position, payload[:65536], f"text extraction failed: {e}")
                    continue
                meta = {"url": _header(record, "WARC-Target-URI"), "warc_date": _header(record, "WARC-Date"),
                        "content_type": content_type}
                doc_id = _header(record, "WARC-Record-ID") or f"{name}:{position}"
                yield Document(doc_id, text, source=name, meta=orjson.dumps(meta).decode())
        except OSError as e:
            yield Quarantined(unit.path, reported, b"", f"corrupt or truncated WARC: {e}")
    progress(unit.size - reported)
