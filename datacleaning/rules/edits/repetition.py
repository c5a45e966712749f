"""Edit rules that collapse repetition inside one document, in time linear in its length.

Two scales: whole lines (a line or a block of lines repeated back to back, optionally a block
repeated anywhere later) and runs inside a line (哈哈哈哈哈哈哈哈, 没有送水没有送水没有送水). The first copy
always stays.
"""
from __future__ import annotations

import operator
import re
from collections import Counter
from dataclasses import dataclass

from datacleaning.rules.base import Editor
from datacleaning.rules.edits.code_lines import looks_like_code
from datacleaning.rules.line_edits import drop_lines
from datacleaning.rules.registry import register

_WORD_CHAR = re.compile(r"[^\W_]")


def _char_counts(line: str) -> tuple[int, int]:
    """Letters and digits, and visible characters, of a line."""
    return len(_WORD_CHAR.findall(line)), len(line) - line.count(" ") - line.count("\t")


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


@register("collapse_repeated_lines")
@dataclass
class CollapseRepeatedLines(Editor):
    """A line, or a block of up to ``max_block_lines`` lines, immediately followed by copies of
    itself keeps its first copy: a title rendered twice, a paragraph pasted twice, a spam line
    repeated fifty times. Blank lines between the copies do not hide them; leading spaces do
    (indentation is meaning in code). Left alone: repeats with fewer than ``min_chars`` letters and
    digits ("}", "fi", "January" twice in a column of program output) or made mostly of symbols
    (code, ASCII art, table rules), and repetition with other text in between: reference text
    restates on purpose (a man page gives two options the same note, a manual lists the same
    steps in two procedures). Verse refrains repeated word for word back to back ("This is the way
    the world ends," three times) are collapsed at the default; a literature profile raises
    ``min_chars`` so that only paragraph-length repeats go. ``later_block_lines`` > 0 also drops
    any block of that many lines already seen earlier in the document, for web text, where such
    blocks are repeated carousels, footers and quoted comment threads (not a block of numbered
    items, （一）（二）...: statutes list again what an earlier article named; nor one half or more of
    whose lines read as code: a tutorial's next listing starts as the one before it did)."""

    min_chars: int = 10
    max_block_lines: int = 10
    later_block_lines: int = 0

    def __post_init__(self):
        _check(self.min_chars >= 1, "collapse_repeated_lines.min_chars must be at least 1")
        _check(self.max_block_lines >= 1, "collapse_repeated_lines.max_block_lines must be at least 1")
        _check(self.later_block_lines >= 0, "collapse_repeated_lines.later_block_lines must be 0 (off) or more")

    def apply(self, text: str) -> str:
        lines = text.split("\n")
        positions = [i for i, line in enumerate(lines) if line.strip()]
        ids: list[int] = []
        first_id: dict[str, int] = {}
        for i in positions:
            ids.append(first_id.setdefault(lines[i].rstrip(), len(first_id)))
        if len(first_id) == len(ids):
            return text
        # Only lines that occur more than once can be part of a repeated block.
        occurrences = Counter(ids)
        counts_of_id = [_char_counts(line) if occurrences[k] > 1 else (0, 0) for k, line in enumerate(first_id)]
        words_before, visible_before = [0], [0]
        for line_id in ids:
            words, visible = counts_of_id[line_id]
            words_before.append(words_before[-1] + words)
            visible_before.append(visible_before[-1] + visible)

        def collapsible(start: int, end: int) -> bool:
            """Whether lines ``ids[start:end]`` are worth collapsing: enough letters and digits, and
            at least half of what is visible (code, ASCII art and table rules repeat lines on
            purpose and are mostly symbols: ``~ ^<<<<<<<<<<`` / ``$description``)."""
            words = words_before[end] - words_before[start]
            return words >= self.min_chars and 2 * words >= visible_before[end] - visible_before[start]

        dropped = self._back_to_back(ids, collapsible) | self._later_blocks(ids, collapsible, first_id, occurrences)
        if not dropped:
            return text
        return drop_lines(lines, {positions[k] for k in dropped})

    def _back_to_back(self, ids: list[int], collapsible) -> set[int]:
        """Indexes (into ``ids``) of the copies that follow a block of ``period`` lines directly.

        ``ids[j] == ids[j + period]`` over a stretch of at least ``period`` positions means the lines
        from the stretch's start repeat with that period; everything after the first period goes.
        """
        dropped: set[int] = set()
        for period in range(1, min(self.max_block_lines, len(ids) // 2) + 1):
            same = bytes(map(operator.eq, ids, ids[period:]))
            for run in re.finditer(rb"\x01{%d,}" % period, same):
                start, end = run.span()
                if collapsible(start, start + period):
                    dropped.update(range(start + period, end + period))
        return dropped

    def _later_blocks(self, ids: list[int], collapsible, first_id: dict[str, int], occurrences: Counter) -> set[int]:
        """Indexes of blocks of ``later_block_lines`` lines that appeared, whole, earlier; not a
        block of numbered items: a statute's penalty article lists again, item for item, what an
        earlier article forbade; nor a block half or more of whose lines are code: a tutorial's
        next listing starts as the one before it did. ``first_id``: each distinct line's id;
        ``occurrences``: how often each id occurs (only repeated lines are read)."""
        size = self.later_block_lines
        dropped: set[int] = set()
        if not size:
            return dropped
        repeated = [(k, line) for k, line in enumerate(first_id) if occurrences[k] > 1]
        items = {k for k, line in repeated if _LIST_ITEM.match(line)}
        code = {k for k, line in repeated if looks_like_code(line)}
        first_start: dict[tuple[int, ...], int] = {}
        for start, block in enumerate(zip(*(ids[k:] for k in range(size)), strict=False)):
            earlier = first_start.setdefault(block, start)
            if (earlier + size <= start and not items.issuperset(block) and 2 * sum(k in code for k in block) < size
                    and collapsible(start, start + size)):
                dropped.update(range(start, start + size))
        return dropped


# A numbered item of a Chinese list: （一）, (二), 三、
_LIST_ITEM = re.compile(r"\s*(?:[（(][一二三四五六七八九十百]+[）)]|[一二三四五六七八九十百]+、)")
# A repeated unit is made of letters of scripts other than Latin (Greek, Cyrillic ... kana, CJK,
# Hangul) and the marks that end a phrase (，。！？、～,!?~), with at least one letter. Latin words are
# never units, so "Mississippi", "bookkeeper", hex digits and DNA strings stay; digits are not in a
# unit, so 100000000 and 666666 stay; neither are spaces, table rules (| │ ─) or other symbols, so
# table rows with the same cell and box drawings stay; a run of marks alone (！！！！) has no letter.
_UNIT_CHAR = r"[\u0370-\u1fff\u3040-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff，。！？、～,!?~]"
_LETTER = re.compile(r"[^\W\d_]")


@register("collapse_repeated_substrings")
@dataclass
class CollapseRepeatedSubstrings(Editor):
    """A run of one short unit repeated inside a line: 哈哈哈哈哈哈哈哈 → 哈哈哈, 没有送水没有送水没有送水 →
    没有送水没有送水, 差评！差评！差评！ → 差评！差评！. A run is collapsed when its unit (up to
    ``max_unit_chars`` letters of a non-Latin script and phrase-ending marks) appears at least
    ``min_copies`` times in a row and the run is at least ``min_run_chars`` long; it keeps
    ``keep_copies`` copies, and never fewer than ``keep_chars`` characters, so a laugh stays 哈哈哈.
    Left alone: reduplication and short repeats (谢谢, 蛐蛐, 一一对应, 哈哈哈, 对对对), Latin words
    (Mississippi, bookkeeper, hex, DNA), numbers (100000000), punctuation alone (!!!!, the
    punctuation rules' job), table rows sharing a cell (units never hold spaces or rules)."""

    min_copies: int = 3
    min_run_chars: int = 8
    max_unit_chars: int = 10
    keep_copies: int = 2
    keep_chars: int = 3

    def __post_init__(self):
        _check(self.min_copies >= 2, "collapse_repeated_substrings.min_copies must be at least 2")
        _check(1 <= self.keep_copies < self.min_copies,
               "collapse_repeated_substrings.keep_copies must be at least 1 and less than min_copies")
        _check(self.max_unit_chars >= 1, "collapse_repeated_substrings.max_unit_chars must be at least 1")
        # _units_from[n] finds a unit of n + 1 to max_unit_chars characters standing min_copies
        # times in a row, the shortest first; whether its run is long enough is _run_at's call.
        copies = r"\1" * (self.min_copies - 1)
        self._units_from = [re.compile(rf"({_UNIT_CHAR}{{{n},{self.max_unit_chars}}}?){copies}")
                            for n in range(1, self.max_unit_chars + 1)]

    def apply(self, text: str) -> str:
        if text.isascii():
            return text
        pieces: list[str] = []
        copied_up_to = pos = 0
        search = self._units_from[0].search
        while match := search(text, pos):
            start = match.start()
            if not _LETTER.search(match.group(1)):
                pos = _stretch_end(text, start, match.group(1))  # marks alone: punctuation's job
                continue
            run = self._run_at(text, match)
            if run is None:
                pos = start + 1
                continue
            unit, end = run
            pieces += [text[copied_up_to:start], unit * max(self.keep_copies, -(-self.keep_chars // len(unit)))]
            copied_up_to = pos = end
        if not pieces:
            return text
        pieces.append(text[copied_up_to:])
        return "".join(pieces)

    def _run_at(self, text: str, match: re.Match) -> tuple[str, int] | None:
        """The shortest unit, from the one ``match`` found on, whose run from the match's start is
        long enough, and where that run ends."""
        start = match.start()
        while match:
            unit = match.group(1)
            end = _stretch_end(text, start, unit)
            if end - start >= self.min_run_chars and _LETTER.search(unit):
                return unit, end
            if len(unit) == self.max_unit_chars:
                return None
            match = self._units_from[len(unit)].match(text, start)
        return None


def _stretch_end(text: str, start: int, unit: str) -> int:
    """Where the copies of ``unit`` that follow one another from ``start`` end."""
    end = start
    while text.startswith(unit, end):
        end += len(unit)
    return end
