"""Fixtures and helpers shared by the tests of the Chinese quality filters: the real and written
texts of tests/fixtures/rules/zh_quality, running one rule through the real pipeline, and the
mojibake a wrong decoding makes of a text."""
from __future__ import annotations

import json
from typing import Any

import datacleaning as dc
from datacleaning.rules.base import Rule
from datacleaning.rules.registry import build_rule
from helpers import FIXTURES

FOLDER = FIXTURES / "rules" / "zh_quality"
EXAMPLE_NORMALIZERS = ["remove_invisible", "fullwidth_alnum", "normalize_newlines"]


def _read(name: str) -> dict[str, str]:
    with open(FOLDER / name, encoding="utf-8") as f:
        return {r["id"]: r["text"] for r in map(json.loads, f)}


EXCERPTS = _read("excerpts.jsonl")
WRITTEN = _read("written.jsonl")
CLEAN_WRITTEN = ["review-delivery", "review-hotel", "review-phone-gift", "review-rice", "review-again",
                 "review-long", "traditional-taiwan", "traditional-bookshop", "howto-numbered-steps",
                 "news-with-contacts"]
# Real text that must be kept: everything excerpted except the Debian Reference's table of
# contents, which is a listing.
CLEAN = {**{k: v for k, v in EXCERPTS.items() if k != "debref-zh-cn-0000"},
         **{k: WRITTEN[k] for k in CLEAN_WRITTEN}}


def example_pipeline(filters: list[Rule]) -> dc.Pipeline:
    """``filters`` after the example config's normalizers."""
    normalizers = [build_rule("normalizers", i, {"name": name}) for i, name in enumerate(EXAMPLE_NORMALIZERS)]
    return dc.Pipeline(normalizers=normalizers, filters=filters)


def judge(rule: Rule, text: str) -> tuple[Any, bool, str]:
    """(the value ``rule`` stored, whether the document was kept, its language) for ``text``
    cleaned by the example config's normalizers. The value is None when the rule does not apply
    to the document's language."""
    cleaned = next(example_pipeline([rule]).clean([text]))
    return cleaned.document.scores.get(rule.name), cleaned.kept, cleaned.document.lang


def misdecoded(text: str, written_as: str, read_as: str) -> str:
    """``text`` saved in one encoding and read back in another, undecodable bytes replaced."""
    return text.encode(written_as).decode(read_as, errors="replace")
