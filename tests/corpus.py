"""Building test corpora from the real-text fixtures, and reading results back."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import datacleaning

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = REPO / "configs" / "example.toml"


def fixture_records() -> list[dict]:
    with open(FIXTURES / "mixed_docs.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def write_repeated_corpus(folder: Path, copies: int, files: int = 3) -> int:
    """Write ``copies`` of the fixture documents, with unique ids, over ``files`` jsonl files.

    Returns the number of records written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    records = fixture_records()
    handles = [open(folder / f"part-{i}.jsonl", "w", encoding="utf-8") for i in range(files)]
    n = 0
    try:
        for copy in range(copies):
            for record in records:
                out = dict(record, id=f"{record['id']}#{copy}")
                handles[n % files].write(json.dumps(out, ensure_ascii=False) + "\n")
                n += 1
    finally:
        for h in handles:
            h.close()
    return n


def cli(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess."""
    return subprocess.run([sys.executable, "-m", "datacleaning.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, **kwargs)


def outcome_sets(output: Path) -> tuple[dict, dict]:
    """Kept documents as {id: text} and rejected ones as {id: rejected_by}; fails on a duplicate id."""
    kept_table = datacleaning.read_table(output / "kept", ["id", "text"]).to_pydict()
    rejected_table = datacleaning.read_table(output / "rejected", ["id", "rejected_by"]).to_pydict()
    kept = dict(zip(kept_table["id"], kept_table["text"]))
    rejected = dict(zip(rejected_table["id"], rejected_table["rejected_by"]))
    assert len(kept) == len(kept_table["id"]), "a kept document was written twice"
    assert len(rejected) == len(rejected_table["id"]), "a rejected document was written twice"
    return kept, rejected


def processes_in_group(pgid: int) -> list[int]:
    """Live (non-zombie) processes whose process group is ``pgid``, read from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry))
    return found
