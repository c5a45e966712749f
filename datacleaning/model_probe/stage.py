"""The probe stage: kept shards in, the same documents out with their perplexity beside them.

Output layout of ``DIR``::

    kept/          the input's columns + nll, n_tokens, ppl, nll_per_char, main_nll_per_char (+ the
                   bucket of probe.bucket_by, when probe.buckets are set)
    rejected/      the same for documents above probe.max_ppl, probe.max_nll_per_char or
                   probe.max_main_nll_per_char, + rejected_by, reject_value
    stats.json     documents, tokens, quantiles of each score per language, the bucket
                   cut points, speed; kept and rejected documents by_source and by_language
    manifest.json  the fingerprint a resumed run must match
    .units/<step>/ completion records of each step's work units (what a rerun skips)
    .work/scores/  each unit's scores, deleted once the run is complete (under run.work_dir instead
                   when that is set, as it must be for a URL output)

Two steps, each through the executor so that a killed run resumes where it stopped: ``score``
(tokenize and score a unit's documents, the expensive part) and ``write`` (the input's rows with
their scores, bucketed by cut points taken over every score of the run, thresholded). Scores are
kept beside the documents, so a different threshold later needs no new scoring: filter the
``ppl``, ``nll_per_char`` or ``main_nll_per_char`` column.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datacleaning.config import Config, ProbeConfig
from datacleaning.errors import ConfigError
from datacleaning.execution import Engine, FileUnit, RunOutcome, Steps, UnitContext
from datacleaning.manifest import Fingerprint, settings_digest
from datacleaning.shard_input import ShardInput, input_record, open_shard_input, read_unit_batches
from datacleaning.shards import atomic_file, unit_writers
from datacleaning.stages import Plan, Stage
from datacleaning.stats import count_by_column, failed_unit_lines, two_digit_histogram
from datacleaning.storage import StoragePath
from datacleaning.model_probe.text import model_texts, unread_chars, unread_nll
from datacleaning.tokenize.spm import encode_texts

KEPT, REJECTED = "kept", "rejected"
SCORE_COLUMNS = ("nll", "n_tokens", "ppl", "nll_per_char", "main_nll_per_char")
# The scores a limit or the buckets can be set on, in the order the limits are checked.
JUDGED_SCORES = ("ppl", "nll_per_char", "main_nll_per_char")
BUCKET_COLUMNS = {score: f"{score}_bucket" for score in JUDGED_SCORES}
# What this stage writes: an input that already has them (an earlier probe's output) loses its own.
OWN_COLUMNS = (*SCORE_COLUMNS, *BUCKET_COLUMNS.values())
ANY_LANGUAGE = "*"
# Quantiles of ppl reported per language in stats.json.
REPORTED_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
SCORES_SCHEMA = pa.schema([("nll", pa.float64()), ("n_tokens", pa.int32()), ("n_chars", pa.int64()),
                           ("lang", pa.string()), ("main_nll", pa.float64()), ("main_chars", pa.int64()),
                           ("unread_nll", pa.float64())])


def resolve_device(probe: ProbeConfig) -> str:
    """``cuda`` or ``cpu``: the configured one, or for ``auto`` the GPU when there is one."""
    # NVML answers without initializing CUDA in this process, which would break CUDA in the
    # workers forked from it.
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")
    import torch
    if probe.device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("probe.device = cuda, but this machine has no usable GPU")
    if probe.device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return probe.device


def model_folder(config: Config) -> Path:
    from datacleaning.model_probe.loader import SHIPPED_TINY
    return Path(config.resolve(config.probe.model)) if config.probe.model else SHIPPED_TINY


def _check_model(folder: Path, fold_script: bool) -> None:
    """Find a model the workers could not load once, here, before any unit starts, or one that
    ``probe train`` taught text read otherwise than ``probe.fold_script`` reads it (its
    training.json says how)."""
    from datacleaning.model_probe.loader import CheckpointError, check_folder
    try:
        check_folder(folder)
    except (CheckpointError, OSError, RuntimeError) as e:
        raise ConfigError(f"probe.model: {e}") from None
    record = folder / "training.json"
    try:
        training = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else {}
    except (OSError, ValueError) as e:
        raise ConfigError(f"probe.model: {record} is not readable JSON ({e})") from None
    trained = training.get("fold_script") if isinstance(training, dict) else None
    if trained is not None and trained != fold_script:
        raise ConfigError(f"probe.fold_script = {str(fold_script).lower()}, but {folder} learned text read with "
                          f"fold_script = {str(trained).lower()} ({record}): score as it was trained")


# Files up to this size are named by their content; larger ones (a released model's weights, GBs
# that every run, rerun and refusal would read) by their size and modification time.
HASHED_MODEL_FILE_BYTES = 64 << 20


def model_identity(folder: Path) -> dict:
    """What names a model folder's scores: each of its files. Names and sizes were not enough:
    weights trained again, or scaled, keep both, and a resumed run mixed two models."""
    if not (folder / "config.json").is_file():
        raise ConfigError(f"probe.model: {folder} has no config.json (a Hugging Face TransNormerLLM folder)")
    return {"files": sorted((p.name, _file_identity(p)) for p in folder.iterdir() if p.is_file())}


def _file_identity(path: Path) -> str:
    stat = path.stat()
    if stat.st_size > HASHED_MODEL_FILE_BYTES:
        return f"{stat.st_size} bytes, modified {stat.st_mtime_ns}"
    return _file_sha256(path)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(probe: ProbeConfig, folder: Path, shards: dict, max_shard_bytes: int) -> Fingerprint:
    """What decides the stage's output: the model, how documents are scored and judged, the shard
    size and the input shards. The device is left out: a run may resume on another machine."""
    relevant = {"probe": probe.model_dump(exclude={"model": True, "device": True, "train": True}),
                "model": model_identity(folder), "max_shard_bytes": max_shard_bytes, **shards}
    return settings_digest(relevant)


@dataclass
class ScoreStep:
    """Scores a unit's documents under the model into ``.work/scores/<unit>.arrow`` (nll,
    n_tokens, n_chars, lang, main_nll, main_chars, unread_nll: one row per input row)."""

    folder: Path
    scores_dir: Path
    device: str
    dtype: str
    token_budget: int
    chunk_tokens: int
    fold_script: bool
    # Loaded in the worker, on its first unit.
    _loaded: tuple | None = field(default=None, repr=False)

    def _load(self):
        import torch

        from datacleaning.model_probe.loader import load_tokenizer
        from datacleaning.model_probe.main_script import MainScript
        from datacleaning.model_probe.score import load_scorer
        # One thread per worker: the executor scales with processes, one per core. It is also what
        # keeps a forked worker safe: its OpenMP pool, copied from a parent that had used torch
        # with several threads, would hang the first parallel region.
        torch.set_num_threads(1)
        dtype = None if self.dtype == "auto" else getattr(torch, self.dtype)
        scorer = load_scorer(self.folder, device=self.device, dtype=dtype, token_budget=self.token_budget,
                             chunk_tokens=self.chunk_tokens)
        tokenizer = load_tokenizer(self.folder)
        return scorer, tokenizer, MainScript.of(tokenizer)

    def __call__(self, unit: FileUnit, context: UnitContext) -> dict:
        if self._loaded is None:
            self._loaded = self._load()
        scorer, tokenizer, main_script = self._loaded
        self.scores_dir.mkdir(parents=True, exist_ok=True)
        # The precision "auto" chose on this machine, for stats.json.
        counts = {"documents": 0, "tokens": 0, "scoring_seconds": 0.0,
                  "dtype": str(next(scorer.model.parameters()).dtype).removeprefix("torch.")}
        with atomic_file(self.scores_dir / f"{unit.id}.arrow") as out, \
                pa.ipc.new_file(out, SCORES_SCHEMA) as writer:
            for batch in read_unit_batches(unit, list(ProbeStage.input_columns)):
                context.check_stop()
                texts = model_texts(batch.column("text"), self.fold_script)
                ids = encode_texts(tokenizer, texts)
                masks = [main_script.mask(doc, lang) for doc, lang in zip(ids, batch.column("lang").to_pylist())]
                began = time.perf_counter()
                progress = _TokenProgress(context, unit.size // max(unit.end - unit.start, 1),
                                          sum(doc.size for doc in ids))
                scores = scorer.score(ids, context.check_stop, masks, progress.scored)
                counts["scoring_seconds"] += time.perf_counter() - began
                n_tokens = np.fromiter((s.n_tokens for s in scores), np.int32, len(scores))
                nll = np.fromiter((s.nll for s in scores), np.float64, len(scores))
                # One document is enough: a NaN passes every limit and would be kept unscored.
                broken = ~np.isfinite(nll) & (n_tokens > 0)
                if broken.any():
                    raise RuntimeError(
                        f"the model gives no finite score to {int(broken.sum())} of {len(scores)} documents: its "
                        f"weights are damaged, or its sums overflow in {next(scorer.model.parameters()).dtype} "
                        f"(try --dtype float32)")
                writer.write_batch(pa.record_batch([
                    pa.array(nll), pa.array(n_tokens),
                    pc.utf8_length(batch.column("text")).cast(pa.int64()), batch.column("lang"),
                    pa.array([s.main_nll for s in scores], pa.float64()),
                    pa.array([main_script.chars(doc, m) for doc, m in zip(ids, masks)], pa.int64()),
                    pa.array(unread_nll(tokenizer, unread_chars(tokenizer, texts, ids)), pa.float64()),
                ], schema=SCORES_SCHEMA))
                counts["documents"] += len(scores)
                counts["tokens"] += int(n_tokens.sum())
                progress.finish()
        return counts


class _TokenProgress:
    """A record batch's share of its unit's bytes on the progress bar, reported as its tokens are
    scored: one batch of long documents is minutes of work on a CPU."""

    def __init__(self, context: UnitContext, share: int, tokens: int):
        self.context, self.share, self.tokens = context, share, max(tokens, 1)
        self.done = self.reported = 0

    def scored(self, tokens: int) -> None:
        self.done += tokens
        self._report(self.share * self.done // self.tokens)

    def finish(self) -> None:
        self._report(self.share)

    def _report(self, upto: int) -> None:
        self.context.progress(upto - self.reported)
        self.reported = upto


def read_scores(path: Path) -> pa.Table:
    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_file(source).read_all()


def nll_per_char(scores: pa.Table | pa.RecordBatch) -> pa.Array:
    """nll / characters of the text, null for a document of no tokens: unlike the per-token
    perplexity, it does not reward text that the tokenizer splits into many cheap pieces
    (shuffled Chinese falls apart into single characters). Characters the tokenizer has no piece
    for add log(vocabulary size) each (text.unread_nll), not the little their ``<unk>`` costs."""
    n_chars = scores.column("n_chars").to_numpy().astype(np.float64)
    empty = scores.column("n_tokens").to_numpy() == 0
    nll = scores.column("nll").to_numpy() + scores.column("unread_nll").to_numpy()
    per_char = nll / np.where(empty | (n_chars == 0), 1.0, n_chars)
    return pa.array(per_char, pa.float64(), mask=empty)


def perplexity(scores: pa.Table | pa.RecordBatch) -> pa.Array:
    """exp(nll / n_tokens), null for a document of no tokens."""
    n_tokens = scores.column("n_tokens").to_numpy().astype(np.float64)
    nll = scores.column("nll").to_numpy()
    empty = n_tokens == 0
    ppl = np.exp(nll / np.where(empty, 1.0, n_tokens))
    return pa.array(ppl, pa.float64(), mask=empty)


def main_nll_per_char(scores: pa.Table | pa.RecordBatch) -> pa.Array:
    """main_nll / the characters of the pieces in the document's own script, null for a document
    without such a piece or of a language without a script in ``main_script.SCRIPTS``."""
    chars = scores.column("main_chars").to_numpy()
    none = chars == 0
    return pa.array(scores.column("main_nll").to_numpy() / np.where(none, 1, chars), pa.float64(), mask=none)


# Each score a limit, a bucket or the stats read, from a scores file's columns.
SCORE_OF = {"ppl": perplexity, "nll_per_char": nll_per_char, "main_nll_per_char": main_nll_per_char}
# Digits of the quantiles stats.json reports.
QUANTILE_DIGITS = {"ppl": 3, "nll_per_char": 4, "main_nll_per_char": 4}


def language_quantiles(score_files: list[Path], quantiles: list[float], bucket_by: str = "ppl") -> dict[str, dict]:
    """Per language: documents (with tokens), tokens, the reported quantiles and histogram of
    each score over the documents that have it, and the cut points of ``bucket_by`` at
    ``quantiles``."""
    values: dict[str, dict[str, list[np.ndarray]]] = {}
    tokens: dict[str, int] = {}
    for path in score_files:
        table = read_scores(path)
        scores = {name: score(table).to_numpy(zero_copy_only=False) for name, score in SCORE_OF.items()}
        langs = pc.fill_null(table.column("lang"), "").combine_chunks().dictionary_encode()
        which = langs.indices.to_numpy(zero_copy_only=False)
        counts = table.column("n_tokens").to_numpy()
        for i, lang in enumerate(langs.dictionary.to_pylist()):
            rows = which == i
            for name, score in scores.items():
                # float32 for the reported quantiles; the cuts are compared with each document's
                # score, so those are kept exact.
                values.setdefault(lang, {}).setdefault(name, []).append(
                    score[rows & ~np.isnan(score)].astype(np.float64 if name == bucket_by else np.float32))
            tokens[lang] = tokens.get(lang, 0) + int(counts[rows].sum())
    report = {}
    for lang in sorted(values):
        joined = {name: np.concatenate(parts) for name, parts in values[lang].items()}
        report[lang] = {"documents": int(joined["ppl"].size), "tokens": tokens[lang]}
        for name, score in joined.items():
            report[lang][f"{name}_quantiles"] = _quantiles(score, QUANTILE_DIGITS[name])
            report[lang][f"{name}_histogram"] = two_digit_histogram(score)
        cut_values = joined[bucket_by]
        report[lang]["cuts"] = np.quantile(cut_values, quantiles).tolist() if cut_values.size and quantiles else []
    return report


def _quantiles(values: np.ndarray, digits: int) -> dict[str, float | None]:
    at = np.quantile(values, REPORTED_QUANTILES).tolist() if values.size else [None] * len(REPORTED_QUANTILES)
    return {f"{q:g}": (round(v, digits) if v is not None else None) for q, v in zip(REPORTED_QUANTILES, at)}


def output_schema(input_schema: pa.Schema, bucket_by: str | None) -> pa.Schema:
    """The input's columns (less score columns an earlier probe left), then the scores, then the
    bucket of ``bucket_by`` (None: no bucket column)."""
    fields = [f for f in input_schema if f.name not in OWN_COLUMNS]
    fields += [pa.field("nll", pa.float64()), pa.field("n_tokens", pa.int32()),
               *(pa.field(name, pa.float64()) for name in JUDGED_SCORES)]
    if bucket_by:
        fields.append(pa.field(BUCKET_COLUMNS[bucket_by], pa.int8()))
    return pa.schema(fields)


VERDICT_COLUMNS = ("rejected_by", "reject_value")


def rejected_schema(kept: pa.Schema) -> pa.Schema:
    """The kept columns and the probe's verdict, last; an input's own verdict (a ``rejected/``
    folder probed) gives way to it, as two columns of one name cannot be read."""
    return pa.schema([*(f for f in kept if f.name not in VERDICT_COLUMNS),
                      *(pa.field(name, pa.string()) for name in VERDICT_COLUMNS)])


def _limits(by_language: dict[str, float], langs: np.ndarray) -> np.ndarray:
    """Each row's limit: its language's, else the ``*`` one, else none (infinity)."""
    default = by_language.get(ANY_LANGUAGE, np.inf)
    return np.array([by_language.get(lang, default) for lang in langs], np.float64)


@dataclass
class WriteStep:
    """Writes a unit's rows with their scores: to ``kept/``, or to ``rejected/`` when a score is
    above its language's limit in ``limits`` (per score of ``JUDGED_SCORES``: ``probe.max_ppl``,
    ``probe.max_nll_per_char``, ``probe.max_main_nll_per_char``); ``rejected_by`` names the first
    limit passed, in that order."""

    scores_dir: Path
    output: StoragePath
    schema: pa.Schema
    cuts: dict[str, list[float]]
    bucket_by: str
    limits: dict[str, dict[str, float]]
    max_shard_bytes: int

    def __call__(self, unit: FileUnit, context: UnitContext) -> dict:
        scores = read_scores(self.scores_dir / f"{unit.id}.arrow")
        bucketed = BUCKET_COLUMNS[self.bucket_by] in self.schema.names
        schemas = {KEPT: self.schema, REJECTED: rejected_schema(self.schema)}
        first = 0
        counts: dict = {}
        with unit_writers(self.output, unit.id, schemas, self.max_shard_bytes) as writers:
            for batch in read_unit_batches(unit):
                context.check_stop()
                rows = scores.slice(first, batch.num_rows)
                first += batch.num_rows
                langs = np.array(pc.fill_null(batch.column("lang"), "").to_pylist(), dtype=object)
                judged = {name: SCORE_OF[name](rows) for name in JUDGED_SCORES}
                values = {name: array.to_numpy(zero_copy_only=False) for name, array in judged.items()}
                columns = [batch.column(f.name) for f in self.schema if f.name not in OWN_COLUMNS]
                columns += [rows.column("nll").combine_chunks(), rows.column("n_tokens").combine_chunks(),
                            *judged.values()]
                if bucketed:
                    columns.append(self._buckets(values[self.bucket_by], langs))
                scored = pa.RecordBatch.from_arrays(columns, schema=self.schema)
                # NaN (no score) compares False: kept.
                over = {name: values[name] > _limits(self.limits.get(name, {}), langs) for name in JUDGED_SCORES}
                reject = np.logical_or.reduce(list(over.values()))
                writers[KEPT].add_batch(scored.filter(pa.array(~reject)))
                count_by_column(counts, batch, ~reject, "rejected_docs")
                if reject.any():
                    rejected = scored.filter(pa.array(reject))
                    by = np.full(len(langs), "", dtype=object)
                    value = np.zeros(len(langs))
                    for name in reversed(JUDGED_SCORES):  # the first limit passed is written last
                        by[over[name]] = f"probe.max_{name}"
                        value[over[name]] = values[name][over[name]]
                    carried = [rejected.column(name) for name in schemas[REJECTED].names[:-len(VERDICT_COLUMNS)]]
                    writers[REJECTED].add_batch(pa.RecordBatch.from_arrays(
                        [*carried, pa.array(by[reject].tolist()),
                         pa.array([f"{v:.6g}" for v in value[reject]])], schema=schemas[REJECTED]))
                context.progress(unit.size // max(unit.end - unit.start, 1))
        if first != scores.num_rows:
            raise RuntimeError(f"unit {unit.id}: {scores.num_rows} scores for {first} input rows")
        return {"input_docs": first, "kept_docs": writers[KEPT].rows, "rejected_docs": writers[REJECTED].rows,
                **counts}

    def _buckets(self, values: np.ndarray, langs: np.ndarray) -> pa.Array:
        buckets = np.zeros(len(langs), np.int8)
        for lang in set(langs):
            rows = langs == lang
            # A score above a cut is past it; one on it (the median of an odd count) is not, as
            # `ppl > cut` on the stored columns says.
            buckets[rows] = np.searchsorted(np.asarray(self.cuts.get(lang, []), np.float64), values[rows], side="left")
        return pa.array(buckets, pa.int8(), mask=np.isnan(values))


@dataclass
class ProbePlan:
    shards: ShardInput
    folder: Path
    work: StoragePath


class ProbeStage(Stage):
    """Kept shards in, the same documents with their perplexity out (this module's note has the
    layout)."""

    name = "probe"
    input_columns = ("text", "lang")

    def plan(self, config: Config, source, output: StoragePath) -> Plan:
        probe = config.probe
        shards = open_shard_input(source, self.name, self.input_columns, probe.unit_bytes, output)
        folder = model_folder(config)
        # Before the output is claimed: a model mended, or a GPU found, after these errors finds its
        # folder free.
        _check_model(folder, probe.fold_script)
        resolve_device(probe)
        return Plan(fingerprint(probe, folder, input_record(shards.units, probe.unit_bytes), config.output.max_shard_bytes),
                    len(shards.units), {"units": len(shards.units), "model": folder},
                    ProbePlan(shards, folder, config.work_folder("probe", output)))

    def execute(self, config: Config, plan: Plan, output: StoragePath) -> tuple[dict, RunOutcome]:
        probe, units = config.probe, plan.state.shards.units
        device = resolve_device(probe)
        # One process drives the GPU; on a CPU every worker scores with its share of the cores.
        score_workers = 1 if device == "cuda" else config.run.workers
        scores_dir = plan.state.work / "scores"
        score = ScoreStep(plan.state.folder, scores_dir, device, probe.dtype, probe.token_budget, probe.chunk_tokens,
                          probe.fold_script)
        steps = Steps("probe", output, config.run.workers, config.run.progress, Engine.of(config.run))
        completed = steps.run("score", units, score, workers=score_workers,
                              gpus_per_unit=1 if device == "cuda" else 0)
        languages: dict[str, dict] = {}
        if completed:
            languages = language_quantiles([scores_dir / f"{u.id}.arrow" for u in units], probe.buckets,
                                           probe.bucket_by)
            write = WriteStep(scores_dir, output,
                              output_schema(plan.state.shards.schema, probe.bucket_by if probe.buckets else None),
                              {lang: report["cuts"] for lang, report in languages.items()}, probe.bucket_by,
                              {"ppl": probe.max_ppl, "nll_per_char": probe.max_nll_per_char,
                               "main_nll_per_char": probe.max_main_nll_per_char}, config.output.max_shard_bytes)
            completed = steps.run("write", units, write)
        return _stats(steps, config, plan.state.folder, device, languages, units, completed), steps.outcome

    def finish_log(self, stats: dict) -> dict:
        return {"kept": stats["kept_docs"], "rejected": stats["rejected_docs"]}

    def work_files(self, config: Config, plan: Plan, output: StoragePath) -> list[StoragePath]:
        return [plan.state.work]

    def summary(self, stats: dict) -> str:
        return format_probe_summary(stats)

    def add_commands(self, sub: argparse._SubParsersAction) -> None:
        from datacleaning.model_probe.commands import add_commands  # it imports this package: not at module level
        add_commands(sub)


def _stats(steps: Steps, config: Config, folder: Path, device: str, languages: dict, units: list[FileUnit],
           completed: bool) -> dict:
    score = steps.stats.get("score", {})
    written = steps.stats.get("write", {})
    scoring = score.get("scoring_seconds", 0.0)
    return {
        "input_docs": written.get("input_docs", 0) if completed else score.get("documents", 0),
        "kept_docs": written.get("kept_docs", 0),
        "rejected_docs": written.get("rejected_docs", 0),
        "by_source": written.get("by_source", {}),
        "by_language": written.get("by_language", {}),
        "tokens": score.get("tokens", 0),
        "languages": {lang: {k: v for k, v in report.items() if k != "cuts"} for lang, report in languages.items()},
        "buckets": {"quantiles": config.probe.buckets, "by": config.probe.bucket_by,
                    "cuts": {lang: report["cuts"] for lang, report in languages.items()}} if config.probe.buckets else None,
        "max_ppl": config.probe.max_ppl,
        "max_nll_per_char": config.probe.max_nll_per_char,
        "max_main_nll_per_char": config.probe.max_main_nll_per_char,
        "model": str(folder),
        "device": device,
        "dtype": score.get("dtype", config.probe.dtype),
        # One worker's rate (tokens over the time its model spent scoring, summed over workers):
        # the model's own speed, without reading, tokenizing or writing.
        "scoring_tokens_per_second_per_worker": round(score.get("tokens", 0) / scoring) if scoring else None,
        "failed_units": steps.outcome.failed,
        "step_seconds": steps.seconds,
        "units": len(units),
    }


def format_probe_summary(stats: dict) -> str:
    """A readable summary of a probe-stage run."""
    lines = [
        f"probe: {stats.get('status', '?')} — {stats.get('units', 0)} units on {stats.get('device', '?')}, "
        f"{stats.get('wall_seconds', 0):.1f}s wall",
        f"  model        {stats.get('model')}",
        f"  documents    {stats.get('input_docs', 0):>12,}   kept {stats.get('kept_docs', 0):,}, "
        f"rejected {stats.get('rejected_docs', 0):,} (above a probe.max_* limit)",
        f"  tokens       {stats.get('tokens', 0):>12,}"
        + (f"   {stats['scoring_tokens_per_second_per_worker']:,} tokens/s per worker"
           if stats.get("scoring_tokens_per_second_per_worker") else ""),
    ]
    languages = stats.get("languages") or {}
    if languages:
        lines.append(f"  {'lang':<8}{'documents':>12}{'ppl p10':>10}{'p50':>10}{'p90':>10}")
        for lang, report in languages.items():
            q = report["ppl_quantiles"]
            shown = [f"{q[k]:>10.1f}" if q.get(k) is not None else f"{'-':>10}" for k in ("0.1", "0.5", "0.9")]
            lines.append(f"  {lang or '?':<8}{report['documents']:>12,}" + "".join(shown))
    return "\n".join(lines + failed_unit_lines(stats))


STAGE = ProbeStage()
