"""Where inputs and outputs live: the one module that knows about fsspec.

A location is a local path (a shared filesystem mounted at the same path on every node counts as
one) or a URL with a protocol (``s3://``, ``gs://``, ``memory://``, ...). :func:`as_path` turns
either into a path value: a plain :class:`pathlib.Path` for a local path, which every function
here handles with the operating system as before (``open``, ``pa.memory_map``, ``os.replace``
after fsync); a :class:`upath.UPath` for a URL, which they hand to fsspec. A ``UPath`` keeps
``output / "kept"`` working and never collapses ``s3://`` the way ``pathlib`` does. Callers use
it as a value only and leave its I/O methods alone: the filesystem behind it is resolved here, per
process (an fsspec filesystem does not survive a fork), with the options :func:`configure` set.

``file://`` URLs name local files, so they become local paths and keep the atomic rename.
"""
from __future__ import annotations

import contextlib
import fnmatch
import glob
import io
import os
import posixpath
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import BinaryIO

import fsspec
import pyarrow as pa
from upath import UPath

from datacleaning.errors import ConfigError, WriteError


StoragePath = Path | UPath
# The prefix of a file being written: never read as output, removed when its unit is redone.
TMP_PREFIX = ".tmp-"
# ... and its suffix, so that a half-written shard never matches a reader's "*.arrow" glob (pathlib's
# glob, which the README's pandas example uses, matches names that begin with a dot).
TMP_SUFFIX = ".partial"
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+)://")
_WILDCARD = re.compile(r"[*?\[]")
_READ_BUFFER = 1 << 20
# fsspec options per protocol ({"s3": {"endpoint_url": ...}}), set from the config's [storage].
_options: dict[str, dict] = {}


def configure(options: dict[str, dict]) -> None:
    """Use ``options`` (keyed by protocol) for every filesystem opened from now on in this
    process; fsspec's own configuration (``FSSPEC_S3_ENDPOINT_URL``, ...) fills what they omit."""
    _options.clear()
    _options.update({protocol: dict(values) for protocol, values in options.items()})


@dataclass(frozen=True)
class WithOptions:
    """A callable that brings the storage options of the process that made it to the process that
    calls it: a Ray task on another node starts with none of its own."""

    function: Callable
    options: dict

    def __call__(self, *args, **kwargs):
        configure(self.options)
        return self.function(*args, **kwargs)


def with_options(function: Callable) -> WithOptions:
    return WithOptions(function, {protocol: dict(values) for protocol, values in _options.items()})


def is_url(location: str | os.PathLike) -> bool:
    """Whether ``location`` is a URL that goes through fsspec (not a local path, not file://)."""
    return not isinstance(as_path(location), Path)


def as_path(location: str | os.PathLike) -> StoragePath:
    """A local path as a ``pathlib.Path``, a URL as a ``UPath``."""
    if isinstance(location, UPath) and not isinstance(location, Path):
        return Path(location.path) if location.protocol in ("file", "local") else location
    text = os.fspath(location)
    match = _URL.match(text)
    if match is None:
        return Path(text)
    if match.group(1) in ("file", "local"):
        return Path(UPath(text).path)
    return UPath(text)


def local_path(location: str | os.PathLike, option: str) -> Path:
    """``location`` as a local path; a URL is refused, naming ``option``, before a stage starts."""
    path = as_path(location)
    if not isinstance(path, Path):
        raise ConfigError(f"{option}: {location} is a URL; this command writes a local or shared-filesystem path")
    return path


def _as_prefix(location: str | os.PathLike) -> str:
    """A location as text ending in ``/``, a local path resolved (links followed), so that one
    lies inside another exactly when its text starts with the other's."""
    path = as_path(location)
    text = os.path.realpath(path) if isinstance(path, Path) else str(path)
    return text.rstrip("/") + "/"


def refuse_overlap(inputs: list[str | os.PathLike], output: str | os.PathLike) -> None:
    """ConfigError when ``output`` is one of ``inputs``, lies inside one or holds one: every rerun
    would read the stage's own output as input."""
    out = _as_prefix(output)
    for location in inputs:
        given = _as_prefix(location)
        if given.startswith(out) or out.startswith(given):
            raise ConfigError(f"the output folder {output} and the input {location} overlap (the same folder, or "
                              f"one inside the other), so a run would read its own output; give an output "
                              f"folder outside the input")


def _fs(path: UPath) -> tuple[fsspec.AbstractFileSystem, str]:
    options = _options.get(path.protocol, {})
    try:
        return fsspec.core.url_to_fs(str(path), **options)
    except ImportError as e:  # fsspec names the package to install: gcsfs, adlfs, ...
        raise ConfigError(f"{path.protocol}:// needs a package that is not installed: {e}") from None
    except (TypeError, ValueError) as e:  # an option the filesystem does not take
        raise ConfigError(f"storage options for {path.protocol}:// ({', '.join(sorted(options)) or 'none'}): "
                          f"{e}") from None


def _fresh_fs(path: UPath) -> tuple[fsspec.AbstractFileSystem, str]:
    """The filesystem without its cached listings: another process (a worker) may have written
    or removed files since this one last listed."""
    fs, stripped = _fs(path)
    fs.invalidate_cache()
    return fs, stripped


def exists(location: str | os.PathLike) -> bool:
    """Whether a file or folder is there; a local dangling link counts (its reader reports it)."""
    path = as_path(location)
    if isinstance(path, Path):
        return os.path.lexists(path)
    fs, stripped = _fresh_fs(path)
    return fs.exists(stripped)


def is_dir(location: str | os.PathLike) -> bool:
    path = as_path(location)
    if isinstance(path, Path):
        return path.is_dir()
    fs, stripped = _fs(path)
    return fs.isdir(stripped)


def size(location: str | os.PathLike) -> int:
    path = as_path(location)
    if isinstance(path, Path):
        return path.stat().st_size
    fs, stripped = _fs(path)
    return fs.size(stripped)


@dataclass(frozen=True)
class FileStat:
    """What one look at a file says: its size; ``version``, what changes when it is rewritten (a
    local file's modification time in nanoseconds, an object's last-modified time or ETag, None
    where the filesystem reports neither); whether it is a regular file (not a FIFO, socket or
    device, which a reader must never open)."""

    size: int
    version: str | None
    regular: bool


_VERSION_KEYS = ("mtime", "LastModified", "last_modified", "updated", "ETag", "etag", "created")


def stat(location: str | os.PathLike) -> FileStat:
    """The file's :class:`FileStat`, from one ``stat`` call or one object-store request; OSError
    when it cannot be looked at."""
    path = as_path(location)
    if isinstance(path, Path):
        status = os.stat(path)
        return FileStat(status.st_size, str(status.st_mtime_ns), S_ISREG(status.st_mode))
    fs, stripped = _fs(path)
    info = fs.info(stripped)
    version = next((str(info[key]) for key in _VERSION_KEYS if info.get(key) is not None), None)
    return FileStat(info.get("size") or 0, version, True)


def read_bytes(location: str | os.PathLike) -> bytes:
    """A file's bytes; FileNotFoundError when it is not there."""
    path = as_path(location)
    if isinstance(path, Path):
        return path.read_bytes()
    fs, stripped = _fresh_fs(path)
    return fs.cat_file(stripped)


def remove(location: str | os.PathLike) -> None:
    """Delete a file if it is there."""
    path = as_path(location)
    if isinstance(path, Path):
        path.unlink(missing_ok=True)
        return
    fs, stripped = _fs(path)
    with contextlib.suppress(FileNotFoundError):
        fs.rm_file(stripped)


def make_dirs(location: str | os.PathLike) -> None:
    path = as_path(location)
    try:
        if isinstance(path, Path):
            path.mkdir(parents=True, exist_ok=True)
            return
        fs, stripped = _fs(path)
        fs.makedirs(stripped, exist_ok=True)
    except OSError as e:
        raise WriteError(e.errno, f"cannot make folder {location}: {e.strerror or e}") from e


def list_dir(location: str | os.PathLike) -> list[StoragePath]:
    """The entries directly in a folder, as paths; none when the folder is not there."""
    path = as_path(location)
    if isinstance(path, Path):
        return list(path.iterdir()) if path.is_dir() else []
    fs, stripped = _fresh_fs(path)
    try:
        names = fs.ls(stripped, detail=False)
    except FileNotFoundError:
        return []
    own = stripped.rstrip("/")
    return [path / posixpath.basename(name.rstrip("/")) for name in names if name.rstrip("/") != own]


def walk(location: str | os.PathLike, onerror: Callable[[OSError], None] | None = None
         ) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk`` of a local folder or a URL (without following links): (folder, subfolder names,
    file names), each folder given as ``location`` followed by its path below it; pruning the
    subfolder list in place skips them, as with ``os.walk``."""
    path = as_path(location)
    top = os.fspath(location)
    if isinstance(path, Path):
        yield from os.walk(top, onerror=onerror, followlinks=False)
        return
    fs, stripped = _fresh_fs(path)
    own = stripped.rstrip("/")
    for root, dirs, files in fs.walk(stripped, on_error=onerror or "omit"):
        yield top.rstrip("/") + root.rstrip("/")[len(own):], dirs, files


def expand_glob(pattern: str) -> list[str]:
    """The files and folders matching a glob pattern (``**`` reaches any depth), sorted."""
    path = as_path(pattern)
    if isinstance(path, Path):
        return sorted(glob.glob(pattern, recursive=True))
    fs, stripped = _fresh_fs(path)
    return sorted(fs.unstrip_protocol(match) for match in fs.glob(stripped))


def glob_root(pattern: str) -> str | None:
    """The folder a glob pattern searches below: its path up to the first part with a wildcard
    (``data`` of ``data/*/part.jsonl``); None for a path without one."""
    split = _wildcard_parts(pattern)
    return split[0] if split else None


def glob_reaches_into(pattern: str, folder: str | os.PathLike) -> bool:
    """Whether a glob pattern could read files inside ``folder`` (a stage's own output, on its
    next run): the folder lies below the pattern's ``glob_root`` and its path from there matches
    the pattern's parts as far as either goes; a folder the pattern matches is read whole
    (``data/*/*.jsonl`` and ``data/*`` reach into ``data/out``, ``shard_*/part.jsonl`` and
    ``data/*.jsonl`` not)."""
    split = _wildcard_parts(pattern)
    if split is None:
        return False
    root, inside = _as_prefix(split[0]), _as_prefix(folder)
    if not inside.startswith(root):
        return False
    return _prefix_matches(split[1], inside[len(root):].strip("/").split("/") if inside != root else [])


def _wildcard_parts(pattern: str) -> tuple[str, list[str]] | None:
    """(the folder before the pattern's first part with a wildcard, the parts from that one on);
    None for a pattern without a wildcard."""
    parts = pattern.split("/")
    wild = next((i for i, part in enumerate(parts) if _WILDCARD.search(part)), None)
    return None if wild is None else ("/".join(parts[:wild]) or ".", parts[wild:])


def _prefix_matches(parts: list[str], folders: list[str]) -> bool:
    """Whether the pattern ``parts`` match a path that runs through ``folders`` and on, or a
    folder above them (a folder a glob matches is read whole)."""
    if not folders or not parts:
        return True
    if parts[0] == "**":
        return _prefix_matches(parts[1:], folders) or _prefix_matches(parts, folders[1:])
    return fnmatch.fnmatchcase(folders[0], parts[0]) and _prefix_matches(parts[1:], folders[1:])


@contextlib.contextmanager
def open_input(location: str | os.PathLike) -> Iterator[BinaryIO]:
    """A file to read, seekable: the file itself when local, else a buffered fsspec file (whose own
    ``readline`` would copy a whole block for every line)."""
    path = as_path(location)
    if isinstance(path, Path):
        with open(path, "rb") as f:
            yield f
        return
    fs, stripped = _fs(path)
    with fs.open(stripped, "rb") as raw, io.BufferedReader(raw, _READ_BUFFER) as f:
        yield f


def open_arrow(location: str | os.PathLike, *, memory_map: bool = False) -> pa.NativeFile:
    """A file for pyarrow to read (Arrow IPC, parquet): memory-mapped or read by the operating
    system when local, read through fsspec otherwise."""
    path = as_path(location)
    if isinstance(path, Path):
        return pa.memory_map(str(path)) if memory_map else pa.OSFile(str(path))
    fs, stripped = _fs(path)
    return pa.PythonFile(fs.open(stripped, "rb"), mode="r")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_dir(location: StoragePath) -> None:
    """Make the renames into a local folder durable; an object store has no folder to sync."""
    if isinstance(location, Path):
        _fsync(location)


class StagedFile:
    """A file written at ``temp`` (always a local path) that :meth:`commit` moves to ``final`` at
    once, so that ``final`` is absent or complete: renamed after fsync beside it on a local
    filesystem; on an object store, where nothing renames, spooled in the local temporary folder
    and uploaded by one PUT. A spooled file is never listed beside the outputs."""

    def __init__(self, final: StoragePath):
        self.final = final
        if isinstance(final, Path):
            self.temp = final.with_name(TMP_PREFIX + final.name + TMP_SUFFIX)
        else:
            fd, name = tempfile.mkstemp(prefix=TMP_PREFIX, suffix="-" + final.name)
            os.close(fd)
            self.temp = Path(name)

    def commit(self) -> None:
        if isinstance(self.final, Path):
            _fsync(self.temp)
            os.replace(self.temp, self.final)
            return
        fs, stripped = _fs(self.final)
        fs.put_file(str(self.temp), stripped)
        self.temp.unlink()

    def discard(self) -> None:
        self.temp.unlink(missing_ok=True)
