"""A page's main blocks (datacleaning/main_text/blocks.py): the maximal scoring segments of line
weights, checked against a brute-force search of their definition, and what they do in the
``remove_boilerplate_by_classifier`` rule on a real page: the headlines of related and popular
articles behind the article's furniture go, the article stays."""
from __future__ import annotations

import numpy as np
import pytest

from boilerplate_helpers import FIXTURES, rule

from datacleaning.main_text.blocks import main_blocks, maximal_segments
ZH_PAGE = (FIXTURES / "zh_news_page.txt").read_text("utf-8").rstrip("\n")
ZH_CLEAN = (FIXTURES / "zh_news_page.clean.txt").read_text("utf-8").rstrip("\n").split("\n")
# A headline of the page's 热门推荐 box that the classifier, line by line, scores above
# mixed_web's limit (the model before list items were features scored one of 相关阅读's too).
TEASERS = ["本周末气温回升 最高可达二十度"]


def brute_force_segments(weights: list[float]) -> list[tuple[int, int]]:
    """The definition, searched exhaustively: the (start, end) of the largest total over every
    span, then the same in what lies left and right of it, while the total is positive."""
    def search(lo: int, hi: int) -> list[tuple[int, int]]:
        spans = [(sum(weights[i:j]), i, j) for i in range(lo, hi) for j in range(i + 1, hi + 1)]
        if not spans:
            return []
        total, start, end = max(spans)
        return search(lo, start) + [(start, end)] + search(end, hi) if total > 0 else []
    return search(0, len(weights))


@pytest.mark.parametrize("seed", range(40))
def test_segments_are_the_maximal_scoring_segments(seed):
    rng = np.random.default_rng(seed)
    weights = rng.normal(-0.3, 1.0, rng.integers(0, 30)).tolist()
    found = maximal_segments(weights)
    assert [(start, end) for _, start, end in found] == brute_force_segments(weights)
    assert all(total == pytest.approx(sum(weights[start:end])) for total, start, end in found)


def test_blocks_keep_the_runs_that_weigh_enough_against_the_heaviest():
    weights = [-1.0, 5.0, -1.0, 4.0, -10.0, 2.0, -3.0, 0.5, -1.0]
    assert main_blocks(weights, 0.0).tolist() == [0, 1, 1, 1, 0, 1, 0, 1, 0]
    assert main_blocks(weights, 0.2).tolist() == [0, 1, 1, 1, 0, 1, 0, 0, 0]  # 2 ≥ 0.2 × 8 > 0.5
    assert main_blocks(weights, 1.0).tolist() == [0, 1, 1, 1, 0, 0, 0, 0, 0]
    assert not main_blocks([-1.0, -2.0, 0.0], 0.1).any()
    assert main_blocks([], 0.1).shape == (0,)


def test_falling_totals_give_one_block_per_positive_line():
    # Menu and prose lines in turn, the prose too short to outweigh the menu before it: the case
    # that makes a naive search of the segments quadratic.
    weights = [1.0, -1.5] * 5000
    inside = main_blocks(weights, 0.5)
    assert inside.sum() == 5000 and inside[::2].all()


def editor(**params):
    return rule("remove_boilerplate_by_classifier", **params)


def test_headlines_behind_the_furniture_go_and_the_article_stays():
    with_blocks = editor().apply(ZH_PAGE).split("\n")
    line_by_line = editor(min_block_share=0.0).apply(ZH_PAGE).split("\n")
    assert all(teaser in line_by_line for teaser in TEASERS)
    assert not any(teaser in with_blocks for teaser in TEASERS)
    article = [line for line in ZH_CLEAN if line in line_by_line]  # the headline goes either way
    assert len(article) >= 9 and all(line in with_blocks for line in article)


def test_a_page_with_no_block_is_judged_line_by_line():
    # No line reaches a block probability of 1: no block, so no line is dropped for lying outside one.
    assert editor(block_probability=1.0).apply(ZH_PAGE) == editor(min_block_share=0.0).apply(ZH_PAGE)
