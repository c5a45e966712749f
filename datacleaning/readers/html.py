"""HTML files (``.html``, ``.htm``): one document per file, the page's text as the WARC reader
makes it of an HTML response, its ``<title>`` kept in ``meta``."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import orjson

from datacleaning import storage
from datacleaning.document import Document, Quarantined
from datacleaning.executor import WorkUnit
from datacleaning.readers.page import decoded_page, page_text
from datacleaning.readers.records import ReaderOptions

_RAW_LIMIT = 65536


def read_html(unit: WorkUnit, options: ReaderOptions, progress: Callable[[int], None]) -> Iterator[Document | Quarantined]:
    with storage.open_input(unit.path) as f:
        data = f.read()
    progress(len(data))
    if b"\x00" in data:
        yield Quarantined(unit.path, data.index(b"\x00"), data[:_RAW_LIMIT], "binary content (NUL byte) in an HTML file")
        return
    try:
        text, title = page_text(decoded_page(data), options.warc_main_content)
    except Exception as e:  # one hostile page must not end the run
        yield Quarantined(unit.path, 0, data[:_RAW_LIMIT], f"text extraction failed: {type(e).__name__}: {e}")
        return
    yield Document(unit.name, text, source=unit.name, meta=orjson.dumps({"title": title}).decode() if title else "{}")
