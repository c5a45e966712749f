"""Logistic regression over sparse rows by Adam on minibatches: what the quality classifier and the
main-text line classifier both learn with.

A row is (buckets, values): the indexes of its non-zero features and their values. The model's
logit for a row is ``sum(weights[buckets] * values) + bias``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

SparseRow = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class AdamSettings:
    epochs: int = 20
    batch_size: int = 256
    lr: float = 0.05
    l2: float = 1e-6
    seed: int = 0

    def __post_init__(self):
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0 or self.l2 < 0:
            raise ValueError("epochs and batch_size must be at least 1, lr above 0, l2 not below 0")


def fit_logistic(rows: Sequence[SparseRow], labels: np.ndarray, sample_weight: np.ndarray, size: int,
                 settings: AdamSettings, log: Callable[[int], None] | None = None) -> tuple[np.ndarray, float]:
    """(weights, bias) minimising the log loss of ``rows`` against ``labels`` (0 or 1), each row
    weighing its ``sample_weight`` (they sum to 1 over the rows for the loss to be a mean), plus
    ``l2`` times half the squared weights. ``log(epoch)`` after each epoch."""
    weights, bias = np.zeros(size), 0.0
    m, v, mb, vb = np.zeros(size), np.zeros(size), 0.0, 0.0
    rng = np.random.default_rng(settings.seed)
    step = 0
    for epoch in range(settings.epochs):
        order = rng.permutation(len(rows))
        for start in range(0, len(rows), settings.batch_size):
            batch = order[start:start + settings.batch_size]
            buckets = np.concatenate([rows[i][0] for i in batch])
            values = np.concatenate([rows[i][1] for i in batch]).astype(np.float64)
            owner = np.repeat(np.arange(len(batch)), [rows[i][0].size for i in batch])
            z = np.bincount(owner, weights=weights[buckets] * values, minlength=len(batch)) + bias
            residual = (1 / (1 + np.exp(-z)) - labels[batch]) * sample_weight[batch] * (len(rows) / len(batch))
            grad = np.bincount(buckets, weights=residual[owner] * values, minlength=size) + settings.l2 * weights
            step += 1
            m = 0.9 * m + 0.1 * grad
            v = 0.999 * v + 0.001 * grad * grad
            weights -= settings.lr * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
            gb = residual.sum()
            mb, vb = 0.9 * mb + 0.1 * gb, 0.999 * vb + 0.001 * gb * gb
            bias -= settings.lr * (mb / (1 - 0.9 ** step)) / (np.sqrt(vb / (1 - 0.999 ** step)) + 1e-8)
        if log:
            log(epoch)
    return weights, float(bias)
