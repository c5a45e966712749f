"""The boilerplate editors built and chained as the web profiles run them (unit/test_rules_boilerplate.py,
unit/test_main_text_blocks.py and corpus/test_rules_boilerplate_corpus.py)."""
from __future__ import annotations

from pathlib import Path

import helpers
from datacleaning.rules.registry import build_rule

FIXTURES = helpers.FIXTURES / "rules" / "boilerplate"


def rule(name: str, base_dir: Path = FIXTURES, **params):
    """A rule built and prepared the way the clean stage does it."""
    built = build_rule("edits", 0, {"name": name, **params})
    built.prepare(base_dir)
    return built


def web_profile():
    """The order the recommended web profiles run these rules in."""
    return [rule("remove_related_lists"), rule("remove_navigation"), rule("remove_boilerplate_lines"),
            rule("collapse_repeated_lines"), rule("trim_boilerplate_edges"), rule("collapse_repeated_substrings")]


def clean(text: str, rules) -> str:
    for r in rules:
        text = r.apply(text)
    return text
