"""The tokens of a document that are written in its language's own script.

A Chinese page quoting English, code or URLs is scored on all of it by ``nll_per_char``, and the
model predicts ASCII runs cheaply: such a page looks like clean text for what is not Chinese in
it. ``main_nll_per_char`` scores only the pieces that hold a character of the document's script
(Han for ``zh``, Latin letters for ``en``), per character of those pieces. A language without a
script here, or a text without such a piece, has no main score.
"""
from __future__ import annotations

import re

import numpy as np

from datacleaning.charclasses import HAN

SCRIPTS = {"zh": re.compile(f"[{HAN}]"), "en": re.compile("[A-Za-z\u00c0-\u024f]")}
# SentencePiece writes the space before a word as this mark: one character of the text.
WORD_START = "\u2581"


class MainScript:
    """For one tokenizer: which pieces write each language's script, and how many characters of
    the text each piece stands for."""

    def __init__(self, pieces: list[str]):
        self._pieces_of = {lang: np.fromiter((bool(script.search(p)) for p in pieces), bool, len(pieces))
                           for lang, script in SCRIPTS.items()}
        self._chars = np.fromiter((len(p) for p in pieces), np.int64, len(pieces))

    @classmethod
    def of(cls, tokenizer) -> MainScript:
        """For a SentencePiece processor."""
        return cls([tokenizer.id_to_piece(i).replace(WORD_START, " ") for i in range(tokenizer.get_piece_size())])

    def mask(self, ids: np.ndarray, lang: str | None) -> np.ndarray:
        """A boolean per token of ``ids``: the pieces of ``lang``'s script (none for a language
        without one)."""
        pieces = self._pieces_of.get(lang or "")
        return np.zeros(len(ids), bool) if pieces is None else pieces[ids]

    def chars(self, ids: np.ndarray, mask: np.ndarray) -> int:
        """The characters of the text the masked tokens stand for."""
        return int(self._chars[ids[mask]].sum())
