"""One Aho-Corasick automaton over every term of every list.

ASCII terms match case-insensitively on word boundaries ("ass" does not fire inside "class");
terms with Chinese characters match as substrings, since Chinese has no spaces to bound a word.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import ahocorasick

from datacleaning.resources import resolve_list

DATA_DIR = Path(__file__).parent / "data"


def resolve_blacklist(name: str, base_dir: Path) -> Path:
    return resolve_list(name, base_dir, DATA_DIR)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class TermMatcher:
    """Finds the terms of several named lists in a text, in one pass."""

    def __init__(self, lists: dict[str, list[str]]):
        self._automaton = ahocorasick.Automaton()
        entries: dict[str, set[str]] = {}
        for list_name, terms in lists.items():
            for term in terms:
                key = term.lower()
                entries.setdefault(key, set()).add(list_name)
        for key, names in entries.items():
            self._automaton.add_word(key, (key, key.isascii(), tuple(sorted(names))))
        self.n_terms = len(entries)
        if entries:
            self._automaton.make_automaton()

    def find(self, text: str) -> Counter:
        """Counts of each matched term."""
        hits: Counter = Counter()
        if not self.n_terms:
            return hits
        haystack = text.lower()
        n = len(haystack)
        for end, (term, ascii_term, _) in self._automaton.iter(haystack):
            if ascii_term:
                start = end - len(term) + 1
                if (start > 0 and _is_word_char(haystack[start - 1])) or (end + 1 < n and _is_word_char(haystack[end + 1])):
                    continue
            hits[term] += 1
        return hits
