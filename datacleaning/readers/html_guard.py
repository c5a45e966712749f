"""Markup that makes Resiliparse's HTML parser or its text extraction take time and memory growing
with the square of the page, taken out before the page is parsed: no such page may stall a worker
or take a unit of thousands of documents down with it.

Three shapes, found by timing every extractor on generated pages (each number one page, one core):

- formatting tags left open, each with other attributes (``<font color=#k><p>text``, ``<b id=k>``):
  every new block gets a copy of every open one (the HTML5 parser's reconstruction of active
  formatting elements, which merges only identical tags), so elements grow with the square of
  their number: 54 KB took 14 s and 2.7 GB, 320 KB of them with text 24 s;
- lists left open inside one another (``<ul><li>x`` repeated): each level indents every line
  below it, so the text grows with the square of the depth: 400 KB gave 2 billion characters
  (14 s, 5.9 GB);
- one ``<select>`` of very many ``<option>``s: 558 KB took 14 s to parse.

Each is counted here, and where a page holds far more than any real page does (the 1,249 HTML
pages of the development corpus hold at most 112 open formatting tags, 4 open lists and 432
options), the tags of that kind are removed, their text kept: they carry no words, only the shape
the text is drawn in.
"""
from __future__ import annotations

import re
from collections import Counter

_FORMATTING = ("a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u")
_LISTS = ("ul", "ol", "dl")
_OPTION = "option"
_TAG_NAME = re.compile(r"<(/?)(%s)(?=[\s/>])" % "|".join((*_FORMATTING, *_LISTS, _OPTION)), re.I)

# Open at once (start tags less end tags, per element), or present, in the case of options.
MAX_OPEN_FORMATTING = 500
MAX_OPEN_LISTS = 100
MAX_OPTIONS = 10_000


def defused(html: str) -> str:
    """``html`` with the tags of each hostile shape above removed where the page holds too many of
    them; unchanged (the same string) for any other page."""
    counts = Counter((closing, name.lower()) for closing, name in _TAG_NAME.findall(html))
    if not counts:
        return html

    def left_open(names: tuple[str, ...]) -> int:
        return sum(max(0, counts["", name] - counts["/", name]) for name in names)

    # Formatting tags and lists go without a trace (the list items still break lines); options
    # leave a space between their texts.
    for names, too_many, replacement in ((_FORMATTING, left_open(_FORMATTING) > MAX_OPEN_FORMATTING, ""),
                                         (_LISTS, left_open(_LISTS) > MAX_OPEN_LISTS, ""),
                                         ((_OPTION,), counts["", _OPTION] > MAX_OPTIONS, " ")):
        if too_many:
            html = re.sub(r"</?(?:%s)(?:[\s/][^<>]*)?>" % "|".join(names), replacement, html, flags=re.I)
    return html
