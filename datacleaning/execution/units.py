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


# A small input is cut into at least MIN_UNITS units, none under SMALLEST_UNIT_BYTES, so that every
# worker of a run on a few tens of MB has work; an input of MIN_UNITS configured units or more is
# cut at the configured size.
MIN_UNITS = 16
SMALLEST_UNIT_BYTES = 1 << 20


def unit_bytes_for(total_bytes: int, configured: int) -> int:
    """The size a run's input of ``total_bytes`` is cut at, given the configured unit size."""
    return min(configured, max(SMALLEST_UNIT_BYTES, -(-total_bytes // MIN_UNITS)))


def unit_size_record(total_bytes: int, configured: int) -> dict:
    """What a stage's fingerprint records of its unit size beyond the configured one: the size used
    where it is smaller, else nothing, so that runs planned at the configured size keep the
    fingerprint they were made with (a plan that changed under a resumed run would write its
    documents twice)."""
    used = unit_bytes_for(total_bytes, configured)
    return {} if used == configured else {"unit_bytes_used": used}
