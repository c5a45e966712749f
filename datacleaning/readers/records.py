"""Turning an input record (a dict) into a Document, the same way for every format."""
from __future__ import annotations

from dataclasses import dataclass

import orjson

from datacleaning.document import Document
from datacleaning.readers.page import page_text


@dataclass(frozen=True)
class ReaderOptions:
    """How input records become documents: which fields hold the text, the id and the source.

    ``text_fields`` are tried in order; the first one present is the document text (the format our
    users come from uses ``content``; Common Crawl derived dumps use ``text`` or ``raw_content``).
    Every field not used here is kept in ``meta``.
    """

    text_fields: tuple[str, ...] = ("text", "content", "raw_content")
    id_field: str = "id"
    source_field: str = "source"
    # HTML (WARC responses, .html files): keep only the page's main content (menus and footers go
    # at extraction).
    warc_main_content: bool = True
    # A field holding a record's raw HTML (empty: none): its text becomes the document's, its
    # <title> joins meta as "title" unless the record has one.
    html_field: str = ""


class RecordError(ValueError):
    """A record that parsed but cannot become a document."""


def _json_default(value):
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return str(value)


def record_to_document(record: dict, fields: ReaderOptions, default_id: str, default_source: str) -> Document:
    """The record's document; any failure is a :class:`RecordError`, so that the reader quarantines
    this record alone and goes on with the next (one hostile record must not end its work unit)."""
    try:
        return _to_document(record, fields, default_id, default_source)
    except RecordError:
        raise
    except Exception as e:  # a failure no check below foresaw
        raise RecordError(f"{type(e).__name__}: {e}") from e


def _to_document(record: dict, fields: ReaderOptions, default_id: str, default_source: str) -> Document:
    if fields.html_field and fields.html_field in record:
        html = record.pop(fields.html_field)
        if not isinstance(html, str):
            raise RecordError(f"field {fields.html_field!r} is {type(html).__name__}, not a string")
        text, title = page_text(html, fields.warc_main_content)
        if title:
            record.setdefault("title", title)
    else:
        text_key = next((k for k in fields.text_fields if k in record), None)
        if text_key is None:
            raise RecordError(f"no text field (looked for {', '.join(fields.text_fields)})")
        text = record.pop(text_key)
        if not isinstance(text, str):
            raise RecordError(f"field {text_key!r} is {type(text).__name__}, not a string")
    doc_id = record.pop(fields.id_field, None)
    if doc_id is None or doc_id == "":
        doc_id = default_id
    elif not isinstance(doc_id, str):
        doc_id = str(doc_id)
    source = record.pop(fields.source_field, None)
    if not isinstance(source, str) or not source:
        if source is not None:
            record[fields.source_field] = source
        source = default_source
    try:
        meta = orjson.dumps(record, default=_json_default).decode() if record else "{}"
    except orjson.JSONEncodeError as e:  # orjson reads 1024 levels of nesting but writes only 254
        raise RecordError(f"the record's other fields cannot be kept as JSON meta: {e}") from e
    return Document(doc_id, text, source=source, meta=meta)
