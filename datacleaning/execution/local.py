"""The local executor: work units on a process pool, each committed once (execution.records).

SIGTERM or SIGINT asks the workers to stop at the next document; they drop their partial output
and the run reports itself interrupted. An exception in one unit, or a worker process that dies
(killed, out of memory), marks that unit failed and the others go on; a replacement worker takes
its place. Each worker has a pipe of its own rather than a share of a locked queue, so a worker
killed at any moment leaves no lock held that would stall the others or the main process.
"""
from __future__ import annotations

import functools
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import multiprocess
from tqdm import tqdm

from datacleaning import storage
from datacleaning.errors import ConfigError
from datacleaning.execution.records import ProcessUnit, RunOutcome, UnitContext, pending_units, record_answer, \
    request_stop, run_one, stop_requested
from datacleaning.execution.units import Unit
from datacleaning.logs import log_event
from datacleaning.storage import StoragePath

if TYPE_CHECKING:
    from datacleaning.config import RunConfig

logger = logging.getLogger("datacleaning.execution")


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


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# prctl's option (linux/prctl.h): the signal a process gets when its parent dies.
_PR_SET_PDEATHSIG = 1
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
    request_stop()


def _stop_signals_do(handler) -> None:
    for sig in _STOP_SIGNALS:
        signal.signal(sig, handler)


def _worker_main(conn, process_unit: ProcessUnit, state_dir: StoragePath, progress, slot: int, parent: int) -> None:
    """A worker's life: take a unit from its own pipe, process it, answer on the same pipe.

    Between units a stop signal kills the worker outright: it holds nothing worth saving, and
    no lock either, since every worker has a pipe of its own. Inside a unit the signal only
    raises the flag that check_stop() reads, so the unit can drop its partial outputs first."""
    die_with(parent)
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
        if stop_requested():
            os._exit(128 + signal.SIGTERM)
        _stop_signals_do(signal.SIG_DFL)


def die_with(parent: int) -> None:
    """Have the kernel kill this process when ``parent`` dies (kill -9, the OOM killer): a worker
    holds the main process's ends of the pipes of the workers forked before it, so none would
    ever read the end of its own pipe, and they would wait forever, outside any stop; a child a
    worker forks (the tokenizer's trainer) would train on for minutes with no one to read it.
    Linux only (prctl, which a fork does not inherit); elsewhere the child lives on as before."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the request: the kernel will not signal now
        os._exit(128 + signal.SIGKILL)


def _add_to_slot(progress, slot: int, nbytes: int) -> None:
    progress[slot] += nbytes


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
        self.unit: Unit | None = None
        self.slot = slot
        self.process = context.Process(target=_worker_main,
                                       args=(child_conn, process_unit, state_dir, progress, slot, os.getpid()),
                                       daemon=True)
        # Forked with the stop signals blocked until the worker has set its own handlers: one
        # delivered earlier would run the main process's handler, copied by fork, and be lost.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        child_conn.close()

    def give(self, unit: Unit | None) -> None:
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


def run_units(units: list[Unit], process_unit: ProcessUnit, *, state_dir: StoragePath, workers: int,
              description: str = "units", show_progress: bool = True, engine: Engine = LOCAL,
              gpus_per_unit: float = 0) -> RunOutcome:
    """Process every unit without a completion record in ``state_dir``; return what happened.
    ``gpus_per_unit`` is what a Ray task asks for (the local executor leaves GPUs to the step)."""
    grace = stop_grace_seconds()
    storage.make_dirs(state_dir)
    pending = pending_units(state_dir, units)
    outcome = RunOutcome(total_units=len(units), skipped_units=len(units) - len(pending))
    if outcome.skipped_units:
        log_event(logger, "resume", step=description, skipped_units=outcome.skipped_units, pending_units=len(pending))
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
            from datacleaning.execution.ray_tasks import schedule_on_ray
            # Forked workers inherit this process's storage options; a Ray task gets them with its unit.
            schedule_on_ray(pending, storage.with_options(process_unit), state_dir, outcome, signals, bar,
                            address=engine.ray_address, workers=workers, gpus_per_unit=gpus_per_unit)
        else:
            _schedule(pending, process_unit, state_dir, workers, outcome, signals, bar, grace)
    return outcome


def _schedule(pending: list[Unit], process_unit: ProcessUnit, state_dir: StoragePath, workers: int,
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
