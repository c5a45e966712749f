"""A stage's steps: each a list of units run in turn, with its completion records in
``OUTPUT/.units/<step>``; the first that does not complete stops the stage."""
from __future__ import annotations

import logging
import time
from pathlib import Path

from datacleaning.execution.local import LOCAL, Engine, run_units, stop_signals
from datacleaning.execution.records import UNITS_DIR, ProcessUnit, RunOutcome, load_done_stats
from datacleaning.execution.units import Unit
from datacleaning.logs import log_event
from datacleaning.stats import merge_counters

logger = logging.getLogger("datacleaning.execution")


class Steps:
    """Runs a stage's steps in order, each a list of units through :func:`run_units` with its
    completion records in ``OUTPUT/.units/<step>``, and stops at the first that does not complete.
    Keeps each step's merged unit counters and wall time."""

    def __init__(self, stage: str, output: Path, workers: int, show_progress: bool, engine: Engine = LOCAL):
        self.stage = stage
        self.engine = engine
        self.output = output
        self.workers = workers
        self.show_progress = show_progress
        self.outcome = RunOutcome(total_units=0)
        self.stats: dict[str, dict] = {}
        self.seconds: dict[str, float] = {}

    def state_dir(self, name: str) -> Path:
        return self.output / UNITS_DIR / name

    def run(self, name: str, units: list[Unit], processor: ProcessUnit, workers: int | None = None,
            gpus_per_unit: float = 0) -> bool:
        """Run one step; ``workers`` overrides the stage's worker count for it."""
        if stop_signals.received is not None:
            self.outcome = RunOutcome(total_units=len(units), interrupted=True)
            return False
        started = time.perf_counter()
        outcome = run_units(units, processor, state_dir=self.state_dir(name), workers=workers or self.workers,
                            description=f"{self.stage} {name}", show_progress=self.show_progress,
                            engine=self.engine, gpus_per_unit=gpus_per_unit)
        self.seconds[name] = round(time.perf_counter() - started, 3)
        self.stats[name] = merge_counters(load_done_stats(self.state_dir(name), units))
        self.outcome = outcome
        if not outcome.ok:
            log_event(logger, "step_stopped", stage=self.stage, step=name, failed=len(outcome.failed),
                      interrupted=outcome.interrupted)
        return outcome.ok
