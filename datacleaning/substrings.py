"""Finding many fixed strings in a text in one pass: the one Aho-Corasick automaton every word
and phrase list is matched with.

``ahocorasick_rs`` compiles the keys to a DFA and scans about five times faster than
pyahocorasick, whose nodes look a character up by a linear scan of their children (the root
of the bundled blacklists has hundreds). The automaton itself cannot be pickled, so a finder
pickles as its keys and compiles them again: rules travel to Ray workers that way.
"""
from __future__ import annotations

import ahocorasick_rs

# Leftmost-longest: non-overlapping matches, at each position the longest key. Every: all
# occurrences of every key, overlapping ones included.
LONGEST, EVERY = "longest", "every"


class SubstringFinder:
    """Where ``keys`` (non-empty strings; duplicates allowed, each index kept) occur in a text.

    Matches are ``(key index, start, end)`` in characters of the text, in text order.
    """

    def __init__(self, keys: list[str], kind: str = EVERY):
        if kind not in (LONGEST, EVERY):
            raise ValueError(f"kind must be {LONGEST!r} or {EVERY!r}, not {kind!r}")
        self.keys = list(keys)
        self.kind = kind
        self._compile()

    def _compile(self) -> None:
        matchkind = ahocorasick_rs.MatchKind.LeftmostLongest if self.kind == LONGEST else ahocorasick_rs.MatchKind.Standard
        self._automaton = ahocorasick_rs.AhoCorasick(self.keys, matchkind=matchkind,
                                                     implementation=ahocorasick_rs.Implementation.DFA)

    def matches(self, text: str) -> list[tuple[int, int, int]]:
        return self._automaton.find_matches_as_indexes(text, overlapping=self.kind == EVERY)

    def occurs_in(self, text: str) -> bool:
        """Whether some key occurs in ``text``."""
        return bool(self._automaton.find_matches_as_indexes(text))

    def lines_holding(self, text: str) -> list[int]:
        """Indexes, in order, of the lines of ``text`` (split at ``\\n``) in which some key
        occurs, for keys without a newline: the only lines a rule looking for the keys has to
        read. (Occurrences that overlap a match are not reported, but every line holding a key
        still gives one.)"""
        found: list[int] = []
        line = pos = 0
        for _, start, _ in self._automaton.find_matches_as_indexes(text):
            line += text.count("\n", pos, start)
            pos = start
            if not found or found[-1] != line:
                found.append(line)
        return found

    def __getstate__(self) -> dict:
        return {"keys": self.keys, "kind": self.kind}

    def __setstate__(self, state: dict) -> None:
        self.keys, self.kind = state["keys"], state["kind"]
        self._compile()
