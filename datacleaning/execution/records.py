"""Running one unit and its completion record. The unit's processing writes its outputs
atomically and returns its counters; the record of them, written atomically after, is what a rerun
skips the unit for. Killing a run at any moment therefore loses at most the units in flight.
"""
from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from datacleaning import storage
from datacleaning.execution.units import Unit
from datacleaning.logs import log_event
from datacleaning.shards import write_atomic
from datacleaning.storage import StoragePath

logger = logging.getLogger("datacleaning.execution")

DONE_SUFFIX = ".done.json"
# Where a stage of several steps keeps each step's completion records: OUTPUT/.units/<step>/.
UNITS_DIR = ".units"

# Set in a worker process by its stop-signal handler (execution.local): the unit in hand stops
# at its next check_stop().
_stop_requested = False


def request_stop() -> None:
    global _stop_requested
    _stop_requested = True


def stop_requested() -> bool:
    return _stop_requested


class StopRequested(Exception):
    """Raised inside a worker when the run has been asked to stop."""


class UnitContext:
    """What a unit's processing function may ask of the executor. ``report`` takes each count of
    input bytes the unit has got through, for the run's progress bar."""

    def __init__(self, unit: Unit, report: Callable[[int], None]):
        self.unit = unit
        self._report = report
        self._reported = 0

    def progress(self, nbytes: int) -> None:
        if nbytes > 0:
            self._reported += nbytes
            self._report(nbytes)

    def check_stop(self) -> None:
        if _stop_requested:
            raise StopRequested

    def finish_progress(self) -> None:
        self.progress(self.unit.size - self._reported)


ProcessUnit = Callable[[Unit, UnitContext], dict]


@dataclass
class RunOutcome:
    total_units: int
    skipped_units: int = 0
    completed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed and not self.interrupted


@dataclass
class StageResult:
    """What a stage run returns: its ``stats.json`` contents and what happened to its units."""

    stats: dict
    outcome: RunOutcome
    # The output folder held this run, completed: nothing was done, ``stats`` are that run's.
    done_before: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome.ok

    @classmethod
    def already_complete(cls, stats: dict, units: int) -> StageResult:
        """The result of a stage whose output folder holds a completed run: nothing was done."""
        return cls(stats, RunOutcome(total_units=units, skipped_units=units), done_before=True)


def run_one(unit: Unit, process_unit: ProcessUnit, state_dir: StoragePath, context: UnitContext):
    started = time.perf_counter()
    try:
        stats = process_unit(unit, context)
        stats["seconds"] = time.perf_counter() - started
        write_atomic(state_dir / (unit.id + DONE_SUFFIX), json.dumps(stats).encode())
        return "done", unit.id, stats
    except StopRequested:
        return "stopped", unit.id, None
    except Exception:
        return "failed", unit.id, traceback.format_exc(limit=8)
    finally:
        context.finish_progress()


def pending_units(state_dir: StoragePath, units: list[Unit]) -> list[Unit]:
    """The units without a completion record, from one listing of ``state_dir`` (not a request per
    unit, which on an object store would be one per unit of a run of hundreds of thousands)."""
    done = {path.name for path in storage.list_dir(state_dir)}
    return [u for u in units if u.id + DONE_SUFFIX not in done]


def load_done_stats(state_dir: StoragePath, units: list[Unit]) -> list[dict]:
    """The counters of every completed unit, in unit order."""
    out = []
    for unit in units:
        try:
            out.append(json.loads(storage.read_bytes(state_dir / (unit.id + DONE_SUFFIX))))
        except FileNotFoundError:
            continue
    return out


def record_answer(outcome: RunOutcome, status: str, unit_id: str, payload) -> None:
    if status == "done":
        outcome.completed.append(unit_id)
    elif status == "failed":
        outcome.failed[unit_id] = str(payload)
        log_event(logger, "unit_failed", logging.ERROR, unit=unit_id, error=str(payload).strip().splitlines()[-1])
    else:
        outcome.interrupted = True
