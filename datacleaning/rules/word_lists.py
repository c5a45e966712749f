"""The word lists the rules read from ``rules/data``: function words and stop words per language."""
from __future__ import annotations

from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@cache
def function_words(lang: str) -> frozenset[str]:
    """The function words of ``lang`` (lower case; Chinese: single characters)."""
    text = (DATA / f"function_words_{lang}.txt").read_text(encoding="utf-8")
    return frozenset(word for line in text.splitlines() if not line.startswith("#") for word in line.split())


@cache
def stop_words(lang: str) -> frozenset[str]:
    lines = (DATA / f"stopwords_{lang}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(s for line in lines if (s := line.strip()) and not s.startswith("#"))
