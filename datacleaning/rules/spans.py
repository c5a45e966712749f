"""Stretches of a text that character-level rules must not touch: table rows and URLs.

Each is found on the first question about a text (and never when no question is asked), then each
question is answered by bisection, so a rule that asks at every one of its matches stays linear
however long the text's lines are.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator

# A row of an ASCII, Markdown or box-drawn table ("| a | b |", "+----+----+", "|---|---|",
# "│ 扇区 │ 说明 │", "├──┼──┤") is a line whose first visible character is |, + or a box-drawing
# character: its marks and spaces keep the columns lined up. Found from the newline before it, so
# that ``re`` can jump between newlines.
_ROW_MARKS = "|+\u2500-\u257f"
_ROW_AFTER_NEWLINE = re.compile(f"\n[ \t\xa0\u3000]*[{_ROW_MARKS}]")
_ROW_AT_START = re.compile(f"[ \t\xa0\u3000]*[{_ROW_MARKS}]")
_ANY_ROW_MARK = re.compile(f"[{_ROW_MARKS}]")
# Where a URL shows itself; the URL then runs back to its scheme and on to the next whitespace,
# Chinese paths and queries included.
_URL_HINT = re.compile(r"://|www\.|WWW\.")
_SCHEMES = ("https", "http", "ftp")
_NON_SPACE = re.compile(r"\S*")


def _table_rows(text: str) -> Iterator[tuple[int, int]]:
    if _ANY_ROW_MARK.search(text) is None:
        return
    starts = ([0] if _ROW_AT_START.match(text) else []) + [m.start() + 1 for m in _ROW_AFTER_NEWLINE.finditer(text)]
    for start in starts:
        end = text.find("\n", start)
        yield start, len(text) if end < 0 else end


def _url_words(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    for hint in _URL_HINT.finditer(text):
        start = hint.start()
        if start < pos:
            continue
        if hint.group() == "://":
            scheme = next((s for s in _SCHEMES if text[max(0, start - len(s)):start].lower() == s), None)
            if scheme is None:
                continue
            start -= len(scheme)
        pos = _NON_SPACE.match(text, hint.end()).end()
        yield start, pos


class Spans:
    """Spans of one text, as ``finder`` yields them in order, asked about by position."""

    def __init__(self, finder: Callable[[str], Iterator[tuple[int, int]]], text: str):
        self._finder = finder
        self._text = text
        self._starts: list[int] | None = None
        self._ends: list[int] = []

    def __contains__(self, pos: int) -> bool:
        if self._starts is None:
            spans = list(self._finder(self._text))
            self._starts = [start for start, _ in spans]
            self._ends = [end for _, end in spans]
        i = bisect_right(self._starts, pos) - 1
        return i >= 0 and pos < self._ends[i]


def table_rows(text: str) -> Spans:
    """The rows of ASCII and Markdown tables in ``text``."""
    return Spans(_table_rows, text)


def url_words(text: str) -> Spans:
    """The URLs in ``text``, each with whatever is glued to it up to the next whitespace."""
    return Spans(_url_words, text)
