"""HTML files (``.html``, ``.htm``): one document per file, the page's text as the WARC reader
makes it of an HTML response, its ``<title>`` kept in ``meta``."""
from __future__ import annotations

from collections.abc import Callable, Iterator

from datacleaning.document import QUARANTINE_HEAD_BYTES, Document, Quarantined
from datacleaning.errors import RecordError
from datacleaning.execution import FileUnit
from datacleaning.readers.compression import read_whole
from datacleaning.readers.page import binary_page, decoded_page, page_text
from datacleaning.readers.records import ReaderOptions, page_record, record_to_document


def read_html(unit: FileUnit, options: ReaderOptions, progress: Callable[[int], None]) -> Iterator[Document | Quarantined]:
    data, fault = read_whole(unit)
    progress(unit.size)
    if fault is not None:
        yield fault
        return
    if binary_page(data):
        yield Quarantined(unit.path, data.index(b"\x00"), data[:QUARANTINE_HEAD_BYTES], "binary content (NUL byte) in an HTML file")
        return
    try:
        text, title = page_text(decoded_page(data), options.html_extractor)
    except Exception as e:  # one hostile page must not end the run
        yield Quarantined(unit.path, 0, data[:QUARANTINE_HEAD_BYTES], f"text extraction failed: {type(e).__name__}: {e}")
        return
    try:
        yield record_to_document(page_record(text, title), options, unit.name, unit.name, text_field="text")
    except RecordError as e:
        yield Quarantined(unit.path, 0, data[:QUARANTINE_HEAD_BYTES], str(e))
