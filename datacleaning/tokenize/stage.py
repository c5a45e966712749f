"""The tokenize stage: kept shards in, training-ready token bins out.

Output layout of ``DIR``::

    tokenizer.model   the SentencePiece model of the tokens: the one given (copied) or one trained here
    tokens.bin/.idx   every document's tokens in the Megatron-LM indexed-dataset layout (indexed.py)
    parts/            one .bin/.idx pair per work unit; removed once merged (the output itself
                      with tokenize.merge = false). For a URL output the parts, and the model
                      until the end, are kept under run.work_dir.
    stats.json        documents, tokens, text bytes, unknown tokens, in total and per source; the dtype
    manifest.json     the fingerprint a resumed run must match
    .units/<step>/    completion records of each step's work units (what a rerun skips)

The steps, each through the executor so that a killed run resumes where it stopped: ``train``
(one unit, only when no model is given), ``encode`` (one unit per piece of input shard, each
writing its part atomically) and ``merge`` (one unit, writing tokens.bin and tokens.idx
atomically; rerun whole if stopped).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sentencepiece as spm

from datacleaning import storage
from datacleaning.config import Config, TokenizeConfig, TokenizeTrainConfig
from datacleaning.executor import StageResult, Steps, UnitContext, WorkUnit, stop_signals
from datacleaning.logs import log_event
from datacleaning.manifest import STATS, claim_output, mark_complete
from datacleaning.rules.registry import ConfigError
from datacleaning.scan import Listing, input_listing, input_schema, plan_scan_units
from datacleaning.shards import write_atomic
from datacleaning.stats import write_stats
from datacleaning.storage import StoragePath
from datacleaning.tokenize.encode import SOURCE_COLUMN, EncodeStep
from datacleaning.tokenize.indexed import token_dtype
from datacleaning.tokenize.merge import merge_bins
from datacleaning.tokenize.spm import describe_model, load_model, model_sha256, train_model

logger = logging.getLogger("datacleaning.tokenize")

MODEL_FILE = "tokenizer.model"
TOKENS_PREFIX = "tokens"
PARTS_DIR = "parts"
REQUIRED_COLUMNS = ("text",)
# Sources listed in the printed summary, those of most tokens first.
SUMMARY_SOURCES = 15


def fingerprint(tokenize: TokenizeConfig, listing: Listing, model_digest: str | None) -> str:
    """What decides the stage's output: the model (its bytes when given, the training settings
    when trained here; the trainer's thread count aside), how documents become tokens, and the
    input shards."""
    relevant = {"tokenize": tokenize.model_dump(exclude={"model": True, "train": True} if model_digest
                                                else {"model": True, "train": {"threads"}}),
                "model_sha256": model_digest, "input": listing}
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]


def token_layout(tokenize: TokenizeConfig, processor: spm.SentencePieceProcessor) -> tuple[np.dtype, int | None,
                                                                                          int | None]:
    """The .bin's dtype and the BOS and EOS ids put around each document (None: not put)."""
    vocab = processor.vocab_size()

    def mark(enabled: bool, chosen: int | None, models: int, name: str) -> int | None:
        if not enabled:
            return None
        if chosen is None and models < 0:
            raise ConfigError(f"tokenize.{name}: the model has no {name.upper()} piece; set tokenize.{name}_id")
        return models if chosen is None else chosen

    bos_id = mark(tokenize.bos, tokenize.bos_id, processor.bos_id(), "bos")
    eos_id = mark(tokenize.eos, tokenize.eos_id, processor.eos_id(), "eos")
    largest = max(vocab - 1, bos_id or 0, eos_id or 0)
    dtype = token_dtype(largest + 1) if tokenize.dtype == "auto" else np.dtype(tokenize.dtype)
    if largest > np.iinfo(dtype).max:
        raise ConfigError(f"tokenize.dtype: {dtype} cannot hold id {largest}")
    return dtype, bos_id, eos_id


@dataclass
class TrainStep:
    """The train step's one unit: a SentencePiece model trained on a sample of the input."""

    scan_units: list[WorkUnit]
    train: TokenizeTrainConfig
    destination: Path
    threads: int

    def __call__(self, unit: WorkUnit, context: UnitContext) -> dict:
        return train_model(self.scan_units, self.train, self.destination, self.threads, context.check_stop)


@dataclass
class MergeStep:
    """The merge step's one unit: every part, in unit order or shuffled, into one pair."""

    parts: list[Path]
    output: Path
    shuffle_seed: int | None

    def __call__(self, unit: WorkUnit, context: UnitContext) -> dict:
        return merge_bins(self.parts, self.output, shuffle_seed=self.shuffle_seed, check_stop=context.check_stop)


def _one_unit(step: str, size: int) -> list[WorkUnit]:
    return [WorkUnit(step, "", step, 0, 1, max(size, 1), step)]


def run_tokenize(config: Config, input_dir: str | os.PathLike, output: str | os.PathLike) -> StageResult:
    """Tokenize the shards in ``input_dir`` into ``output``; resumes a run interrupted there."""
    with stop_signals:
        return _run_tokenize(config, storage.as_path(input_dir), storage.as_path(output))


def _run_tokenize(config: Config, input_dir: StoragePath, output: StoragePath) -> StageResult:
    started = time.time()
    tokenize = config.tokenize
    schema = input_schema(input_dir, "tokenize", REQUIRED_COLUMNS)
    units = plan_scan_units(input_dir, tokenize.unit_bytes)
    storage.refuse_overlap([input_dir], output)
    given = Path(config.resolve(tokenize.model)) if tokenize.model else None
    if given is not None and not given.is_file():
        raise ConfigError(f"tokenize.model: no such file {given}")
    # A URL output gets only the model and the merged bins; the model is trained and the parts are
    # encoded in a local (or shared) work folder, which the workers read.
    remote = not isinstance(output, Path)
    if remote and not tokenize.merge:
        raise ConfigError(f"tokenize.merge: false keeps one .bin/.idx pair per unit as the output, which needs a "
                          f"local or shared-filesystem --output, not {output}")
    scratch = config.work_folder("tokenize", output) if remote else output
    digest = fingerprint(tokenize, input_listing(units), given and model_sha256(given))
    finished = claim_output(output, "tokenize", digest)
    # Once merged, the parts (and for a URL output the whole work folder) are not needed again.
    leftovers = (scratch if remote else scratch / PARTS_DIR) if tokenize.merge else None
    if finished is not None:
        if leftovers:
            shutil.rmtree(leftovers, ignore_errors=True)
        return StageResult.already_complete(finished, len(units))
    if remote:
        scratch.mkdir(parents=True, exist_ok=True)
    log_event(logger, "start", units=len(units), workers=config.run.workers, output=output,
              model=given or "train")
    steps = Steps("tokenize", output, config.run.workers, config.run.progress, config.run.engine())
    model_path = scratch / MODEL_FILE
    input_bytes = sum(u.size for u in units)
    completed = True
    if given is None:
        train = TrainStep(units, tokenize.train, model_path, tokenize.train.threads or config.run.workers)
        completed = steps.run("train", _one_unit("train", input_bytes), train)
    elif not model_path.exists():
        write_atomic(model_path, given.read_bytes())
    layout = None
    if completed:
        layout = token_layout(tokenize, load_model(model_path))
        columns = ["text", *([SOURCE_COLUMN] if SOURCE_COLUMN in schema.names else [])]
        encode = EncodeStep(model_path, scratch / PARTS_DIR, columns, *layout)
        completed = steps.run("encode", units, encode)
        if completed and tokenize.merge:
            merge = MergeStep([encode.part_prefix(u) for u in units], output / TOKENS_PREFIX,
                              tokenize.seed if tokenize.shuffle else None)
            completed = steps.run("merge", _one_unit("merge", input_bytes), merge)
    stats = _stats(steps, config, model_path, given, layout, units, completed, started)
    if completed and remote:
        write_atomic(output / MODEL_FILE, model_path.read_bytes())
    write_stats(output / STATS, stats)
    if completed:
        mark_complete(output, "tokenize", digest)
        if leftovers:
            shutil.rmtree(leftovers, ignore_errors=True)
    log_event(logger, "finish", status=stats["status"], documents=stats["documents"], tokens=stats["tokens"])
    return StageResult(stats, steps.outcome)


def _stats(steps: Steps, config: Config, model_path: Path, given: Path | None,
           layout: tuple[np.dtype, int | None, int | None] | None, units: list[WorkUnit], completed: bool,
           started: float) -> dict:
    tokenize = config.tokenize
    encode = steps.stats.get("encode", {})
    documents, tokens = encode.get("documents", 0), encode.get("tokens", 0)
    dtype, bos_id, eos_id = layout or (None, None, None)
    marks = documents * ((bos_id is not None) + (eos_id is not None))
    model = {"file": MODEL_FILE, "source": str(given) if given else "trained"}
    if model_path.exists():
        model.update(sha256=model_sha256(model_path), **describe_model(load_model(model_path)))
    if "train" in steps.stats:
        trained = {key: value for key, value in steps.stats["train"].items() if key != "seconds"}  # in step_seconds
        model["training"] = {**tokenize.train.model_dump(), **trained}
    sources = encode.get("sources", {})
    return {
        "status": "complete" if completed else ("interrupted" if steps.outcome.interrupted else "failed"),
        "documents": documents,
        "tokens": tokens,
        "text_bytes": encode.get("text_bytes", 0),
        # Of the text's own tokens, BOS and EOS aside: how well the model compresses the text.
        "bytes_per_token": round(encode.get("text_bytes", 0) / max(tokens - marks, 1), 3),
        "unknown_tokens": encode.get("unknown_tokens", 0),
        "sources": {name: sources[name] for name in sorted(sources)},
        "dtype": str(dtype) if dtype is not None else None,
        "bos_id": bos_id,
        "eos_id": eos_id,
        "model": model,
        "output": ({"bin": f"{TOKENS_PREFIX}.bin", "idx": f"{TOKENS_PREFIX}.idx",
                    "shuffle_seed": tokenize.seed if tokenize.shuffle else None}
                   if tokenize.merge else {"parts": PARTS_DIR}),
        "failed_units": steps.outcome.failed,
        "step_seconds": steps.seconds,
        "units": len(units),
        "workers": config.run.workers,
        "wall_seconds": round(time.time() - started, 3),
    }


def train_tokenizer(config: Config, input_dir: str | os.PathLike, destination: str | os.PathLike) -> dict:
    """Train a SentencePiece model on the shards in ``input_dir`` as ``tokenize.train`` says and
    write it to ``destination``; return what was sampled and trained."""
    input_dir, destination = storage.as_path(input_dir), Path(destination)
    input_schema(input_dir, "tokenize", REQUIRED_COLUMNS)
    units = plan_scan_units(input_dir, config.tokenize.unit_bytes)
    destination.parent.mkdir(parents=True, exist_ok=True)
    return train_model(units, config.tokenize.train, destination, config.tokenize.train.threads or config.run.workers)


def locate_bins(path: str | os.PathLike) -> tuple[Path, Path]:
    """The bins prefix and the model of a tokenize output folder, or of a prefix (``DIR/tokens``)
    with the model beside it."""
    path = Path(path)
    if path.is_dir():
        return path / TOKENS_PREFIX, path / MODEL_FILE
    prefix = Path(str(path).removesuffix(".bin").removesuffix(".idx"))
    return prefix, prefix.parent / MODEL_FILE


def format_tokenize_summary(stats: dict) -> str:
    """A readable summary of a tokenize-stage run."""
    model = stats.get("model", {})
    trained = model.get("source") == "trained"
    marked = [f"{name} (id {stats[key]}) {where}" for name, key, where in (("BOS", "bos_id", "before"),
                                                                            ("EOS", "eos_id", "after"))
              if stats.get(key) is not None]
    marks = (" and ".join(marked) + " every document") if marked else "nothing between documents"
    output = stats.get("output", {})
    order = (f"shuffled with seed {output['shuffle_seed']}" if output.get("shuffle_seed") is not None
             else "in input order")
    origin = (f"trained here ({model.get('training', {}).get('model_type', '?')})" if trained
              else f"from {model.get('source')}")
    lines = [
        f"tokenize: {stats.get('status', '?')} — {stats.get('units', 0)} units, "
        f"{stats.get('wall_seconds', 0):.1f}s wall",
        f"  model        {model.get('file', '?')}: {origin}"
        + (f", {model['vocab_size']:,} pieces" if "vocab_size" in model else "")
        + (", byte fallback" if model.get("byte_fallback") else ""),
        f"  documents    {stats.get('documents', 0):>14,}",
        f"  tokens       {stats.get('tokens', 0):>14,}   {stats.get('dtype')}; {marks}; "
        f"{stats.get('bytes_per_token', 0):.2f} bytes of text per token",
        f"  unknown      {stats.get('unknown_tokens', 0):>14,}",
        ("  output       " + (f"{output['bin']} + {output['idx']} (Megatron indexed dataset), documents {order}"
                              if "bin" in output else f"one .bin/.idx pair per unit in {output.get('parts')}/")),
    ]
    sources = stats.get("sources", {})
    if sources:
        lines.append(f"  {'source (most tokens first)':<40}{'documents':>12}{'tokens':>15}{'bytes/token':>13}")
        largest = sorted(sources, key=lambda name: -sources[name]["tokens"])
        for name in largest[:SUMMARY_SOURCES]:
            counts = sources[name]
            text_tokens = counts["tokens"] - counts["documents"] * len(marked)
            shown = name if len(name) < 40 else "…" + name[-38:]
            lines.append(f"  {shown:<40}{counts['documents']:>12,}{counts['tokens']:>15,}"
                         f"{counts['text_bytes'] / max(text_tokens, 1):>13.2f}")
        if len(largest) > SUMMARY_SOURCES:
            lines.append(f"  ... and {len(largest) - SUMMARY_SOURCES:,} more sources (stats.json has them all)")
    for unit, error in stats.get("failed_units", {}).items():
        lines.append(f"  FAILED unit {unit}: {error.strip().splitlines()[-1]}")
    return "\n".join(lines)
