"""Execution: how a stage's work runs. A step is a list of units (units.py) processed on local
worker processes (local.py) or as Ray tasks (ray_tasks.py), each committed once with a completion
record that a rerun skips it for (records.py); a stage runs its steps in order (steps.py)."""
from datacleaning.execution.local import LOCAL, Engine, run_units, stop_signals
from datacleaning.execution.records import UNITS_DIR, ProcessUnit, RunOutcome, StageResult, UnitContext, \
    load_done_stats
from datacleaning.execution.steps import Steps
from datacleaning.execution.units import FileUnit, Part, RowRange, Unit

__all__ = ["LOCAL", "UNITS_DIR", "Engine", "FileUnit", "Part", "ProcessUnit", "RowRange", "RunOutcome", "StageResult",
           "Steps", "Unit", "UnitContext", "load_done_stats", "run_units", "stop_signals"]
