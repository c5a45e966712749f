"""The ``remove_boilerplate_by_classifier`` edit rule: lines the line classifier does not take for
main text go."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from datacleaning.main_text.model import SHIPPED_LINE_CLASSIFIER, load_line_classifier
from datacleaning.rules.base import Editor
from datacleaning.rules.line_edits import drop_lines
from datacleaning.rules.registry import register


@register("remove_boilerplate_by_classifier")
@dataclass
class RemoveBoilerplateByClassifier(Editor):
    """Lines whose probability of being the page's main text, by the line classifier, is below
    ``min_probability``: menus, section names, share and login widgets, related-article lists,
    footers, by what the line says, its length and punctuation, where it stands on the page and
    what lines stand around it (datacleaning/main_text). Documents shorter than ``min_chars`` or
    of fewer than ``min_lines`` non-blank lines are left alone: a quotation, a review or a
    paragraph or two say too little about a page, and an attribution line (-- Oscar Wilde) would
    read as a page's furniture. ``model``: a
    line classifier file (relative to the config's folder); empty, the one shipped in the
    package (datacleaning/main_text/TRAINING.md)."""

    model: str = ""
    min_probability: float = 0.15
    min_lines: int = 3
    min_chars: int = 500

    def prepare(self, base_dir: Path) -> None:
        self._classifier = load_line_classifier(
            (base_dir / self.model).resolve() if self.model else SHIPPED_LINE_CLASSIFIER)

    def apply(self, text: str) -> str:
        if len(text) < self.min_chars:
            return text
        lines = text.split("\n")
        positions = [i for i, line in enumerate(lines) if line.strip()]
        if len(positions) < self.min_lines:
            return text
        if not hasattr(self, "_classifier"):
            self.prepare(Path.cwd())
        probabilities = self._classifier.probabilities([lines[i].strip() for i in positions])
        dropped = {i for i, p in zip(positions, probabilities.tolist()) if p < self.min_probability}
        return drop_lines(lines, dropped) if dropped else text
