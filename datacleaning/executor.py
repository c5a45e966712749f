"""The local executor: work units on a process pool, each committed once.

A work unit is a byte range (or row-group range, or whole file) of one input. The worker that
processes it writes its outputs atomically and then a completion record holding the unit's
counters; a rerun skips every unit that has one. Killing the run at any moment therefore loses at
most the units in flight, which the next run redoes from scratch.

SIGTERM or SIGINT asks the workers to stop at the next document; they drop their partial output
and the run reports itself interrupted. An exception in one unit, or a worker process that dies
(killed, out of memory), marks that unit failed and the others go on; a replacement worker takes
its place. Each worker has a pipe of its own rather than a share of a locked queue, so a worker
killed at any moment leaves no lock held that would stall the others or the main process.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from pathlib import Path

import multiprocess
from tqdm import tqdm

from datacleaning import storage
from datacleaning.errors import ConfigError
from datacleaning.logs import log_event
from datacleaning.shards import write_atomic
from datacleaning.stats import merge_counters
from datacleaning.storage import StoragePath

if TYPE_CHECKING:
    from datacleaning.config import RunConfig

logger = logging.getLogger("datacleaning.executor")

DONE_SUFFIX = ".done.json"
# Where a stage of several steps keeps each step's completion records: OUTPUT/.units/<step>/.
UNITS_DIR = ".units"


@dataclass(frozen=True)
class WorkUnit:
    """A piece of one input file. ``start``/``end`` are byte offsets (row groups for parquet);
    ``end=None`` means to the end of the file. ``size`` is its share of the input in bytes.
    ``name`` is the file's path relative to the input that named it (``dump/part-0.jsonl``):
    generated document ids and default sources derive from it."""

    id: str
    path: str
    format: str
    start: int
    end: int | None
    size: int
    name: str


class StopRequested(Exception):
    """Raised inside a worker when the run has been asked to stop."""


class UnitContext:
    """What a unit's processing function may ask of the executor. ``report`` takes each count of
    input bytes the unit has got through, for the run's progress bar."""

    def __init__(self, unit: WorkUnit, report: Callable[[int], None]):
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


ProcessUnit = Callable[[WorkUnit, UnitContext], dict]


@dataclass(frozen=True)
class Engine:
    """Where work units run: ``local`` worker processes on this machine, or ``ray`` tasks on the
    cluster at ``ray_address`` (empty: a local Ray instance)."""

    kind: str = "local"
    ray_address: str = ""

    @classmethod
    def of(cls, run: RunConfig) -> Engine:
        """The engine the config's ``[run]`` section names."""
        return cls(run.executor, run.ray_address)


LOCAL = Engine()


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

    @property
    def ok(self) -> bool:
        return self.outcome.ok

    @classmethod
    def already_complete(cls, stats: dict, units: int) -> StageResult:
        """The result of a stage whose output folder holds a completed run: nothing was done."""
        return cls(stats, RunOutcome(total_units=units, skipped_units=units))


# Worker-side state, set in the worker process right after the fork.
_stop_requested = False

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
STOP_GRACE_VARIABLE = "DATACLEANING_STOP_GRACE"
_DEFAULT_STOP_GRACE = 30.0


def stop_grace_seconds() -> float:
    """How long stopping workers get to drop their partial outputs before they are killed: the
    ``DATACLEANING_STOP_GRACE`` seconds that stopall.sh also waits before its SIGKILL."""
    value = os.environ.get(STOP_GRACE_VARIABLE, "")
    try:
        grace = float(value) if value else _DEFAULT_STOP_GRACE
    except ValueError:
        grace = -1.0
    if not grace >= 0:
        raise ConfigError(f"{STOP_GRACE_VARIABLE}={value!r}: expected a number of seconds, 0 or more")
    return grace


def _on_worker_signal(signum, frame) -> None:
    global _stop_requested
    _stop_requested = True


def _stop_signals_do(handler) -> None:
    for sig in _STOP_SIGNALS:
        signal.signal(sig, handler)


def _worker_main(conn, process_unit: ProcessUnit, state_dir: StoragePath, progress, slot: int) -> None:
    """A worker's life: take a unit from its own pipe, process it, answer on the same pipe.

    Between units a stop signal kills the worker outright: it holds nothing worth saving, and
    no lock either, since every worker has a pipe of its own. Inside a unit the signal only
    raises the flag that check_stop() reads, so the unit can drop its partial outputs first."""
    _stop_signals_do(signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    while True:
        try:
            unit = conn.recv()
        except EOFError:
            return
        if unit is None:
            return
        _stop_signals_do(_on_worker_signal)
        context = UnitContext(unit, functools.partial(_add_to_slot, progress, slot))
        answer = run_one(unit, process_unit, state_dir, context)
        conn.send(answer)
        if _stop_requested:
            os._exit(128 + signal.SIGTERM)
        _stop_signals_do(signal.SIG_DFL)


def _add_to_slot(progress, slot: int, nbytes: int) -> None:
    progress[slot] += nbytes


def run_one(unit: WorkUnit, process_unit: ProcessUnit, state_dir: StoragePath, context: UnitContext):
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


def pending_units(state_dir: StoragePath, units: list[WorkUnit]) -> list[WorkUnit]:
    """The units without a completion record, from one listing of ``state_dir`` (not a request per
    unit, which on an object store would be one per unit of a run of hundreds of thousands)."""
    done = {path.name for path in storage.list_dir(state_dir)}
    return [u for u in units if u.id + DONE_SUFFIX not in done]


def load_done_stats(state_dir: StoragePath, units: list[WorkUnit]) -> list[dict]:
    """The counters of every completed unit, in unit order."""
    out = []
    for unit in units:
        try:
            out.append(json.loads(storage.read_bytes(state_dir / (unit.id + DONE_SUFFIX))))
        except FileNotFoundError:
            continue
    return out


class _StopSignals:
    """Turns SIGTERM/SIGINT in the main process into a flag that the stages and the scheduling
    loop read. Re-entrant: a stage holds it across its steps, so a signal that arrives between
    two of them is kept for the next one instead of killing the process mid-bookkeeping."""

    def __init__(self):
        self.received: int | None = None
        self._depth = 0
        self._previous = {}

    def __enter__(self):
        if self._depth == 0:
            self.received = None
            for sig in _STOP_SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        self._depth += 1
        return self

    def _handle(self, signum, frame):
        self.received = signum

    def reclaim(self) -> None:
        """Put our handler back after a library replaced it (Ray's driver aborts on SIGTERM)."""
        if self._depth:
            for sig in _STOP_SIGNALS:
                signal.signal(sig, self._handle)

    def __exit__(self, *exc):
        self._depth -= 1
        if self._depth == 0:
            for sig, handler in self._previous.items():
                signal.signal(sig, handler)


stop_signals = _StopSignals()


class _Worker:
    """The main process's handle on one worker: its process, its pipe, the unit it holds."""

    def __init__(self, context, process_unit: ProcessUnit, state_dir: StoragePath, progress, slot: int):
        self.conn, child_conn = context.Pipe()
        self.unit: WorkUnit | None = None
        self.slot = slot
        self.process = context.Process(target=_worker_main, args=(child_conn, process_unit, state_dir, progress, slot),
                                       daemon=True)
        # Forked with the stop signals blocked until the worker has set its own handlers: one
        # delivered earlier would run the main process's handler, copied by fork, and be lost.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        child_conn.close()

    def give(self, unit: WorkUnit | None) -> None:
        self.unit = unit
        try:
            self.conn.send(unit)
        except (BrokenPipeError, ConnectionResetError):
            pass  # it died: the scheduling loop sees its sentinel and reports the unit

    def answer(self):
        """The worker's answer if one is waiting, ``None`` if not; EOFError if it died."""
        return self.conn.recv() if self.conn.poll() else None

    def stop(self, deadline: float) -> None:
        self.process.join(max(0.0, deadline - time.monotonic()))
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def run_units(units: list[WorkUnit], process_unit: ProcessUnit, *, state_dir: StoragePath, workers: int,
              description: str = "units", show_progress: bool = True, engine: Engine = LOCAL,
              gpus_per_unit: float = 0) -> RunOutcome:
    """Process every unit without a completion record in ``state_dir``; return what happened.
    ``gpus_per_unit`` is what a Ray task asks for (the local executor leaves GPUs to the step)."""
    grace = stop_grace_seconds()
    storage.make_dirs(state_dir)
    pending = pending_units(state_dir, units)
    outcome = RunOutcome(total_units=len(units), skipped_units=len(units) - len(pending))
    if outcome.skipped_units:
        log_event(logger, "resume", skipped_units=outcome.skipped_units, pending_units=len(pending))
    if not pending:
        return outcome

    with stop_signals as signals:
        if signals.received is not None:
            outcome.interrupted = True
            return outcome
        bar = tqdm(total=sum(u.size for u in units), initial=sum(u.size for u in units) - sum(u.size for u in pending),
                   unit="B", unit_scale=True, desc=description, disable=not show_progress,
                   mininterval=0.5 if sys.stderr.isatty() else 30, file=sys.stderr)
        if engine.kind == "ray":
            from datacleaning.ray_engine import schedule_on_ray
            # Forked workers inherit this process's storage options; a Ray task gets them with its unit.
            schedule_on_ray(pending, storage.with_options(process_unit), state_dir, outcome, signals, bar,
                            address=engine.ray_address, workers=workers, gpus_per_unit=gpus_per_unit)
        else:
            _schedule(pending, process_unit, state_dir, workers, outcome, signals, bar, grace)
    return outcome


def _schedule(pending: list[WorkUnit], process_unit: ProcessUnit, state_dir: StoragePath, workers: int,
              outcome: RunOutcome, signals: _StopSignals, bar: tqdm, grace: float) -> None:
    context = multiprocess.get_context("fork")
    # Largest first, so a big unit does not start last and leave one core working alone.
    queue = sorted(pending, key=lambda u: u.size)
    slots = min(max(1, workers), len(queue))
    # One progress counter per worker slot, written only by that slot's worker: no lock that a
    # killed worker could leave held.
    progress = context.RawArray("q", slots)
    base = bar.n
    pool: list[_Worker] = []

    def start(slot: int) -> None:
        worker = _Worker(context, process_unit, state_dir, progress, slot)
        pool.append(worker)
        worker.give(queue.pop() if queue else None)

    try:
        for slot in range(slots):
            start(slot)
        while any(w.unit is not None for w in pool) and signals.received is None:
            busy = [w for w in pool if w.unit is not None]
            multiprocess.connection.wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=0.5)
            for worker in busy:
                try:
                    answer = worker.answer()
                except (EOFError, OSError):
                    answer = None
                if answer is not None:
                    status, unit_id, payload = answer
                    record_answer(outcome, status, unit_id, payload)
                    worker.give(queue.pop() if queue else None)
                elif not worker.process.is_alive():
                    record_answer(outcome, "failed", worker.unit.id,
                            f"worker process {worker.process.pid} died while processing the unit "
                            f"(exit code {worker.process.exitcode})")
                    pool.remove(worker)
                    worker.stop(time.monotonic())
                    if queue:
                        start(worker.slot)
            bar.n = base + sum(progress)
            bar.update(0)
    finally:
        if signals.received is not None:
            outcome.interrupted = True
            # Workers inside a unit got the signal too, with the whole process group; this
            # reaches those started on their own (a run under a supervisor that signals one pid).
            for worker in pool:
                if worker.unit is not None and worker.process.is_alive():
                    os.kill(worker.process.pid, signal.SIGTERM)
        else:
            for worker in pool:
                worker.give(None)
        deadline = time.monotonic() + grace
        for worker in pool:
            worker.stop(deadline)
        bar.close()


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

    def run(self, name: str, units: list[WorkUnit], processor: ProcessUnit, workers: int | None = None,
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


def record_answer(outcome: RunOutcome, status: str, unit_id: str, payload) -> None:
    if status == "done":
        outcome.completed.append(unit_id)
    elif status == "failed":
        outcome.failed[unit_id] = str(payload)
        log_event(logger, "unit_failed", logging.ERROR, unit=unit_id, error=str(payload).strip().splitlines()[-1])
    else:
        outcome.interrupted = True
