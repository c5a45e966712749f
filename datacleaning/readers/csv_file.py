"""CSV and TSV files: a header row naming the fields, then one record per row (quoted fields may
span lines, as spreadsheet and pandas exports write them). One unit per file."""
from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Callable, Iterator

from datacleaning.document import QUARANTINE_HEAD_BYTES, Document, Quarantined
from datacleaning.errors import RecordError
from datacleaning.execution import FileUnit
from datacleaning.readers.compression import open_decompressed, quarantined_fault, split_format
from datacleaning.readers.encoding import detect_text_encoding, undetected_reason
from datacleaning.readers.records import ReaderOptions, record_to_document

Progress = Callable[[int], None]
_DELIMITERS = {"csv": ",", "tsv": "\t"}
_PROGRESS_EVERY_ROWS = 1024
# The encoding is told from the file's head: enough of it to reach the first non-ASCII rows of a
# table whose header and first columns are ASCII.
_SNIFF_BYTES = 1 << 20
# Bytes the file's encoding cannot decode come through the surrogateescape handler as U+DC80..U+DCFF.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")

# A long document is one field: lift the csv module's 128 KiB limit on a field.
csv.field_size_limit(sys.maxsize)


def read_csv(unit: FileUnit, options: ReaderOptions, progress: Progress) -> Iterator[Document | Quarantined]:
    layout, compression = split_format(unit.format)
    with open_decompressed(unit.path, compression) as source:
        head = source.stream.read(_SNIFF_BYTES)
    encoding = detect_text_encoding(head)
    if encoding is None:
        progress(unit.size)
        yield Quarantined(unit.path, 0, head[:QUARANTINE_HEAD_BYTES], undetected_reason(head) + "; the file is not read")
        return
    with open_decompressed(unit.path, compression) as source:
        text = io.TextIOWrapper(source.stream, encoding=encoding, errors="surrogateescape", newline="")
        tap = _LineTap(text)
        rows = csv.reader(tap, delimiter=_DELIMITERS[layout])
        reported = 0
        last = None  # the row read last: a fault of the stream may have cut it
        try:
            header = next(rows, None)
            while header is not None and len(header) <= 1 and not "".join(header).strip():
                header = next(rows, None)  # blank lines above the header (an export's, a hand edit's)
            if header is None:
                return
            header = _distinct(header)
            tap.take()
            for index, row in enumerate(rows):
                if last is not None:
                    yield from _row_documents(header, *last, unit, options, encoding, layout == "tsv")
                last = (row, tap.take(), index, rows.line_num)
                if index % _PROGRESS_EVERY_ROWS == 0:
                    progress(source.position() - reported)
                    reported = source.position()
        except csv.Error as e:
            yield Quarantined(unit.path, 0, b"", f"line {rows.line_num}: {e}; the rest of the file is not read")
        progress(source.position() - reported)
        if last is not None:
            row, raw, index, line = last
            if source.fault is not None:
                yield quarantined_fault(source.fault, unit, raw.encode(encoding, "surrogateescape"))
            elif _ends_inside_quotes(raw, layout) and not (layout == "tsv" and _rows_run_together(raw, len(header))):
                yield _quarantined(raw, unit, encoding, f"row {index} (from line {line - raw.count(chr(10)) + 1}) "
                                                        "opens a quoted field the file ends inside")
            else:
                yield from _row_documents(header, *last, unit, options, encoding, layout == "tsv")
        elif source.fault is not None:
            yield quarantined_fault(source.fault, unit)


class _LineTap:
    """The lines of a text stream as the csv reader takes them, kept until ``take``: the reader
    takes the lines of one row at a time, so they are the row as written in the file."""

    def __init__(self, text):
        self._text = text
        self._lines: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._text)
        self._lines.append(line)
        return line

    def take(self) -> str:
        raw, self._lines = "".join(self._lines), []
        return raw


def _ends_inside_quotes(raw: str, layout: str) -> bool:
    """True when the row opens a quoted field that does not close before the file ends: the csv
    module's lenient reading makes the rest of the file that field, every row after it one text."""
    try:
        list(csv.reader(io.StringIO(raw), delimiter=_DELIMITERS[layout], strict=True))
    except csv.Error as e:
        return str(e).startswith("unexpected end of data")
    return False


def _distinct(header: list[str]) -> list[str]:
    """The header with a repeated name numbered from its second time on (text, text_2): the first
    is the field, the others keep their values in meta instead of overwriting it."""
    seen: dict[str, int] = {}
    names = []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return names


def _row_documents(header: list[str], row: list[str], raw: str, index: int, line: int, unit: FileUnit,
                   options: ReaderOptions, encoding: str, tsv: bool) -> Iterator[Document | Quarantined]:
    """The row's document; or, for a TSV row run together from lines that each read as a row of
    their own, theirs (``_rows_run_together``)."""
    lines = _rows_run_together(raw, len(header)) if tsv else None
    if lines is None:
        yield _row_document(header, row, raw, index, line, unit, options, encoding)
        return
    first_line = line - len(lines) + 1
    for k, text in enumerate(lines):
        [fields] = csv.reader([text], delimiter="\t", quoting=csv.QUOTE_NONE)
        yield _row_document(header, fields, text, index if k == 0 else f"{index}.{k}", first_line + k, unit,
                            options, encoding)


def _rows_run_together(raw: str, fields: int) -> list[str] | None:
    """The lines of a TSV row that spans lines each holding the header's number of fields and is
    not well-formed quoting: a field that opens with a quote (a quotation, a fortune) made the csv
    module read on to the next quote, rows and all, where TSV written without quoting means the
    quote as text. None for any other row: a cell quoted across lines (a spreadsheet's, code
    indented with tabs) closes its quotes where the field ends. One-field tables cannot tell the
    two apart and are read as quoted."""
    if fields < 2 or raw.count("\n") < 2:
        return None
    lines = [text.removesuffix("\r") for text in raw.rstrip("\r\n").split("\n")]
    if any(text.count("\t") != fields - 1 for text in lines):
        return None
    try:
        list(csv.reader(io.StringIO(raw), delimiter="\t", strict=True))
    except csv.Error:
        return lines
    return None


def _row_document(header: list[str], row: list[str], raw: str, index: int | str, line: int, unit: FileUnit,
                  options: ReaderOptions, encoding: str) -> Document | Quarantined:
    where = f"row {index} (ending on line {line})"
    if len(row) != len(header):
        return _quarantined(raw, unit, encoding, f"{where} has {len(row)} fields, the header {len(header)}")
    if any(_undecodable(value) for value in row):
        return _quarantined(raw, unit, encoding, f"{where} holds bytes that are not {encoding}")
    try:
        return record_to_document(dict(zip(header, row)), options, f"{unit.name}:{index}", unit.name)
    except RecordError as e:
        return _quarantined(raw, unit, encoding, f"{where}: {e}")


def _undecodable(value: str) -> bool:
    return _ESCAPED_BYTE.search(value) is not None


def _quarantined(raw: str, unit: FileUnit, encoding: str, reason: str) -> Quarantined:
    """The row as the file holds it: its lines, in the file's own encoding."""
    return Quarantined(unit.path, 0, raw.encode(encoding, "surrogateescape"), reason)
