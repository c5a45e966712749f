"""Running text against lists: the share of words that are function words.

Sentences cannot be written without articles, prepositions, pronouns and auxiliaries in English,
or without particles, prepositions and pronouns in Chinese, whatever their topic. Keyword lists,
spun keyword pages, product catalogues, tag clouds, lists of links and titles strung together
have few. RedPajama-V2 keeps this signal for every document (``rps_doc_stop_word_fraction``) and
jusText classifies paragraphs by it; Gopher's quality rule asks only for two of eight such words,
which nearly every listing passes.
"""
from __future__ import annotations

from dataclasses import dataclass

from datacleaning.document import Document
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import register
from datacleaning.rules.web_text import WEB_LANGUAGES, ZH
from datacleaning.rules.word_lists import function_words


@register("function_words")
@dataclass
class FunctionWords(Filter):
    """Documents that are lists rather than running text: fewer than ``en_min_fraction`` of their
    English words (Chinese: ``zh_min_fraction`` of their Han characters) are function words; or,
    in English, fewer than ``en_listing_fraction`` are and more than ``en_max_title_case`` of the
    words are in title case (a capital, then not only capitals: "Paris", not "THE" or "CSI"), the
    mark of product names, headlines and navigation strung together. English words are the runs
    of Latin letters (``don't`` is one word), Chinese words its Han characters. Text in another
    language written in Latin letters, which the script-based language guess routes to English,
    has next to no English function words and is rejected as ``fraction`` (a French or German
    article in ``mixed_web``).

    The English thresholds keep at least 99.5% of every clean English reference source of the
    development data, terse technical manuals with their command lists and tables included, and
    97% of the web excerpts people labelled good (see bench/judgment.py). The Chinese check is off
    (0.0): Chinese encyclopaedia entries, statutes and help pages are as short of function
    characters as catalogues are (any threshold that rejects a tenth of the catalogues rejects 3-6%
    of those), so the fraction is measured and stored for a user to threshold, not judged by
    default.
    """

    signals = {"fraction": "float64", "title_case": "float64", "words": "int64"}
    thresholds = frozenset({
        "en_min_fraction", "en_listing_fraction", "en_max_title_case", "zh_min_fraction", "min_words"
    })
    threshold_fields = {
        "en_min_fraction": "fraction", "zh_min_fraction": "fraction", "en_listing_fraction": "fraction",
        "en_max_title_case": "title_case", "min_words": "words"
    }
    languages = WEB_LANGUAGES
    en_min_fraction: float = 0.10
    en_listing_fraction: float = 0.32
    en_max_title_case: float = 0.30
    zh_min_fraction: float = 0.0
    min_words: int = 20

    def score(self, doc: Document) -> dict:
        s = doc.views
        listed = function_words(doc.lang)
        # Chinese is judged by its Han characters, English by its words in Latin letters: the Latin
        # words in Chinese text and the Chinese names in English text are not the language's own.
        if doc.lang == ZH:
            han = s.han_counts
            n_han = sum(han.values())
            return {"fraction": round(sum(n for char, n in han.items() if char in listed) / max(n_han, 1), 4),
                    "words": n_han}
        words = s.latin_word_counts
        n_words = sum(words.values())
        per_word = 1 / max(n_words, 1)
        title_case = sum(n for word, n in words.items() if word[0].isupper() and not word.isupper())
        return {"fraction": round(sum(n for word, n in words.items() if word.lower() in listed) * per_word, 4),
                "title_case": round(title_case * per_word, 4), "words": n_words}

    def failed_check(self, value: dict) -> str:
        if value["words"] < self.min_words:
            return ""
        if "title_case" not in value:
            return "fraction" if value["fraction"] < self.zh_min_fraction else ""
        if value["fraction"] < self.en_min_fraction:
            return "fraction"
        if value["fraction"] < self.en_listing_fraction and value["title_case"] > self.en_max_title_case:
            return "listing"
        return ""
