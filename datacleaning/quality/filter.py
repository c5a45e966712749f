"""The ``quality_classifier`` filter: a document's score under a quality classifier, judged
against a threshold per language."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from datacleaning.document import Document
from datacleaning.quality.model import SHIPPED_CLASSIFIER, load_classifier
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import register


@register("quality_classifier")
@dataclass
class QualityClassifierFilter(Filter):
    """Documents a quality classifier scores below ``min_score`` for their language (0 to 1, the
    probability that the text is of the kind the classifier was trained to call good). A language
    not in ``min_score`` is scored and stored, not judged, so a threshold can be chosen later and
    applied with ``datacleaning rejudge``; so is a text shorter than ``min_chars``, whose few
    n-grams make a score that says little (a two-line quotation, a one-sentence review). ``model`` is a file from ``datacleaning quality train``
    (relative to the config's folder); empty, the classifier shipped in the package (see
    datacleaning/quality/TRAINING.md for what it was trained on and measures).
    """

    signals = {"score": "float64", "chars": "int64"}
    thresholds = frozenset({"min_score", "min_chars"})
    threshold_fields = {"min_score": "score", "min_chars": "chars"}
    model: str = ""
    min_score: dict[str, float] = field(default_factory=dict)
    min_chars: int = 200

    def prepare(self, base_dir: Path) -> None:
        self._classifier = load_classifier((base_dir / self.model).resolve() if self.model else SHIPPED_CLASSIFIER)

    def score(self, doc: Document) -> dict:
        if not hasattr(self, "_classifier"):
            self.prepare(Path.cwd())
        # The language travels with the score: the threshold is the language's.
        return {"score": round(self._classifier.score(doc.text), 4), "chars": len(doc.text), "lang": doc.lang}

    def keep(self, value: dict) -> bool:
        return value["chars"] < self.min_chars or value["score"] >= self.min_score.get(value["lang"], 0.0)
