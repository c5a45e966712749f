"""A document with its language set, as the web-quality rules score it (unit/test_rules_web_quality.py
and corpus/test_rules_web_quality_corpus.py)."""
from __future__ import annotations

from datacleaning.document import Document


def doc(text: str, lang: str) -> Document:
    document = Document("t", text)
    document.lang = lang
    return document
