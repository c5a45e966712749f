"""The clean stage's printed summary: the quarantine's commonest reasons, the rest in one line."""
from __future__ import annotations

from datacleaning.stats import QUARANTINE_REASONS_SHOWN, format_clean_summary


def _stats(reasons: dict[str, int]) -> dict:
    return {"status": "complete", "input_docs": 100 + sum(reasons.values()), "kept_docs": 100,
            "quarantined_docs": sum(reasons.values()), "quarantined_by": reasons}


def test_the_reasons_past_the_commonest_are_counted_in_one_line():
    reasons = {"holds bytes that are not UTF-8": 5, "JSON value is list, not an object": 4,
               "field 'text' is int, not a string": 3, "truncated gz stream": 2, "line too long": 1}
    printed = format_clean_summary(_stats(reasons))
    assert all(reason in printed for reason in list(reasons)[:QUARANTINE_REASONS_SHOWN])
    assert "3 for 2 other reasons" in printed and "truncated gz stream" not in printed
    one_more = format_clean_summary(_stats(dict(list(reasons.items())[:QUARANTINE_REASONS_SHOWN + 1])))
    assert "2 for 1 other reason (" in one_more
