"""An HTML page as the lines a reader sees, each with what the markup says about it: the share of
its characters that are link text (menus, related-article lists and tag clouds are mostly links;
an article's paragraphs hardly) and the element it came from (a heading, a list item, a
paragraph). Resiliparse renders the page, keeping headings, paragraphs, lists and links as
minimal HTML; this module reads that rendering line by line."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from resiliparse.extract.html2text import extract_plain_text

from datacleaning.readers.html_guard import defused

_MARKUP = re.compile(r"<(/?)(a|h[1-6]|p|li|ul|ol|br|pre)\b[^>]*>", re.I)
_WHITE_SPACE = re.compile(r"\s")
_TAG_OF = {"p": "p", "li": "li", "h1": "h", "h2": "h", "h3": "h", "h4": "h", "h5": "h", "h6": "h"}


@dataclass(frozen=True)
class RenderedPage:
    """A page's non-blank lines, stripped, with each line's link share (0 to 1) and tag (``h``,
    ``li``, ``p`` or ``none``: the first such element opened on the line)."""

    lines: list[str]
    link_shares: list[float]
    tags: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def render_page(page: str, main_content: bool = False) -> RenderedPage:
    """``page`` (HTML) rendered to lines; with ``main_content``, only what Resiliparse's
    main-content heuristics keep. A link left open at the end of a line (an anchor around block
    elements) counts to the end of that line only. Markup that would make the parser's time grow
    with the square of the page goes first, as the readers take it out (``html_guard``)."""
    marked = extract_plain_text(defused(page), preserve_formatting="minimal_html", links=True,
                                main_content=main_content)
    lines, shares, tags = [], [], []
    for raw in marked.split("\n"):
        parts, link_chars, depth, tag, position = [], 0, 0, "none", 0
        for m in [*_MARKUP.finditer(raw), None]:
            piece = html.unescape(raw[position:m.start() if m else len(raw)])
            parts.append(piece)
            if depth:
                link_chars += len(_WHITE_SPACE.sub("", piece))
            if m is None:
                break
            position = m.end()
            closing, name = m.group(1), m.group(2).lower()
            if name == "a":
                depth = max(0, depth - 1) if closing else depth + 1
            elif not closing and tag == "none":
                tag = _TAG_OF.get(name, "none")
        line = "".join(parts).strip()
        if line:
            lines.append(line)
            shares.append(min(1.0, link_chars / max(len(_WHITE_SPACE.sub("", line)), 1)))
            tags.append(tag)
    return RenderedPage(lines, shares, tags)
