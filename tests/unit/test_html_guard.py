"""Pages shaped to make the HTML parser take time and memory growing with the square of the page are
read in bounded time, their text kept; real pages go to the parser untouched."""
from __future__ import annotations

import time

import pytest
from fastwarc.warc import ArchiveIterator, WarcRecordType

from datacleaning.readers import ReaderOptions
from datacleaning.readers.html_guard import defused
from datacleaning.readers.page import decoded_page
from helpers import REPO_ROOT, docs_of, fixture_records, read_all

SENTENCES = [s.strip() + "。" for r in fixture_records() if r["id"].startswith("cmrc") for s in r["text"].split("。")
             if s.strip() and "<" not in s]
EXTRACTORS = ["resiliparse", "trafilatura", "full_page"]


def _read_page(tmp_path, body: str, extractor: str) -> tuple[str, float]:
    (tmp_path / "page.html").write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    started = time.perf_counter()
    _, items = read_all([tmp_path], options=ReaderOptions(html_extractor=extractor))
    [doc] = docs_of(items)
    return doc.text, time.perf_counter() - started


def _sentences(n: int) -> list[str]:
    return [SENTENCES[k % len(SENTENCES)] for k in range(n)]


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_formatting_tags_left_open_with_other_attributes_each(tmp_path, extractor):
    """``<font color=…><p>`` before every paragraph, never closed, as old page editors wrote them:
    the parser copies every open one into each new paragraph (3,200 of them: 4-10 s and over a GB).
    The tags go; every paragraph stays."""
    sentences = _sentences(3_200)
    body = "".join(f'<font color="#{k:06x}"><p>{s}' for k, s in enumerate(sentences))
    text, seconds = _read_page(tmp_path, body, extractor)
    assert seconds < 3.0
    assert all(s in text for s in set(sentences))


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_lists_left_open_inside_one_another(tmp_path, extractor):
    """``<ul><li>`` repeated without a close: each level indented every line below it, so 5,000
    items made about 25 million characters of blanks. The text is now as long as the page's."""
    sentences = _sentences(5_000)
    body = "".join(f"<ul><li>{s}" for s in sentences)
    text, _ = _read_page(tmp_path, body, extractor)
    assert len(text) < 2 * len(body)
    assert all(s in text for s in set(sentences))


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_one_select_of_very_many_options(tmp_path, extractor):
    """One ``<select>`` of 45,000 ``<option>``s took the parser 7 s."""
    body = "<p>" + "".join(_sentences(3)) + "</p><select>" + "<option>选项" * 45_000 + "</select>"
    text, seconds = _read_page(tmp_path, body, extractor)
    assert seconds < 3.0
    assert SENTENCES[0] in text


def test_real_pages_reach_the_parser_unchanged():
    """The guard's limits are far above what real pages hold: the example corpus's crawled pages
    (Common Crawl responses of every kind of site, menus, forms and link lists included) are
    passed on as they are, the same string."""
    with open(REPO_ROOT / "examples" / "data" / "dolma_warc_sample-0000.warc.gz", "rb") as f:
        pages = [decoded_page(record.reader.read())
                 for record in ArchiveIterator(f, record_types=WarcRecordType.response)]
    assert len(pages) > 10
    assert all(defused(page) is page for page in pages)


def test_the_limits_count_tags_left_open_not_tags():
    """A page of 5,000 links, each closed, and of 5,000 closed lists is an ordinary page."""
    links = "".join(f'<ul><li><a href="/{k}"><b>{s}</b></a></li></ul>' for k, s in enumerate(_sentences(5_000)))
    page = f"<html><body>{links}</body></html>"
    assert defused(page) is page
