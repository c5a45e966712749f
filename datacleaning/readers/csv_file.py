"""CSV and TSV files: a header row naming the fields, then one record per row (quoted fields may
span lines, as spreadsheet and pandas exports write them). One unit per file."""
from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from datacleaning.document import QUARANTINE_HEAD_BYTES, Document, Quarantined
from datacleaning.errors import RecordError
from datacleaning.execution import FileUnit
from datacleaning.readers.compression import open_decompressed, quarantined_fault, split_format
from datacleaning.readers.encoding import detect_text_encoding, undetected_reason
from datacleaning.readers.jsonl import JSON_LEGACY_ENCODINGS
from datacleaning.readers.records import ReaderOptions, record_to_document

Progress = Callable[[int], None]
_DELIMITERS = {"csv": ",", "tsv": "\t"}
_PROGRESS_EVERY_ROWS = 1024
# The encoding is told from the file's head: enough of it to reach the first non-ASCII rows of a
# table whose header and first columns are ASCII.
_SNIFF_BYTES = 1 << 20
# Bytes the file's encoding cannot decode come through the surrogateescape handler as U+DC80..U+DCFF.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
# The codec a file's rows are written in after the byte-order mark that opens it, and the mark's
# length: decoded as utf-8-sig or utf-16, whose encoders would write the mark again before each row.
# In detect_text_encoding's order: the UTF-32 little-endian mark starts with UTF-16's.
_BOM_CODECS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
               (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# What the strict csv module says of a row that opens a quoted field the file ends inside.
_ENDS_INSIDE_QUOTES = "unexpected end of data"

# A long document is one field: lift the csv module's 128 KiB limit on a field.
csv.field_size_limit(sys.maxsize)


def read_csv(unit: FileUnit, options: ReaderOptions, progress: Progress) -> Iterator[Document | Quarantined]:
    layout, compression = split_format(unit.format)
    with open_decompressed(unit.path, compression) as source:
        head = source.stream.read(_SNIFF_BYTES)
    encoding = _table_encoding(head)
    if encoding is None:
        progress(unit.size)
        yield Quarantined(unit.path, 0, head[:QUARANTINE_HEAD_BYTES], undetected_reason(head) + "; the file is not read")
        return
    codec, bom_length = _row_codec(head, encoding)
    with open_decompressed(unit.path, compression) as source:
        text = io.TextIOWrapper(source.stream, encoding=encoding, errors="surrogateescape", newline="")
        tap = _LineTap(text, codec, bom_length)
        rows = csv.reader(tap, delimiter=_DELIMITERS[layout])
        reported = 0
        last = None  # the row read last: a fault of the stream may have cut it
        try:
            header = _header(rows, tap, _DELIMITERS[layout])
            # None for a file of no rows, and where the stream failed before its header decoded:
            # that fault is quarantined below like any other.
            if header is not None:
                table = _Table(_distinct(header), unit, options, codec, _DELIMITERS[layout])
                index = 0  # of the next row: blank lines are none
                for read, fields in enumerate(rows):
                    lines, offset = tap.take()
                    if last is not None:
                        yield from _row_documents(table, last)
                        last = None
                    if not _blank(lines, table.delimiter):  # a blank line is no row, as in JSON lines
                        last = _Row(fields, lines, index, rows.line_num, offset)
                        index += 1
                    if read % _PROGRESS_EVERY_ROWS == 0:
                        progress(source.position() - reported)
                        reported = source.position()
        except csv.Error as e:
            yield Quarantined(unit.path, tap.offset, b"",
                              f"line {rows.line_num}: {e}; the rest of the file is not read")
        progress(source.position() - reported)
        if last is not None and source.fault is not None:
            yield quarantined_fault(source.fault, unit, last.raw.encode(codec, "surrogateescape"))
        elif last is not None:
            yield from _row_documents(table, last, at_end=True)
        elif source.fault is not None:
            yield quarantined_fault(source.fault, unit)


def _table_encoding(head: bytes) -> str | None:
    """The encoding a table is decoded in: ``detect_text_encoding``'s, except that a head whose
    non-ASCII lines are mostly UTF-8 is UTF-8, its other lines rows pasted from another dump, each
    read alone (``_decoded_alone``). Given such a head whole, the detector named no encoding, and
    one GBK row among the first MiB left the file unread where past it the row was read alone.
    GBK and Big5 text is almost never valid UTF-8."""
    encoding = detect_text_encoding(head)
    if encoding is not None and encoding.startswith("utf"):  # a byte-order mark's, or UTF-8 throughout
        return encoding
    lines = head.split(b"\n")
    if len(lines) > 1:
        del lines[-1]  # the head may end inside a line, and inside a character
    utf8 = other = 0
    for line in lines:
        if not line.isascii():
            try:
                line.decode("utf-8")
                utf8 += 1
            except UnicodeDecodeError:
                other += 1
    return "utf-8" if utf8 > other else encoding


def _row_codec(head: bytes, encoding: str) -> tuple[str, int]:
    """The codec that writes a row back as the file holds it, and the length of the byte-order
    mark before the first row (0 when none)."""
    for bom, codec in _BOM_CODECS:
        if head.startswith(bom):
            return codec, len(bom)
    return encoding, 0


class _LineTap:
    """The lines of a text stream as the csv reader takes them, kept until ``take``: the reader
    takes the lines of one row at a time, so they are the row as written in the file. ``offset``
    is the byte offset (in the decompressed stream) of the lines ``take`` gives next."""

    def __init__(self, text, codec: str, offset: int):
        self._text = text
        self._codec = codec
        self._lines: list[str] = []
        self.offset = offset

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._text)
        self._lines.append(line)
        return line

    def take(self) -> tuple[list[str], int]:
        """The lines taken since the last call, and their byte offset."""
        lines, self._lines = self._lines, []
        offset = self.offset
        self.offset += _byte_length(lines[0] if len(lines) == 1 else "".join(lines), self._codec)
        return lines, offset


def _byte_length(text: str, codec: str) -> int:
    if codec == "utf-8" and text.isascii():  # isascii is O(1) on a str: most lines are counted free
        return len(text)
    return len(text.encode(codec, "surrogateescape"))


def _header(rows, tap: _LineTap, delimiter: str) -> list[str] | None:
    """The first row that is not blank (blank lines above the header: an export's, a hand edit's);
    None when the file has none."""
    for fields in rows:
        if not _blank(tap.take()[0], delimiter):
            return fields
    return None


def _blank(lines: list[str], delimiter: str) -> bool:
    """Whether a row is one blank line: nothing but whitespace, no delimiter (a TSV row of empty
    fields is a row; a row of more lines holds a quote)."""
    return len(lines) == 1 and _blank_line(lines[0], delimiter)


def _blank_line(line: str, delimiter: str) -> bool:
    return line.isspace() and delimiter not in line


def _distinct(header: list[str]) -> list[str]:
    """The header with a repeated name numbered from its second time on (text, text_2): the first
    is the field, the others keep their values in meta instead of overwriting it."""
    seen: dict[str, int] = {}
    names = []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return names


@dataclass(frozen=True)
class _Table:
    """What reading a row needs of its file."""

    header: list[str]
    unit: FileUnit
    options: ReaderOptions
    codec: str  # the file's encoding, less a byte-order mark
    delimiter: str

    def quarantined(self, raw: str, offset: int, reason: str) -> Quarantined:
        """The row as the file holds it: its lines, in the file's own encoding, at their byte offset."""
        return Quarantined(self.unit.path, offset, raw.encode(self.codec, "surrogateescape"), reason)


class _Row(NamedTuple):
    """A row as the csv module read it, and where the file holds it."""

    fields: list[str]
    lines: list[str]  # as the file holds them, line ends and all
    index: int
    line: int  # the number of its last line
    offset: int

    @property
    def raw(self) -> str:
        return "".join(self.lines)


def _row_documents(table: _Table, row: _Row, at_end: bool = False) -> list[Document | Quarantined]:
    """The row's document; or, for a row whose quoting does not hold across its lines, a document
    for each line where each holds the header's fields (``_line_fields``; blank lines none), else
    one quarantine record of the lines. A field that opens with a quote (scraped text, a quotation,
    a fortune) in a file written without quoting made the csv module read on to the next quote in
    the file, rows and ids and all, as one field, which its strict reading refuses. A single line
    is looked at only at the end of the file (a quote the file ends inside): elsewhere the csv
    module's reading of its stray quotes keeps it one row."""
    spans_lines = len(row.lines) > 1
    error = _quoting_error(row.lines, table.delimiter) if spans_lines or at_end else None
    ends_inside = error is not None and error.startswith(_ENDS_INSIDE_QUOTES)
    if error is None or not (spans_lines or ends_inside):
        return [_row_document(table, row.fields, row.raw, row.index, row.line, row.offset)]
    first_line = row.line - len(row.lines) + 1
    split = [None if _blank_line(line, table.delimiter) else _line_fields(line, table.delimiter) for line in row.lines]
    if len(table.header) > 1 and all(fields is None or len(fields) == len(table.header) for fields in split):
        documents, offset = [], row.offset
        for k, (line, fields) in enumerate(zip(row.lines, split)):
            if fields is not None:
                documents.append(_row_document(table, fields, line, row.index if k == 0 else f"{row.index}.{k}",
                                               first_line + k, offset))
            offset += _byte_length(line, table.codec)
        return documents
    if ends_inside:
        reason = f"row {row.index} (from line {first_line}) opens a quoted field the file ends inside"
    else:
        reason = (f"row {row.index} (lines {first_line} to {row.line}): a quote ran these lines together as one "
                  f"row ({error}), and "
                  + (f"they do not each hold the header's {len(table.header)} fields to be read as rows"
                     if len(table.header) > 1 else "a one-field table cannot tell them from one field's lines"))
    return [table.quarantined(row.raw, row.offset, reason)]


def _quoting_error(lines: list[str], delimiter: str) -> str | None:
    """What the strict csv module says is wrong with the row's quoting: a quote that does not close
    where a field ends, or that the file ends inside; None for a row quoted as it should be."""
    try:
        for _ in csv.reader(lines, delimiter=delimiter, strict=True):
            pass
    except csv.Error as e:
        return str(e)
    return None


def _line_fields(line: str, delimiter: str) -> list[str]:
    """The fields of one line of rows written without quoting, where a quote ran them together:
    as the csv module reads a line quoted as it should be (``2,"a text, with a comma"``), else split
    at the delimiters, its quotes text (``1,"a text``). Each line holding the header's number of
    fields is rows, one a line; a cell quoted across lines (a spreadsheet's, code indented with
    tabs) closes its quotes where the field ends and never comes here. A one-field table cannot
    tell rows from the lines of one field."""
    try:
        return next(csv.reader([line], delimiter=delimiter, strict=True), [])
    except csv.Error:
        return line.rstrip("\r\n").split(delimiter)


def _row_document(table: _Table, fields: list[str], raw: str, index: int | str, line: int,
                  offset: int) -> Document | Quarantined:
    where = f"row {index} (ending on line {line})"
    if len(fields) != len(table.header):
        return table.quarantined(raw, offset, f"{where} has {len(fields)} fields, the header {len(table.header)}")
    try:
        if _ESCAPED_BYTE.search(raw) or table.codec in JSON_LEGACY_ENCODINGS and not raw.isascii():
            fields = _decoded_alone(fields, raw, table.codec)
        return record_to_document(dict(zip(table.header, fields)), table.options, f"{table.unit.name}:{index}",
                                  table.unit.name)
    except RecordError as e:
        return table.quarantined(raw, offset, f"{where}: {e}")


def _decoded_alone(fields: list[str], raw: str, codec: str) -> list[str]:
    """The fields of a row pasted into a table from a dump in another encoding, read in the one
    its own bytes are in, as a JSON line is: in a UTF-8 table, a row holding bytes UTF-8 does not
    decode, in the Chinese encoding they look like; in a GBK, GB18030 or Big5 table, a row whose
    bytes are UTF-8 (they decode in the table's encoding too, as mojibake: Chinese text in those
    encodings is almost never valid UTF-8). RecordError where a row's bytes are in none. Each
    field is its own bytes again: a GBK or Big5 character holds no byte of a delimiter, a quote
    or a line end."""
    data = raw.encode(codec, "surrogateescape")
    if codec in JSON_LEGACY_ENCODINGS:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            if _ESCAPED_BYTE.search(raw):
                raise RecordError(f"holds bytes that are not {codec}") from None
            return fields
        own = "utf-8"
    elif codec == "utf-8":
        own = detect_text_encoding(data)
        if own not in JSON_LEGACY_ENCODINGS:
            raise RecordError("holds bytes that are not UTF-8")
    else:
        raise RecordError(f"holds bytes that are not {codec}")
    try:
        return [value.encode(codec, "surrogateescape").decode(own) for value in fields]
    except UnicodeDecodeError:
        raise RecordError(f"holds bytes that are neither {codec} nor {own}, the encoding its bytes look like") from None
