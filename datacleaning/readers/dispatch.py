"""One entry point for reading a work unit, whatever its format."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import orjson

from datacleaning import storage
from datacleaning.document import Document, Quarantined
from datacleaning.execution import FileUnit
from datacleaning.readers.compression import split_format
from datacleaning.readers.csv_file import read_csv
from datacleaning.readers.discover import UNSUPPORTED
from datacleaning.readers.encoding import detect_text_encoding
from datacleaning.readers.html import read_html
from datacleaning.readers.json_file import read_json
from datacleaning.readers.jsonl import read_jsonl
from datacleaning.readers.parquet import read_parquet
from datacleaning.readers.records import ReaderOptions
from datacleaning.readers.text import read_text
from datacleaning.readers.warc import SkippedRecord, read_warc

# By layout; each reader of a layout that may be compressed opens it through readers.compression.
_READERS = {
    "csv": read_csv,
    "html": read_html,
    "json": read_json,
    "jsonl": read_jsonl,
    "parquet": read_parquet,
    "text": read_text,
    "tsv": read_csv,
    "warc": read_warc,
}
_HEAD_BYTES = 4096
# How far a JSON file whose head holds a NUL byte is searched for a line that parses: past a
# crash's run of NULs and a few long records.
_PROBE_BYTES = 1 << 20


def _is_binary(path: str, head: bytes) -> bool:
    """JSON text never holds a raw NUL byte; a file whose head has one and whose first MiB has not
    a single line that parses as a JSON object is binary as a whole. (One corrupt line among good
    ones is not, nor a run of NULs a crash left before long records: it is quarantined on its own
    and the good lines are read.)"""
    if b"\x00" not in head:
        return False
    with storage.open_input(path) as f:
        probe = f.read(_PROBE_BYTES)
    for line in probe.split(b"\n")[:-1]:
        try:
            if isinstance(orjson.loads(line), dict):
                return False
        except orjson.JSONDecodeError:
            continue
    return True


def _binary_reason(head: bytes) -> str:
    """Why a JSON file with NUL bytes is not read: most often it is UTF-16 or UTF-32 text (as
    Windows tools save it), which JSON lines are not read in, else binary."""
    encoding = detect_text_encoding(head)
    sample = head[:1000]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if encoding not in ("utf-16", "utf-32") and max(even, odd) >= 0.1 * len(sample) / 2 and \
            min(even, odd) * 4 <= max(even, odd):
        # No byte order mark, but NULs on one side of the byte pairs: the high bytes of ASCII in
        # UTF-16, first in big-endian order; iconv must be told which.
        encoding = "utf-16be" if even > odd else "utf-16le"
    if encoding in ("utf-16", "utf-32", "utf-16be", "utf-16le"):
        return (f"{encoding.upper()} text named as JSON lines, which are read in UTF-8, GBK, GB18030 or "
                f"Big5; convert it (iconv -f {encoding.upper()} -t UTF-8); not read")
    return "binary file (NUL bytes, no JSON line in its first MiB) named as JSON lines; not read"


def _head(path: str) -> bytes:
    with storage.open_input(path) as f:
        return f.read(_HEAD_BYTES)


def read_unit(unit: FileUnit, options: ReaderOptions,
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
    if unit.format in ("jsonl", "json") and _is_binary(unit.path, head):
        progress(unit.size)
        if unit.start == 0:
            yield Quarantined(unit.path, 0, head, _binary_reason(head))
        return
    read = 0
    try:
        for read, item in enumerate(_READERS[split_format(unit.format)[0]](unit, options, progress), 1):
            yield item
    except Exception as e:  # e.g. a corrupt parquet footer: one file's problem, not the run's
        why = f"read error: {e}" if isinstance(e, OSError) else f"{type(e).__name__}: {e}"
        # Said, so that nothing is lost unseen: what the unit held after the fault is not read.
        yield Quarantined(unit.path, unit.start, b"", f"{why}; reading stopped after {read:,} records of this "
                                                      f"unit, the rest of it is not read")
