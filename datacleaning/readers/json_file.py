"""``.json`` files, which hold one of four things: JSON lines (read as such, cut into units when
uncompressed), a JSON array of records (WuDao's layout: each item a document), one record,
pretty-printed or not, or several pretty-printed records one after another (``jq .``'s output).
Which one is told by the file's first line, and the last two apart by what follows the first
value."""
from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator

import orjson

from datacleaning.document import QUARANTINE_HEAD_BYTES, Document, Quarantined
from datacleaning.errors import RecordError
from datacleaning.execution import FileUnit
from datacleaning.readers.compression import open_decompressed, read_whole, split_format
from datacleaning.readers.jsonl import file_encoding, parse_json, read_jsonl, replace_lone_surrogates
from datacleaning.readers.records import ReaderOptions, record_to_document

Progress = Callable[[int], None]
# An array item that may begin here: an object after the comma that ends the item before it.
_ITEM_START = re.compile(r",\s*\{")
# JSON's white space, between items.
_SPACE = re.compile(r"[ \t\r\n]*")
# What a bad array item's brackets are balanced by: strings, their escapes and brackets; looked
# for this far.
_STRUCTURE = re.compile(r'["\\{}\[\]]')
_SCAN_CHARS = 1 << 20
# Where the next of several objects written one after another may begin: a line opening with one.
_NEXT_OBJECT_LINE = re.compile(r"\n\{")
# Bytes the file's encoding cannot decode, as surrogateescape reads them.
_UNDECODED = re.compile("[\udc80-\udcff]")
# Lines after a first line that does not parse, looked at for JSON lines.
_LOOK_AHEAD_LINES = 10


def read_json(unit: FileUnit, options: ReaderOptions, progress: Progress) -> Iterator[Document | Quarantined]:
    compression = split_format(unit.format)[1]
    encoding = file_encoding(unit.path, compression)
    if not _holds_one_value(unit.path, compression, encoding):
        yield from read_jsonl(unit, options, progress)
        return
    progress(unit.size)
    if unit.start > 0:  # the first unit of the file reads the whole value
        return
    data, fault = read_whole(unit)
    if fault is not None:  # cut short: an array's items decoded before the fault count
        yield fault
        yield from _items_of_broken_array(data, encoding, unit, options, otherwise=None)
        return
    try:
        value = parse_json(data, encoding)
    except UnicodeDecodeError as e:
        yield Quarantined(unit.path, e.start, data[:QUARANTINE_HEAD_BYTES], f"holds bytes that are not {encoding}, the file's "
                                                                 f"encoding")
        return
    except orjson.JSONDecodeError as e:
        yield from _items_of_broken_array(data, encoding, unit, options, otherwise=Quarantined(
            unit.path, e.pos, data[:QUARANTINE_HEAD_BYTES], f"invalid JSON: {e}"))
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield _item_document(item, index, unit, options)
    else:
        yield _item_document(value, None, unit, options)


def _array_items(text: str, encoding: str, unit: FileUnit,
                 options: ReaderOptions) -> Iterator[Document | Quarantined]:
    """The items of a JSON array that does not parse as a whole, one at a time: each good item
    is read, and a bad one is quarantined with the text up to the next item that parses (an item
    opening after a comma), or to the end of a file cut short."""
    decoder = json.JSONDecoder()
    position, index = text.index("[") + 1, 0
    while True:
        position = _SPACE.match(text, position).end()
        if position >= len(text) or text[position] == "]":
            return
        try:
            item, following = _decoded_value(text, decoder, position, encoding)
            if not _ends_item(text, following):
                raise ValueError(f"expected ',' or the array's closing ']' at character {following}")
        except (ValueError, RecursionError) as e:
            resume = _next_item(text, decoder, position)
            yield Quarantined(unit.path, position, _raw(text[position:resume], encoding),
                              f"array item {index}: invalid JSON: {e}"
                              + ("; the file ends inside it" if resume >= len(text) else ""))
            position, index = resume, index + 1
            continue
        yield _item_document(item, index, unit, options)
        position, index = following + 1, index + 1


def _items_of_broken_array(data: bytes, encoding: str | None, unit: FileUnit, options: ReaderOptions,
                           otherwise: Quarantined | None) -> Iterator[Document | Quarantined]:
    """The good items of an array with a bad item, or cut short, or of objects written one after
    another; ``otherwise`` where ``data`` is neither."""
    text = data.decode(encoding or "utf-8-sig", errors="surrogateescape")
    encoding = encoding or "utf-8"
    start = _SPACE.match(text).end()
    if text.startswith("[", start):
        yield from _array_items(text, encoding, unit, options)
    elif text.startswith("{", start) and _NEXT_OBJECT_LINE.search(text, start + 1):
        yield from _concatenated_values(text, encoding, unit, options)
    elif otherwise is not None:
        yield otherwise


def _concatenated_values(text: str, encoding: str, unit: FileUnit,
                         options: ReaderOptions) -> Iterator[Document | Quarantined]:
    """Each of the objects written one after another (what ``jq .`` writes of several records,
    each opening a line), as the items of an array; a bad one is quarantined up to the next line
    that opens an object."""
    decoder = json.JSONDecoder()
    position, index = _SPACE.match(text).end(), 0
    while position < len(text):
        try:
            item, following = _decoded_value(text, decoder, position, encoding)
            if following < len(text) and text[following] != "{":
                raise ValueError(f"expected another object or the end of the file at character {following}")
        except (ValueError, RecursionError) as e:
            found = _NEXT_OBJECT_LINE.search(text, position + 1)
            resume = found.start() + 1 if found else len(text)
            yield Quarantined(unit.path, position, _raw(text[position:resume], encoding),
                              f"value {index}: invalid JSON: {e}" + ("; the file ends inside it" if not found else ""))
            position, index = _SPACE.match(text, resume).end(), index + 1
            continue
        yield _item_document(item, index, unit, options, "value")
        position, index = following, index + 1


def _decoded_value(text: str, decoder: json.JSONDecoder, position: int, encoding: str) -> tuple[object, int]:
    """The JSON value at ``position`` and where the next non-space character after it stands.
    ValueError where the value does not parse or holds bytes the file's encoding does not decode
    (read through surrogateescape: such an item is quarantined, as such a JSON line is);
    RecursionError where it nests too deep to walk."""
    item, end = decoder.raw_decode(text, position)
    if (found := _UNDECODED.search(text, position, end)) is not None:
        raise ValueError(f"holds bytes that are not {encoding} at character {found.start()}")
    # Python's json reads a lone surrogate escape as one; the shard cannot hold it.
    return replace_lone_surrogates(item), _SPACE.match(text, end).end()


def _raw(text: str, encoding: str) -> bytes:
    """Text of the file as its bytes, for a quarantine record."""
    return text.encode(encoding, "surrogateescape")[:QUARANTINE_HEAD_BYTES]


def _next_item(text: str, decoder: json.JSONDecoder, after: int) -> int:
    """Where the item after the bad one at ``after`` begins: past the bracket that closes the bad
    one, where its brackets balance (a missing comma or colon leaves them so) and what follows
    parses; else the first object after a comma that parses and ends where an item does; else
    the end of the text. An object nested in the bad item (a comment in its list of comments) is
    not taken for an item."""
    end = _closing_bracket(text, after)
    if end is not None:
        following = _SPACE.match(text, end).end()
        if following >= len(text) or text[following] == "]":
            return following
        if text[following] == ",":
            start = _SPACE.match(text, following + 1).end()
            try:
                _, item_end = decoder.raw_decode(text, start)
                if _ends_item(text, _SPACE.match(text, item_end).end()):
                    return start
            except (ValueError, RecursionError):
                pass
    for found in _ITEM_START.finditer(text, after + 1):
        start = found.end() - 1
        try:
            _, end = decoder.raw_decode(text, start)
        except (ValueError, RecursionError):
            continue
        if _ends_item(text, _SPACE.match(text, end).end()):
            return start
    return len(text)


def _closing_bracket(text: str, start: int) -> int | None:
    """Where the value opening at ``start`` ends: past the bracket that brings its brackets back
    to level, strings and their escapes passed over; None where none does within
    ``_SCAN_CHARS`` (an unclosed string, a file cut short)."""
    depth, in_string, skip = 0, False, -1
    for found in _STRUCTURE.finditer(text, start, start + _SCAN_CHARS):
        at = found.start()
        if at == skip:
            continue
        mark = text[at]
        if in_string:
            if mark == "\\":
                skip = at + 1
            elif mark == '"':
                in_string = False
        elif mark == '"':
            in_string = True
        elif mark in "{[":
            depth += 1
        else:
            depth -= 1
            if depth <= 0:
                return at + 1 if depth == 0 else None
    return None


def _ends_item(text: str, following: int) -> bool:
    """Whether what follows a parsed value, from ``following`` (past white space), ends an array
    item: a comma, the ``]`` that closes the array (not one closing a list nested in an item,
    which a comma, brace or bracket follows), or the end of a file cut short."""
    if following >= len(text) or text[following] == ",":
        return True
    if text[following] != "]":
        return False
    after = _SPACE.match(text, following + 1).end()
    return after >= len(text) or text[after] not in ",]}"


def _holds_one_value(path: str, compression: str, encoding: str | None) -> bool:
    """Whether the file is one JSON value rather than JSON lines: it opens an array, or its first
    line opens an object it does not close (a pretty-printed one) and the lines after it do not
    show JSON lines instead (an object of their own after a first line that fails inside it)."""
    with open_decompressed(path, compression) as source:
        first = source.stream.readline().removeprefix(codecs.BOM_UTF8)
        while first and not first.strip():
            first = source.stream.readline()
        opening = first.lstrip()[:1]
        if opening == b"[":
            return True
        if opening != b"{" or _is_object_line(first, encoding):
            return False
        # A first line that opens an object it does not close: a pretty-printed value, unless a
        # later line is a whole object of its own and the head is not the start of one value
        # (JSON lines whose first line is cut short or damaged fail inside it; a pretty-printed
        # value, even one that nests an object on a line of its own, only where the head ends).
        following = [source.stream.readline() for _ in range(_LOOK_AHEAD_LINES)]
    if not any(line[:1] == b"{" and _is_object_line(line, encoding) for line in following):
        return True
    head = (first + b"".join(following)).decode(encoding or "utf-8", errors="replace")
    try:
        json.loads(head)
    except json.JSONDecodeError as e:
        return e.pos >= len(head.rstrip())
    except RecursionError:
        return True
    return True


def _is_object_line(line: bytes, encoding: str | None) -> bool:
    try:
        parse_json(line if encoding is None else line.decode(encoding, errors="replace").encode(), None)
    except orjson.JSONDecodeError:
        return False
    return True


def _item_document(item, index: int | None, unit: FileUnit, options: ReaderOptions,
                   kind: str = "array item") -> Document | Quarantined:
    where = f"{kind} {index}" if index is not None else "the file's JSON value"
    default_id = unit.name if index is None else f"{unit.name}:{index}"
    if not isinstance(item, dict):
        return Quarantined(unit.path, 0, _raw_item(item), f"{where} is {type(item).__name__}, not an object")
    try:  # on a copy: the quarantine record holds the item as it was read
        return record_to_document(dict(item), options, default_id, unit.name)
    except RecordError as e:
        return Quarantined(unit.path, 0, _raw_item(item), f"{where}: {e}")


def _raw_item(item) -> bytes:
    """An item as JSON for its quarantine record; empty where orjson cannot write it (nested past
    its 254 levels), the reason then saying what the item was."""
    try:
        return orjson.dumps(item)[:QUARANTINE_HEAD_BYTES]
    except orjson.JSONEncodeError:
        return b""
