"""How long a document is, before and after cleaning."""
from __future__ import annotations

from dataclasses import dataclass

from datacleaning.document import Document
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import register
from datacleaning.text_views import TextViews


@register("length")
@dataclass
class Length(Filter):
    """Documents whose length falls outside ``[min_chars, max_chars]`` after cleaning, or outside
    ``[min_original_chars, max_original_chars]`` as read. Counts characters, not words. A text of
    at least ``min_han_chars`` Han characters (0: no such allowance) is long enough whatever the
    minimums say: a Chinese character carries about as much as two or three Latin letters, so a
    28-character quatrain or a one-line help page is a whole text where 28 English letters are a
    fragment. The bounds on the text as read judge the input whatever the edit rules remove: a
    multi-megabyte dump is rejected even when a few kilobytes of it survive cleaning, and a text
    shorter than ``min_original_chars`` is rejected before any rule rewrites it (edit rules remove
    text, so a profile sets it to ``min_chars``: a short review or comment costs no editing)."""

    signals = {"chars": "int64", "original_chars": "int64", "han_chars": "int64", "original_han_chars": "int64"}
    thresholds = frozenset({"min_chars", "max_chars", "min_original_chars", "max_original_chars", "min_han_chars"})
    threshold_fields = {
        "min_chars": "chars", "max_chars": "chars", "min_original_chars": "original_chars",
        "max_original_chars": "original_chars", "min_han_chars": "han_chars"
    }

    min_chars: int = 50
    max_chars: int = 1_000_000
    min_original_chars: int = 0
    max_original_chars: int = 10_000_000
    min_han_chars: int = 0

    def score(self, doc: Document) -> dict:
        han = doc.views.n_han
        # A text no rule rewrote is the very string read: its Han characters are counted once.
        original_han = han if doc.original_text is doc.text else TextViews(doc.original_text).n_han
        return {"chars": doc.views.n_chars, "original_chars": len(doc.original_text),
                "han_chars": han, "original_han_chars": original_han}

    def screen(self, doc: Document) -> dict | None:
        original = len(doc.original_text)
        if self.min_original_chars <= original <= self.max_original_chars:
            return None
        value = {"original_chars": original, "original_han_chars": TextViews(doc.original_text).n_han}
        return None if original <= self.max_original_chars and self._han_enough(value["original_han_chars"]) else value

    def keep(self, value: dict) -> bool:
        return ((self.min_chars <= value["chars"] or self._han_enough(value["han_chars"]))
                and value["chars"] <= self.max_chars
                and (self.min_original_chars <= value["original_chars"] or self._han_enough(value["original_han_chars"]))
                and value["original_chars"] <= self.max_original_chars)

    def _han_enough(self, han_chars: int) -> bool:
        return 0 < self.min_han_chars <= han_chars
