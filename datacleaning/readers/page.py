"""An HTML page's bytes as text, and its text as a reader keeps it: what every reader of HTML shares
(``.html`` files, WARC responses, a record's HTML field)."""
from __future__ import annotations

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding
from resiliparse.parse.html import HTMLTree


def _trafilatura_text(html: str, tree: HTMLTree) -> str:
    import trafilatura  # an optional dependency: config refuses this extractor without it

    # favor_precision: the highest F1 of its modes on the dev gold pages (bench/main_content.py).
    return trafilatura.extract(html, favor_precision=True) or ""


# What input.html_extractor names: a page's text from its HTML and its parsed tree.
EXTRACTORS = {
    "resiliparse": lambda html, tree: extract_plain_text(tree, main_content=True),
    "trafilatura": _trafilatura_text,
    "full_page": lambda html, tree: extract_plain_text(tree, main_content=False),
}


def page_text(html: str, extractor: str) -> tuple[str, str]:
    """A decoded HTML page's (text, title), the text by one of ``EXTRACTORS``: Resiliparse's main
    content (menus and footers go at extraction), trafilatura's, or all the page's text."""
    tree = HTMLTree.parse(html)
    return EXTRACTORS[extractor](html, tree), (tree.title or "").strip()


def decoded_page(data: bytes, declared: str | None = None) -> str:
    """The page's bytes as text: in ``declared`` (an HTTP header's charset) if given, else in the
    encoding Resiliparse detects from the bytes and the page's own ``<meta charset>``."""
    return bytes_to_str(data, declared or detect_encoding(data))
