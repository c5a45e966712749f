"""The pipeline's stages: what a stage declares, the registry that orders them, and the one runner
that gives every stage the same life: stop signals, the fingerprint claimed in its manifest,
start and finish logs, its status, stats.json, and the removal of its work files once complete.

A stage is a :class:`Stage` in its own package (``STAGE`` in the module the registry names). It
plans (validates its input, cuts it into units and fingerprints what decides its output, writing
nothing), executes its steps, says what to log, what to remove and how to summarize, and adds its
sub-commands to the command line. The
command line, ``run``'s order, the config's list of stages, the report and the Python API all read
the registry, so adding a stage is its package and one line here.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import shutil
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from datacleaning import storage
from datacleaning.errors import ConfigError
from datacleaning.execution import RunOutcome, StageResult, stop_signals
from datacleaning.logs import log_event
from datacleaning.manifest import MANIFEST, STATS, claim_output, exclusive_output, mark_complete
from datacleaning.stats import write_stats
from datacleaning.storage import StoragePath

if TYPE_CHECKING:
    from datacleaning.config import Config

# Every stage, in the order data flows through them, and the module holding its STAGE.
REGISTRY = {
    "clean": "datacleaning.cleaning.stage",
    "dedup": "datacleaning.dedup.stage",
    "probe": "datacleaning.model_probe.stage",
    "tokenize": "datacleaning.tokenize.stage",
}
STAGE_ORDER = tuple(REGISTRY)


@dataclass
class Plan:
    """What a stage will do, decided before anything is written: the fingerprint of what decides
    its output, how many units it has, what its start log says, and the stage's own state."""

    fingerprint: str  # a Fingerprint (settings_digest) names what differs when a resume is refused
    units: int
    start_log: dict = field(default_factory=dict)
    state: Any = None


class Stage(ABC):
    """One stage of the pipeline. ``name`` is also its config section, its output folder under a
    run's output and its manifest's stage. ``reads_dumps``: its input is raw dumps given by the
    user (the clean stage); every other stage reads the kept shards of the stage before it, which
    must hold its ``input_columns`` (``plan`` refuses shards without them)."""

    name: ClassVar[str]
    reads_dumps: ClassVar[bool] = False
    input_columns: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def plan(self, config: Config, source: Any, output: StoragePath) -> Plan:
        """Check the input and settings, cut the work into units, fingerprint it; write nothing."""

    @abstractmethod
    def execute(self, config: Config, plan: Plan, output: StoragePath) -> tuple[dict, RunOutcome]:
        """Run the steps; the stage's stats (the runner adds status, workers and wall time) and
        the outcome of its units."""

    @abstractmethod
    def summary(self, stats: dict) -> str:
        """A summary of a run's stats for a person to read."""

    @abstractmethod
    def add_commands(self, sub: argparse._SubParsersAction) -> None:
        """The stage's sub-commands of ``datacleaning``."""

    def finish_log(self, stats: dict) -> dict:
        """What the finish log says besides the status."""
        return {}

    def work_files(self, config: Config, plan: Plan, output: StoragePath) -> list[StoragePath]:
        """Folders of intermediate files, removed once the stage is complete."""
        return []


def stage(name: str) -> Stage:
    """The registered stage of that name."""
    return importlib.import_module(REGISTRY[name]).STAGE


def run_stage(which: str | Stage, config: Config, source: Any, output: str | os.PathLike) -> StageResult:
    """Run a stage (its name, or a Stage) over ``source`` (the clean stage: a list of inputs;
    the others: a folder of shards) into ``output``; resumes a run interrupted there, and returns
    the finished run's result at once when ``output`` holds one."""
    chosen = stage(which) if isinstance(which, str) else which
    target = storage.as_path(output)
    if config.run.executor == "ray":
        # Ray's tasks run in the working folder of the cluster's nodes, not in this one.
        target = _absolute(target)
        source = [_absolute(s) for s in source] if isinstance(source, (list, tuple)) else _absolute(source)
    if getattr(target, "protocol", "") == "memory":
        # Each worker process would write into a memory of its own, which the run never sees.
        raise ConfigError(f"{output}: a memory:// folder lives inside one process and a stage's workers are "
                          f"processes of their own; write to a local folder or a shared store (s3://, gs://, ...)")
    with stop_signals:
        return _run(chosen, config, source, target)


def _absolute(location: Any) -> Any:
    """A local path (text or path) made absolute; a URL, or anything else, as it is."""
    if not isinstance(location, (str, os.PathLike)):
        return location
    path = storage.as_path(location)
    return path.absolute() if isinstance(path, Path) else location


def status(outcome: RunOutcome) -> str:
    return "complete" if outcome.ok else ("interrupted" if outcome.interrupted else "failed")


def _run(chosen: Stage, config: Config, source: Any, output: StoragePath) -> StageResult:
    started = time.time()
    logger = logging.getLogger(f"datacleaning.{chosen.name}")
    plan = chosen.plan(config, source, output)
    with exclusive_output(output):
        begun_before = storage.exists(output / MANIFEST)
        finished = claim_output(output, chosen.name, plan.fingerprint)
        if finished is not None:
            result = StageResult.already_complete(finished, plan.units)
        else:
            log_event(logger, "start", **plan.start_log, output=output)
            stats, outcome = chosen.execute(config, plan, output)
            # wall_seconds are this invocation's; "resumed" says that earlier ones did part of the work.
            stats = {"status": status(outcome), **stats, "workers": config.run.workers,
                     "wall_seconds": round(time.time() - started, 3), "resumed": begun_before}
            write_stats(output / STATS, stats)
            if outcome.ok:
                mark_complete(output, chosen.name, plan.fingerprint)
            log_event(logger, "finish", status=stats["status"], **chosen.finish_log(stats))
            result = StageResult(stats, outcome)
        if result.ok:
            for folder in chosen.work_files(config, plan, output):
                shutil.rmtree(folder, ignore_errors=True)
    return result
