"""The blacklist filter: reject a document by the density of word-list hits per category, not by
one hit, or by its URL's domain."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from datacleaning.blacklists.matcher import DomainMatcher, TermMatcher, read_word_lists
from datacleaning.document import Document
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import register

DEFAULT_LISTS = ["zh_porn", "zh_gambling", "zh_violence", "zh_drugs", "zh_abuse", "zh_ads",
                 "en_porn", "en_gambling", "en_abuse", "en_ads"]
DEFAULT_URL_LISTS = ["domains_easylist_ads", "domains_easylist_adult", "domains_zh_spam"]
# Per category: hits, distinct terms, and hits per 1,000 characters a document needs, all three,
# to be rejected. A category not named here uses the ``default`` entry. Swearing turns up in
# angry reviews and quoted speech, so abuse needs more of both.
DEFAULT_MIN_HITS = {"default": 3, "abuse": 4}
DEFAULT_MIN_TERMS = {"default": 2}
DEFAULT_MIN_HITS_PER_1K = {"default": 2.0, "abuse": 4.0}
TERMS_REPORTED = 10


@register("blacklist")
@dataclass
class Blacklist(Filter):
    """Documents built around the terms of one category of word list (porn, gambling, violence,
    drugs, abuse, ads; politically sensitive terms with the optional ``zh_politics``), or whose
    URL is on a domain list.

    All ``lists`` are matched in one pass. A category rejects a document when its hits reach
    ``min_hits``, its distinct terms ``min_terms`` and its hits per 1,000 characters
    ``min_hits_per_1k``, so one stray word in a long article is not enough and neither is one
    word repeated; a page built around such words is. Each threshold is a table by category,
    with ``default`` for the categories not named; what is given is laid over the defaults.
    ``zh_min_terms`` is laid over ``min_terms`` for Chinese documents: a Chinese term of several
    characters means one thing, where an English word may mean another ("smut" is also a disease
    of wheat), so a profile can let one explicit Chinese term, repeated, decide.

    The record's ``title_field``, read from its ``meta`` (the input record's other fields), is
    matched with the text as its first line: spam sites inject their brand names into titles
    above otherwise ordinary text. ``url_lists`` are checked against the document's
    ``url_field``, read from ``meta`` too (WARC input stores the target URI as ``url``); one
    listed domain rejects. Lists are bundled list names or files (relative to the config). The
    value holds, per category hit, the hits, their density, the number of distinct terms and the
    most frequent terms, and the URL's listed domain; ``flagged`` judges it against the
    thresholds, so stored values can be judged again with others.
    """

    signals = {"hits": "int64"}
    thresholds = frozenset({"min_hits", "min_terms", "zh_min_terms", "min_hits_per_1k"})
    threshold_fields = {"min_hits": "hits"}

    lists: list[str] = field(default_factory=lambda: list(DEFAULT_LISTS))
    url_lists: list[str] = field(default_factory=lambda: list(DEFAULT_URL_LISTS))
    url_field: str = "url"
    title_field: str = "title"
    min_hits: dict[str, int] = field(default_factory=dict)
    min_terms: dict[str, int] = field(default_factory=dict)
    zh_min_terms: dict[str, int] = field(default_factory=dict)
    min_hits_per_1k: dict[str, float] = field(default_factory=dict)

    def prepare(self, base_dir: Path) -> None:
        self._matcher = TermMatcher(read_word_lists(self.lists, base_dir))
        self._domains = DomainMatcher(read_word_lists(self.url_lists, base_dir))
        known = set(self._matcher.categories) | set(self._domains.categories) | {"default"}
        self._thresholds = {}
        for name, given, defaults in (("min_hits", self.min_hits, DEFAULT_MIN_HITS),
                                      ("min_terms", self.min_terms, DEFAULT_MIN_TERMS),
                                      ("zh_min_terms", self.zh_min_terms, {**DEFAULT_MIN_TERMS, **self.min_terms}),
                                      ("min_hits_per_1k", self.min_hits_per_1k, DEFAULT_MIN_HITS_PER_1K)):
            unknown = sorted(set(given) - known)
            if unknown:
                raise ValueError(f"{name}: no loaded list has category {', '.join(unknown)} "
                                 f"(categories: {', '.join(sorted(known))})")
            merged = {**defaults, **given}
            self._thresholds[name] = {c: merged.get(c, merged["default"]) for c in self._matcher.categories}

    def score(self, doc: Document) -> dict:
        title = doc.meta_string(self.title_field)
        text = f"{title}\n{doc.text}" if title else doc.text
        per_category = self._matcher.find(text)
        chars = max(len(text), 1)
        categories = {}
        for category, counts in sorted(per_category.items()):
            hits = sum(counts.values())
            categories[category] = {"hits": hits, "per_1k": round(1000 * hits / chars, 3), "distinct": len(counts),
                                    "terms": dict(counts.most_common(TERMS_REPORTED))}
        value: dict = {"hits": sum(c["hits"] for c in categories.values()), "categories": categories,
                       "lang": doc.lang}
        if self._domains.categories and (url := doc.meta_string(self.url_field)):
            listed = self._domains.find(url)
            if listed is not None:
                value["url"] = {"category": listed[0], "domain": listed[1]}
        return value

    def flagged(self, value: dict) -> list[str]:
        """The categories whose hits reach all three thresholds, then the URL's listed category."""
        terms = "zh_min_terms" if value.get("lang") == "zh" else "min_terms"
        min_hits, min_terms, min_per_1k = (self._thresholds[k] for k in ("min_hits", terms, "min_hits_per_1k"))
        found = [category for category, c in value["categories"].items()
                 if c["hits"] >= min_hits[category] and c["distinct"] >= min_terms[category]
                 and c["per_1k"] >= min_per_1k[category]]
        listed = value.get("url", {}).get("category")
        if listed and listed not in found:
            found.append(listed)
        return found

    def failed_check(self, value: dict) -> str:
        """The first flagged category (``blacklist:gambling``)."""
        return next(iter(self.flagged(value)), "")
