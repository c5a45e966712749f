"""Training the line classifier on pages whose lines are labelled main text (1) or not (0)."""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from datacleaning.main_text.features import FeatureHasher
from datacleaning.main_text.model import LineClassifier, logistic_probabilities
from datacleaning.sparse_logistic import AdamSettings, fit_logistic


@dataclass(frozen=True)
class LabelledPage:
    """A page's lines (stripped, not blank) with a label each; ``link_shares`` and ``tags`` when
    it was rendered from HTML; ``group``: the set it comes from, each set weighing the same."""

    lines: list[str]
    labels: list[int]
    group: str
    link_shares: list[float] | None = None
    tags: list[str] | None = None

    def __post_init__(self):
        if len(self.labels) != len(self.lines):
            raise ValueError(f"{len(self.lines)} lines and {len(self.labels)} labels")


@dataclass(frozen=True)
class LineTrainSettings:
    bits: int = 18
    adam: AdamSettings = field(default_factory=lambda: AdamSettings(epochs=5, batch_size=512, lr=0.01, l2=1e-5))


def _line_weights(pages: Sequence[LabelledPage]) -> np.ndarray:
    """Each group weighs the same, each line within it the same; the weights sum to 1."""
    groups = [page.group for page in pages for _ in page.lines]
    sizes = Counter(groups)
    return np.array([1.0 / (len(sizes) * sizes[g]) for g in groups])


def _fit(rows: list[np.ndarray], labels: np.ndarray, weights: np.ndarray, settings: LineTrainSettings,
         log: Callable[[str], None] | None, stage: str) -> tuple[np.ndarray, float]:
    sparse = [(row, np.ones(row.size)) for row in rows]
    total = settings.adam.epochs
    return fit_logistic(sparse, labels, weights / weights.sum(), 1 << settings.bits, settings.adam,
                        log and (lambda epoch: log(f"line classifier, {stage}: epoch {epoch + 1}/{total}")))


def train_line_classifier(pages: Sequence[LabelledPage], settings: LineTrainSettings = LineTrainSettings(),
                          log: Callable[[str], None] | None = None) -> LineClassifier:
    """The first stage learns every line; the second learns the same lines with the first stage's
    probabilities around each, taken from models that did not see the line's page (two halves of
    the pages, each scored by a first stage trained on the other), so it learns how far to trust
    the first stage on pages it has not seen."""
    began = time.perf_counter()
    pages = [page for page in pages if page.lines]
    if not pages:
        raise ValueError("no labelled lines to train on")
    hasher = FeatureHasher(settings.bits)
    rows = [hasher.page(p.lines, p.link_shares, p.tags) for p in pages]
    labels = np.array([y for p in pages for y in p.labels], dtype=np.float64)
    weights = _line_weights(pages)
    page_of_line = np.repeat(np.arange(len(pages)), [len(p.lines) for p in pages])
    flat = [page.row(i) for page in rows for i in range(len(page))]
    line_weights, line_bias = _fit(flat, labels, weights, settings, log, "first stage")
    held_out = np.zeros(len(labels))
    for half in (0, 1):
        trained_on = np.flatnonzero(page_of_line % 2 != half)
        w, b = _fit([flat[i] for i in trained_on], labels[trained_on], weights[trained_on], settings, log,
                    f"first stage on half {2 - half} of the pages")
        for k in range(half, len(pages), 2):
            held_out[page_of_line == k] = logistic_probabilities(rows[k], w, b)
    second = []
    for k, page in enumerate(rows):
        placed = page.with_placed(hasher.context(held_out[page_of_line == k], page.layout))
        second += [placed.row(i) for i in range(len(placed))]
    context_weights, context_bias = _fit(second, labels, weights, settings, log, "second stage")
    groups = Counter(p.group for p in pages)
    return LineClassifier(line_weights.astype(np.float32), line_bias, context_weights.astype(np.float32),
                          context_bias, settings.bits, record={
                              "features": hasher.features,
                              "pages": dict(groups), "lines": len(labels), "main_text_lines": int(labels.sum()),
                              "settings": {"bits": settings.bits, **asdict(settings.adam)},
                              "seconds": round(time.perf_counter() - began, 1)})
