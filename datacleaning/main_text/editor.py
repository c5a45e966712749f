"""The ``remove_boilerplate_by_classifier`` edit rule: lines the line classifier does not take for
main text go."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from datacleaning.main_text.blocks import main_blocks
from datacleaning.main_text.model import SHIPPED_LINE_CLASSIFIER, load_line_classifier
from datacleaning.model_files import rule_model_path
from datacleaning.rules.base import Editor
from datacleaning.rules.line_edits import drop_lines
from datacleaning.rules.registry import register


BLOCK_MIN_CHARS = 10

# A line of brackets alone (``}``, ``{``, ``};``, ``),``): a piece of the code or data around it,
# which says nothing a classifier could judge; cut alone, it leaves the code around it unbalanced.
BRACKET_LINE = re.compile(r"[{}()\[\]]+[;,]?")
# What a line of opening brackets may hold: it opens what the line below it begins.
_OPENING_LINE = frozenset("{([;,")


def follow_neighbours(kept: np.ndarray, lines: list[str]) -> np.ndarray:
    """``kept`` with each line of brackets alone taking the verdict of the line it belongs with:
    one of opening brackets only (``{``) the nearest other line below it, which it opens; any
    other (``}``, ``});``) the nearest other line above it, which it closes. Where there is no
    such line, the nearest other line on the other side."""
    brackets = [BRACKET_LINE.fullmatch(line) is not None for line in lines]
    if not any(brackets) or all(brackets):
        return kept
    others = np.flatnonzero(~np.array(brackets))
    verdict = kept.copy()
    for i in np.flatnonzero(brackets).tolist():
        after = int(np.searchsorted(others, i))  # the first other line below i
        below = others[after] if after < len(others) else None
        above = others[after - 1] if after > 0 else None
        opens = _OPENING_LINE.issuperset(lines[i])
        verdict[i] = kept[below if (opens and below is not None) or above is None else above]
    return verdict


# A line that ends a sentence: its last mark, closing quotes and brackets aside.
_SENTENCE_CLOSED = re.compile(r"[.!?。！？…][\"'”’」』）)\]]*$")
# A line that goes on with the sentence before it: it opens in lower case or with a mark that
# cannot start a sentence.
_CONTINUES = re.compile(r"[a-z,.;:!?)\]，。、；：！？）]")
# What a link's text inside a sentence may be: words (a name, a term), or the mark that ends the
# sentence after it; not a bullet, a rule of underscores or a button's arrow.
_LINK_TEXT = re.compile(r"[^\W_]|[.,;:!?。，；：！？]+$")
LINK_CHARS = 40


def keep_running_sentences(kept: np.ndarray, lines: list[str]) -> np.ndarray:
    """``kept`` with each dropped line that a kept sentence runs through kept too: the line above
    it is kept and ends no sentence, the line below it is kept, and the line or the one below it
    goes on with the sentence ("... implementations that support it are" / "MALLET" / "and" /
    "tomotopy" / "."). Extracted text breaks a paragraph at its links, and the classifier, judging
    a link's word alone, takes it for a menu item; a heading above a page's furniture ends no
    sentence either, but the furniture after it opens a sentence of its own."""
    verdict = kept.copy()
    between_kept = np.flatnonzero(~kept[1:-1] & kept[:-2] & kept[2:]) + 1
    for i in between_kept.tolist():
        if (len(lines[i]) <= LINK_CHARS and _LINK_TEXT.match(lines[i]) and not _SENTENCE_CLOSED.search(lines[i - 1])
                and (_CONTINUES.match(lines[i]) or _CONTINUES.match(lines[i + 1]))):
            verdict[i] = True
    return verdict


@register("remove_boilerplate_by_classifier")
@dataclass
class RemoveBoilerplateByClassifier(Editor):
    """Lines whose probability of being the page's main text, by the line classifier, is below
    ``min_probability``: menus, section names, share and login widgets, related-article lists,
    footers, by what the line says, its length and punctuation, where it stands on the page and
    what lines stand around it (datacleaning/main_text). Documents shorter than ``min_chars`` or
    of fewer than ``min_lines`` non-blank lines are left alone: a quotation, a review or a
    paragraph or two say too little about a page, and an attribution line (-- Oscar Wilde) would
    read as a page's furniture.

    A line must also stand in one of the page's main blocks (``datacleaning.main_text.blocks``):
    each line weighs its length times how far its probability lies above ``block_probability``
    (below it, the weight is negative), and a run of lines is a block where its total weight is
    at least ``min_block_share`` of the page's heaviest run: the teasers of related articles and
    the headlines of a "popular" box read like prose line by line, but stand apart from the
    article, behind a stretch of furniture. A page with no line above ``block_probability`` is
    judged line by line; ``min_block_share = 0`` keeps every line at or above
    ``min_probability``. A dropped line of a link's few words that a kept sentence runs through
    stays (``keep_running_sentences``). ``model``: a
    line classifier file (relative to the config's folder); empty, the one shipped in the
    package (datacleaning/main_text/TRAINING.md)."""

    model: str = ""
    min_probability: float = 0.15
    block_probability: float = 0.2
    min_block_share: float = 0.1
    min_lines: int = 3
    min_chars: int = 500

    def prepare(self, base_dir: Path) -> None:
        self._classifier = load_line_classifier(rule_model_path(base_dir, self.model, SHIPPED_LINE_CLASSIFIER))

    def apply(self, text: str) -> str:
        return self.apply_many([text])[0]

    def apply_many(self, texts: list[str]) -> list[str]:
        # The pages of a batch are scored in one call to the classifier: numpy's cost per call,
        # most of a short page's, is paid once.
        judged = {k: lines for k, lines in enumerate(map(self._lines_to_judge, texts)) if lines is not None}
        if not judged:
            return texts
        if not hasattr(self, "_classifier"):
            self.prepare(Path.cwd())
        probabilities = self._classifier.page_probabilities([stripped for _, _, stripped in judged.values()])
        out = list(texts)
        for (k, (lines, positions, stripped)), p in zip(judged.items(), probabilities):
            out[k] = self._without_furniture(texts[k], lines, positions, stripped, p)
        return out

    def _lines_to_judge(self, text: str) -> tuple[list[str], list[int], list[str]] | None:
        """The text's lines, where the non-blank ones stand and what they say (stripped); None
        for a text to leave alone."""
        if len(text) < self.min_chars:
            return None
        lines = text.split("\n")
        positions = [i for i, line in enumerate(lines) if line.strip()]
        if len(positions) < self.min_lines:
            return None
        return lines, positions, [lines[i].strip() for i in positions]

    def _without_furniture(self, text: str, lines: list[str], positions: list[int], stripped: list[str],
                           probabilities: np.ndarray) -> str:
        kept = probabilities >= self.min_probability
        if self.min_block_share > 0:
            # Short lines weigh as ten characters: a subheading does not break its article in two.
            lengths = np.maximum([len(line) for line in stripped], BLOCK_MIN_CHARS)
            inside = main_blocks(((probabilities - self.block_probability) * lengths).tolist(), self.min_block_share)
            if inside.any():  # else no run of lines reads as main text: each line is judged alone
                kept &= inside
        kept = keep_running_sentences(follow_neighbours(kept, stripped), stripped)
        dropped = {i for i, keep in zip(positions, kept.tolist()) if not keep}
        return drop_lines(lines, dropped) if dropped else text
