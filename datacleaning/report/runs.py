"""What a report reads of a finished output folder: each stage's ``stats.json`` and the clean
stage's ``review_samples.jsonl``, never the shards, so that the report of a run over millions of
documents takes seconds. The folder may be local or a URL."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from datacleaning import storage
from datacleaning.cleaning.samples import SAMPLES_FILE
from datacleaning.errors import InputError
from datacleaning.manifest import STATS
from datacleaning.stages import STAGE_ORDER
from datacleaning.storage import StoragePath

logger = logging.getLogger("datacleaning.report")

# Keys only that stage's stats.json has: how a stage folder given alone is recognised. A clean run
# records its config ("clean") from the start, its rules' counts only from a finished unit (a run
# whose every unit failed has no "rules"), and an older version's run only its rules' counts.
_STAGE_MARKS = {"clean": ("clean", "rules"), "dedup": ("minhash",), "probe": ("buckets",), "tokenize": ("dtype",)}


@dataclass
class RunOutput:
    """The stats of each stage found (in pipeline order) and the clean stage's review samples."""

    location: StoragePath
    stats: dict[str, dict] = field(default_factory=dict)
    samples: list[dict] = field(default_factory=list)


def stage_of(stats: dict) -> str | None:
    """Which stage wrote ``stats`` (a stage's folder can have any name)."""
    return next((stage for stage, marks in _STAGE_MARKS.items() if any(mark in stats for mark in marks)), None)


def read_run(location: str | StoragePath) -> RunOutput:
    """The stats of a run's output folder (``clean/``, ``dedup/``, ... below it) or of one stage's
    folder. FileNotFoundError when it holds no stage's ``stats.json``."""
    path = storage.as_path(location)
    if not storage.exists(path):
        raise FileNotFoundError(f"{path} does not exist")
    run = RunOutput(path)
    folders = {}
    if storage.exists(path / STATS):
        stats = _stats(path / STATS)
        stage = stage_of(stats)
        if stage is None:
            raise FileNotFoundError(f"{path}/stats.json is not the stats of a datacleaning stage")
        run.stats[stage], folders[stage] = stats, path
    else:
        for stage in STAGE_ORDER:
            if storage.exists(path / stage / STATS):
                run.stats[stage] = _stats(path / stage / STATS)
                folders[stage] = path / stage
    if not run.stats:
        raise FileNotFoundError(f"{path} holds no finished stage: no stats.json in it or in "
                                f"{', '.join(f'{stage}/' for stage in STAGE_ORDER)} below it")
    if "clean" in folders and storage.exists(folders["clean"] / SAMPLES_FILE):
        run.samples = _samples(folders["clean"] / SAMPLES_FILE)
    return run


def _stats(path: StoragePath) -> dict:
    try:
        stats = json.loads(storage.read_bytes(path))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{path} is not a stage's stats (not JSON: {e})") from None
    if not isinstance(stats, dict):
        raise InputError(f"{path} is not a stage's stats (JSON, but not an object)")
    return stats


def _samples(path: StoragePath) -> list[dict]:
    """The review samples; a line that is not a JSON object is left out and said in the log (the
    samples are something to read, not the run's figures)."""
    samples, damaged = [], 0
    for line in storage.read_bytes(path).decode("utf-8", "replace").splitlines():
        if line.strip():
            try:
                sample = json.loads(line)
            except json.JSONDecodeError:
                sample = None
            if isinstance(sample, dict):
                samples.append(sample)
            else:
                damaged += 1
    if damaged:
        logger.warning("%s: %d lines are not review samples (not JSON objects); the report leaves them out", path,
                       damaged)
    return samples
