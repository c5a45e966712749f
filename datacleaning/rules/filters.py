"""Filters: document-level keep/reject decisions over the shared text signals."""
from __future__ import annotations

from dataclasses import dataclass

from datacleaning.document import Document
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import register


@register("length")
@dataclass
class Length(Filter):
    """Characters after cleaning, outside ``[min_chars, max_chars]``. Counts characters, not
    words, so a 200-character Chinese paragraph and a 200-character English one weigh the same."""

    min_chars: int = 50
    max_chars: int = 1_000_000

    def score(self, doc: Document) -> int:
        return doc.signals.n_chars

    def keep(self, value: int) -> bool:
        return self.min_chars <= value <= self.max_chars


@register("han_ratio")
@dataclass
class HanRatio(Filter):
    """Chinese documents whose Han characters are under ``min_ratio`` of their non-space
    characters: mostly markup, numbers or another language under a Chinese label."""

    languages = frozenset({"zh"})
    min_ratio: float = 0.3

    def score(self, doc: Document) -> float:
        return round(doc.signals.han_ratio, 4)

    def keep(self, value: float) -> bool:
        return value >= self.min_ratio


@register("repeated_lines")
@dataclass
class RepeatedLines(Filter):
    """Documents where more than ``max_fraction`` of the non-blank lines repeat an earlier line
    (Gopher's duplicate-line fraction): spam, templated listings, scraped menus. Documents with
    fewer than ``min_lines`` lines are not judged."""

    max_fraction: float = 0.3
    min_lines: int = 4

    def score(self, doc: Document) -> float:
        lines = doc.signals.nonblank_lines
        if len(lines) < self.min_lines:
            return 0.0
        return round(1 - len(set(lines)) / len(lines), 4)

    def keep(self, value: float) -> bool:
        return value <= self.max_fraction
