"""Finding input files and cutting them into work units."""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import posixpath
import re
from dataclasses import dataclass, field

from datacleaning import storage
from datacleaning.errors import InputError
from datacleaning.readers.compression import SUFFIXES as COMPRESSION_SUFFIXES
from datacleaning.execution import FileUnit
from datacleaning.execution.units import unit_bytes_for
from datacleaning.logs import log_event

logger = logging.getLogger("datacleaning.readers")

# WARC files carry their own compression; parquet compresses inside the file.
_CONTAINER_SUFFIXES = (
    (".warc.wet.gz", "warc"), (".wet.gz", "warc"), (".warc.gz", "warc"), (".warc.zst", "warc"),
    (".warc", "warc"), (".wet", "warc"), (".parquet", "parquet"),
)
# Layouts any of compression.SUFFIXES may follow: a format is its layout, then its compression if any
# (``jsonl``, ``csv.bz2``, ``json.gz``).
_LAYOUT_SUFFIXES = (
    (".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "json"), (".csv", "csv"), (".tsv", "tsv"),
    (".txt", "text"), (".md", "text"), (".html", "html"), (".htm", "html"), (".xhtml", "html"),
)
UNSUPPORTED = "unsupported"
# Why an entry of the inputs is not read (the keys of Discovery.skipped).
HIDDEN_FILE, HIDDEN_FOLDER, FOLDER_LINK, NOT_REGULAR, SAME_FILE = (
    "hidden file", "hidden folder", "link to a folder", "not a regular file", "the same file as another input")


@dataclass(frozen=True)
class InputFile:
    """``version`` is what changes when the file is rewritten (see ``storage.FileStat``)."""

    path: str
    name: str
    format: str
    size: int
    version: str | None = None


@dataclass(frozen=True)
class Discovery:
    """What the input paths hold: the files to read, and the entries left out, as paths by reason,
    so that a run can count and name them rather than leave them out unseen."""

    files: list[InputFile]
    skipped: dict[str, list[str]]
    # Files named by more of their path than their own name gives (``_told_apart``): path → name.
    renamed: dict[str, str] = field(default_factory=dict)


def detect_format(path: str) -> str:
    lower = path.lower()
    for suffix, fmt in _CONTAINER_SUFFIXES:
        if lower.endswith(suffix):
            return fmt
    compression = next((name for suffix, name in COMPRESSION_SUFFIXES if lower.endswith(suffix)), "")
    if compression:
        lower = lower.rsplit(".", 1)[0]
    for suffix, layout in _LAYOUT_SUFFIXES:
        if lower.endswith(suffix):
            return f"{layout}.{compression}" if compression else layout
    return UNSUPPORTED


def _walk(directory: str, skipped: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(path, name) of every file below ``directory`` (a local folder or a URL); names start with
    the folder's own name. Hidden entries, and links to folders (not followed), go to ``skipped``."""

    def fail(error: OSError) -> None:
        raise InputError(f"cannot list input folder {error.filename or directory}: {error.strerror or error}")

    if storage.is_url(directory):
        top = directory.rstrip("/")
        label = top.rsplit("/", 1)[-1]
    else:
        top = os.path.normpath(directory)
        label = os.path.basename(os.path.abspath(top))
    found = []
    for root, dirs, files in storage.walk(top, onerror=fail):
        for d in dirs:
            if d.startswith("."):
                skipped.setdefault(HIDDEN_FOLDER, []).append(_location(posixpath.join(root, d)))
            elif os.path.islink(posixpath.join(root, d)):  # listed by os.walk, never entered
                skipped.setdefault(FOLDER_LINK, []).append(_location(posixpath.join(root, d)))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        below = root[len(top):].lstrip("/")
        for f in sorted(files):
            if f.startswith("."):
                skipped.setdefault(HIDDEN_FILE, []).append(_location(posixpath.join(root, f)))
            else:
                found.append((posixpath.join(root, f), posixpath.join(label, below, f)))
    return found


def discover(paths: list[str | os.PathLike]) -> Discovery:
    """Expand files, folders (recursively, skipping hidden entries) and glob patterns, each a local
    path or a URL. A path that names nothing, or a folder with no file in it but hidden ones, is
    an error: a batch job over an empty or mistyped folder would otherwise finish having read
    nothing.

    Files whose format is not recognised are returned with format ``unsupported`` so the run can
    quarantine them visibly instead of skipping them. FIFOs, sockets and devices are skipped: reading
    one would block or never end.
    """
    skipped: dict[str, list[str]] = {}
    files: list[tuple[str, str]] = []
    for raw in paths:
        p = str(storage.as_path(raw))
        if storage.is_dir(p):
            inside = _walk(p, skipped)
            if not inside:
                raise FileNotFoundError(f"input folder holds no files: {p}")
            files.extend(inside)
        elif storage.exists(p):
            files.append((p, posixpath.basename(p)))
        else:
            matches = storage.expand_glob(p)
            if not matches:
                raise FileNotFoundError(f"input not found: {p}")
            for m in matches:
                files.extend(_walk(m, skipped) if storage.is_dir(m) else [(m, posixpath.basename(m))])
    # One file reached twice (given twice, or once through a link) is read once: under its own path
    # where a link to it is among the inputs too (the link is counted as skipped), else under the
    # first path it was given by.
    first: dict[str, tuple[str, str]] = {}
    for path, name in files:
        location = _location(path)
        key = location if storage.is_url(location) else os.path.realpath(location)
        held = first.setdefault(key, (location, name))[0]
        if held != location:
            link = held if os.path.islink(held) and not os.path.islink(location) else location
            if link == held:
                first[key] = (location, name)
            skipped.setdefault(SAME_FILE, []).append(link)
    given = dict(first.values())
    names = _told_apart(given)
    found = []
    for location in sorted(names):
        try:
            status = storage.stat(location)
        except OSError:
            # A file that cannot even be looked at (a dangling or looping link) still becomes a
            # work unit: its reader then fails to open it and quarantines it with the reason.
            status = storage.FileStat(0, None, True)
        if status.regular:
            found.append(InputFile(location, names[location], detect_format(location), status.size, status.version))
        else:
            skipped.setdefault(NOT_REGULAR, []).append(location)
    for reason, entries in skipped.items():
        _log_skipped(reason, entries)
    return Discovery(found, skipped, {location: name for location, name in names.items() if name != given[location]})


def _told_apart(names: dict[str, str]) -> dict[str, str]:
    """Each file's name (its source, and the head of its documents' default ids), files of one
    name (``part.jsonl`` given from two folders) named by as many of their path's last parts as
    tell them apart from one another and from every other file's name (``d1/part.jsonl``,
    ``d2/part.jsonl``); by their whole path where none do."""
    by_name: dict[str, list[str]] = {}
    for location, name in names.items():
        by_name.setdefault(name, []).append(location)
    taken = {name for name, locations in by_name.items() if len(locations) == 1}
    told = dict(names)
    for name, locations in sorted(by_name.items()):
        if len(locations) == 1:
            continue
        parts = [location.rstrip("/").split("/") for location in locations]
        longer = locations
        for depth in range(name.count("/") + 2, max(map(len, parts)) + 1):
            candidates = ["/".join(p[-depth:]) for p in parts]
            if len(set(candidates)) == len(locations) and not taken.intersection(candidates):
                longer = candidates
                break
        told.update(zip(locations, longer))
        taken.update(longer)
    return told


def _log_skipped(reason: str, entries: list[str], shown: int = 20) -> None:
    """Hidden entries are skipped by design (an info line); anything else left out is a warning."""
    level = logging.INFO if reason in (HIDDEN_FILE, HIDDEN_FOLDER) else logging.WARNING
    names = ", ".join(entries[:shown]) + (f", ... ({len(entries) - shown} more)" if len(entries) > shown else "")
    log_event(logger, "skipped_inputs", level, reason=reason, count=len(entries), paths=names)


def _location(path: str) -> str:
    return path if storage.is_url(path) else os.path.abspath(path)


def _file_key(path: str, position: str) -> str:
    """A file's part of its units' ids, and so of its shards' names: its ``position`` in input
    order first, since later stages read shards by name and "first" must mean the earliest input
    (dedup keeps the first copy, a repeated id is renamed in its later files)."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", posixpath.basename(path))[:48]
    digest = hashlib.blake2b(path.encode(), digest_size=5).hexdigest()
    return f"{position}-{stem}-{digest}"


def _parquet_row_group_units(f: InputFile, key: str, chunk_bytes: int) -> list[FileUnit]:
    import pyarrow.parquet as pq

    try:
        with storage.open_arrow(f.path) as source:
            metadata = pq.ParquetFile(source).metadata
    except Exception:  # an unreadable parquet file is quarantined by its reader
        return [FileUnit(f"{key}-000000", f.size, f.path, f.format, 0, None, f.name)]
    units, first, size = [], 0, 0
    for rg in range(metadata.num_row_groups):
        size += metadata.row_group(rg).total_byte_size
        if size >= chunk_bytes or rg == metadata.num_row_groups - 1:
            units.append(FileUnit(f"{key}-{len(units):06d}", size, f.path, f.format, first, rg + 1, f.name))
            first, size = rg + 1, 0
    if not units:
        units.append(FileUnit(f"{key}-000000", f.size, f.path, f.format, 0, 0, f.name))
    # Progress counts file bytes; spread the file size over the units by their share of rows.
    total = sum(u.size for u in units) or 1
    return [dataclasses.replace(u, size=f.size * u.size // total) for u in units]


def plan_units(files: list[InputFile], chunk_bytes: int) -> list[FileUnit]:
    """Cut files into work units.

    Uncompressed JSON lines (and ``.json`` files, which may hold JSON lines) are cut into byte
    ranges of about ``chunk_bytes`` (less on a small input: execution.units.unit_bytes_for; the
    reader aligns them to lines); parquet into runs of row
    groups; every other format is one unit per file.
    """
    chunk_bytes = unit_bytes_for(sum(f.size for f in files), chunk_bytes)
    units: list[FileUnit] = []
    width = len(str(len(files)))
    for position, f in enumerate(files):
        key = _file_key(f.path, f"{position:0{width}d}")
        if f.format in ("jsonl", "json") and f.size > chunk_bytes:
            n = -(-f.size // chunk_bytes)
            for i in range(n):
                start, end = i * chunk_bytes, min((i + 1) * chunk_bytes, f.size)
                units.append(FileUnit(f"{key}-{i:06d}", end - start, f.path, f.format, start, end, f.name))
        elif f.format == "parquet":
            units.extend(_parquet_row_group_units(f, key, chunk_bytes))
        else:
            units.append(FileUnit(f"{key}-000000", f.size, f.path, f.format, 0, None, f.name))
    return units
