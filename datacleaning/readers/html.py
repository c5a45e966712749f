"""HTML files (``.html``, ``.htm``): one document per file, the page's text as the WARC reader
makes it of an HTML response, its ``<title>`` kept in ``meta``."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import orjson
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding
from resiliparse.parse.html import HTMLTree

from datacleaning import storage
from datacleaning.document import Document, Quarantined
from datacleaning.executor import WorkUnit
from datacleaning.readers.records import ReaderOptions

_RAW_LIMIT = 65536


def page_text(html: str, main_content: bool) -> tuple[str, str]:
    """A decoded HTML page's (text, title): Resiliparse's rendering of it, with ``main_content``
    only what its main-content heuristics keep (menus and footers go at extraction)."""
    tree = HTMLTree.parse(html)
    return extract_plain_text(tree, main_content=main_content), (tree.title or "").strip()


def decoded_page(data: bytes, declared: str | None = None) -> str:
    """The page's bytes as text: in ``declared`` (an HTTP header's charset) if given, else in the
    encoding Resiliparse detects from the bytes and the page's own ``<meta charset>``."""
    return bytes_to_str(data, declared or detect_encoding(data))


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
