"""The blacklist filter as the tests build and judge with it (unit/test_blacklists.py and
corpus/test_blacklists_corpus.py)."""
from __future__ import annotations

from pathlib import Path

import datacleaning as dc
from datacleaning.config import load_config
from datacleaning.rules.registry import build_rule


def profile_blacklist(profile: str = "mixed_web"):
    """The blacklist step exactly as a bundled profile configures it."""
    filters = load_config(None, profile=profile).clean.filters
    index, table = next((i, t) for i, t in enumerate(filters) if t["name"] == "blacklist")
    rule = build_rule("filters", index, table)
    rule.prepare(Path("."))
    return rule


def verdict(rule, text: str, meta: str = "{}", lang: str = "") -> dict:
    """The measured value, with the categories the rule's thresholds flag in it under ``flagged``;
    ``lang`` is the language the document was identified as."""
    value = rule.score(dc.Document("doc", text, meta=meta, lang=lang))
    flagged = rule.flagged(value)
    assert rule.keep(value) == (not flagged)
    return {**value, "flagged": flagged}
