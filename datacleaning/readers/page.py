"""An HTML page's bytes as text, and its text as a reader keeps it: what every reader of HTML shares
(``.html`` files, WARC responses, a record's HTML field)."""
from __future__ import annotations

import codecs
import re
import unicodedata

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import detect_encoding
from resiliparse.parse.html import HTMLTree

from datacleaning.readers.html_guard import defused
from datacleaning.text_views import WORD_CHAR, TextViews


# Trafilatura's text is kept where it holds at least this share of the words of Resiliparse's main
# content; below, trafilatura missed the article and Resiliparse's text is taken. Chosen on the
# half of the dev gold pages bench/main_content.py does not measure (0.1-0.3 tried; 0.15 the
# lowest that keeps CleanEval's layout-table pages, where trafilatura finds a cell or nothing).
TRAFILATURA_MIN_SHARE = 0.15

# Trafilatura's comments are left out where they hold fewer words than this share of its main
# text: a short comment section under an article is readers' comments and their widgets ("请先
# 登录后发表评论", "网易跟贴", a phone-review site's thread); one as long as the text or longer
# is what the page is for (a thread, a discussion page). On the half of the dev gold pages
# bench/main_content.py does not measure, magic_html's Chinese articles 0.905 -> 0.914, English
# 0.861 -> 0.863, no set worse at limits 0.1-0.3 (0.5 and above lose forum pages).
COMMENTS_MAX_SHARE = 0.2

# A page holding at least this share of its text in tables is laid out in tables (a menu in one
# cell, the article in another). There trafilatura, tables left out, often takes a fragment for
# the article (a paragraph below the table, one cell) and Resiliparse's main content does better:
# on the 511 dev gold pages so laid out (nearly all CleanEval), after mixed_web's edit rules, F1
# 0.930 against 0.914, better by over 0.05 on 34 pages, worse on 3. "Most of the page" by
# definition; on the half of the pages bench/main_content.py does not measure, limits of 0.1-0.7
# all took CleanEval from 0.921 to 0.923-0.931 and moved no set of modern pages (0.929 at 0.5 once
# scripts and styles no longer counted as the page's text).
LAYOUT_TABLE_SHARE = 0.5
_TABLE_TAG = re.compile(r"<table", re.I)
_NOT_TEXT = {"script", "style", "noscript", "template"}

# Main content of fewer than WIDGET_CHARS characters holding under MIN_MAIN_SHARE of the page's
# characters (white space aside) is a widget, not the page's text (a comment box's "评论 返回顶部"
# out of a news page's 9,000 characters): the whole page is taken instead. On the half of the dev
# gold pages bench/main_content.py does not measure, the 3 pages so found went from F1 0.00-0.01
# to 0.48-0.99 after the edit rules; at shares from 0.02 to 0.15 the whole page won on some pages
# and lost on others (pages of other languages, forums). Only short main content is checked: the
# page's whole text is extracted again to count it.
MIN_MAIN_SHARE = 0.02
WIDGET_CHARS = 300


def _resiliparse_text(html: str, tree: HTMLTree) -> str:
    return _main_or_whole_page(extract_plain_text(tree, main_content=True), tree)


def _main_or_whole_page(main_content: str, tree: HTMLTree) -> str:
    """Resiliparse's main content, or the page's whole text where that holds no word or is a
    widget (``WIDGET_CHARS``, ``MIN_MAIN_SHARE``): legacy pages whose body sits in an unclosed list or
    an empty layout block lose everything to the main-content heuristic (11 of the 848 dev gold
    pages, F1 0 against 0.1-1.0 for the whole text), and on others it takes a widget for the
    article (``评论 返回顶部``); the edit rules then cut what menus the whole text brings."""
    if not WORD_CHAR.search(main_content):
        return extract_plain_text(tree, main_content=False)
    size = _characters(main_content)
    if size >= WIDGET_CHARS:
        return main_content
    whole = extract_plain_text(tree, main_content=False)
    return main_content if size >= MIN_MAIN_SHARE * _characters(whole) else whole


def _trafilatura_text(html: str, tree: HTMLTree) -> str:
    """Trafilatura's main text (``favor_precision``: the highest F1 of its modes on the dev gold
    pages), unless the page is laid out in tables (``LAYOUT_TABLE_SHARE``) or trafilatura found
    too little of it (``TRAFILATURA_MIN_SHARE``): then Resiliparse's. Tables are left out: on
    pages laid out in tables trafilatura prints the whole page as table rows, menus and article
    joined by "|" in one line."""
    import trafilatura  # an optional dependency: config refuses this extractor without it

    main_content = extract_plain_text(tree, main_content=True)
    if _table_share(html, tree) < LAYOUT_TABLE_SHARE:
        text = _article_text(trafilatura.bare_extraction(html, favor_precision=True, include_tables=False))
        if text and TextViews(text).n_words >= TRAFILATURA_MIN_SHARE * TextViews(main_content).n_words:
            return text
    return _main_or_whole_page(main_content, tree)


def _article_text(document) -> str:
    """Trafilatura's text, its comments with it unless they are short beside it
    (``COMMENTS_MAX_SHARE``), in Unicode's composed form (NFC) as ``trafilatura.extract`` gives
    the two joined."""
    if document is None:
        return ""
    body, comments = document.text or "", document.comments or ""
    if comments and TextViews(comments).n_words >= COMMENTS_MAX_SHARE * TextViews(body).n_words:
        body = f"{body}\n{comments}".strip()
    return unicodedata.normalize("NFC", body)


def _table_share(html: str, tree: HTMLTree) -> float:
    """The share of the body's text (white space aside; scripts and styles are not text) that
    stands in tables."""
    body = tree.body
    if body is None or not _TABLE_TAG.search(html):
        return 0.0
    # The outermost tables, by walking the elements around them: Resiliparse's element
    # collections (get_elements_by_tag_name, query_selector_all) take quadratic time to read
    # (36 s for the 4,000 tables of one page).
    total, inside, stack = _characters(body.text), 0, [body.first_element_child]
    while stack:
        if (element := stack.pop()) is None:
            continue
        stack.append(element.next_element_sibling)
        if element.tag == "table":
            inside += _characters(element.text)
        elif element.tag in _NOT_TEXT:
            total -= _characters(element.text)
        else:
            stack.append(element.first_element_child)
    return inside / total if total > 0 else 0.0


def _characters(text: str | None) -> int:
    """Characters of ``text`` other than white space; 0 for an element without text (a frameset
    page's body)."""
    return sum(map(len, text.split())) if text else 0


# What input.html_extractor names: a page's text from its HTML and its parsed tree.
EXTRACTORS = {
    "resiliparse": _resiliparse_text,
    "trafilatura": _trafilatura_text,
    "full_page": lambda html, tree: extract_plain_text(tree, main_content=False),
}


def page_text(html: str, extractor: str) -> tuple[str, str]:
    """A decoded HTML page's (text, title), the text by one of ``EXTRACTORS``: Resiliparse's main
    content (menus and footers go at extraction; the whole text where it finds no word),
    trafilatura's, or all the page's text. Markup that would take the parser time and memory
    growing with the square of the page is taken out first (``html_guard``)."""
    html = defused(html)
    tree = HTMLTree.parse(html)
    return EXTRACTORS[extractor](html, tree), (tree.title or "").strip()


# Charsets that decode any bytes, so that a server declaring one (many do by default) says nothing
# of how the page is written; Python's names for them.
_DECODES_ANY = {"iso8859-1", "cp1252"}


def decoded_page(data: bytes, declared: str | None = None) -> str:
    """The page's bytes as text, in the first charset that decodes them whole of: the HTTP
    header's (``declared``) unless it decodes any bytes, UTF-8 (pages saved as UTF-8 often keep
    the ``<meta charset="gb2312">`` of their origin), the page's own ``<meta charset>``, the
    charset Resiliparse detects from the bytes. Where none decodes them whole (a stray byte in a
    GBK page): the header's, else the page's own, else the detected charset, each byte it cannot
    decode replaced (U+FFFD), not the whole page read in another code page."""
    specific = declared if declared and _python_codec(declared) not in _DECODES_ANY else None
    for charset in (specific, "utf-8"):  # most pages end here, before any detection runs
        if charset and (text := _decoded_whole(data, charset)) is not None:
            return text
    own = detect_encoding(data, from_html_meta=True)  # the meta charset, or the detected one
    detected = detect_encoding(data)
    for charset in (own, detected):
        if (text := _decoded_whole(data, charset)) is not None:
            return text
    fallback = next(c for c in (specific, own, detected, "utf-8") if c and _python_codec(c))
    return data.decode(fallback, errors="replace").removeprefix("\ufeff")


def binary_page(data: bytes) -> bool:
    """True for bytes with a NUL in them that do not open with a UTF-16 or UTF-32 byte order mark:
    no page of text in any other encoding holds one."""
    return b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def _python_codec(charset: str) -> str | None:
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def _decoded_whole(data: bytes, charset: str) -> str | None:
    """The bytes as text in ``charset``, a byte order mark left out; None where some byte does
    not decode in it (or Python knows no such codec)."""
    try:
        return data.decode(charset).removeprefix("\ufeff")
    except (UnicodeDecodeError, LookupError):
        return None
