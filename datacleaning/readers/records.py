"""Turning an input record (a dict) into a Document, the same way for every format."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import orjson

from datacleaning.document import Document
from datacleaning.errors import RecordError
from datacleaning.readers.page import page_text

if TYPE_CHECKING:
    from datacleaning.config import InputConfig

# What joins the parts of a composed text (a title and its body, an abstract and its article).
PART_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class ReaderOptions:
    """How input records become documents: which fields make the text, the id and the source.

    ``text_fields`` are tried in order; the first one present and not null is the document text (the format our
    users come from uses ``content``; Common Crawl derived dumps use ``text`` or ``raw_content``).
    ``text_parts``, when given, composes the text instead: the value of each field path present,
    in order, joined by a blank line; the values of one path (every item of a list) one a line
    (see :func:`field_values` for paths). The fields used for the
    text, the id and the source leave the record; of the rest, ``meta_fields`` (all when empty)
    are kept in ``meta``.
    """

    text_fields: tuple[str, ...] = ("text", "content", "raw_content")
    id_field: str = "id"
    source_field: str = "source"
    # How HTML (WARC responses, .html files, the html field) becomes text: page.EXTRACTORS.
    html_extractor: str = "resiliparse"
    # A field holding a record's raw HTML (empty: none): the field's value becomes the page's text,
    # which is the document's text unless text_parts says otherwise; the page's <title> joins the
    # record as "title" unless it has one.
    html_field: str = ""
    text_parts: tuple[str, ...] = ()
    meta_fields: tuple[str, ...] = ()

    @classmethod
    def of(cls, input_config: InputConfig) -> ReaderOptions:
        """The options the config's ``[input]`` section sets."""
        return cls(tuple(input_config.text_fields), input_config.id_field, input_config.source_field,
                   input_config.html_extractor, input_config.html_field, tuple(input_config.text_parts),
                   tuple(input_config.meta_fields))


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()  # orjson writes no numpy scalar unless asked to write arrays too
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return str(value)


def _exact_default(value):
    if isinstance(value, np.generic):
        return value.item()
    kind = type(value)
    named = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    raise TypeError(f"Type is not JSON serializable: {named}")  # as orjson says it


# What orjson would otherwise write as something else (a dataclass as a dict, a date as text, a
# Counter as a plain dict) goes to the default, which refuses it.
_EXACT_OPTIONS = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS


def json_text(value) -> str:
    """``value`` as compact JSON; by Python's json module where orjson cannot write it (an integer
    past 64 bits, which must stay exact), a float that is not finite written null either way.
    numpy numbers are written as the numbers they are; other objects as their text."""
    try:
        return orjson.dumps(value, default=_json_default).decode()
    except orjson.JSONEncodeError as e:
        if "64-bit" not in str(e):
            raise
        return json.dumps(_finite(value), ensure_ascii=False, separators=(",", ":"), default=_json_default)


def exact_json_text(value) -> str:
    """``value`` as compact JSON that reads back as the same value, as :func:`json_text` writes it
    (a tuple read back as a list, a numpy number as Python's); a TypeError naming the type of a
    part it would read back as something else or not at all (a set, a date, an object, a key
    that is not a string): what a filter's scores are stored as, to be judged again."""
    try:
        return orjson.dumps(value, default=_exact_default, option=_EXACT_OPTIONS).decode()
    except orjson.JSONEncodeError as e:
        if "64-bit" not in str(e):
            raise
        return json.dumps(_finite(value), ensure_ascii=False, separators=(",", ":"), default=_exact_default)


def _finite(value):
    """``value`` with NaN and infinities as None, as orjson writes them (Python's json would write
    NaN, which is not JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def record_to_document(record: dict, fields: ReaderOptions, default_id: str, default_source: str,
                       text_field: str | None = None) -> Document:
    """The record's document; any failure is a :class:`RecordError`, so that the reader quarantines
    this record alone and goes on with the next (one hostile record must not end its work unit).
    ``text_field`` names the field that holds the text when the reader made the record itself (an
    HTML page's ``text``), in place of ``fields.text_fields``."""
    try:
        return _to_document(record, fields, default_id, default_source, text_field)
    except RecordError:
        raise
    except Exception as e:  # a failure no check below foresaw
        raise RecordError(f"{type(e).__name__}: {e}") from e


def page_record(text: str, title: str, **fields) -> dict:
    """The record an HTML page makes: its text under ``text``, its ``<title>`` under ``title``."""
    return {**fields, "text": text, **({"title": title} if title else {})}


def _to_document(record: dict, fields: ReaderOptions, default_id: str, default_source: str,
                 text_field: str | None) -> Document:
    # A record the reader made itself (an HTML page, a WARC response) has no id field to miss.
    made_by_reader = text_field is not None
    if fields.html_field and record.get(fields.html_field) is None:
        record.pop(fields.html_field, None)  # null, as absent: a layout composes the record's other parts
    elif fields.html_field:
        html = record[fields.html_field]
        if not isinstance(html, str):
            raise RecordError(f"field {fields.html_field!r} is {type(html).__name__}, not a string")
        record[fields.html_field], title = page_text(html, fields.html_extractor)
        if title and not record.get("title"):  # a null or empty title is none: the page's stands
            record["title"] = title
        text_field = fields.html_field
    if fields.text_parts:
        text = _composed_text(record, fields.text_parts)
    else:
        # A null field is as absent: dumps that fill one of several text fields null the others.
        text_key = text_field or next((k for k in fields.text_fields if record.get(k) is not None), None)
        if text_key is None:
            nulls = [k for k in fields.text_fields if k in record]
            raise RecordError(f"no text field (looked for {', '.join(fields.text_fields)}"
                              + (f"; {', '.join(nulls)} null, not a string)" if nulls else ")"))
        text = record.pop(text_key)
        if not isinstance(text, str):
            raise RecordError(f"field {text_key!r} is {type(text).__name__}, not a string")
    doc_id = record.pop(fields.id_field, None)
    id_made = doc_id is None or doc_id == ""
    if id_made:
        doc_id = default_id
    elif not isinstance(doc_id, str):  # written as JSON writes it: 12, true, {"a":1}
        doc_id = json_text(doc_id)
    source = record.pop(fields.source_field, None)
    if not isinstance(source, str) or not source:
        if source is not None:
            record[fields.source_field] = source
        source = default_source
    if fields.meta_fields:
        record = {k: record[k] for k in fields.meta_fields if k in record}
    try:
        meta = json_text(record) if record else "{}"
    except (orjson.JSONEncodeError, ValueError) as e:  # orjson reads 1024 levels of nesting but writes only 254
        raise RecordError(f"the record's other fields cannot be kept as JSON meta: {e}") from e
    document = Document(doc_id, text, source=source, meta=meta)
    document.id_made = id_made and not made_by_reader
    return document


def _composed_text(record: dict, paths: tuple[str, ...]) -> str:
    parts = []
    for path in paths:
        part = _rendered(field_values(record, path)).strip()
        if part:
            parts.append(part)
    for path in paths:
        _remove_used(record, _path_steps(path))
    if not parts:
        raise RecordError(f"none of the text parts has text (looked for {', '.join(paths)})")
    return PART_SEPARATOR.join(parts)


def field_values(record: dict, path: str) -> list:
    """The values at a field path: ``title``; ``meta.abstract`` (a field of an object);
    ``段落[].内容`` (the field of every item of a list, MNBVC's paragraphs); ``sections[].title,content``
    (several fields of every item, in turn: a heading, then its section). Absent fields give none."""
    values = [record]
    for keys, each in _path_steps(path):
        found = []
        for value in values:
            if not isinstance(value, dict):
                continue
            for key in keys:
                if key in value:
                    inner = value[key]
                    found.extend(inner if each and isinstance(inner, list) else [inner])
        values = found
    return values


def _remove_used(record: dict, steps: tuple[tuple[tuple[str, ...], bool], ...]) -> None:
    """Take the fields a text part used out of the record: a path through objects alone
    (``meta.abstract``) loses only its last field, and an object it leaves empty; a path through a
    list (``段落[].内容``) loses the whole list, whose items are the text."""
    if len(steps) > 1 and not any(each for _, each in steps[:-1]):
        parents, node = [], record
        for (keys, _) in steps[:-1]:
            if len(keys) != 1 or not isinstance(node.get(keys[0]), dict):
                return
            parents.append((node, keys[0]))
            node = node[keys[0]]
        for key in steps[-1][0]:
            node.pop(key, None)
        for parent, key in reversed(parents):
            if not parent[key]:
                del parent[key]
        return
    for key in steps[0][0]:
        record.pop(key, None)


@lru_cache(maxsize=None)
def _path_steps(path: str) -> tuple[tuple[tuple[str, ...], bool], ...]:
    """A path's steps: the keys each names (one, or several split by commas) and whether it opens
    a list."""
    steps = []
    for step in path.split("."):
        each = step.endswith("[]")
        steps.append((tuple(step.removesuffix("[]").split(",")), each))
    return tuple(steps)


def _rendered(value) -> str:
    """A value as text: strings as they are, lists one item a line, objects (an infobox) one
    ``key: value`` line a field."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(r for item in value if (r := _rendered(item).strip()))
    if isinstance(value, dict):
        return "\n".join(f"{key}: {r}" for key, item in value.items() if (r := _rendered(item).strip()))
    if isinstance(value, (bool, int, float)):
        return json_text(value)  # true, not Python's True
    return str(value)  # a date, a decimal, a timestamp of a parquet column, as written
