"""Word and phrase lists: bundled ones found by name, a user's own by path."""
from __future__ import annotations

from pathlib import Path

from datacleaning.errors import ConfigError


def resolve_list(name: str, base_dir: Path, data_dir: Path) -> Path:
    """A list bundled in ``data_dir`` by name (``zh_gambling``), or a file path relative to ``base_dir``
    (the folder of the config that names it)."""
    bundled = data_dir / f"{name}.txt"
    if bundled.exists():
        return bundled
    path = Path(name)
    path = path if path.is_absolute() else base_dir / path
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in data_dir.glob("*.txt")))
        raise FileNotFoundError(f"list {name!r} is neither a bundled list ({known}) nor a file")
    return path


def list_lines(path: Path) -> list[str]:
    """A list file's lines, read as UTF-8 with a byte-order mark (a Windows editor's) dropped."""
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: a word list must be UTF-8 text ({e.reason} at byte {e.start})") from None


def load_terms(path: Path) -> list[str]:
    """One term a line; blank lines and lines starting with ``#`` are skipped."""
    return [term for line in list_lines(path) if (term := line.strip()) and not term.startswith("#")]
