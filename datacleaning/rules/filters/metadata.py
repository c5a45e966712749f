"""Filters on what a record says about itself beside its text (kept in ``meta``): engagement
counts of social posts, which the dumps write as numbers or as the site shows them."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from datacleaning.document import Document
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import register

# "328", "1,234", "1.2万", "3.5w" (Xiaohongshu's 万), "2k", "1亿", "10万+".
_COUNT = re.compile(r"\s*(\d[\d,]*(?:\.\d+)?)\s*([万wW亿千kKmM]?)\+?\s*")
_UNITS = {"": 1, "万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000, "千": 1_000, "k": 1_000, "K": 1_000,
          "m": 1_000_000, "M": 1_000_000}


def parse_count(value) -> float | None:
    """A count as a number, from a number or from the text a site shows; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str) and (found := _COUNT.fullmatch(value)):
        return float(found.group(1).replace(",", "")) * _UNITS[found.group(2)]
    return None


@register("meta_count")
@dataclass
class MetaCount(Filter):
    """Documents whose record counts ``field`` (likes, collects, comments, reads) below
    ``min_count`` or above ``max_count``: the Xiaohongshu notes nobody liked, say. The count may be
    a number or a site's text ("1.2万" is 12,000, "3.5k" 3,500). A record without the field, or
    whose value is no count, is kept: there is nothing to judge it by."""

    signals = {"count": "float64"}
    thresholds = frozenset({"min_count", "max_count"})
    threshold_fields = {"min_count": "count", "max_count": "count"}

    field: str = ""
    min_count: float = 0
    max_count: float = math.inf

    def __post_init__(self):
        if not self.field:
            raise ValueError("meta_count needs field, the record field that holds the count")

    def score(self, doc: Document) -> dict | None:
        count = parse_count(doc.meta_value(self.field))
        return None if count is None else {"count": count}

    def keep(self, value: dict | None) -> bool:
        return value is None or self.min_count <= value["count"] <= self.max_count
