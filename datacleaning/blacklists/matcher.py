"""One Aho-Corasick automaton over every term of every list.

ASCII terms match case-insensitively on word boundaries ("ass" does not fire inside "class");
terms with Chinese characters match as substrings, since Chinese has no spaces to bound a word.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import ahocorasick

DATA_DIR = Path(__file__).parent / "data"


def resolve_list(name: str, base_dir: Path) -> Path:
    """A bundled list by name (``ldnoobw_en``) or a file path relative to ``base_dir``."""
    bundled = DATA_DIR / f"{name}.txt"
    if bundled.exists():
        return bundled
    path = Path(name)
    path = path if path.is_absolute() else base_dir / path
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in DATA_DIR.glob("*.txt")))
        raise FileNotFoundError(f"word list {name!r} is neither a bundled list ({known}) nor a file")
    return path


def load_terms(path: Path) -> list[str]:
    terms = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            term = line.strip()
            if term and not term.startswith("#"):
                terms.append(term)
    return terms


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
