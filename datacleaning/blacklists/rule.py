"""The blacklist filter: reject a document by the density of word-list hits, not by one hit."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from datacleaning.blacklists.matcher import TermMatcher, resolve_blacklist
from datacleaning.document import Document
from datacleaning.resources import load_terms
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import register


@register("blacklist")
@dataclass
class Blacklist(Filter):
    """Documents with at least ``min_hits`` word-list hits *and* at least ``min_hits_per_1k``
    hits per 1,000 characters. One stray word in a long article is not enough; a page built
    around such words is. ``lists`` names bundled lists or files (relative to the config)."""

    lists: list[str] = field(default_factory=lambda: ["ldnoobw_en", "ldnoobw_zh"])
    min_hits: int = 3
    min_hits_per_1k: float = 1.0

    def prepare(self, base_dir: Path) -> None:
        self._matcher = TermMatcher({name: load_terms(resolve_blacklist(name, base_dir)) for name in self.lists})

    def score(self, doc: Document) -> dict:
        hits = self._matcher.find(doc.text)
        total = sum(hits.values())
        per_1k = round(1000 * total / max(len(doc.text), 1), 3)
        return {"hits": total, "per_1k": per_1k, "terms": sorted(hits)[:10]}

    def keep(self, value: dict) -> bool:
        return value["hits"] < self.min_hits or value["per_1k"] < self.min_hits_per_1k
