"""A trained quality classifier: one weight per n-gram bucket and a bias, saved as one .npz file
(``allow_pickle`` off: the file holds arrays and a JSON record, never code)."""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from datacleaning.model_files import read_npz
from datacleaning.quality.features import FeatureSettings, hashed_ngrams

SHIPPED_CLASSIFIER = Path(__file__).resolve().parent / "default.npz"


class ClassifierFileError(ValueError):
    """A file that is not a quality classifier this version can read."""


@dataclass
class QualityClassifier:
    """``weights`` (2**bits of them: float32 from the trainer, float16 read from a file, half the
    memory in every worker) and ``bias`` of a logistic model over a text's n-gram shares;
    ``record`` says how it was trained (the training data, held-out AUC)."""

    weights: np.ndarray
    bias: float
    features: FeatureSettings = FeatureSettings()
    record: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.weights.shape != (1 << self.features.bits,):
            raise ValueError(f"{self.weights.shape[0]:,} weights for {self.features.bits} bits")

    def logit(self, text: str) -> float:
        buckets = hashed_ngrams(text, self.features)
        return float(self.weights[buckets].mean(dtype=np.float64)) + self.bias if buckets.size else self.bias

    def score(self, text: str) -> float:
        """The probability that ``text`` is good, 0 to 1 (an empty text: the bias alone)."""
        return float(1.0 / (1.0 + np.exp(-self.logit(text))))

    def save(self, path: str | os.PathLike) -> None:
        # float16 halves the file; the weights are small and smooth, so scores move by < 1e-3.
        with open(path, "wb") as f:
            np.savez_compressed(f, weights=self.weights.astype(np.float16), bias=np.float64(self.bias),
                                features=np.array(json.dumps(asdict(self.features))),
                                record=np.array(json.dumps(self.record)))


def read_classifier(path: str | os.PathLike) -> QualityClassifier:
    return read_npz(path, lambda data: QualityClassifier(
        data["weights"], float(data["bias"]), FeatureSettings(**json.loads(str(data["features"]))),
        json.loads(str(data["record"]))), ClassifierFileError, "quality classifier")


@cache
def load_classifier(path: str | os.PathLike = SHIPPED_CLASSIFIER) -> QualityClassifier:
    """The classifier in ``path`` (default: the one shipped in the package), read once per process."""
    return read_classifier(Path(path).resolve())
