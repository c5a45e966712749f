"""One entry point for reading a work unit, whatever its format."""
from __future__ import annotations

from collections.abc import Callable, Iterator

from datacleaning.document import Document, Quarantined
from datacleaning.executor import WorkUnit
from datacleaning.readers.discover import UNSUPPORTED
from datacleaning.readers.jsonl import read_compressed, read_plain
from datacleaning.readers.parquet import read_parquet
from datacleaning.readers.records import ReaderOptions
from datacleaning.readers.text import read_text
from datacleaning.readers.warc import SkippedRecord, read_warc

_READERS = {
    "jsonl": read_plain,
    "jsonl.gz": read_compressed,
    "jsonl.zst": read_compressed,
    "parquet": read_parquet,
    "text": read_text,
    "warc": read_warc,
}
_HEAD_BYTES = 4096


def _head(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read(_HEAD_BYTES)


def read_unit(unit: WorkUnit, options: ReaderOptions,
              progress: Callable[[int], None]) -> Iterator[Document | Quarantined | SkippedRecord]:
    """Stream a unit's records; a file that cannot be opened at all becomes one quarantine record."""
    if unit.format == UNSUPPORTED:
        progress(unit.size)
        yield Quarantined(unit.path, 0, b"", "unsupported file type (by its name); not read")
        return
    try:
        head = _head(unit.path)
    except OSError as e:
        progress(unit.size)
        yield Quarantined(unit.path, 0, b"", f"cannot open: {e}")
        return
    if unit.format == "jsonl" and b"\x00" in head and unit.start == 0:
        progress(unit.size)
        yield Quarantined(unit.path, 0, head, "binary content (NUL bytes) in a JSON lines file; not read")
        return
    try:
        yield from _READERS[unit.format](unit, options, progress)
    except OSError as e:
        yield Quarantined(unit.path, unit.start, b"", f"read error: {e}")
    except Exception as e:  # e.g. a corrupt parquet footer: one file's problem, not the run's
        yield Quarantined(unit.path, unit.start, b"", f"{type(e).__name__}: {e}")
