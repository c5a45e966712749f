"""The ``quality_classifier`` filter: a document's score under a quality classifier, judged
against a threshold per language."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from datacleaning.document import Document
from datacleaning.quality.model import SHIPPED_CLASSIFIER, load_classifier
from datacleaning.model_files import rule_model_path
from datacleaning.rules.base import Filter
from datacleaning.rules.edits.code_lines import SHELL_PROMPT
from datacleaning.rules.registry import register

# A paragraph that opens at a shell or Python prompt is a terminal session: a command and what it
# printed, which no classifier of prose can judge.
_SESSION = re.compile("^" + SHELL_PROMPT, re.M)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\xa0]*\n")


def prose_of(text: str) -> str:
    """``text`` without its terminal sessions (paragraphs that open at a prompt)."""
    if _SESSION.search(text) is None:
        return text
    return "\n\n".join(p for p in _PARAGRAPH_BREAK.split(text) if not _SESSION.match(p))


@register("quality_classifier")
@dataclass
class QualityClassifierFilter(Filter):
    """Documents a quality classifier scores below ``min_score`` for their language (0 to 1, the
    probability that the text is of the kind the classifier was trained to call good). A language
    not in ``min_score`` is scored and stored, not judged, so a threshold can be chosen later and
    applied with ``datacleaning rejudge``; so is a text shorter than ``min_chars``, whose few
    n-grams make a score that says little (a two-line quotation, a one-sentence review). The text
    scored is the document's prose: paragraphs that open at a shell or Python prompt (``$ ls -li``
    and its output) are left out, and ``chars`` counts what is left, so a manual section of
    commands is judged by its sentences (the English Debian Reference lost seven such sections to
    the English threshold). ``model`` is a file from ``datacleaning quality train``
    (relative to the config's folder); empty, the classifier shipped in the package (see
    datacleaning/quality/TRAINING.md for what it was trained on and measures). ``languages``: the
    languages measured at all (empty: every one), so that a profile that judges one language by
    another signal does not pay for this one there.
    """

    signals = {"score": "float64", "chars": "int64"}
    thresholds = frozenset({"min_score", "min_chars"})
    threshold_fields = {"min_score": "score", "min_chars": "chars"}
    language_keyed = frozenset({"min_score"})
    model: str = ""
    languages: list[str] = field(default_factory=list)
    min_score: dict[str, float] = field(default_factory=dict)
    min_chars: int = 200

    def prepare(self, base_dir: Path) -> None:
        self._classifier = load_classifier(rule_model_path(base_dir, self.model, SHIPPED_CLASSIFIER))

    def score(self, doc: Document) -> dict:
        if not hasattr(self, "_classifier"):
            self.prepare(Path.cwd())
        # The language travels with the score: the threshold is the language's.
        text = prose_of(doc.text)
        return {"score": round(self._classifier.score(text), 4), "chars": len(text), "lang": doc.lang}

    def keep(self, value: dict) -> bool:
        return value["chars"] < self.min_chars or value["score"] >= self.min_score.get(value["lang"], 0.0)
