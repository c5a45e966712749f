"""An HTML page's bytes as text, and its text as a reader keeps it: what every reader of HTML shares
(``.html`` files, WARC responses, a record's HTML field)."""
from __future__ import annotations

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding
from resiliparse.parse.html import HTMLTree

from datacleaning.text_views import TextViews


# Trafilatura's text is kept where it holds at least this share of the words of Resiliparse's main
# content; below, trafilatura missed the article and Resiliparse's text is taken. Chosen on the
# half of the dev gold pages bench/main_content.py does not measure (0.1-0.3 tried; 0.15 the
# lowest that keeps CleanEval's layout-table pages, where trafilatura finds a cell or nothing).
TRAFILATURA_MIN_SHARE = 0.15


def _trafilatura_text(html: str, tree: HTMLTree) -> str:
    """Trafilatura's main text (``favor_precision``: the highest F1 of its modes on the dev gold
    pages), unless it found too little of the page (``TRAFILATURA_MIN_SHARE``). Tables are left
    out: on pages laid out in tables trafilatura prints the whole page as table rows, menus and
    article joined by "|" in one line."""
    import trafilatura  # an optional dependency: config refuses this extractor without it

    text = trafilatura.extract(html, favor_precision=True, include_tables=False) or ""
    main_content = extract_plain_text(tree, main_content=True)
    return text if _words(text) >= TRAFILATURA_MIN_SHARE * _words(main_content) and text else main_content


def _words(text: str) -> int:
    views = TextViews(text)
    return views.n_han + views.n_latin_words


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
