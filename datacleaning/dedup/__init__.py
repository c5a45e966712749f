"""Exact and near-duplicate removal over the clean stage's kept shards (``datacleaning dedup``).

See :mod:`datacleaning.dedup.stage` for the output layout and :mod:`datacleaning.dedup.steps` for
how the work is split into resumable steps.
"""
from datacleaning.dedup.stage import format_dedup_summary

__all__ = ["format_dedup_summary"]
