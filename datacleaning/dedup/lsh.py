"""LSH banding parameters from a target Jaccard threshold.

With b bands of r MinHash values each, two documents of Jaccard similarity s share at least one
band with probability P(s) = 1 - (1 - s^r)^b. The search is datasketch's ``_optimal_param``: over
every (b, r) with b·r <= num_perm, minimize

    w_fp · ∫_0^t P(s) ds  +  w_fn · ∫_t^1 (1 - P(s)) ds

(false candidates below the threshold t against missed pairs above it), integrated here with the
trapezoid rule on a fine grid instead of scipy's quadrature. Candidates are verified afterwards,
so the default weighs misses far more than false candidates.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_GRID_POINTS = 2001


@dataclass(frozen=True)
class BandParams:
    bands: int
    rows: int

    def collision_probability(self, similarity: float) -> float:
        return 1.0 - (1.0 - similarity ** self.rows) ** self.bands


def _integral(bands: np.ndarray, rows: np.ndarray, low: float, high: float, miss: bool) -> np.ndarray:
    s = np.linspace(low, high, _GRID_POINTS)[None, :]
    p = 1.0 - (1.0 - s ** rows[:, None]) ** bands[:, None]
    return np.trapezoid(1.0 - p if miss else p, s, axis=1)


def optimal_bands(threshold: float, num_perm: int, false_negative_weight: float) -> BandParams:
    """The (bands, rows) with the least weighted error for ``threshold`` (see the module doc)."""
    pairs = np.array([(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)], dtype=np.float64)
    bands, rows = pairs[:, 0], pairs[:, 1]
    error = ((1.0 - false_negative_weight) * _integral(bands, rows, 0.0, threshold, miss=False)
             + false_negative_weight * _integral(bands, rows, threshold, 1.0, miss=True))
    best = int(np.argmin(error))
    return BandParams(int(bands[best]), int(rows[best]))


def band_params(threshold: float, num_perm: int, bands: int, rows: int, false_negative_weight: float) -> BandParams:
    """The configured bands and rows, or the optimal ones when they are 0."""
    if bands and rows:
        return BandParams(bands, rows)
    return optimal_bands(threshold, num_perm, false_negative_weight)
