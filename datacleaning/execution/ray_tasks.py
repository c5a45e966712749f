"""Work units as Ray tasks: the executor for a cluster (``run.executor = "ray"``).

The same units, the same processing objects and the same completion records as the local
executor, so a run started with one resumes with the other. Each pending unit becomes one task
that asks for a CPU (and a GPU when the step needs one); Ray places it on a node, retries it when
its worker process dies (its outputs are atomic, so a retried unit is written once), and the
driver records each answer as it arrives. Workers on other nodes must reach the inputs and
outputs: URLs (datacleaning.storage) or paths of a filesystem every node mounts.
"""
from __future__ import annotations

import logging
import socket
import time
from pathlib import Path

from tqdm import tqdm

from datacleaning.errors import ConfigError
from datacleaning.execution.local import stop_signals
from datacleaning.execution.records import ProcessUnit, RunOutcome, UnitContext, record_answer, run_one
from datacleaning.execution.units import Unit
from datacleaning.logs import log_event

logger = logging.getLogger("datacleaning.ray")

# How often the driver looks at the stop flag while tasks run.
_POLL_SECONDS = 0.5
# A task whose worker process dies is run again this many times before its unit counts as failed.
_RETRIES = 3
# How long the head of a Ray cluster may take to accept a connection.
_CONNECT_SECONDS = 10.0
# How often a task tells the driver how far its unit has got.
_REPORT_SECONDS = 1.0


def _ray():
    try:
        import ray
    except ImportError:
        raise ConfigError("run.executor = ray needs Ray: pip install 'datacleaning[ray]'") from None
    return ray


def connect(address: str, workers: int) -> None:
    """Join the Ray cluster at ``address``; with none, join the one this process already uses or
    start a local instance of ``workers`` CPUs, whatever cluster ``RAY_ADDRESS`` or a ``ray start``
    on this machine names (Ray would join it, and refuse the CPU count: use ``auto`` to join it)."""
    ray = _ray()
    if ray.is_initialized():
        return
    if address:
        _refuse_unreachable(address)
        ray.init(address=address, log_to_driver=False, include_dashboard=False)
    else:
        ray.init(address="local", num_cpus=workers, log_to_driver=False, include_dashboard=False)
    stop_signals.reclaim()
    log_event(logger, "ray_connected", address=address or "local", cpus=ray.cluster_resources().get("CPU", 0))


def _refuse_unreachable(address: str) -> None:
    """A cluster address nothing answers at is a config error now: Ray itself retries for minutes."""
    host, colon, port = address.removeprefix("ray://").rpartition(":")
    if not colon or not port.isdigit():
        return  # "auto", or a form Ray resolves itself
    try:
        socket.create_connection((host, int(port)), timeout=_CONNECT_SECONDS).close()
    except OSError as e:
        raise ConfigError(f"run.ray_address: nothing answers at {address} ({e.strerror or e}); is the Ray cluster "
                          f"started (ray start --head) and the address its head's?") from None


class _UnitProgress:
    """The bytes each running unit has got through, as its task last reported them; lives in an
    actor that the driver asks while it waits."""

    def __init__(self):
        self.units: dict[str, int] = {}

    def set(self, unit_id: str, nbytes: int) -> None:
        self.units[unit_id] = nbytes

    def get(self) -> dict[str, int]:
        return self.units


class _ReportToActor:
    """A task's progress reports, sent to the progress actor at most every _REPORT_SECONDS (and
    when the unit is through) so that per-document counting costs no remote call per document."""

    def __init__(self, actor, unit: Unit):
        self.actor, self.unit_id, self.size = actor, unit.id, unit.size
        self.done, self.sent_at = 0, time.monotonic()
        # A retried unit starts again from nothing.
        actor.set.remote(unit.id, 0)

    def __call__(self, nbytes: int) -> None:
        self.done += nbytes
        now = time.monotonic()
        if now - self.sent_at >= _REPORT_SECONDS or self.done >= self.size:
            self.actor.set.remote(self.unit_id, self.done)
            self.sent_at = now


def _run_task(process_unit: ProcessUnit, unit: Unit, state_dir: Path, progress_actor):
    return run_one(unit, process_unit, state_dir, UnitContext(unit, _ReportToActor(progress_actor, unit)))


def _partial_progress(ray, actor, running: dict) -> int:
    """Bytes the running units have got through; 0 when the actor cannot say (its process died)."""
    try:
        reported = ray.get(actor.get.remote(), timeout=_POLL_SECONDS)
    except ray.exceptions.RayError:
        return 0
    return sum(reported.get(unit.id, 0) for unit in running.values())


def schedule_on_ray(pending: list[Unit], process_unit: ProcessUnit, state_dir: Path, outcome: RunOutcome,
                    signals, bar: tqdm, *, address: str, workers: int, gpus_per_unit: float) -> None:
    """Run ``pending`` as Ray tasks until all have answered or a stop signal arrives (then the
    tasks still running are cancelled and the outcome says interrupted)."""
    ray = _ray()
    connect(address, workers)
    from datacleaning.rules.registry import plugin_file_modules

    # A plugin loaded from a .py file is a module only this process can import: its rules travel
    # to the tasks by value, class and all.
    for module in plugin_file_modules():
        ray.cloudpickle.register_pickle_by_value(module)
    task = ray.remote(num_cpus=1, num_gpus=gpus_per_unit, max_retries=_RETRIES)(_run_task)
    progress = ray.remote(num_cpus=0)(_UnitProgress).remote()
    shared = ray.put(process_unit)
    running = {task.remote(shared, unit, state_dir, progress): unit
               for unit in sorted(pending, key=lambda u: u.size, reverse=True)}
    finished = bar.n
    while running and signals.received is None:
        ready, _ = ray.wait(list(running), num_returns=len(running), timeout=_POLL_SECONDS)
        for ref in ready:
            unit = running.pop(ref)
            try:
                answer = ray.get(ref)
            except ray.exceptions.RayError as e:
                if signals.received is not None:
                    continue  # its worker got the stop signal too: the unit is left for the rerun
                answer = ("failed", unit.id, f"Ray task failed: {type(e).__name__}: {e}")
            record_answer(outcome, *answer)
            finished += unit.size
        bar.n = finished + _partial_progress(ray, progress, running)
        bar.update(0)
    for ref in running:
        try:
            ray.cancel(ref, force=True)
        except ray.exceptions.RayError:
            pass  # its worker, or the local Ray instance, is already gone (the signal reached it too)
    # A stop signal interrupts the run even when it reached every running task's worker first.
    if running or signals.received is not None:
        outcome.interrupted = True
    bar.close()
