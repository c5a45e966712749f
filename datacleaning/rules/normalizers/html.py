"""Web-page leftovers in extracted text: HTML entities, tags and script blocks."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.entities import name2codepoint

from datacleaning.rules.base import Normalizer
from datacleaning.rules.registry import register

# --- entities ---------------------------------------------------------------------------------

# HTML 4 names (the ones pages actually use) plus apos. Names that are also everyday identifiers
# in code are left out: in a Perl man page "exists &sub;" or "&int;" is a sigil and a name, not
# an entity, and decoding it would put a maths symbol into the code.
_CODE_LIKE_NAMES = {"and", "or", "not", "int", "sub", "sup", "image", "real", "empty", "part", "prod", "sum",
                    "exist", "lang", "rang", "cap", "cup", "ang", "sim", "ni", "isin", "prop", "minus", "perp"}
_SPACE_ENTITIES = {"nbsp", "ensp", "emsp", "thinsp"}
_INVISIBLE_ENTITIES = {"shy", "zwj", "zwnj", "lrm", "rlm"}
_NAMED = {name: chr(cp) for name, cp in name2codepoint.items() if name not in _CODE_LIKE_NAMES}
_NAMED["apos"] = "'"
_NAMED.update({name: " " for name in _SPACE_ENTITIES})
_NAMED.update({name: "" for name in _INVISIBLE_ENTITIES})

# Only the strict form with its semicolon: "&copy" or "&para" without one is how query strings
# look (?a=1&para=2), and html.unescape's lenient HTML5 rules would turn them into symbols.
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,9}));")
# Every "amp;" after an "&" is one extra layer of escaping (&amp;amp;lt; is "<" escaped three
# times); collapsing the chain in one pass decodes any depth in linear time.
_AMP_CHAIN = re.compile(r"&(?:amp;)+")
_CONTROL_CHARS = {cp: None for cp in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]}


def _decode_entity(m: re.Match) -> str:
    if m.group(3) is not None:
        return _NAMED.get(m.group(3), m.group())
    char = html.unescape(m.group())
    if char == "\xa0":
        return " "
    if char == "\r":
        return "\n"
    return char.translate(_CONTROL_CHARS)


def decode_html_entities(text: str, max_rounds: int) -> str:
    """Decode HTML character references until the text stops changing, at most ``max_rounds``
    passes after the ``&amp;`` chains are collapsed."""
    if "&" not in text:
        return text
    text = _AMP_CHAIN.sub("&", text)
    for _ in range(max_rounds):
        decoded = _ENTITY.sub(_decode_entity, text)
        if decoded == text:
            break
        text = decoded
    return text


# --- tags -------------------------------------------------------------------------------------

# Elements whose content is not text: dropped together with it. <ref> is MediaWiki's citation.
_DROPPED_ELEMENTS = ("script", "style", "noscript", "ref")
_INLINE_ELEMENTS = {
    "a", "abbr", "b", "bdi", "bdo", "big", "button", "canvas", "cite", "code", "data", "del", "dfn", "em", "embed",
    "font", "i", "iframe", "img", "input", "ins", "kbd", "label", "map", "mark", "meter", "nobr", "nowiki",
    "object", "output", "param", "picture", "progress", "q", "rp", "rt", "ruby", "s", "samp", "select", "small",
    "source", "span", "strike", "strong", "sub", "sup", "svg", "textarea", "time", "track", "tt", "u", "var",
    "video", "audio", "wbr", "area", "base", "link", "meta", "col", "colgroup", "option", "optgroup", "html",
    "head", "body", "frame", "frameset", "template", "center", *_DROPPED_ELEMENTS,
}
_BLOCK_ELEMENTS = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog", "dir", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hgroup", "hr", "legend", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "tfoot", "thead", "title", "tr", "ul",
}
_CELL_ELEMENTS = {"td", "th"}
# A bare <name> with no attributes is a tag only if the document also closes it, or if it is one
# of the elements pages leave unclosed: usage strings and generics write <file>, <table>-attributes,
# <area>, List<A> with no closing partner.
_UNCLOSED_ELEMENTS = {"br", "hr", "p", "wbr", "li"}

_KNOWN_ELEMENTS = sorted(_INLINE_ELEMENTS | _BLOCK_ELEMENTS | _CELL_ELEMENTS, key=len, reverse=True)
# The tag, then the blanks and line break after it: a tag that was all of its line takes the line.
_TAG = re.compile(r"(?P<tag><(?=[A-Za-z/!])(/?)((?i:%s))([\s/][^<>]*)?>|<!(?:doctype|DOCTYPE)[^<>]*>)"
                  r"(?P<rest>[ \t]*\n?)" % "|".join(_KNOWN_ELEMENTS))
_CLOSING_NAME = re.compile(r"</([A-Za-z][A-Za-z0-9]{0,15})\s*>")
_DROPPED_OPENER = re.compile(r"<(%s)(?:[\s/][^<>]*)?>" % "|".join(_DROPPED_ELEMENTS), re.I)
_DROPPED_CLOSER = {name: re.compile(r"</%s\s*>" % name, re.I) for name in _DROPPED_ELEMENTS}
# Other tags and blanks up to the end of the line: a block tag there needs no line break of its own.
_AT_LINE_END = re.compile(r"(?:[ \t]*<[^<>\n]{0,200}>){0,8}[ \t]*(?:\n|$)")
_BLANK_TO_LINE_END = re.compile(r"[ \t]*(?:\n|$)")
# A document that talks about markup shows entities, comments and tags as its subject matter.
# Looked for in the text once its tags are gone (<!DOCTYPE html> is no talk), and not in file
# names and URLs (index.html, /xml/).
_MARKUP_TALK = re.compile(r"(?<![A-Za-z./_-])(?:x?html[0-9]?|xml|sgml|docbook)(?![A-Za-z/_-])|超文本|标记语言|转义字符",
                          re.I)
_TRAILING_BLANKS = re.compile(r"[ \t]+(?=\n|$)")
_BLANK_RUN = re.compile(r"\n{3,}")


def _whole_lines(text: str, start: int, end: int) -> tuple[int, int]:
    """``start, end`` widened to whole lines, line break included, when only blanks share the
    lines with ``text[start:end]``; unchanged otherwise."""
    line_start = start
    while line_start > 0 and text[line_start - 1] in " \t":
        line_start -= 1
    line_end = _BLANK_TO_LINE_END.match(text, end)
    if (line_start > 0 and text[line_start - 1] != "\n") or line_end is None:
        return start, end
    return line_start, line_end.end()


def _drop_spans(text: str, spans: list[tuple[int, int]]) -> str:
    pieces, pos = [], 0
    for start, end in spans:
        start, end = _whole_lines(text, start, end)
        pieces.append(text[pos:max(start, pos)])
        pos = max(end, pos)
    pieces.append(text[pos:])
    return "".join(pieces)


def _comments(text: str) -> list[tuple[int, int]]:
    """The spans of ``<!-- … -->``. Stops at the first one left open: no later one can be closed
    either, and looking on would make many unclosed openers quadratic."""
    spans, pos = [], 0
    while (start := text.find("<!--", pos)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break
        spans.append((start, end + 3))
        pos = end + 3
    return spans


def _dropped_elements(text: str) -> list[tuple[int, int]]:
    """The spans of script, style, noscript and ref elements with their content. A self-closed one
    (``<ref name="a" />``) is its tag alone; one whose kind is never closed after it is left to
    the tag pass, and that kind is not looked for again."""
    spans, search_from = [], 0
    never_closed: set[str] = set()
    while (opener := _DROPPED_OPENER.search(text, search_from)) is not None:
        kind = opener.group(1).lower()
        search_from = opener.end()
        if opener.group().endswith("/>"):
            spans.append(opener.span())
        elif kind not in never_closed:
            closer = _DROPPED_CLOSER[kind].search(text, opener.end())
            if closer is None:
                never_closed.add(kind)
            else:
                spans.append((opener.start(), closer.end()))
                search_from = closer.end()
    return spans


class _TagReplacer:
    """What a ``<…>`` becomes: nothing, a space or a line break if it is a real tag, itself if not.

    A block tag breaks the line only between text on both sides: ``</li><li>`` or ``</p>⏎<p>``
    give one line break, not a blank line. A tag with nothing but blanks on its line takes the
    line with it. Matches come left to right, so ``line_blank`` follows whether the output line
    has had any text yet.
    """

    def __init__(self, text: str):
        self.closed = {name.lower() for name in _CLOSING_NAME.findall(text)} if "</" in text else set()
        self.line_blank = True
        self.last_end = 0

    def __call__(self, m: re.Match) -> str:
        between = m.string[self.last_end:m.start()]
        newline = between.rfind("\n")
        self.line_blank = (self.line_blank if newline < 0 else True) and not between[newline + 1:].strip()
        self.last_end = m.end()
        replacement = self._replacement(m)
        rest = m.group("rest")
        if replacement is None:
            self.line_blank = rest.endswith("\n")
            return m.group()
        if rest.endswith("\n") and self.line_blank and replacement in ("", "\n"):
            return ""
        if replacement == "\n":
            self.line_blank = True
            return "\n" + rest.lstrip(" \t")
        if rest.endswith("\n"):
            self.line_blank = True
        return replacement + rest

    def _replacement(self, m: re.Match) -> str | None:
        name = m.group(3)
        if name is None:  # <!DOCTYPE …>
            return ""
        lname = name.lower()
        closing, attrs = m.group(2), (m.group(4) or "").strip()
        if not closing:
            if not attrs and lname not in _UNCLOSED_ELEMENTS and lname not in self.closed:
                return None
            # "<b and c>" in prose has the shape of a tag with bare attributes; real tags left in
            # text carry name="value" pairs or close themselves.
            if attrs and "=" not in attrs and attrs != "/":
                return None
        if lname in _CELL_ELEMENTS:
            return " " if closing else ""
        if lname not in _BLOCK_ELEMENTS or self.line_blank or _AT_LINE_END.match(m.string, m.end("tag")):
            return ""
        return "\n"


@register("strip_html")
@dataclass
class StripHtml(Normalizer):
    """HTML left in text: character references decoded (also double- and triple-escaped ones like
    ``&amp;amp;lt;``), ``<script>``, ``<style>``, ``<noscript>`` and MediaWiki ``<ref>`` elements
    removed with their content, comments and ``<!DOCTYPE>`` removed, tags of known HTML elements
    removed (block elements leave a line break, table cells a space) with their text kept.

    Leaves alone what only looks like a tag: ``a < b``, ``x<y and y>z``, ``vector<int>``, ``<<EOF``,
    usage placeholders such as ``<file>`` or ``<table>-attributes`` (a bare ``<name>`` counts as a
    tag only if the document also has ``</name>``, except br/hr/p/li/wbr), ``<b and c>`` (bare words,
    no ``name=value``). Only entities with their semicolon are decoded, and not those whose names
    are common code identifiers (``&sub;``, ``&int;``, ``&not;``), so query strings and Perl stay.
    A document that talks about markup (HTML, XML, SGML, DocBook, 超文本, 标记语言, 转义字符 in
    its text) is left whole: its tags, comments and entity tables are the subject.

    A normalizer, so that the language guess sees the text and not the ASCII of tag attributes
    and entities; it is safe for every language.
    """

    decode_entities: bool = True
    max_decode_rounds: int = 3

    def apply(self, text: str) -> str:
        if "&" not in text and "<" not in text:
            return text
        stripped = text
        if "&" in stripped and self.decode_entities:
            stripped = decode_html_entities(stripped, self.max_decode_rounds)
        if "<" in stripped:
            if "<!--" in stripped:
                stripped = _drop_spans(stripped, _comments(stripped))
            stripped = _drop_spans(stripped, _dropped_elements(stripped))
            stripped = _TAG.sub(_TagReplacer(stripped), stripped)
        if stripped == text or _MARKUP_TALK.search(stripped):
            return text
        # Cells and inline tags leave blanks at line ends (list normalize_newlines after this rule).
        return _BLANK_RUN.sub("\n\n", _TRAILING_BLANKS.sub("", stripped)).strip("\n")
