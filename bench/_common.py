"""What the benchmark scripts share: where things are, the units they report in, the corpus manifest."""
from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import orjson

# Found from this file, not the working directory, so the scripts run from anywhere.
REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_OUT = REPO_ROOT / "bench" / "out"


def package_version(name: str) -> str | None:
    """An installed distribution's version, None where it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def shown_path(path: Path) -> str:
    """``path`` as a report shows it: relative to the repository where it lies inside, so tables
    pasted into docs name no machine's folders."""
    path = Path(path).resolve()
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)
# A cleaned line is what the edit rules made of a line where it keeps at least this share of it
# (difflib's ratio: twice the matched characters over both lengths).
EDITED_LINE_SIMILARITY = 0.5
DEFAULT_CONFIG = REPO_ROOT / "configs" / "example.toml"

# The development corpus' Chinese SentencePiece model, which the shipped probe and reference models read.
TOKENIZER = "models/chinese_sp.model"

# Decimal megabytes throughout (corpus sizes, MB/s, RSS), so every number compares directly.
MB = 1_000_000

# Input shards of about the size the clean stage writes per work unit, so a larger corpus means
# more shards (and work units), not larger ones.
SHARD_BYTES = 16 << 20

# Hidden so that `datacleaning clean CORPUS_DIR` (which skips dot files) reads only the jsonl parts.
MANIFEST_NAME = ".corpus.json"
PART_GLOB = "part-*.jsonl"


def corpus_parts(corpus: Path) -> list[Path]:
    return sorted(corpus.glob(PART_GLOB))


def corpus_or_exit(corpus: Path, script: str) -> tuple[Path, list[Path]]:
    """A corpus folder made by build_corpus.py and its jsonl parts; exits naming ``script`` when it
    has none."""
    corpus = corpus.resolve()
    parts = corpus_parts(corpus)
    if not parts:
        sys.exit(f"{script}: no {PART_GLOB} files in {corpus}; build one with bench/build_corpus.py")
    return corpus, parts


DEV_DATA_ENV = "DATACLEANING_DEV_DATA"


def add_dev_data_option(parser: argparse.ArgumentParser, default: Path | None = None) -> None:
    """``--dev-data``, the development corpus folder; where it is not given, ``$DATACLEANING_DEV_DATA``,
    else ``default``."""
    fallback = f", else {default}" if default else ""
    parser.add_argument("--dev-data", type=Path, default=os.environ.get(DEV_DATA_ENV) or default,
                        help=f"development corpus folder (default: ${DEV_DATA_ENV}{fallback})")


def dev_data_or_exit(dev_data: Path | None, script: str, needs: tuple[str, ...] = ()) -> Path:
    """The development corpus folder ``--dev-data`` gave; exits naming ``script`` when there is none,
    or when it lacks one of the subfolders ``needs``."""
    how = f"give the development corpus folder with --dev-data or {DEV_DATA_ENV}"
    if dev_data is None:
        sys.exit(f"{script}: no development corpus: {how}")
    if not dev_data.is_dir():
        sys.exit(f"{script}: {dev_data} is not a folder: {how}")
    missing = [name for name in needs if not (dev_data / name).is_dir()]
    if missing:
        sys.exit(f"{script}: {dev_data} has no {' or '.join(name + '/' for name in missing)} folder: {how}")
    return dev_data


def write_manifest(corpus: Path, manifest: dict) -> None:
    (corpus / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def read_manifest(corpus: Path) -> dict:
    path = corpus / MANIFEST_NAME
    return json.loads(path.read_text()) if path.exists() else {}


def kept_shards(corpus: Path, mark_repeats: bool = False) -> Path:
    """The corpus as Arrow shards in the clean stage's kept schema (what the clean stage writes when
    no rule rejects anything), cached in bench/out/kept_shards and rebuilt when the corpus manifest
    changes. With ``mark_repeats``, each repeat of a document (id ``...~rN``) gets `` rN`` appended
    to its text, turning exact copies into near duplicates."""
    from datacleaning.cleaning.stage import KEPT_SCHEMA
    from datacleaning.shards import ShardWriter

    folder = BENCH_OUT / "kept_shards" / (corpus.name + ("-marked" if mark_repeats else ""))
    stamp = folder / ".source.json"
    source = json.dumps({"corpus": str(corpus), "manifest": read_manifest(corpus), "marked": mark_repeats,
                         "shard_bytes": SHARD_BYTES})
    if stamp.exists() and stamp.read_text() == source:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    for part in corpus_parts(corpus):
        writer = ShardWriter(folder, part.stem, KEPT_SCHEMA, max_shard_bytes=SHARD_BYTES)
        with open(part, "rb") as f:
            for line in f:
                record = orjson.loads(line)
                text = record.pop("text")
                doc_id = str(record.pop("id"))
                if mark_repeats and "~r" in doc_id:
                    text += " r" + doc_id.rsplit("~r", 1)[1]
                writer.add({"id": doc_id, "text": text, "source": record.pop("source", part.name),
                            "lang": record.pop("lang", ""), "meta": orjson.dumps(record).decode(), "edits": "{}",
                            "scores": "{}"}, len(text))
        writer.commit()
    stamp.write_text(source)
    return folder


def measure_in_child(script: str, spec: dict, scratch: Path) -> dict:
    """Run one measurement as ``python SCRIPT --measure SPEC_FILE`` in a fresh process, so that
    its peak RSS and imports are its own; return the JSON the child wrote to ``spec["result"]``
    (a file rather than stdout: the measured libraries may print). The child gets the scratch
    folder ``spec["scratch"]`` for its outputs; the load average before the run is recorded."""
    spec = {**spec, "scratch": str(scratch / "output"), "result": str(scratch / "result.json"),
            "load_average_before": os.getloadavg()[0]}
    spec_path = scratch / "spec.json"
    spec_path.write_text(json.dumps(spec))
    Path(spec["result"]).unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, str(Path(script).resolve()), "--measure", str(spec_path)],
                          env={**os.environ, "HF_HUB_OFFLINE": "1"}, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{spec['name']} (workers {spec['workers']}) failed with exit code {proc.returncode}:\n"
                 f"{proc.stderr[-4000:]}")
    measured = json.loads(Path(spec["result"]).read_text())
    measured["load_average_before"] = spec["load_average_before"]
    return measured


def write_measurement(spec_path: Path, measure) -> None:
    """Child side of measure_in_child: measure the spec, write the result where it asks."""
    spec = json.loads(spec_path.read_text())
    Path(spec["result"]).write_text(json.dumps(measure(spec)))


def surviving_lines(lines: list[str], cleaned: str) -> list[bool]:
    """Whether each of a document's lines is still in its cleaned text, white space and case
    aside. The two are aligned in order (difflib): a line found unchanged survives, as often as
    the cleaned text holds it (menus repeat: a set of surviving lines would credit every copy),
    and so does a line the edit rules rewrote in place, a URL taken out or an e-mail address
    replaced: one that stands between the same neighbours as a cleaned line that keeps most of
    its characters (``EDITED_LINE_SIMILARITY``). Blank lines are not lines of text: the cleaned
    text's are left out of the alignment, and a blank line of ``lines`` never counts as kept."""
    def key(line: str) -> str:
        return " ".join(line.split()).casefold()
    before = [key(line) for line in lines]
    after = [k for k in map(key, cleaned.split("\n")) if k]
    flags = [False] * len(lines)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag == "equal":
            flags[i1:i2] = [bool(k) for k in before[i1:i2]]
        elif tag == "replace":
            j = j1
            for i in range(i1, i2):
                if j < j2 and difflib.SequenceMatcher(None, before[i], after[j]).ratio() >= EDITED_LINE_SIMILARITY:
                    flags[i] = True
                    j += 1
    return flags


def cpu_seconds() -> float:
    """User and system CPU seconds of this process and of its children that have ended (a worker
    pool, once joined): what a run cost, however long the shared machine made it wait."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def text_bytes(parts: list[Path]) -> int:
    """UTF-8 bytes of the documents' text in jsonl parts: the "MB" the benchmarks report, not the
    files' bytes, of which ids, sources and JSON escapes are a third or more."""
    total = 0
    for part in parts:
        with open(part, "rb") as f:
            total += sum(len(orjson.loads(line)["text"].encode()) for line in f)
    return total


def paired(numerators: list[float], denominators: list[float]) -> dict:
    """Ratios of two configurations measured in the same rounds (interleaved, so a burst of load
    falls on both): the median and the range of the per-round ratios."""
    ratios = [n / d for n, d in zip(numerators, denominators)]
    return {"median": statistics.median(ratios), "low": min(ratios), "high": max(ratios), "rounds": len(ratios)}


def cpu_passes(repeat: int, work) -> dict:
    """CPU seconds of ``repeat`` calls of ``work()`` in this process, after one call that warms what
    loads lazily: the median (noise on a shared machine can fall on any pass, the fastest
    included, so the median counts rather than the best), the range and every pass."""
    work()
    passes = []
    for _ in range(repeat):
        started = time.process_time()
        work()
        passes.append(time.process_time() - started)
    return {"median": statistics.median(passes), "low": min(passes), "high": max(passes), "passes": passes}


def detokenize_wikitext(text: str) -> str:
    """Undo WikiText's tokenization (`` @-@ ``, spaces before punctuation, ``<unk>``)."""
    text = re.sub(r" @(.)@ ", r"\1", text)
    text = re.sub(r" ([.,;:!?)\]'\"%])", r"\1", text)
    text = re.sub(r"([(\[]) ", r"\1", text)
    return text.replace(" <unk>", "").replace("<unk>", "")
