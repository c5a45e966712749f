"""How well a score separates good text from bad: ROC AUC, the measure every quality signal of
this project is reported by (the trainer's held-out check, bench/judgment.py)."""
from __future__ import annotations

import numpy as np


def roc_auc(negatives: np.ndarray, positives: np.ndarray) -> float:
    """P(positive > negative) + P(tie) / 2, by ranks (Mann-Whitney U)."""
    values = np.concatenate([negatives, positives])
    order = values.argsort(kind="stable")
    ranks = np.empty(values.size)
    sorted_values = values[order]
    # Average ranks over ties.
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], values.size]
    for start, end in zip(starts, ends):
        ranks[order[start:end]] = (start + end + 1) / 2
    u = ranks[negatives.size:].sum() - positives.size * (positives.size + 1) / 2
    return float(u / (negatives.size * positives.size))
