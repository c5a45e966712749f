"""A page's main text as blocks: an article is a run of lines, and a line the classifier half
believes in is main text where it stands inside such a run, furniture (the teasers of related
articles, a sidebar's blurbs) where it stands alone behind a long stretch of menus."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def maximal_segments(weights: Sequence[float]) -> list[tuple[float, int, int]]:
    """The maximal scoring segments of ``weights`` as (total, start, end): the run of the largest
    total, then the same again to its left and to its right, as long as a total is positive.
    Ruzzo and Tompa's linear-time algorithm (1999): one pass, each positive weight opens a
    segment that swallows the segments before it while that raises its total."""
    starts: list[int] = []
    ends: list[int] = []
    lows: list[float] = []    # the running total before each segment
    highs: list[float] = []   # the running total at its end
    # The nearest segment to each one's left that starts lower: the search jumps along these, so
    # a page whose totals keep falling (a menu line, a prose line, a menu line ...) stays linear.
    lower: list[int] = []
    total = 0.0
    for i, weight in enumerate(weights):
        before, total = total, total + weight
        if weight <= 0:
            continue
        start, low, high = i, before, total
        j = len(lows) - 1
        while True:
            while j >= 0 and lows[j] >= low:
                j = lower[j]
            if j < 0 or highs[j] >= high:
                break
            start, low, after = starts[j], lows[j], lower[j]
            del starts[j:], ends[j:], lows[j:], highs[j:], lower[j:]
            j = after
        starts.append(start)
        ends.append(i + 1)
        lows.append(low)
        highs.append(high)
        lower.append(j)
    return [(high - low, start, end) for start, end, low, high in zip(starts, ends, lows, highs)]


def main_blocks(weights: Sequence[float], min_share: float) -> np.ndarray:
    """Which lines lie in the page's main blocks, given each line's weight (positive: evidence of
    main text): the maximal scoring segments whose total reaches ``min_share`` of the best one's.
    No line does when no weight is positive."""
    inside = np.zeros(len(weights), dtype=bool)
    segments = maximal_segments(weights)
    if segments:
        top = max(total for total, _, _ in segments)
        for total, start, end in segments:
            if total >= min_share * top:
                inside[start:end] = True
    return inside
