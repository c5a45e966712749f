"""The ``reference_perplexity`` filter, a document's negative log-likelihood per character under
a reference language model, and the ``lm_ratio`` filter, its log-likelihood ratio between a model
of junk and one of text to keep; each judged against a limit per language."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from datacleaning.document import Document
from datacleaning.reference_lm.model import SHIPPED_REFERENCE_LM, load_reference_lm
from datacleaning.reference_lm.ratio import SHIPPED_LM_RATIO, load_lm_ratio
from datacleaning.model_files import rule_model_path
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import register


@register("reference_perplexity")
@dataclass
class ReferencePerplexityFilter(Filter):
    """Documents whose NLL per character (nats) under a reference n-gram language model is above
    ``max_nll_per_char`` for their language: text unlike any edited writing (spun or machine-made
    text, word salad, keyword lists). A language not in ``max_nll_per_char`` is scored and stored,
    not judged, so a limit can be chosen later and applied with ``datacleaning rejudge``; so is a
    text shorter than ``min_chars``. ``model`` is a file from ``datacleaning reference-lm train``
    (relative to the config's folder); empty, the model shipped in the package
    (datacleaning/reference_lm/TRAINING.md). Per character, not per piece: a tokenizer splits
    unusual text into many short, individually likely pieces, which flatters it per piece.
    ``languages``: the languages measured at all (empty: every one); scoring costs about 0.2 ms
    a document of 1,000 characters, the most of any built-in filter, so a profile that judges
    one language can leave the others unmeasured.
    """

    signals = {"nll_per_char": "float64", "chars": "int64"}
    thresholds = frozenset({"max_nll_per_char", "min_chars"})
    threshold_fields = {"max_nll_per_char": "nll_per_char", "min_chars": "chars"}
    language_keyed = frozenset({"max_nll_per_char"})
    model: str = ""
    languages: list[str] = field(default_factory=list)
    max_nll_per_char: dict[str, float] = field(default_factory=dict)
    min_chars: int = 200

    def prepare(self, base_dir: Path) -> None:
        self._model = load_reference_lm(rule_model_path(base_dir, self.model, SHIPPED_REFERENCE_LM))

    def score(self, doc: Document) -> dict:
        if not hasattr(self, "_model"):
            self.prepare(Path.cwd())
        nll = self._model.nll_per_char(doc.text)
        # The language travels with the score: the limit is the language's.
        return {"nll_per_char": None if math.isnan(nll) else round(nll, 4), "chars": len(doc.text),
                "lang": doc.lang}

    def keep(self, value: dict) -> bool:
        return _under_limit(value["nll_per_char"], self.max_nll_per_char.get(value["lang"]),
                            value["chars"] < self.min_chars)


@register("lm_ratio")
@dataclass
class LMRatioFilter(Filter):
    """Documents likelier under a model of junk than under a model of text to keep by more than
    ``max_junk_log_ratio`` nats a character for their language (:mod:`datacleaning.reference_lm.ratio`:
    NLL per character under the good model minus that under the junk one). A language not in
    ``max_junk_log_ratio`` is scored and stored, not judged, so a limit can be chosen later and
    applied with ``datacleaning rejudge``; so is a text shorter than ``min_chars``. One shorter than
    ``min_measured_chars`` is not measured at all (``junk_log_ratio`` null; a rejudge cannot judge
    it): its few pieces say little, and measuring them was half the filter's time on a corpus of
    short reviews. ``model`` is a
    file from ``datacleaning reference-lm train-ratio`` (relative to the config's folder); empty,
    the pair shipped in the package, counted on Chinese text only
    (datacleaning/reference_lm/LM_RATIO_TRAINING.md). ``languages``: the languages measured at all
    (empty: every one); scoring reads a document's first 1,000 characters with both models, about
    0.2 ms.
    """

    signals = {"junk_log_ratio": "float64", "chars": "int64"}
    thresholds = frozenset({"max_junk_log_ratio", "min_chars"})
    threshold_fields = {"max_junk_log_ratio": "junk_log_ratio", "min_chars": "chars"}
    language_keyed = frozenset({"max_junk_log_ratio"})
    model: str = ""
    languages: list[str] = field(default_factory=list)
    max_junk_log_ratio: dict[str, float] = field(default_factory=dict)
    min_chars: int = 200
    min_measured_chars: int = 200

    def __post_init__(self):
        if self.min_chars < self.min_measured_chars:
            raise ValueError(f"min_chars ({self.min_chars}) is below min_measured_chars ({self.min_measured_chars}): "
                             "texts between the two would be judged without a measure")

    def prepare(self, base_dir: Path) -> None:
        self._model = load_lm_ratio(rule_model_path(base_dir, self.model, SHIPPED_LM_RATIO))

    def score(self, doc: Document) -> dict:
        if not hasattr(self, "_model"):
            self.prepare(Path.cwd())
        chars = len(doc.text)
        ratio = self._model.junk_log_ratio(doc.text) if chars >= self.min_measured_chars else math.nan
        return {"junk_log_ratio": None if math.isnan(ratio) else round(ratio, 4), "chars": chars, "lang": doc.lang}

    def keep(self, value: dict) -> bool:
        return _under_limit(value["junk_log_ratio"], self.max_junk_log_ratio.get(value["lang"]),
                            value["chars"] < self.min_chars)


def _under_limit(measured: float | None, limit: float | None, too_short: bool) -> bool:
    """Kept: no limit for the language, a text too short to judge, nothing measured, or a measure
    at or under the limit."""
    return limit is None or too_short or measured is None or measured <= limit
