"""Work units as Ray tasks: the executor for a cluster (``run.executor = "ray"``).

The same units, the same processing objects and the same completion records as the local
executor, so a run started with one resumes with the other. Each pending unit becomes one task
that asks for a CPU (and a GPU when the step needs one); Ray places it on a node, retries it when
its worker process dies (its outputs are atomic, so a retried unit is written once), and the
driver records each answer as it arrives. Workers on other nodes must see the input and output
paths (a shared filesystem).
"""
from __future__ import annotations

import logging
from pathlib import Path

from tqdm import tqdm

from datacleaning.executor import ProcessUnit, RunOutcome, UnitContext, WorkUnit, record_answer, run_one, stop_signals
from datacleaning.logs import log_event
from datacleaning.rules.registry import ConfigError

logger = logging.getLogger("datacleaning.ray")

# How often the driver looks at the stop flag while tasks run.
_POLL_SECONDS = 0.5
# A task whose worker process dies is run again this many times before its unit counts as failed.
_RETRIES = 3


def _ray():
    try:
        import ray
    except ImportError:
        raise ConfigError("run.executor = ray needs Ray: pip install 'datacleaning[ray]'") from None
    return ray


def connect(address: str, workers: int) -> None:
    """Join the Ray cluster at ``address``; with none, join the one this process already uses or
    start a local instance of ``workers`` CPUs."""
    ray = _ray()
    if ray.is_initialized():
        return
    if address:
        ray.init(address=address, log_to_driver=False, include_dashboard=False)
    else:
        ray.init(num_cpus=workers, log_to_driver=False, include_dashboard=False)
    stop_signals.reclaim()
    log_event(logger, "ray_connected", address=address or "local", cpus=ray.cluster_resources().get("CPU", 0))


def _run_task(process_unit: ProcessUnit, unit: WorkUnit, state_dir: Path):
    # Progress is counted by the driver when the unit's answer arrives; the task counts into a list.
    return run_one(unit, process_unit, state_dir, UnitContext(unit, [0], 0))


def schedule_on_ray(pending: list[WorkUnit], process_unit: ProcessUnit, state_dir: Path, outcome: RunOutcome,
                    signals, bar: tqdm, *, address: str, workers: int, gpus_per_unit: float) -> None:
    """Run ``pending`` as Ray tasks until all have answered or a stop signal arrives (then the
    tasks still running are cancelled and the outcome says interrupted)."""
    ray = _ray()
    connect(address, workers)
    task = ray.remote(num_cpus=1, num_gpus=gpus_per_unit, max_retries=_RETRIES)(_run_task)
    shared = ray.put(process_unit)
    running = {task.remote(shared, unit, state_dir): unit
               for unit in sorted(pending, key=lambda u: u.size, reverse=True)}
    while running and signals.received is None:
        ready, _ = ray.wait(list(running), num_returns=1, timeout=_POLL_SECONDS)
        for ref in ready:
            unit = running.pop(ref)
            try:
                answer = ray.get(ref)
            except ray.exceptions.RayError as e:
                answer = ("failed", unit.id, f"Ray task failed: {type(e).__name__}: {e}")
            record_answer(outcome, *answer)
            bar.update(unit.size)
    if running:
        for ref in running:
            try:
                ray.cancel(ref, force=True)
            except ray.exceptions.RayError:
                pass  # its worker, or the local Ray instance, is already gone (the signal reached it too)
        outcome.interrupted = True
    bar.close()
