"""Pages shaped to make the HTML parser take time and memory growing with the square of the page are
read in bounded time, their text kept; real pages go to the parser untouched."""
from __future__ import annotations

import time

import pytest
from fastwarc.warc import ArchiveIterator, WarcRecordType

from datacleaning.main_text import render_page
from datacleaning.readers import ReaderOptions
from datacleaning.readers.html_guard import MAX_CONTAINER_DEPTH, defused, hostile_shapes
from datacleaning.readers.page import decoded_page, page_text
from helpers import REPO_ROOT, docs_of, fixture_records, read_all

SENTENCES = [s.strip() + "。" for r in fixture_records() if r["id"].startswith("cmrc") for s in r["text"].split("。")
             if s.strip() and "<" not in s]
EXTRACTORS = ["resiliparse", "trafilatura", "full_page"]


def _sentences(n: int) -> list[str]:
    return [SENTENCES[k % len(SENTENCES)] for k in range(n)]


def _page(body: str) -> str:
    return f"<html><body>{body}</body></html>"


def _fonts_before_paragraphs(fonts: int, paragraphs: int, attribute: str = "", closing: bool = False) -> str:
    """``fonts`` paragraphs each opened by a <font> of its own colour, never closed (or closed all at
    the end of the page), then ``paragraphs`` plain ones."""
    opened = "".join(f'<font{attribute} color="#{k:06x}"><p>{s}' for k, s in enumerate(_sentences(fonts)))
    plain = "".join(f"<p>{s}" for s in _sentences(paragraphs))
    return _page(opened + plain + ("</font>" * fonts if closing else ""))


# Each shape as it took the parser time and memory growing with the square of the page, with what
# a page of it cost before the guard.
HOSTILE = {
    # 3,200 fonts: 4-10 s and 2 GB.
    "formatting tags left open": _fonts_before_paragraphs(3_200, 0),
    # The copies are made before the end tags come: 9 s, 2 GB.
    "formatting tags closed only at the end": _fonts_before_paragraphs(3_200, 0, closing=True),
    # The removal used to stop at a "<" quoted in an attribute: 12 s, 3 GB.
    "formatting tags quoting a < in an attribute": _fonts_before_paragraphs(3_200, 0, attribute=' title="<"'),
    # Few tags, many paragraphs after them: 112 before 20,000 paragraphs, 3.7 s and 1 GB.
    "few formatting tags before many paragraphs": _fonts_before_paragraphs(112, 20_000),
    # 8,000 <div>s opened and never closed: 4.3 s in the main-content heuristic, 43 s at 1 MB.
    "divs left open inside one another": _page("".join(f"<div>{s}" for s in _sentences(8_000))),
    # Stray end tags of the other name after them: each looked back through every open <div>
    # (17.7 s for 25,000 of each in the guard's own removal).
    "divs left open, then end tags of articles": _page("".join(f"<div>{s}" for s in _sentences(8_000))
                                                       + "</article>" * 25_000),
    # The same closed at the end, and <article>s, which the heuristic weighs as it does <div>s.
    "divs closed only at the end": _page("".join(f'<div class="c">{s}' for s in _sentences(8_000)) + "</div>" * 8_000),
    "articles inside one another": _page("".join(f"<article><p>{s}</p>" for s in _sentences(8_000))),
    # One select of 45,000 options: 7 s.
    "one select of many options": _page("<p>" + "".join(_sentences(3)) + '</p><select>'
                                        + '<option value="<">选项' * 45_000 + "</select>"),
}


@pytest.mark.parametrize("shape", HOSTILE)
def test_hostile_pages_are_read_in_bounded_time_with_their_text(shape):
    page = HOSTILE[shape]
    started = time.perf_counter()
    text, _ = page_text(page, "resiliparse")
    assert time.perf_counter() - started < 3.0
    assert all(s in text for s in set(_sentences(3)))


@pytest.mark.parametrize("shape", HOSTILE)
def test_hostile_pages_are_rendered_for_the_line_classifier_in_bounded_time(shape):
    """``render_page``, which gives the line classifier a page's lines with their links, parses
    what the readers parse."""
    started = time.perf_counter()
    rendered = render_page(HOSTILE[shape], main_content=True)
    assert time.perf_counter() - started < 3.0
    assert all(s in rendered.text for s in set(_sentences(3)))


@pytest.mark.parametrize("closed", [False, True], ids=["left open", "closed at the end"])
@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_lists_nested_in_one_another(extractor, closed):
    """``<ul><li>`` inside the last item 5,000 times: each level indented every line below it, so
    the text held about 25 million characters of blanks. Now it is as long as the page."""
    sentences = _sentences(5_000)
    body = "".join(f"<ul><li>{s}" for s in sentences) + ("</li></ul>" * 5_000 if closed else "")
    text, _ = page_text(_page(body), extractor)
    assert len(text) < 2 * len(body)
    assert all(s in text for s in set(sentences))


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_a_defused_page_reads_as_the_same_page_without_those_tags(extractor):
    """Only the tags go: a comment that mentions a tag, a title, a text area, quoted attributes
    holding < or >, a link's title, all read exactly as on the same page written without the
    fonts (which trips no guard)."""
    fonts = _fonts_before_paragraphs(3_200, 0)
    middle = ('<!-- note: use <b class="x"> for emphasis --><p>正文继续，<b title="a > b">加粗</b>的词。</p>'
              '<p>See <a href="/x" title="1 > 0">the docs</a> here.</p><textarea><i class="q">原样</i></textarea>')
    head = "<head><title>为什么 <b> 和 <i> 标签</title></head>"
    with_fonts = fonts.replace("<html><body>", f"<html>{head}<body>{middle}")
    without_fonts = _page(middle + "".join(f"<p>{s}" for s in _sentences(3_200))).replace("<html>", f"<html>{head}")
    assert hostile_shapes(with_fonts) == ["formatting"] and not hostile_shapes(without_fonts)
    assert page_text(with_fonts, extractor) == page_text(without_fonts, extractor)


def test_a_hostile_page_is_read_from_a_file(tmp_path):
    """Through the readers, as the clean stage reads an .html file."""
    (tmp_path / "page.html").write_text(HOSTILE["formatting tags left open"], encoding="utf-8")
    _, items = read_all([tmp_path], options=ReaderOptions(html_extractor="trafilatura"))
    [doc] = docs_of(items)
    assert all(s in doc.text for s in set(_sentences(3_200)))


def test_real_pages_reach_the_parser_unchanged():
    """The guard's limits are far above what real pages hold: the example corpus's crawled pages
    (Common Crawl responses of every kind of site, menus, forms and link lists included) are
    passed on as they are, the same string."""
    with open(REPO_ROOT / "examples" / "data" / "dolma_warc_sample-0000.warc.gz", "rb") as f:
        pages = [decoded_page(record.reader.read())
                 for record in ArchiveIterator(f, record_types=WarcRecordType.response)]
    assert len(pages) > 10
    assert all(defused(page) is page for page in pages)


def test_tags_the_parser_does_not_pile_up_are_not_counted():
    """An open <a> is closed by the next one, and identical tags merge: 3,200 named anchors or
    bare <b>s before paragraphs are an ordinary page, and its links stay for the main-content
    extraction to read menus by."""
    for opener in ('<a name="n{k}">', "<b>"):
        page = _page("".join(opener.format(k=k) + f"<p>{s}" for k, s in enumerate(_sentences(3_200))))
        assert defused(page) is page


def _nested_article(depth: int) -> tuple[str, list[str]]:
    """A page of a menu, an article whose paragraphs each stand in a <div> inside the one before
    (``depth`` of them, all closed at the end) and a footer; and the article's sentences."""
    sentences = _sentences(depth)
    menu = "<nav><ul>" + "".join(f'<li><a href="/{k}">栏目{k}</a></li>' for k in range(12)) + "</ul></nav>"
    footer = '<footer><p>版权所有 © 2020 | <a href="/about">关于我们</a></p></footer>'
    article = "".join(f"<div><p>{s}</p>" for s in sentences) + "</div>" * depth
    return _page(f"<header>{menu}</header><main>{article}</main>{footer}"), sentences


@pytest.mark.parametrize("extractor", ["resiliparse", "trafilatura"])
def test_containers_past_the_depth_limit_go_and_the_layout_around_them_stays(extractor):
    """Only the <div>s deeper than the limit lose their tags, end tags with them: the menu and the
    footer still stand apart from the article, and main content is found as on a shallow page."""
    page, sentences = _nested_article(400)
    assert hostile_shapes(page) == ["containers"]
    assert defused(page).count("<div>") == defused(page).count("</div>") == MAX_CONTAINER_DEPTH
    text, _ = page_text(page, extractor)
    assert all(s in text for s in set(sentences))
    assert "栏目3" not in text and "版权所有" not in text


def test_containers_up_to_the_depth_limit_reach_the_parser_unchanged():
    page, _ = _nested_article(MAX_CONTAINER_DEPTH)
    assert defused(page) is page


def test_an_end_tag_closes_the_containers_of_its_name_as_the_parser_reads_it():
    """</article> closes the article and every <div> left open inside it: the footer's <div>
    after it stands at the top again, its tags kept (one stack for both names paired
    </article> with the innermost open <div>, and the footer lost its tags)."""
    sentences = _sentences(150)
    footer = '<div class="footer"><p>版权所有 © 2020</p></div>'
    page = _page("<article>" + "".join(f"<div><p>{s}" for s in sentences) + "</article>" + footer)
    assert hostile_shapes(page) == ["containers"]
    kept = defused(page)
    assert kept.endswith("</article>" + footer + "</body></html>")
    # The 99 <div>s inside the article up to the limit, and the footer's own.
    assert kept.count("<div") == MAX_CONTAINER_DEPTH
