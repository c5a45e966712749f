"""The run report: one self-contained HTML page to read after a run (``datacleaning report OUTPUT``,
written by ``datacleaning run`` at its end).

    runs.py    what a report reads of an output folder: each stage's stats.json, the review samples
    tables.py  the rows it draws and tabulates: funnel, rules, signal histograms and thresholds
    charts.py  the charts (Vega-Lite, built with altair)
    page.py    the page: sections, tables, samples, Vega inlined once
"""
from datacleaning.report.page import REPORT_FILE, write_report

__all__ = ["REPORT_FILE", "write_report"]
