"""The run report: one self-contained HTML page to read after a run (``datacleaning report OUTPUT``,
written by ``datacleaning run`` at its end).

    runs.py    what a report reads of an output folder: each stage's stats.json, the review samples
    tables.py  the rows it draws and tabulates: funnel, rules, signal histograms and thresholds
    charts.py  the charts (Vega-Lite, built with altair)
    page.py    the page: sections, tables, samples, Vega inlined once
"""
from __future__ import annotations

__all__ = ["REPORT_FILE", "is_run_report", "write_report"]


def __getattr__(name: str):
    # The page (and altair, a fifth of a second to import) is loaded at the first report written:
    # `import datacleaning` loads this package, and stays as quick as it was.
    if name in __all__:
        from datacleaning.report import page
        return getattr(page, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
