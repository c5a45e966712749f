"""Markup that makes Resiliparse's HTML parser or its text extraction take time and memory growing
with the square of the page, taken out before the page is parsed: no such page may stall a worker
or take a unit of thousands of documents down with it.

Four shapes, found by timing every extractor on generated pages (each number one page, one core):

- formatting tags with attributes left open (``<font color=#k><p>text``, ``<b id=k>``): every
  new block gets a copy of every one still open (the HTML5 parser's reconstruction of active
  formatting elements, which merges only identical tags), so elements grow with open tags times
  blocks: 3,700 tags before as many paragraphs (54 KB) took 14 s and 2.7 GB; 112 before 20,000
  paragraphs 3.7 s and 1 GB. End tags later on the page come too late to help;
- lists nested in one another (``<ul><li>x`` repeated, closed or not): each level indents every
  line below it, so the text grows with the square of the depth: 400 KB gave 2 billion
  characters (14 s, 5.9 GB);
- very many ``<option>``s (one ``<select>`` of 62,000: 558 KB took 14 s to parse);
- ``<div>``s and ``<article>``s nested in one another (opened and never closed, as broken
  templates do): the main-content heuristic weighs every container against those around it, so
  its time grows with containers times depth: 8,000 in one another (360 KB) took 4.3 s, and a
  page of 1 MB about 40 s.

Each is measured here, and past its limit the tags of that kind are removed, their text kept
(formatting tags carry no words; a list's items still break lines). Containers are removed only
where they stand deeper than the limit, so the page's outer layout stays for the main content to
be found in. Formatting tags are measured by their number with attributes times all the page's
tags, closed or not: an upper bound of the copies, set where the worst case costs about 1.6 s and
430 MB; 15 of the 1,208 HTML pages of the development corpus and the example crawl pass it (at
most 4.9 million), and their text changes by three characters at most. Lists are measured by
their depth (at most 5 in those pages), options by their number (at most 432), containers by
their depth (at most 42 in the 1,107 gold pages of bench/main_content.py). ``<a>`` and ``<nobr>``
are not counted: the parser closes an open one when the next begins, and links are what
main-content extraction reads menus by.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from itertools import accumulate
from operator import sub

_FORMATTING = ("b", "big", "code", "em", "font", "i", "s", "small", "strike", "strong", "tt", "u")
_FORMATTING_WITH_ATTRIBUTES = re.compile(r"<(?:%s)\s" % "|".join(_FORMATTING), re.I)
# Tags spelt out case by case: re.I makes the scan of every page a third slower.
_LIST_TAG = re.compile(r"<(/?)[uUoOdD][lL](?=[\s/>])")
_OPTION = re.compile(r"<option(?=[\s/>])", re.I)
_CONTAINER_TAG = re.compile(r"<(/?)(?:[dD][iI][vV]|[aA][rR][tT][iI][cC][lL][eE])(?=[\s/>])")

MAX_FORMATTING_LOAD = 1_000_000
MAX_LIST_DEPTH = 100
MAX_OPTIONS = 10_000
MAX_CONTAINER_DEPTH = 100

# What removal leaves alone: comments, and elements whose content is text, not markup (an unclosed
# one runs to the end of the page, as the parser reads it). A tag's attributes may quote < and >.
_VERBATIM = (r"(?P<verbatim><!--.*?(?:-->|\Z)"
             r"|<(?P<raw>script|style|title|textarea|xmp|plaintext)\b.*?(?:</(?P=raw)\s*>|\Z))")
_ATTRIBUTES = r"""(?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?"""


def _tags(names: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?s)%s|</?(?P<name>%s)%s/?>" % (_VERBATIM, "|".join(names), _ATTRIBUTES), re.I)


def _removed_everywhere(names: tuple[str, ...], replacement: str = "") -> Callable[[str], str]:
    pattern = _tags(names)
    return lambda html: pattern.sub(lambda m: m.group("verbatim") or replacement, html)


_CONTAINERS = _tags(("div", "article"))


def _containers_past_the_limit_removed(html: str) -> str:
    """``html`` without the containers (and their end tags) that stand more than
    ``MAX_CONTAINER_DEPTH`` deep. An end tag closes the nearest open container of its name and
    every one opened inside it, as the parser reads it."""
    # Per name, the open containers innermost last: (how many were open around it, whether its
    # tags stay). An end tag finds its own at once, however many of the other name are open.
    opened: dict[str, list[tuple[int, bool]]] = {"div": [], "article": []}
    depth = 0
    pieces, start = [], 0
    for tag in _CONTAINERS.finditer(html):
        if tag.group("verbatim"):
            continue
        own = opened[tag.group("name").lower()]
        if tag.group(0).startswith("</"):
            if not own:
                continue  # an end tag with none of its name open stays as it is
            depth, keep = own.pop()
            for inside in opened.values():
                while inside and inside[-1][0] > depth:
                    inside.pop()
        else:
            keep = depth < MAX_CONTAINER_DEPTH
            own.append((depth, keep))
            depth += 1
        if not keep:
            pieces.append(html[start:tag.start()])
            start = tag.end()
    return "".join(pieces) + html[start:]


_REMOVALS = {"formatting": _removed_everywhere(_FORMATTING), "lists": _removed_everywhere(("ul", "ol", "dl")),
             "options": _removed_everywhere(("option",), " "), "containers": _containers_past_the_limit_removed}


def _deepest(tag_pattern: re.Pattern, html: str) -> int:
    """How deep the tags ``tag_pattern`` finds (its one group the end tag's slash) stand in one
    another, an end tag with none open changing nothing: the walk's height above its lowest point
    so far (loops in C, not Python: most pages hold hundreds of these tags)."""
    heights = list(accumulate(map(_STEP.__getitem__, tag_pattern.findall(html)), initial=0))
    return max(map(sub, heights, accumulate(heights, min)))


_STEP = {"": 1, "/": -1}


def hostile_shapes(html: str) -> list[str]:
    """The shapes above that ``html`` holds past its limit: ``formatting``, ``lists``, ``options``,
    ``containers``."""
    shapes = []
    tags = html.count("<")  # bounds every count below: most pages need no more than this
    if tags * tags > MAX_FORMATTING_LOAD and \
            len(_FORMATTING_WITH_ATTRIBUTES.findall(html)) * tags > MAX_FORMATTING_LOAD:
        shapes.append("formatting")
    if _deepest(_LIST_TAG, html) > MAX_LIST_DEPTH:
        shapes.append("lists")
    if tags > MAX_OPTIONS and len(_OPTION.findall(html)) > MAX_OPTIONS:
        shapes.append("options")
    if tags > MAX_CONTAINER_DEPTH and _deepest(_CONTAINER_TAG, html) > MAX_CONTAINER_DEPTH:
        shapes.append("containers")
    return shapes


def defused(html: str) -> str:
    """``html`` with the tags of each hostile shape it holds removed (options leave a space between
    their texts; containers go only past the depth limit); the same string for any other page."""
    for shape in hostile_shapes(html):
        html = _REMOVALS[shape](html)
    return html
