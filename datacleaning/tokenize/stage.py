"""The tokenize stage: kept shards in, training-ready token bins out.

Output layout of ``DIR``::

    tokenizer.model   the SentencePiece model the ids belong to: the one given (copied) or one
                      trained here
    tokenizer.json    instead, the Hugging Face tokenizer.json the ids belong to, when one was given
                      (copied)
    tokens.bin/.idx   every document's tokens in the Megatron-LM indexed-dataset layout (indexed.py)
    parts/            one .bin/.idx pair per work unit; removed once merged (the output itself
                      with tokenize.merge = false). For a URL output the parts, and the tokenizer
                      until the end, are kept under run.work_dir.
    stats.json        documents, tokens, text bytes, characters, unknown tokens, in total, per source
                      and per language;
                      the dtype, the tokenizer
    manifest.json     the fingerprint a resumed run must match
    .units/<step>/    completion records of each step's work units (what a rerun skips)

The steps, each through the executor so that a killed run resumes where it stopped: ``train``
(one unit, only when no tokenizer is given), ``encode`` (one unit per piece of input shard, each
writing its part atomically) and ``merge`` (one unit, writing tokens.bin and tokens.idx
atomically; rerun whole if stopped).
"""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from datacleaning import storage
from datacleaning.config import Config, TokenizeConfig, TokenizeTrainConfig
from datacleaning.errors import ConfigError, TokenBinsError
from datacleaning.execution import Engine, FileUnit, RunOutcome, Steps, Unit, UnitContext
from datacleaning.manifest import Fingerprint, settings_digest
from datacleaning.shard_input import ShardInput, input_record, input_schema, open_shard_input, plan_scan_units
from datacleaning.shards import write_atomic
from datacleaning.stages import Plan, Stage
from datacleaning.stats import failed_unit_lines
from datacleaning.storage import StoragePath
from datacleaning.tokenize.encode import LANG_COLUMN, SOURCE_COLUMN, EncodeStep
from datacleaning.tokenize.indexed import idx_path, token_dtype
from datacleaning.tokenize.merge import merge_bins
from datacleaning.tokenize.spm import train_model
from datacleaning.tokenize.tokenizer import BOS_NAMES, EOS_NAMES, SPM_FILE, Tokenizer, open_tokenizer

TOKENS_PREFIX = "tokens"
PARTS_DIR = "parts"
# Sources listed in the printed summary, those of most tokens first.
SUMMARY_SOURCES = 15


def fingerprint(tokenize: TokenizeConfig, shards: dict, model_digest: str | None) -> Fingerprint:
    """What decides the stage's output: the tokenizer (its file's bytes when given, the training
    settings when trained here; the trainer's thread count aside), how documents become tokens,
    and the input shards."""
    relevant = {"tokenize": tokenize.model_dump(exclude={"model": True, "train": True} if model_digest
                                                else {"model": True, "train": {"threads"}}),
                "model_sha256": model_digest, **shards}
    return settings_digest(relevant)


def token_layout(tokenize: TokenizeConfig, tokenizer: Tokenizer) -> tuple[np.dtype, int | None, int | None]:
    """The .bin's dtype and the BOS and EOS ids put around each document (None: not put)."""

    def mark(name: str, enabled: bool, chosen: int | None, own: int | None, known_names: tuple[str, ...]) -> int | None:
        """The id put: the one configured, else the tokenizer's own; None when none is put."""
        if not enabled:
            return None
        if chosen is None and own is None:
            raise ConfigError(
                f"tokenize.{name}: the tokenizer {tokenizer.path} has no {name.upper()} token (a SentencePiece "
                f"model's own, or in a tokenizer.json a special token named {' or '.join(known_names)}); set "
                f"tokenize.{name}_id to the id your model uses, or tokenize.{name} = false")
        return own if chosen is None else chosen

    bos_id = mark("bos", tokenize.bos, tokenize.bos_id, tokenizer.bos_id, BOS_NAMES)
    eos_id = mark("eos", tokenize.eos, tokenize.eos_id, tokenizer.eos_id, EOS_NAMES)
    largest = max(tokenizer.vocab_size - 1, bos_id or 0, eos_id or 0)
    dtype = token_dtype(largest + 1) if tokenize.dtype == "auto" else np.dtype(tokenize.dtype)
    if largest > np.iinfo(dtype).max:
        raise ConfigError(f"tokenize.dtype: {dtype} cannot hold id {largest}")
    return dtype, bos_id, eos_id


@dataclass
class TrainStep:
    """The train step's one unit: a SentencePiece model trained on a sample of the input."""

    scan_units: list[FileUnit]
    train: TokenizeTrainConfig
    destination: Path
    threads: int

    def __call__(self, unit: Unit, context: UnitContext) -> dict:
        trained = train_model(self.scan_units, self.train, self.destination, self.threads, context.check_stop)
        return {**trained, "threads": self.threads}


@dataclass
class MergeStep:
    """The merge step's one unit: every part, in unit order or shuffled, into one pair."""

    parts: list[Path]
    output: Path
    shuffle_seed: int | None

    def __call__(self, unit: Unit, context: UnitContext) -> dict:
        return merge_bins(self.parts, self.output, shuffle_seed=self.shuffle_seed, check_stop=context.check_stop)


def _one_unit(step: str, size: int) -> list[Unit]:
    return [Unit(step, max(size, 1))]


@dataclass
class TokenizePlan:
    shards: ShardInput
    given: Tokenizer | None
    remote: bool
    scratch: StoragePath
    leftovers: StoragePath | None


class TokenizeStage(Stage):
    """Kept shards in, token bins out (this module's note has the layout)."""

    name = "tokenize"
    input_columns = ("text",)

    def plan(self, config: Config, source, output: StoragePath) -> Plan:
        tokenize = config.tokenize
        shards = open_shard_input(source, self.name, self.input_columns, tokenize.unit_bytes, output)
        try:
            given = open_tokenizer(config.resolve(tokenize.model)) if tokenize.model else None
        except ConfigError as e:
            raise ConfigError(f"tokenize.model: {e}") from None
        if given is not None:
            token_layout(tokenize, given)  # its refusals (no BOS or EOS id, a dtype too small) before anything is written
        # A URL output gets only the tokenizer and the merged bins; a model is trained and the parts are
        # encoded in a local (or shared) work folder, which the workers read.
        remote = not isinstance(output, Path)
        if remote and not tokenize.merge:
            raise ConfigError(f"tokenize.merge: false keeps one .bin/.idx pair per unit as the output, which needs a "
                              f"local or shared-filesystem --output, not {output}")
        scratch = config.work_folder("tokenize", output) if remote else output
        # Once merged, the parts (and for a URL output the whole work folder) are not needed again.
        leftovers = (scratch if remote else scratch / PARTS_DIR) if tokenize.merge else None
        units = shards.units
        return Plan(fingerprint(tokenize, input_record(units, tokenize.unit_bytes), given and given.sha256()), len(units),
                    {"units": len(units), "workers": config.run.workers, "model": given.path if given else "train"},
                    TokenizePlan(shards, given, remote, scratch, leftovers))

    def execute(self, config: Config, plan: Plan, output: StoragePath) -> tuple[dict, RunOutcome]:
        tokenize, state = config.tokenize, plan.state
        units, given, scratch = state.shards.units, state.given, state.scratch
        if state.remote:
            scratch.mkdir(parents=True, exist_ok=True)
        steps = Steps("tokenize", output, config.run.workers, config.run.progress, Engine.of(config.run))
        # The given tokenizer's copy, under the name of its kind, or the model trained here.
        tokenizer_path = scratch / (given.file_name if given else SPM_FILE)
        input_bytes = sum(u.size for u in units)
        completed = True
        if given is None:
            train = TrainStep(units, tokenize.train, tokenizer_path, training_threads(config))
            completed = steps.run("train", _one_unit("train", input_bytes), train)
        elif not tokenizer_path.exists():
            write_atomic(tokenizer_path, given.path.read_bytes())
        tokenizer = given or (open_tokenizer(tokenizer_path) if completed else None)
        layout = None
        if completed:
            layout = token_layout(tokenize, tokenizer)
            columns = ["text", *(c for c in (SOURCE_COLUMN, LANG_COLUMN) if c in state.shards.schema.names)]
            encode = EncodeStep(tokenizer_path, scratch / PARTS_DIR, columns, *layout)
            completed = steps.run("encode", units, encode)
            if completed and tokenize.merge:
                merge = MergeStep([encode.part_prefix(u) for u in units], output / TOKENS_PREFIX,
                                  tokenize.seed if tokenize.shuffle else None)
                completed = steps.run("merge", _one_unit("merge", input_bytes), merge)
        if completed and state.remote:
            write_atomic(output / tokenizer_path.name, tokenizer_path.read_bytes())
        return _stats(steps, config, tokenizer_path.name, tokenizer, str(given.path) if given else "trained", layout,
                      units), steps.outcome

    def finish_log(self, stats: dict) -> dict:
        return {"documents": stats["documents"], "tokens": stats["tokens"]}

    def work_files(self, config: Config, plan: Plan, output: StoragePath) -> list[StoragePath]:
        return [plan.state.leftovers] if plan.state.leftovers else []

    def summary(self, stats: dict) -> str:
        return format_tokenize_summary(stats)

    def add_commands(self, sub: argparse._SubParsersAction) -> None:
        from datacleaning.tokenize.commands import add_commands  # it imports this package: not at module level
        add_commands(sub)


def _stats(steps: Steps, config: Config, tokenizer_file: str, tokenizer: Tokenizer | None, source: str,
           layout: tuple[np.dtype, int | None, int | None] | None, units: list[FileUnit]) -> dict:
    tokenize = config.tokenize
    encode = steps.stats.get("encode", {})
    documents, tokens = encode.get("documents", 0), encode.get("tokens", 0)
    dtype, bos_id, eos_id = layout or (None, None, None)
    marks = documents * ((bos_id is not None) + (eos_id is not None))
    model = {"file": tokenizer_file, "source": source}
    if tokenizer is not None:
        model.update(sha256=tokenizer.sha256(), **tokenizer.describe())
    if "train" in steps.stats:
        # The settings as configured (the model's own vocabulary size is model.vocab_size), the
        # threads it trained on (a resumed run's, those of the run that trained it), and the
        # sample it drew (its seconds are in step_seconds).
        trained = steps.stats["train"]
        sample = {key: value for key, value in trained.items() if key not in ("seconds", "vocab_size", "threads")}
        model["training"] = {**tokenize.train.model_dump(), "sample": sample,
                             # a train step recorded before the step reported its threads: the config's
                             "threads": trained.get("threads", training_threads(config))}
    sources = encode.get("sources", {})
    return {
        "documents": documents,
        "tokens": tokens,
        "text_bytes": encode.get("text_bytes", 0),
        "characters": encode.get("characters", 0),
        # Of the text's own tokens, BOS and EOS aside: how well the model compresses the text.
        "bytes_per_token": round(encode.get("text_bytes", 0) / max(tokens - marks, 1), 3),
        "unknown_tokens": encode.get("unknown_tokens", 0),
        "sources": {name: sources[name] for name in sorted(sources)},
        "languages": dict(sorted(encode.get("languages", {}).items())),
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
    }


STAGE = TokenizeStage()


def training_threads(config: Config) -> int:
    """The threads SentencePiece trains on: ``tokenize.train.threads``, or one per worker."""
    return config.tokenize.train.threads or config.run.workers


def train_tokenizer(config: Config, input_dir: str | os.PathLike, destination: str | os.PathLike) -> dict:
    """Train a SentencePiece model on the shards in ``input_dir`` as ``tokenize.train`` says and
    write it to ``destination``; return what was sampled and trained."""
    input_dir, destination = storage.as_path(input_dir), Path(destination)
    input_schema(input_dir, "tokenize", TokenizeStage.input_columns)
    units = plan_scan_units(input_dir, config.tokenize.unit_bytes)
    destination.parent.mkdir(parents=True, exist_ok=True)
    return train_model(units, config.tokenize.train, destination, training_threads(config))


def locate_bins(path: str | os.PathLike) -> tuple[Path, Path]:
    """The bins prefix of a tokenize output folder, or of a prefix (``DIR/tokens``), and the folder
    that holds its tokenizer (which :func:`open_tokenizer` opens)."""
    path = Path(path)
    if path.is_dir():
        if not idx_path(path / TOKENS_PREFIX).exists() and (path / PARTS_DIR).is_dir():
            raise TokenBinsError(f"{path} holds its bins unmerged, one pair per unit (tokenize.merge = false): "
                                 f"name them, e.g. `datacleaning tokenize merge {path / PARTS_DIR}/*.idx "
                                 f"--output {path / TOKENS_PREFIX}`")
        return path / TOKENS_PREFIX, path
    prefix = Path(str(path).removesuffix(".bin").removesuffix(".idx"))
    return prefix, prefix.parent


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
    origin = ("training did not finish" if trained and "sha256" not in model
              else f"trained here ({model.get('training', {}).get('model_type', '?')})" if trained
              else f"from {model.get('source')}" + (f" ({model['type']})" if model.get("type") else ""))
    lines = [
        f"tokenize: {stats.get('status', '?')} — {stats.get('units', 0)} units, "
        f"{stats.get('wall_seconds', 0):.1f}s wall",
        f"  model        {model.get('file', '?')}: {origin}"
        + (f", vocabulary {model['vocab_size']:,}" if "vocab_size" in model else "")
        + (", byte fallback" if model.get("byte_fallback") else ""),
        f"  documents    {stats.get('documents', 0):>14,}",
        f"  tokens       {stats.get('tokens', 0):>14,}   {stats.get('dtype') or 'no dtype yet'}; {marks}; "
        f"{stats.get('bytes_per_token', 0):.2f} bytes of text per token",
        f"  unknown      {stats.get('unknown_tokens', 0):>14,}",
        ("  output       " + ("not written: the run did not finish" if stats.get("status") != "complete"
                              else f"{output['bin']} + {output['idx']} (Megatron indexed dataset), documents {order}"
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
    return "\n".join(lines + failed_unit_lines(stats))
