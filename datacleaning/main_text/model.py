"""The line classifier: the probability that each line of a page is its main text.

Two logistic models over hashed features (datacleaning.main_text.features): the first reads each
line with its neighbours' lengths and its place on the page; the second reads the same features
plus the first's probabilities around the line, so a line is judged with the run it stands in.
"""
from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from datacleaning.main_text.features import FEATURES, FeatureHasher, PageRows
from datacleaning.model_files import read_npz

SHIPPED_LINE_CLASSIFIER = Path(__file__).resolve().parent / "default.npz"


class LineClassifierFileError(ValueError):
    """A file that is not a line classifier."""


def logistic_probabilities(rows: PageRows, weights: np.ndarray, bias: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-rows.logits(weights, bias)))


@dataclass
class LineClassifier:
    """``line_weights``/``line_bias``: the first stage; ``context_weights``/``context_bias``: the
    second; ``bits``: each stage has 2**bits weights; ``record``: how it was trained."""

    line_weights: np.ndarray
    line_bias: float
    context_weights: np.ndarray
    context_bias: float
    bits: int
    record: dict = field(default_factory=dict)

    def __post_init__(self):
        for weights in (self.line_weights, self.context_weights):
            if weights.shape != (1 << self.bits,):
                raise ValueError(f"{weights.shape[0]:,} weights for {self.bits} bits")
        # Scored in float64: a float16 file's weights converted once, not at every page.
        self.line_weights = self.line_weights.astype(np.float64)
        self.context_weights = self.context_weights.astype(np.float64)
        # A model trained before list items and field labels were features has no "features".
        features = self.record.get("features", 1)
        if features > FEATURES:
            raise ValueError(f"trained on version {features} of the line features; this datacleaning reads up to "
                             f"version {FEATURES}: upgrade it")
        self._hasher = FeatureHasher(self.bits, features)

    def probabilities(self, lines: Sequence[str], link_shares: Sequence[float] | None = None,
                      tags: Sequence[str] | None = None) -> np.ndarray:
        """The probability that each line (stripped, not blank) is main text; ``link_shares`` and
        ``tags`` as :meth:`datacleaning.main_text.features.FeatureHasher.page` takes them."""
        return self.page_probabilities([lines], None if link_shares is None else [link_shares],
                                       None if tags is None else [tags])[0]

    def page_probabilities(self, pages: Sequence[Sequence[str]],
                           link_shares: Sequence[Sequence[float]] | None = None,
                           tags: Sequence[Sequence[str]] | None = None) -> list[np.ndarray]:
        """:meth:`probabilities` of each page, all computed together: a batch of pages costs
        numpy's overhead once. ``link_shares`` and ``tags`` as
        :meth:`datacleaning.main_text.features.FeatureHasher.pages` takes them."""
        filled = [k for k, page in enumerate(pages) if page]
        out = [np.zeros(0) for _ in pages]
        if not filled:
            return out
        rows = self._hasher.pages([pages[k] for k in filled], link_shares and [link_shares[k] for k in filled],
                                  tags and [tags[k] for k in filled])
        first = logistic_probabilities(rows, self.line_weights, self.line_bias)
        second = logistic_probabilities(rows.with_placed(self._hasher.context(first, rows.layout)),
                                        self.context_weights, self.context_bias)
        for k, probabilities in zip(filled, rows.layout.split(second)):
            out[k] = probabilities
        return out

    def save(self, path: str | os.PathLike) -> None:
        # float16 halves the file; the weights are small, so probabilities move by < 1e-3.
        with open(path, "wb") as f:
            np.savez_compressed(f, line_weights=self.line_weights.astype(np.float16),
                                line_bias=np.float64(self.line_bias),
                                context_weights=self.context_weights.astype(np.float16),
                                context_bias=np.float64(self.context_bias), bits=np.int64(self.bits),
                                record=np.array(json.dumps(self.record)))


def read_line_classifier(path: str | os.PathLike) -> LineClassifier:
    return read_npz(path, lambda data: LineClassifier(
        data["line_weights"], float(data["line_bias"]), data["context_weights"], float(data["context_bias"]),
        int(data["bits"]), json.loads(str(data["record"]))), LineClassifierFileError, "line classifier")


@cache
def load_line_classifier(path: str | os.PathLike = SHIPPED_LINE_CLASSIFIER) -> LineClassifier:
    """The classifier in ``path`` (default: the one shipped in the package), read once per process."""
    return read_line_classifier(Path(path).resolve())
