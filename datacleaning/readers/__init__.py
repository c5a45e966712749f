"""Readers for raw dumps: find input files, cut them into work units, and stream their documents.

Every reader yields :class:`~datacleaning.document.Document` for each record it can read and
:class:`~datacleaning.document.Quarantined` for each one it cannot, so the count of records read
always equals documents plus quarantine records.
"""
from datacleaning.readers.discover import Discovery, InputFile, discover, plan_units
from datacleaning.readers.dispatch import read_unit
from datacleaning.readers.records import ReaderOptions

__all__ = ["Discovery", "InputFile", "ReaderOptions", "discover", "plan_units", "read_unit"]
