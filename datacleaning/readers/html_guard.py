"""Markup that makes Resiliparse's HTML parser or its text extraction take time and memory growing
with the square of the page, taken out before the page is parsed: no such page may stall a worker
or take a unit of thousands of documents down with it.

Three shapes, found by timing every extractor on generated pages (each number one page, one core):

- formatting tags with attributes left open (``<font color=#k><p>text``, ``<b id=k>``): every
  new block gets a copy of every one still open (the HTML5 parser's reconstruction of active
  formatting elements, which merges only identical tags), so elements grow with open tags times
  blocks: 3,700 tags before as many paragraphs (54 KB) took 14 s and 2.7 GB; 112 before 20,000
  paragraphs 3.7 s and 1 GB. End tags later on the page come too late to help;
- lists nested in one another (``<ul><li>x`` repeated, closed or not): each level indents every
  line below it, so the text grows with the square of the depth: 400 KB gave 2 billion
  characters (14 s, 5.9 GB);
- very many ``<option>``s (one ``<select>`` of 62,000: 558 KB took 14 s to parse).

Each is measured here, and past its limit the tags of that kind are removed, their text kept
(formatting tags carry no words; a list's items still break lines). Formatting tags are measured
by their number with attributes times all the page's tags, closed or not: an upper bound of the
copies, set where the worst case costs about 1.6 s and 430 MB; 15 of the 1,208 HTML pages of the
development corpus and the example crawl pass it (at most 4.9 million), and their text changes
by three characters at most. Lists are measured by their depth (at most 5 in those pages), options
by their number (at most 432). ``<a>`` and ``<nobr>`` are not counted: the parser closes an open
one when the next begins, and links are what main-content extraction reads menus by.
"""
from __future__ import annotations

import re

_FORMATTING = ("b", "big", "code", "em", "font", "i", "s", "small", "strike", "strong", "tt", "u")
_FORMATTING_WITH_ATTRIBUTES = re.compile(r"<(?:%s)\s" % "|".join(_FORMATTING), re.I)
_LIST_TAG = re.compile(r"<(/?)(?:ul|ol|dl)(?=[\s/>])", re.I)
_OPTION = re.compile(r"<option(?=[\s/>])", re.I)

MAX_FORMATTING_LOAD = 1_000_000
MAX_LIST_DEPTH = 100
MAX_OPTIONS = 10_000

# What removal leaves alone: comments, and elements whose content is text, not markup (an unclosed
# one runs to the end of the page, as the parser reads it). A tag's attributes may quote < and >.
_VERBATIM = (r"(?P<verbatim><!--.*?(?:-->|\Z)"
             r"|<(?P<raw>script|style|title|textarea|xmp|plaintext)\b.*?(?:</(?P=raw)\s*>|\Z))")
_ATTRIBUTES = r"""(?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?"""


def _tags(names: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?s)%s|</?(?:%s)%s/?>" % (_VERBATIM, "|".join(names), _ATTRIBUTES), re.I)


_REMOVALS = {"formatting": (_tags(_FORMATTING), ""), "lists": (_tags(("ul", "ol", "dl")), ""),
             "options": (_tags(("option",)), " ")}


def hostile_shapes(html: str) -> list[str]:
    """The shapes above that ``html`` holds past its limit: ``formatting``, ``lists``, ``options``."""
    shapes = []
    tags = html.count("<")  # bounds every count below: most pages need no more than this
    if tags * tags > MAX_FORMATTING_LOAD and \
            len(_FORMATTING_WITH_ATTRIBUTES.findall(html)) * tags > MAX_FORMATTING_LOAD:
        shapes.append("formatting")
    depth = deepest = 0
    for tag in _LIST_TAG.finditer(html):
        depth = max(depth - 1, 0) if tag.group(1) else depth + 1
        deepest = max(deepest, depth)
    if deepest > MAX_LIST_DEPTH:
        shapes.append("lists")
    if tags > MAX_OPTIONS and len(_OPTION.findall(html)) > MAX_OPTIONS:
        shapes.append("options")
    return shapes


def defused(html: str) -> str:
    """``html`` with the tags of each hostile shape it holds removed (options leave a space between
    their texts); the same string for any other page."""
    for shape in hostile_shapes(html):
        pattern, replacement = _REMOVALS[shape]
        html = pattern.sub(lambda m: m.group("verbatim") or replacement, html)
    return html
