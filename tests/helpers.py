"""Plain helpers the tests share (no fixtures, no hooks: those are in conftest.py): the repository's
paths, corpora built from the real-text fixtures, WARC records written byte by byte, the inputs read
through the real readers, the command line in a subprocess, what a stage wrote read back, plain-Python
references, and killing a run's whole process group."""
from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import datacleaning
from datacleaning import storage
from datacleaning.cleaning.stage import KEPT_SCHEMA
from datacleaning.document import Document
from datacleaning.readers import ReaderOptions, discover, plan_units, read_unit
from datacleaning.shards import ShardWriter, read_table, shard_paths

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE_CONFIG = REPO_ROOT / "configs" / "example.toml"


def read_rows(directory: str | os.PathLike) -> list[dict]:
    """Every row of a folder of Arrow shards as dicts; [] when the stage wrote no shard there."""
    if not shard_paths(directory):
        return []
    return read_table(directory).to_pylist()


def warc_record(wtype: str, n: int, block: bytes, content_type: str, uri: str | None = None) -> bytes:
    """One WARC/1.0 record, built byte by byte; ``n`` makes its record id and its date (2024-03-nn)."""
    head = (f"WARC/1.0\r\nWARC-Type: {wtype}\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-{n:012d}>\r\n"
            f"WARC-Date: 2024-03-{n:02d}T10:00:00Z\r\n" + (f"WARC-Target-URI: {uri}\r\n" if uri else "")
            + f"Content-Type: {content_type}\r\nContent-Length: {len(block)}\r\n\r\n")
    return head.encode() + block + b"\r\n\r\n"


def http_response(content_type: str, body: bytes) -> bytes:
    """The block of a WARC response record: an HTTP/1.1 200 header and ``body``."""
    return f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body


@dataclass
class CleanRun:
    """What one real run of the clean stage left in its output folder."""

    output: Path
    stats: dict  # read back from stats.json, not taken from the return value
    kept: list[dict]
    rejected: list[dict]
    quarantine: list[dict]

    def assert_totals(self, expected_input_docs: int) -> None:
        """stats.json adds up, agrees with the shards' row counts, and with a count made by the test."""
        s = self.stats
        assert s["input_docs"] == s["kept_docs"] + s["rejected_docs"] + s["quarantined_docs"], s
        assert (s["kept_docs"], s["rejected_docs"], s["quarantined_docs"]) == (
            len(self.kept), len(self.rejected), len(self.quarantine)), s
        assert s["input_docs"] == expected_input_docs, (s["input_docs"], expected_input_docs)


def write_jsonl(path: Path, texts: list[str]) -> Path:
    """``texts`` as a jsonl file of records ``{"id": "d<i>", "text": ...}`` (folders made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"id": f"d{i}", "text": t}, ensure_ascii=False) + "\n"
                            for i, t in enumerate(texts)), encoding="utf-8")
    return path


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


def write_kept_shard(folder: Path, prefix: str, docs: list[dict], batch_rows: int = 2048) -> None:
    """Write documents ({id, text, lang} and optionally source) as one committed shard in the clean
    stage's kept schema, the dedup stage's input."""
    writer = ShardWriter(folder, prefix, KEPT_SCHEMA, batch_rows=batch_rows)
    for doc in docs:
        writer.add({"source": "test", "meta": "{}", "edits": "{}", "scores": "{}", **doc}, len(doc["text"]))
    writer.commit()


# Han (its marks, Extension A, the unified and compatibility blocks, planes 2 and 3), kana and
# Hangul syllables: the scripts a document is shingled by characters for when it is a fifth of them.
SPACELESS_SCRIPT = re.compile("[\u3005\u3007\u3021-\u3029\u3038-\u303b\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                              "\U00020000-\U0003ffff\u3040-\u30ff\uac00-\ud7af]")


def reference_shingles(text: str, char_language: bool = False, n: int = 5) -> set:
    """The documented shingles, one character at a time: NFKC when it gives one character, then
    Traditional Chinese to Simplified; whitespace, control, format, punctuation, symbols and
    variation selectors become spaces; lower
    case; then character n-grams (a document whose content is a fifth Han, kana or Hangul or more,
    or one labelled a char language, ``char_language``) or word n-grams, a shorter document being
    one shingle of all its tokens."""
    from datacleaning.script_chars import traditional_to_simplified
    simplified = traditional_to_simplified()
    normal = []
    for char in text:
        folded = unicodedata.normalize("NFKC", char)
        char = simplified.get(folded if len(folded) == 1 else char, folded if len(folded) == 1 else char)
        category = unicodedata.category(char)
        if (char.isspace() or category in ("Zs", "Zl", "Zp", "Cc", "Cf") or category[0] in "PS"
                or "\ufe00" <= char <= "\ufe0f"):
            normal.append(" ")
        else:
            normal.append(char.lower() if len(char.lower()) == 1 else char)
    content = [c for c in normal if c != " "]
    cjk = sum(1 for c in content if SPACELESS_SCRIPT.match(c))
    by_char = char_language or (cjk > 0 and 5 * cjk >= len(content))
    tokens = content if by_char else "".join(normal).split()
    if not tokens:
        return set()
    if len(tokens) < n:
        return {tuple(tokens)}
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def reference_jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b)


def cli(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess."""
    return subprocess.run([sys.executable, "-m", "datacleaning.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, **kwargs)


def outcome_sets(output: storage.StoragePath) -> tuple[dict, dict]:
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


def done_records(output: str | os.PathLike) -> int:
    """Completion records of finished work units under a stage's ``output/.units`` (a local path or
    a URL)."""
    units = storage.as_path(output) / ".units"
    # Not the temporary file of a record being written when the run was killed.
    return sum(1 for _, _, files in storage.walk(str(units)) for name in files
               if name.endswith(".done.json") and not name.startswith(".tmp-"))


def kill_group_when(proc: subprocess.Popen, output: str | os.PathLike, done_at_least: int) -> None:
    """SIGKILL the whole process group of ``proc`` once ``done_at_least`` units of its run in
    ``output`` are finished (or it exits), then wait until none of its processes is left."""
    kill_group_on(proc, lambda: done_records(output) >= done_at_least)


def kill_group_on(proc: subprocess.Popen, condition, timeout: float = 120) -> bool:
    """SIGKILL the whole process group of ``proc`` as soon as ``condition()`` holds (or it exits, or
    ``timeout`` passes), then wait until none of its processes is left; return whether the
    condition held while the process was still running."""
    deadline = time.monotonic() + timeout
    met = False
    while proc.poll() is None and time.monotonic() < deadline:
        if condition():
            met = proc.poll() is None
            break
        time.sleep(0.002)
    with contextlib.suppress(ProcessLookupError):  # the run ended and took its group with it
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while processes_in_group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not processes_in_group(proc.pid)
    return met


def kept_fixture_shards(folder: Path, batch_rows: int = 8) -> list[dict]:
    """The fixture documents as two kept shards in ``folder`` (many small record batches, so a
    small unit size gives many work units); returns them in input order."""
    docs = [{key: record[key] for key in ("id", "text", "lang", "source")} for record in fixture_records()]
    half = len(docs) // 2
    write_kept_shard(folder, "a", docs[:half], batch_rows=batch_rows)
    write_kept_shard(folder, "b", docs[half:], batch_rows=batch_rows)
    return docs


def read_all(paths, chunk_bytes: int = 1 << 30, options: ReaderOptions = ReaderOptions()):
    """Plan the inputs' units and read every one of them, in plan order."""
    units = plan_units(discover([str(p) for p in paths]).files, chunk_bytes)
    items = [item for unit in units for item in read_unit(unit, options, lambda n: None)]
    return units, items


def docs_of(items) -> list[Document]:
    """The documents among what the readers gave (not the quarantined or skipped records)."""
    return [i for i in items if isinstance(i, Document)]


# A user's filter, as a plugin file's source: the share of a text's characters that are digits,
# with one threshold.
DIGIT_SHARE_PLUGIN = """from dataclasses import dataclass
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import register


@register("digit_share")
@dataclass
class DigitShare(Filter):
    signals = {"share": "float64"}
    thresholds = frozenset({"max_share"})
    threshold_fields = {"max_share": "share"}
    max_share: float = 0.0625

    def score(self, doc):
        return {"share": sum(c.isdigit() for c in doc.text) / max(len(doc.text), 1)}

    def keep(self, value):
        return value["share"] <= self.max_share
"""
