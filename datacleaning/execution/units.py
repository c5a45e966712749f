"""What the executors schedule: a unit of work, with an id unique within its step and its share of
the step's work in bytes (the progress bar counts it; the largest units start first). A step's
units are of one kind, the kind its processing reads."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """A unit that is the whole of its step (training a tokenizer, merging bins)."""

    id: str
    size: int


@dataclass(frozen=True)
class FileUnit(Unit):
    """A piece of one file: byte offsets, parquet row groups or Arrow record batches from ``start``
    to ``end`` (``None``: to the end of the file), in the file's ``format``. ``name`` is the file's
    path relative to the input that named it (``dump/part-0.jsonl``): generated document ids and
    default sources derive from it."""

    path: str
    format: str
    start: int
    end: int | None
    name: str


@dataclass(frozen=True)
class Part(Unit):
    """Part ``index`` of ``count`` equal ranges of a step's key space (the grouping steps)."""

    index: int
    count: int


@dataclass(frozen=True)
class RowRange(Unit):
    """The rows (document ordinals) ``start`` to ``end`` of what step ``step`` reads."""

    step: str
    start: int
    end: int
