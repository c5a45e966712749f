"""The character-level rules built as a config builds them (unit/test_rules_normalize.py and
corpus/test_rules_normalize_corpus.py)."""
from __future__ import annotations

from datacleaning.rules.registry import build_rule
from helpers import FIXTURES


def build(name: str, section: str = "normalizers", **params):
    rule = build_rule(section, 0, {"name": name, **params})
    rule.prepare(FIXTURES)
    return rule
