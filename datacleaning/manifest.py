"""The manifest of a stage's output folder: the fingerprint of what decided its contents (the
configuration and the input) and the version of the code that wrote them, so a resumed run refuses
to mix the outputs of two different runs, and whether the run there completed, so rerunning a
finished stage does nothing and rewrites nothing."""
from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from datacleaning import storage
from datacleaning.errors import ConfigError
from datacleaning.logs import log_event
from datacleaning.shards import write_atomic
from datacleaning.storage import StoragePath

MANIFEST = "manifest.json"
STATS = "stats.json"

logger = logging.getLogger("datacleaning.manifest")


class Fingerprint(str):
    """A stage's fingerprint, the digest of what decides its output, which a resumed run must
    match; ``parts`` holds the digest of each of the things it is made of (a section of settings,
    the input files), so a run refused for a different fingerprint can say which of them differ."""

    parts: dict[str, str]
    # Each input file's digest by its path, where the stage lists them and there are at most
    # LISTED_FILES: a run refused for changed input then names the files that changed.
    files: dict[str, str] | None = None


# Up to this many input files are listed in the manifest one by one (a path and a digest: 1-2 MB at most).
LISTED_FILES = 10_000


def settings_digest(relevant: dict, files: dict[str, object] | None = None) -> Fingerprint:
    """The fingerprint of ``relevant``, what decides a stage's output (settings, model, input
    files), and of each of its entries; ``files``, each input file's own record by its path
    (already part of ``relevant``), is kept digest by digest when there are few enough."""
    fingerprint = Fingerprint(_digest(relevant))
    fingerprint.parts = {key: _digest(value) for key, value in relevant.items()}
    if files is not None and len(files) <= LISTED_FILES:
        fingerprint.files = {path: _digest(record) for path, record in files.items()}
    return fingerprint


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


@cache
def code_version() -> str:
    """The package's version and a digest of every file it is made of (code, profiles, word lists,
    shipped models): what else decides a stage's output besides its settings and input. Read once
    per process (18 MB: a few tens of milliseconds)."""
    package = Path(__file__).resolve().parent
    try:
        version = importlib.metadata.version("datacleaning")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout, not installed
        version = "unreleased"
    digest = hashlib.sha256()
    # Compiled caches, hidden files and editor backups (.x.py.swp, x.py~) come and go beside the code.
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                       and not p.name.startswith(".") and not p.name.endswith("~")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return f"{version}+{digest.hexdigest()[:12]}"


def _manifest(stage: str, fingerprint: str, **more) -> bytes:
    """A manifest's bytes; the parts of the fingerprint where it has them (a stage written
    elsewhere may give a plain digest)."""
    parts = getattr(fingerprint, "parts", None)
    files = getattr(fingerprint, "files", None)
    return json.dumps({"stage": stage, "fingerprint": fingerprint, **({"parts": parts} if parts else {}),
                       **({"files": files} if files is not None else {}), "code": code_version(),
                       **more}).encode()


def refuse_a_file(output: StoragePath) -> None:
    """ConfigError when ``output`` is a file: an output is a folder, and making one there can only
    fail."""
    if storage.exists(output) and not storage.is_dir(output):
        raise ConfigError(f"{output} is a file, not a folder; give a folder to write the output in")


def check_run_folder(output: StoragePath, stage_folders: set[str], report: str,
                     is_run_report: Callable[[StoragePath], bool]) -> None:
    """Refuse (ConfigError, before anything is written) a folder for a run of several stages that
    holds anything but what such a run writes there: its stages' folders and a ``report`` that
    ``is_run_report`` (a file a write left half-made, killed, aside); the run would write beside,
    or over, someone's files."""
    refuse_a_file(output)
    names = {entry.name for entry in storage.list_dir(output) if not entry.name.startswith(storage.TMP_PREFIX)}
    foreign = sorted(names - stage_folders - {report})
    if report in names and not names & stage_folders and not is_run_report(output / report):
        foreign.append(report)
    if foreign:
        shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise ConfigError(f"{output} holds files that no run wrote ({shown}), so it is not the output of a run to "
                          f"resume; give an empty or new --output folder")


@contextmanager
def exclusive_output(output: StoragePath) -> Iterator[None]:
    """Hold ``output`` (created if new) for one run at a time: a second run into the same local
    folder, whatever its working directory or pid file, is refused (ConfigError) instead of
    deleting the shards the first one commits. The lock is the folder's own (flock on it, no file
    added), and goes with the process that holds it, killed or not. An object store has no lock;
    a folder there is the user's to give one run at a time."""
    refuse_a_file(output)
    storage.make_dirs(output)
    if not isinstance(output, Path):
        yield
        return
    fd = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(f"{output} is being written by another run right now; wait for it to finish "
                              f"(or stop it), or give another --output folder") from None
        yield
    finally:
        os.close(fd)


def claim_output(output: StoragePath, stage: str, fingerprint: str, resumable: bool = True) -> dict | None:
    """Record ``fingerprint`` in a new output folder, or check that an existing one matches it
    (ConfigError if not, before anything is written). Returns the ``stats.json`` of the run that
    completed there, or None when there is work left to do. An unfinished run that another version
    of the code began is not resumed (its units and the rest would be judged by two versions); a
    finished one is left as it is, with a warning that it is not this version's output. A stage
    that is not ``resumable`` redoes an unfinished run whole, whichever version began it."""
    manifest = output / MANIFEST
    try:
        recorded = json.loads(storage.read_bytes(manifest))
    except FileNotFoundError:
        # Files left by something else would be read as this run's own (a stray shard in kept/)
        # or trip it at the end; an output folder starts empty.
        if storage.is_dir(output) and storage.list_dir(output):
            raise ConfigError(f"{output} holds files but no {MANIFEST}, so it is not the output of a run to "
                              f"resume; give an empty or new --output folder") from None
        storage.make_dirs(output)
        write_atomic(manifest, _manifest(stage, fingerprint))
        return None
    previous = recorded.get("fingerprint")
    if recorded.get("stage", stage) != stage or previous != fingerprint:
        raise ConfigError(f"{output} holds a {recorded.get('stage', stage)} run made with a different "
                          f"configuration or input (fingerprint {previous}, now {fingerprint}"
                          f"{_what_differs(recorded, fingerprint)}); use another --output "
                          f"folder, or delete this one to start over")
    code = recorded.get("code", "unrecorded")
    stats = None
    if recorded.get("complete"):
        try:
            stats = json.loads(storage.read_bytes(output / STATS))
        except FileNotFoundError:
            pass
    if stats is None:
        if resumable and code != code_version():
            raise ConfigError(f"{output} holds an unfinished {stage} run begun by another version of datacleaning "
                              f"(code {code}, now {code_version()}); resuming it would mix two versions' output: "
                              f"delete this folder to start over, or use another --output folder")
        return None
    log_event(logger, "already_complete", stage=stage, output=output)
    if code != code_version():
        log_event(logger, "completed_by_other_code", logging.WARNING, stage=stage, output=output, code=code,
                  now=code_version(), hint="delete the folder to redo the stage with this version")
    return stats


def _what_differs(recorded: dict, fingerprint: str) -> str:
    """The entries of the fingerprint that differ from those the manifest ``recorded``, as a
    message's clause, the input files named where both sides list them; empty where either side
    has no entries (a manifest an earlier version wrote, a plain digest)."""
    parts, before = getattr(fingerprint, "parts", None), recorded.get("parts")
    if not before or not parts:
        return ""
    differing = sorted(key for key in before.keys() | parts.keys() if before.get(key) != parts.get(key))
    if not differing:
        return ""
    named = [f"files ({_files_changed(recorded['files'], fingerprint.files)})"
             if key == "files" and recorded.get("files") is not None and getattr(fingerprint, "files", None) is not None
             else key for key in differing]
    return f"; what differs: {', '.join(named)}"


def _files_changed(before: dict[str, str], now: dict[str, str], most: int = 3) -> str:
    """Which input files changed, were added or went away, a few of each by name."""
    groups = {"changed": sorted(p for p in before.keys() & now.keys() if before[p] != now[p]),
              "added": sorted(now.keys() - before.keys()), "gone": sorted(before.keys() - now.keys())}
    return "; ".join(f"{what}: {', '.join(paths[:most])}" + (f" and {len(paths) - most:,} more" if len(paths) > most else "")
                     for what, paths in groups.items() if paths)


def completed_stats(output: StoragePath) -> tuple[str, dict] | None:
    """(stage, stats.json) of the run that completed in ``output``; None where none did."""
    try:
        recorded = json.loads(storage.read_bytes(output / MANIFEST))
        if not recorded.get("complete"):
            return None
        return recorded.get("stage", ""), json.loads(storage.read_bytes(output / STATS))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def unfinished_run(output: StoragePath) -> tuple[str, str] | None:
    """(stage, status) of a run in ``output`` that has not completed (its stats.json's status:
    failed or interrupted, or "running" before it wrote one); None where none began or it
    completed."""
    try:
        recorded = json.loads(storage.read_bytes(output / MANIFEST))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    if recorded.get("complete"):
        return None
    try:
        status = json.loads(storage.read_bytes(output / STATS)).get("status", "running")
    except (FileNotFoundError, json.JSONDecodeError):
        status = "running"
    return recorded.get("stage", ""), status


def mark_complete(output: StoragePath, stage: str, fingerprint: str) -> None:
    """Record that the run in ``output`` completed; its ``stats.json`` must already be written."""
    write_atomic(output / MANIFEST, _manifest(stage, fingerprint, complete=True))
