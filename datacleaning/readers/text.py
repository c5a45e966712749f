"""Plain text and Markdown files: one document per file."""
from __future__ import annotations

from collections.abc import Callable, Iterator

from datacleaning import storage
from datacleaning.document import Document, Quarantined
from datacleaning.executor import WorkUnit
from datacleaning.readers.records import ReaderOptions


def read_text(unit: WorkUnit, options: ReaderOptions, progress: Callable[[int], None]) -> Iterator[Document | Quarantined]:
    name = unit.name
    with storage.open_input(unit.path) as f:
        data = f.read()
    progress(len(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        yield Quarantined(unit.path, e.start, data, f"invalid UTF-8 at byte {e.start}: {e.reason}")
        return
    if "\x00" in text:
        yield Quarantined(unit.path, data.index(b"\x00"), data, "binary content (NUL byte) in a text file")
        return
    yield Document(name, text, source=name)
