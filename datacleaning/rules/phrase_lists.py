"""Phrase lists for the boilerplate rules, and one matcher that finds their phrases in a line.

A list is a plain-text file, one phrase a line, ``#`` starting a comment: a list bundled in
``datacleaning/rules/data/`` is named without its ``.txt``; any other list is a file path, relative
to the config's folder. Anchors say where in a unit (a line or a sentence) a phrase must stand:

- ``phrase``   anywhere in the unit;
- ``^phrase``  at its start;
- ``phrase$``  at its end;
- ``^phrase$`` the whole unit.

Start and end ignore decoration around the words (spaces, brackets, punctuation), so ``^责任编辑``
holds for ``（责任编辑：张三）`` and ``登录$`` for ``【登录】``. ASCII phrases match case-insensitively and
only as whole words ("share" is not found in "shareholder"); other phrases match as substrings,
since Chinese has no spaces to bound a word.
"""
from __future__ import annotations

from pathlib import Path

import ahocorasick

from datacleaning.resources import load_terms, resolve_list

DATA_DIR = Path(__file__).parent / "data"

# Characters that frame a label without being words: what ``^`` and ``$`` look past. Chinese
# sentence punctuation is not among them: a line that is only "。（关闭）" is the tail of a wrapped
# sentence, not a 关闭 button; nor is a hyphen: "--login" is a command option, not a login link.
DECORATION = (" \t\u3000\xa0|｜/／\\·•・>»›<«‹—_=+*#~…,.:：;!?'\"“”‘’"
              "()（）[]【】{}<>《》〈〉「」『』〔〕")


def load_phrase_lists(names: list[str], base_dir: Path) -> list[str]:
    return [phrase for name in names for phrase in load_terms(resolve_list(name, base_dir, DATA_DIR))]


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def substring_automaton(keys) -> ahocorasick.Automaton | None:
    """An automaton finding each of ``keys`` as a plain substring (its value is the key), or None
    for no keys."""
    automaton = ahocorasick.Automaton()
    for key in filter(None, keys):
        automaton.add_word(key, key)
    if not len(automaton):
        return None
    automaton.make_automaton()
    return automaton


class PhraseMatcher:
    """Tells whether a unit of text holds one of its phrases where the phrase's anchors say."""

    def __init__(self, phrases: list[str]):
        anchors: dict[str, set[tuple[bool, bool]]] = {}
        whole: set[str] = set()
        for phrase in phrases:
            at_start = phrase.startswith("^")
            at_end = phrase.endswith("$") and len(phrase) > 1
            key = phrase[1 if at_start else 0: -1 if at_end else None].strip().lower()
            if not key:
                continue
            if at_start and at_end:
                # A whole-unit phrase is a set lookup: one-character widget labels (赞, 顶) would
                # otherwise hit inside every other line.
                whole.add(key.strip(DECORATION))
            else:
                anchors.setdefault(key, set()).add((at_start, at_end))
        self._whole = frozenset(whole)
        self._automaton = ahocorasick.Automaton()
        for key, where in anchors.items():
            bounded = key.isascii()
            self._automaton.add_word(key, (len(key), bounded and _is_word_char(key[0]),
                                           bounded and _is_word_char(key[-1]), tuple(where)))
        if anchors:
            self._automaton.make_automaton()
        self._has_anchored = bool(anchors)
        self._anchored_keys = frozenset(anchors)
        self._anywhere = substring_automaton(self._anchored_keys | self._whole)

    def occurs_in(self, lowered_text: str) -> bool:
        """Whether some phrase occurs in ``lowered_text`` as a plain substring, anchors and word
        boundaries not checked: False means no unit of the text matches."""
        return self._anywhere is not None and next(self._anywhere.iter(lowered_text), None) is not None

    def matches(self, lowered_unit: str) -> bool:
        """Whether the unit, already lower-cased, holds a phrase where its anchors say."""
        unit = lowered_unit
        if unit.strip(DECORATION) in self._whole:
            return True
        if not self._has_anchored:
            return False
        lead = tail = -1
        for end, (length, bounded_start, bounded_end, where) in self._automaton.iter(unit):
            start = end - length + 1
            if ((bounded_start and start > 0 and _is_word_char(unit[start - 1]))
                    or (bounded_end and end + 1 < len(unit) and _is_word_char(unit[end + 1]))):
                continue
            if lead < 0:
                lead = len(unit) - len(unit.lstrip(DECORATION))
                tail = len(unit.rstrip(DECORATION))
            for at_start, at_end in where:
                if (not at_start or start <= lead) and (not at_end or end + 1 >= tail):
                    return True
        return False
