"""The local executor: work units on a process pool, each committed once.

A work unit is a byte range (or row-group range, or whole file) of one input. The worker that
processes it writes its outputs atomically and then a completion record holding the unit's
counters; a rerun skips every unit that has one. Killing the run at any moment therefore loses at
most the units in flight, which the next run redoes from scratch.

SIGTERM or SIGINT asks the workers to stop at the next document; they drop their partial output
and the run reports itself interrupted. An exception in one unit, or a worker process that dies
(killed, out of memory), marks that unit failed and the others go on.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import multiprocess
from tqdm import tqdm

from datacleaning.logs import log_event
from datacleaning.shards import write_atomic

logger = logging.getLogger("datacleaning.executor")

DONE_SUFFIX = ".done.json"
RUNNING_SUFFIX = ".running"
_DEAD_WORKER_CHECK_SECONDS = 1.0


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
    """What a unit's processing function may ask of the executor."""

    def __init__(self, unit: WorkUnit, counter):
        self.unit = unit
        self._counter = counter
        self._reported = 0

    def progress(self, nbytes: int) -> None:
        if nbytes > 0:
            self._reported += nbytes
            with self._counter.get_lock():
                self._counter.value += nbytes

    def check_stop(self) -> None:
        if _stop_requested:
            raise StopRequested

    def finish_progress(self) -> None:
        self.progress(self.unit.size - self._reported)


ProcessUnit = Callable[[WorkUnit, UnitContext], dict]


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


# Worker-side state. The pool is forked, so these are inherited rather than pickled.
_process_unit: ProcessUnit | None = None
_state_dir: Path | None = None
_counter = None
_stop_requested = False

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _on_worker_signal(signum, frame) -> None:
    global _stop_requested
    _stop_requested = True


def _stop_signals_do(handler) -> None:
    for sig in _STOP_SIGNALS:
        signal.signal(sig, handler)


def _init_worker() -> None:
    # Between units a worker has nothing to save, so a stop signal kills it outright. A Python
    # handler would not do: it runs only between bytecodes, and an idle worker waits inside the
    # task queue's lock, which pool.terminate() keeps held, so it would never get to run.
    _stop_signals_do(signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def _run_one(unit: WorkUnit) -> tuple[str, str, object]:
    # Inside a unit a stop signal only raises the flag that check_stop() reads, so the unit
    # can drop its partial outputs before the worker exits.
    _stop_signals_do(_on_worker_signal)
    marker = _state_dir / (unit.id + RUNNING_SUFFIX)
    marker.write_text(str(os.getpid()))
    context = UnitContext(unit, _counter)
    started = time.perf_counter()
    try:
        stats = _process_unit(unit, context)
        stats["seconds"] = time.perf_counter() - started
        write_atomic(_state_dir / (unit.id + DONE_SUFFIX), json.dumps(stats).encode())
        return "done", unit.id, stats
    except StopRequested:
        return "stopped", unit.id, None
    except Exception:
        return "failed", unit.id, traceback.format_exc(limit=8)
    finally:
        context.finish_progress()
        marker.unlink(missing_ok=True)
        if _stop_requested:
            os._exit(128 + signal.SIGTERM)
        _stop_signals_do(signal.SIG_DFL)


def is_done(state_dir: Path, unit: WorkUnit) -> bool:
    return (state_dir / (unit.id + DONE_SUFFIX)).exists()


def load_done_stats(state_dir: Path, units: list[WorkUnit]) -> list[dict]:
    """The counters of every completed unit, in unit order."""
    out = []
    for unit in units:
        path = state_dir / (unit.id + DONE_SUFFIX)
        if path.exists():
            out.append(json.loads(path.read_text()))
    return out


def _pid_dead(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


class _MainSignals:
    """Turns SIGTERM/SIGINT in the main process into a flag the scheduling loop reads."""

    def __init__(self):
        self.received: int | None = None
        self._previous = {}

    def __enter__(self):
        for sig in _STOP_SIGNALS:
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame):
        self.received = signum

    def __exit__(self, *exc):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def run_units(units: list[WorkUnit], process_unit: ProcessUnit, *, state_dir: Path, workers: int,
              description: str = "units", show_progress: bool = True) -> RunOutcome:
    """Process every unit without a completion record in ``state_dir``; return what happened."""
    global _process_unit, _state_dir, _counter, _stop_requested
    state_dir.mkdir(parents=True, exist_ok=True)
    for stale in state_dir.glob("*" + RUNNING_SUFFIX):
        stale.unlink(missing_ok=True)
    pending = [u for u in units if not is_done(state_dir, u)]
    outcome = RunOutcome(total_units=len(units), skipped_units=len(units) - len(pending))
    if outcome.skipped_units:
        log_event(logger, "resume", skipped_units=outcome.skipped_units, pending_units=len(pending))
    if not pending:
        return outcome

    context = multiprocess.get_context("fork")
    _process_unit, _state_dir, _counter, _stop_requested = process_unit, state_dir, context.Value("q", 0), False
    total_bytes = sum(u.size for u in units)
    done_bytes = total_bytes - sum(u.size for u in pending)
    results: queue.SimpleQueue = queue.SimpleQueue()
    outstanding = {u.id: u for u in pending}
    bar = tqdm(total=total_bytes, initial=done_bytes, unit="B", unit_scale=True, desc=description,
               disable=not show_progress, mininterval=0.5 if sys.stderr.isatty() else 30, file=sys.stderr)

    with _MainSignals() as signals:
        # Workers start with the stop signals blocked until _init_worker has set their handlers:
        # one delivered earlier would run the main process's handler, copied by fork, and be lost,
        # and pool.terminate() would then wait forever for that worker. The pool's threads, which
        # fork replacement workers, are started inside the block too and keep it.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            pool = context.Pool(max(1, workers), initializer=_init_worker)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        try:
            # Largest first, so a big unit does not start last and leave one core working alone.
            for unit in sorted(pending, key=lambda u: -u.size):
                pool.apply_async(_run_one, (unit,), callback=results.put,
                                 error_callback=lambda e, uid=unit.id: results.put(("failed", uid, repr(e))))
            last_check = time.monotonic()
            while outstanding and signals.received is None:
                try:
                    status, unit_id, payload = results.get(timeout=0.2)
                except queue.Empty:
                    if time.monotonic() - last_check > _DEAD_WORKER_CHECK_SECONDS:
                        last_check = time.monotonic()
                        _reap_dead_units(state_dir, outstanding, outcome)
                else:
                    if outstanding.pop(unit_id, None) is not None:
                        _record(outcome, status, unit_id, payload)
                bar.n = done_bytes + _counter.value
                bar.update(0)
        finally:
            outcome.interrupted = signals.received is not None
            # Every answer is in (or the run is stopping), so no worker holds work worth waiting
            # for; close() would wait forever for the task of a worker that died.
            pool.terminate()
            pool.join()
            bar.close()
    return outcome


def _record(outcome: RunOutcome, status: str, unit_id: str, payload) -> None:
    if status == "done":
        outcome.completed.append(unit_id)
    elif status == "failed":
        outcome.failed[unit_id] = str(payload)
        log_event(logger, "unit_failed", logging.ERROR, unit=unit_id, error=str(payload).strip().splitlines()[-1])
    else:
        outcome.interrupted = True


def _reap_dead_units(state_dir: Path, outstanding: dict[str, WorkUnit], outcome: RunOutcome) -> None:
    """A worker killed mid-unit never answers; find its unit by the marker the worker left."""
    for marker in state_dir.glob("*" + RUNNING_SUFFIX):
        unit_id = marker.name[: -len(RUNNING_SUFFIX)]
        try:
            pid = int(marker.read_text() or 0)
        except (OSError, ValueError):
            continue
        if unit_id in outstanding and pid and _pid_dead(pid):
            marker.unlink(missing_ok=True)
            outstanding.pop(unit_id)
            _record(outcome, "failed", unit_id, f"worker process {pid} died while processing the unit")
