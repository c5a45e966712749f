"""An HTML page's bytes as text, and its text as a reader keeps it: what every reader of HTML shares
(``.html`` files, WARC responses, a record's HTML field)."""
from __future__ import annotations

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding
from resiliparse.parse.html import HTMLTree


def page_text(html: str, main_content: bool) -> tuple[str, str]:
    """A decoded HTML page's (text, title): Resiliparse's rendering of it, with ``main_content``
    only what its main-content heuristics keep (menus and footers go at extraction)."""
    tree = HTMLTree.parse(html)
    return extract_plain_text(tree, main_content=main_content), (tree.title or "").strip()


def decoded_page(data: bytes, declared: str | None = None) -> str:
    """The page's bytes as text: in ``declared`` (an HTTP header's charset) if given, else in the
    encoding Resiliparse detects from the bytes and the page's own ``<meta charset>``."""
    return bytes_to_str(data, declared or detect_encoding(data))
