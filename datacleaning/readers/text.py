"""Plain text and Markdown files: one document per file, in the encoding its bytes are in."""
from __future__ import annotations

from collections.abc import Callable, Iterator

from datacleaning.document import QUARANTINE_HEAD_BYTES, Document, Quarantined
from datacleaning.execution import FileUnit
from datacleaning.readers.compression import read_whole
from datacleaning.readers.encoding import detect_text_encoding, undetected_reason
from datacleaning.readers.records import ReaderOptions


def read_text(unit: FileUnit, options: ReaderOptions, progress: Callable[[int], None]) -> Iterator[Document | Quarantined]:
    data, fault = read_whole(unit)
    progress(unit.size)
    if fault is not None:
        yield fault
        return
    encoding = detect_text_encoding(data)
    if encoding is None:
        yield Quarantined(unit.path, 0, data[:QUARANTINE_HEAD_BYTES], undetected_reason(data))
        return
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        yield Quarantined(unit.path, e.start, data[:QUARANTINE_HEAD_BYTES], f"read as {encoding}, but not {encoding} at byte {e.start}: "
                                                    f"{e.reason}")
        return
    if "\x00" in text:
        offset = len(text[:text.index("\x00")].encode(encoding))
        yield Quarantined(unit.path, offset, data[:QUARANTINE_HEAD_BYTES], "binary content (NUL character) in a text file")
        return
    yield Document(unit.name, text, source=unit.name)
