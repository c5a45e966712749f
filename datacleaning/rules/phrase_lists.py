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

from datacleaning.resources import load_terms, resolve_list
from datacleaning.script_chars import simplified_form
from datacleaning.substrings import SubstringFinder

DATA_DIR = Path(__file__).parent / "data"

# Characters that frame a label without being words: what ``^`` and ``$`` look past. Chinese
# sentence punctuation is not among them: a line that is only "。（关闭）" is the tail of a wrapped
# sentence, not a 关闭 button; nor is a hyphen: "--login" is a command option, not a login link.
DECORATION = (" \t\u3000\xa0|｜/／\\·•・>»›<«‹—_=+*#~…,.:：;!?'\"“”‘’"
              "()（）[]【】{}<>《》〈〉「」『』〔〕")


def matching_form(text: str) -> str:
    """The form in which phrases are looked for and lists are written: lower case, Traditional
    characters folded to Simplified one for one (offsets and lengths stay those of the text), so
    a list written in Simplified finds 責任編輯 and 相關閱讀 as it finds 责任编辑 and 相关阅读."""
    return simplified_form(text.lower())


def load_phrase_lists(names: list[str], base_dir: Path) -> list[str]:
    return [phrase for name in names for phrase in load_terms(resolve_list(name, base_dir, DATA_DIR))]


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _outside_words(unit: str, start: int, stop: int, bounded_start: bool, bounded_end: bool) -> bool:
    """Whether ``unit[start:stop]`` is not glued to a word on a side that needs a word boundary."""
    return not ((bounded_start and start > 0 and _is_word_char(unit[start - 1]))
                or (bounded_end and stop < len(unit) and _is_word_char(unit[stop])))


class PhraseMatcher:
    """Tells whether a unit of text holds one of its phrases where the phrase's anchors say.

    Most phrases are anchored, and an anchored phrase can only stand right after the unit's
    leading decoration (or right before its trailing one): those are looked up by the unit's
    first (last) character and compared, with no scan of the unit. Only unanchored phrases are
    searched for: with ``str.find`` in ASCII units, with one automaton in others.
    """

    def __init__(self, phrases: list[str]):
        whole: set[str] = set()
        starts: dict[str, list[tuple[str, bool, bool]]] = {}
        ends: dict[str, list[tuple[str, bool, bool]]] = {}
        scanned: dict[str, set[tuple[bool, bool]]] = {}
        for phrase in phrases:
            at_start = phrase.startswith("^")
            at_end = phrase.endswith("$") and len(phrase) > 1
            key = matching_form(phrase[1 if at_start else 0: -1 if at_end else None].strip())
            if not key:
                continue
            bounded = key.isascii()
            entry = (key, bounded and _is_word_char(key[0]), bounded and _is_word_char(key[-1]))
            if at_start and at_end:
                # A whole-unit phrase is a set lookup: one-character widget labels (赞, 顶) would
                # otherwise hit inside every other line.
                whole.add(key.strip(DECORATION))
            elif at_start and key[0] not in DECORATION:
                starts.setdefault(key[0], []).append(entry)
            elif at_end and key[-1] not in DECORATION:
                ends.setdefault(key[-1], []).append(entry)
            else:
                scanned.setdefault(key, set()).add((at_start, at_end))
        self._whole = frozenset(whole)
        self._starts = starts
        self._ends = ends
        self._scanned = [(key, len(key), key.isascii() and _is_word_char(key[0]),
                          key.isascii() and _is_word_char(key[-1]), tuple(where)) for key, where in scanned.items()]
        self._ascii_scanned = [entry for entry in self._scanned if entry[0].isascii()]
        self._scanned_finder = SubstringFinder([entry[0] for entry in self._scanned])
        every_key = {key for group in (*starts.values(), *ends.values()) for key, _, _ in group}
        # A unit that holds none of these as a plain substring matches no phrase.
        self.keys = frozenset(filter(None, every_key | set(scanned) | self._whole))
        self._anywhere = SubstringFinder(sorted(self.keys))

    def occurs_in(self, lowered_text: str) -> bool:
        """Whether some phrase occurs in ``lowered_text`` (in ``matching_form``) as a plain
        substring, anchors and word boundaries not checked: False means no unit of the text
        matches."""
        return self._anywhere.occurs_in(lowered_text)

    def matches(self, lowered_unit: str) -> bool:
        """Whether the unit, already in ``matching_form``, holds a phrase where its anchors say."""
        unit = lowered_unit
        after_lead = unit.lstrip(DECORATION)
        if after_lead.rstrip(DECORATION) in self._whole:
            return True
        lead = len(unit) - len(after_lead)
        for key, bounded_start, bounded_end in self._starts.get(after_lead[:1], ()):
            if after_lead.startswith(key) and _outside_words(unit, lead, lead + len(key), bounded_start, bounded_end):
                return True
        before_tail = unit.rstrip(DECORATION)
        tail = len(before_tail)
        for key, bounded_start, bounded_end in self._ends.get(before_tail[-1:], ()):
            if before_tail.endswith(key) and _outside_words(unit, tail - len(key), tail, bounded_start, bounded_end):
                return True
        if not self._scanned:
            return False
        if unit.isascii():
            for key, length, bounded_start, bounded_end, where in self._ascii_scanned:
                start = unit.find(key)
                while start >= 0:
                    if self._stands_where(unit, start, start + length, bounded_start, bounded_end, where, lead, tail):
                        return True
                    start = unit.find(key, start + 1)
            return False
        for index, start, stop in self._scanned_finder.matches(unit):
            _, _, bounded_start, bounded_end, where = self._scanned[index]
            if self._stands_where(unit, start, stop, bounded_start, bounded_end, where, lead, tail):
                return True
        return False

    @staticmethod
    def _stands_where(unit: str, start: int, stop: int, bounded_start: bool, bounded_end: bool,
                      where: tuple[tuple[bool, bool], ...], lead: int, tail: int) -> bool:
        """Whether an occurrence at ``start:stop`` is bounded as it must be and anchored as one of
        ``where`` says (``lead``/``tail``: where the unit's decoration ends and starts again)."""
        if not _outside_words(unit, start, stop, bounded_start, bounded_end):
            return False
        return any((not at_start or start <= lead) and (not at_end or stop >= tail) for at_start, at_end in where)
