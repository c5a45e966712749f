"""The word lists the rules read from ``rules/data``: function words and stop words per language."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from datacleaning.script_chars import traditional_to_simplified

DATA = Path(__file__).parent / "data"


@cache
def function_words(lang: str) -> frozenset[str]:
    """The function words of ``lang`` (lower case; Chinese: single characters), as the list
    writes them and as text also writes them: Chinese in Traditional characters too (這 們 為
    for 这 们 为: a profile need not convert the script first), English contractions with a
    typographic apostrophe too (don’t for don't)."""
    text = (DATA / f"function_words_{lang}.txt").read_text(encoding="utf-8")
    words = {word for line in text.splitlines() if not line.startswith("#") for word in line.split()}
    if lang == "zh":
        words |= {traditional for traditional, simplified in traditional_to_simplified().items() if simplified in words}
    words |= {word.replace("'", "’") for word in words if "'" in word}
    return frozenset(words)


@cache
def stop_words(lang: str) -> frozenset[str]:
    lines = (DATA / f"stopwords_{lang}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(s for line in lines if (s := line.strip()) and not s.startswith("#"))
