"""Filters: document-level keep/reject decisions over the shared text signals."""
from __future__ import annotations

from dataclasses import dataclass

from datacleaning.document import Document
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import register


@register("length")
@dataclass
class Length(Filter):
    """Documents whose length falls outside ``[min_chars, max_chars]`` after cleaning, or outside
    ``[min_original_chars, max_original_chars]`` as read. Counts characters, not words, so a
    200-character Chinese paragraph and a 200-character English one weigh the same. The bounds
    on the text as read judge the input whatever the edit rules remove: a multi-megabyte dump is
    rejected even when a few kilobytes of it survive cleaning, and a text shorter than
    ``min_original_chars`` is rejected before any rule rewrites it (edit rules remove text, so a
    profile sets it to ``min_chars``: a short review or comment costs no editing)."""

    signals = {"chars": "int64", "original_chars": "int64"}
    thresholds = frozenset({"min_chars", "max_chars", "min_original_chars", "max_original_chars"})

    min_chars: int = 50
    max_chars: int = 1_000_000
    min_original_chars: int = 0
    max_original_chars: int = 10_000_000

    def score(self, doc: Document) -> dict:
        return {"chars": doc.signals.n_chars, "original_chars": len(doc.original_text)}

    def screen(self, doc: Document) -> dict | None:
        original = len(doc.original_text)
        if self.min_original_chars <= original <= self.max_original_chars:
            return None
        return {"original_chars": original}

    def keep(self, value: dict) -> bool:
        return (self.min_chars <= value["chars"] <= self.max_chars
                and self.min_original_chars <= value["original_chars"] <= self.max_original_chars)


@register("han_ratio")
@dataclass
class HanRatio(Filter):
    """Chinese documents whose Han characters are under ``min_ratio`` of their non-space
    characters: mostly digits, symbols or markup. Clean technical Chinese with tables and shell
    commands sits around 0.1–0.2, so a web profile can ask for more than a book profile."""

    signals = {"value": "float64"}
    thresholds = frozenset({"min_ratio"})
    languages = frozenset({"zh"})
    min_ratio: float = 0.1

    def score(self, doc: Document) -> float:
        return round(doc.signals.han_ratio, 4)

    def keep(self, value: float) -> bool:
        return value >= self.min_ratio
