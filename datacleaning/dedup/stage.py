"""The dedup stage: the clean stage's kept shards in, deduplicated shards out.

Output layout of ``DIR``::

    kept/          the input's columns + dup_cluster (the cluster id of a kept representative, else null)
    removed/       id, dup_cluster, kept_id, dup_kind (exact | near | earlier_run | boilerplate)
    exact_index/   hash_hi, hash_lo, id of every kept document (with exact.save_index)
    stats.json     counters of every step; input_docs = kept_docs + removed_docs, also by_source
                   and by_language; the largest clusters (their representative's id and size)
    manifest.json  the fingerprint a resumed run must match
    .units/<step>/ completion records of each step's work units (what a rerun skips)
    .work/         the steps' intermediate files, deleted once the run is complete (under run.work_dir
                   instead when that is set, as it must be for a URL output)

Memory: the grouping steps, the clustering rounds among them, split their key space into as
many ranges as the budget (``dedup.memory_mb``, shared by the workers) needs; scan steps hold one
record batch and a bounded chunk of its text, or one unit's decisions. No step holds an array
over every document of the input, so the steps spread over the nodes of a cluster.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datacleaning import storage
from datacleaning.config import Config
from datacleaning.dedup.lsh import BandParams, band_params
from datacleaning.dedup.minhash import ALGORITHM
from datacleaning.dedup.runs import EXACT_RECORD, KEY_RECORD, PAIR_RECORD, balanced_bounds, load_array, \
    partition_count, run_length, save_array, worker_memory
from datacleaning.dedup.clustering import cluster
from datacleaning.dedup.steps import BAND_KEYS, EXACT_INDEX_SCHEMA, EXACT_KEYS, LINE_KEYS, REMOVED, BucketStep, \
    ExactFlagsStep, ExactStep, KeysStep, LinesStep, RunState, SignatureStep, VerifyStep, WorkLayout, WriteStep, \
    part_id, partition_unit
from datacleaning.dedup.text import DedupText
from datacleaning.errors import ConfigError
from datacleaning.execution import Engine, Part, RowRange, RunOutcome, Steps, load_done_stats
from datacleaning.manifest import Fingerprint, settings_digest
from datacleaning.shard_input import ShardInput, ShardInputError, input_record, input_schema, open_shard_input
from datacleaning.shards import iter_batches, shard_paths
from datacleaning.stages import Plan, Stage
from datacleaning.stats import failed_unit_lines, percent
from datacleaning.storage import StoragePath

# Clusters listed in stats.json, the largest first (a report shows what repeats most).
LARGEST_CLUSTERS = 20

# Candidate pairs pack two document ordinals into 64 bits.
MAX_DOCS = 1 << 32


def fingerprint(config: Config, shards: dict) -> Fingerprint:
    """What decides the stage's output: the dedup settings (the memory budget aside, which only
    changes how work is split), the shard size, the MinHash engine and the input shards."""
    relevant = {"dedup": config.dedup.model_dump(exclude={"memory_mb"}),
                "max_shard_bytes": config.output.max_shard_bytes, "algorithm": ALGORITHM, **shards}
    return settings_digest(relevant)


def _partitions(step: str, records: int, record_bytes: int, config: Config) -> list[Part]:
    parts = partition_count(records, record_bytes, config.dedup.memory_mb << 20, config.run.workers)
    return [partition_unit(step, p, parts, max(records * record_bytes // parts, 1)) for p in range(parts)]


def _boilerplate(state: RunState) -> np.ndarray:
    if not state.work.boilerplate.exists():
        found = [load_array(state.work.path("lines", f"{u.id}.npy")) for u in state.partitions["lines"]]
        save_array(state.work.boilerplate, np.sort(np.concatenate([np.zeros(0, np.uint64), *found])))
    return load_array(state.work.boilerplate)


@dataclass
class DedupPlan:
    shards: ShardInput
    params: BandParams | None
    index_dirs: list[StoragePath]
    work: WorkLayout


class DedupStage(Stage):
    """Kept shards in, exact and near duplicates removed (this module's note has the layout)."""

    name = "dedup"
    input_columns = ("id", "text", "lang")

    def plan(self, config: Config, source, output: StoragePath) -> Plan:
        dedup = config.dedup
        shards = open_shard_input(source, self.name, self.input_columns, dedup.unit_bytes, output)
        index_dirs = [storage.as_path(config.resolve(p)) for p in dedup.exact.index]
        for folder in index_dirs:
            if not shard_paths(folder):
                raise ConfigError(f"dedup.exact.index: no exact index shards in {folder}")
            input_schema(folder, "dedup.exact.index", tuple(EXACT_INDEX_SCHEMA.names))  # or which column it lacks
        params = (band_params(dedup.minhash.threshold, dedup.minhash.num_perm, dedup.minhash.bands,
                              dedup.minhash.rows, dedup.minhash.false_negative_weight)
                  if dedup.minhash.enabled else None)
        return Plan(fingerprint(config, input_record(shards.units, dedup.unit_bytes)), len(shards.units),
                    {"shards": len({u.path for u in shards.units}), "units": len(shards.units),
                     "workers": config.run.workers, "bands": params.bands if params else 0,
                     "rows": params.rows if params else 0},
                    DedupPlan(shards, params, index_dirs, WorkLayout(config.work_folder("dedup", output))))

    def execute(self, config: Config, plan: Plan, output: StoragePath) -> tuple[dict, RunOutcome]:
        dedup, planned = config.dedup, plan.state
        state = RunState(dedup, output, planned.work, planned.shards.units, planned.shards.schema, planned.params,
                         config.output.max_shard_bytes, planned.index_dirs,
                         worker_memory(dedup.memory_mb << 20, config.run.workers))
        steps = Steps("dedup", output, config.run.workers, config.run.progress, Engine.of(config.run))
        completed = _run_steps(steps, state, DedupText(dedup), config)
        stats = _stats(steps, state, config)
        if completed:
            stats["largest_clusters"] = largest_clusters(output / REMOVED)
        return stats, steps.outcome

    def finish_log(self, stats: dict) -> dict:
        return {"kept": stats.get("kept_docs", 0), "removed": stats.get("removed_docs", 0)}

    def work_files(self, config: Config, plan: Plan, output: StoragePath) -> list[StoragePath]:
        return [plan.state.work.root]

    def summary(self, stats: dict) -> str:
        return format_dedup_summary(stats)

    def add_commands(self, sub: argparse._SubParsersAction) -> None:
        from datacleaning.dedup.commands import add_commands  # it imports this package: not at module level
        add_commands(sub)


def largest_clusters(removed: StoragePath, count: int = LARGEST_CLUSTERS) -> list[dict]:
    """The ``count`` documents kept for the most removed copies of themselves: the id of each
    cluster's representative and the cluster's size (it and its copies)."""
    kept_ids = [batch.column("kept_id") for batch in iter_batches(removed, ["kept_id"])]
    if not kept_ids:
        return []
    counts = pc.value_counts(pa.chunked_array(kept_ids).drop_null()).to_pylist()
    counts.sort(key=lambda entry: (-entry["counts"], entry["values"]))
    return [{"representative": entry["values"], "size": entry["counts"] + 1} for entry in counts[:count]]


def _run_steps(steps: Steps, state: RunState, text: DedupText, config: Config) -> bool:
    dedup = config.dedup
    if not steps.run("keys", state.scan_units, KeysStep(state, text)):
        return False
    keys = load_done_stats(steps.state_dir("keys"), state.scan_units)
    state.unit_rows = np.array([s["rows"] for s in keys], dtype=np.int64)
    state.run_counts.update({kind: [s["runs"][kind] for s in keys] for kind in (EXACT_KEYS, LINE_KEYS)})
    if state.total_docs >= MAX_DOCS:
        raise ShardInputError(f"{state.total_docs:,} documents: one dedup run takes at most {MAX_DOCS - 1:,}")
    if dedup.exact.enabled:
        state.partitions["exact"] = _partitions("exact", state.total_docs, EXACT_RECORD.itemsize, config)
        if not steps.run("exact", state.partitions["exact"], ExactStep(state)):
            return False
        if not steps.run("flags", state.scan_units, ExactFlagsStep(state)):
            return False
    if dedup.lines.enabled:
        records = sum(run_length(path) for path in state.run_paths(LINE_KEYS))
        state.partitions["lines"] = _partitions("lines", records, KEY_RECORD.itemsize, config)
        if not steps.run("lines", state.partitions["lines"], LinesStep(state)):
            return False
        text.boilerplate = _boilerplate(state)
    if dedup.minhash.enabled:
        if not steps.run("signatures", state.scan_units, SignatureStep(state, text)):
            return False
        signed = load_done_stats(steps.state_dir("signatures"), state.scan_units)
        state.run_counts[BAND_KEYS] = [s["runs"][BAND_KEYS] for s in signed]
        signatures = steps.stats["signatures"]
        state.partitions["buckets"] = _partitions("buckets", signatures["signed_docs"] * state.params.bands,
                                                  KEY_RECORD.itemsize, config)
        if not steps.run("buckets", state.partitions["buckets"], BucketStep(state)):
            return False
        if dedup.minhash.verify:
            state.shingles_per_doc = signatures["shingles"] / max(signatures["signed_docs"], 1)
            edges = state.partition_files("edges", "buckets")
            pairs = sum(run_length(path) for path in edges)
            parts = partition_count(pairs, PAIR_RECORD.itemsize, dedup.memory_mb << 20, config.run.workers)
            # Ranges of first documents with equal numbers of pairs: in groups of near duplicates
            # the first document (of every bucket) is mostly the group's earliest.
            state.partitions["verify"] = [
                RowRange(part_id("verify", p, parts), max(pairs // parts, 1), "verify", low, high)
                for p, (low, high) in enumerate(balanced_bounds(edges, "a", state.total_docs, parts))]
            if not steps.run("verify", state.partitions["verify"], VerifyStep(state)):
                return False
    if not cluster(steps, state, dedup.memory_mb << 20, config.run.workers):
        return False
    return steps.run("write", state.scan_units, WriteStep(state, text))


def _stats(steps: Steps, state: RunState, config: Config) -> dict:
    write = steps.stats.get("write", {})
    heads, decide = steps.stats.get("heads", {}), steps.stats.get("decide", {})
    signatures = steps.stats.get("signatures", {})
    stats = {
        "input_docs": state.total_docs,
        "kept_docs": write.get("kept_docs", 0),
        "removed_docs": write.get("removed_docs", 0),
        "exact_duplicates": decide.get("exact_duplicates", 0),
        "near_duplicates": decide.get("near_duplicates", 0),
        "earlier_run_duplicates": decide.get("earlier_run_duplicates", 0),
        "boilerplate_only_docs": write.get("boilerplate_only_docs", 0),
        "by_source": write.get("by_source", {}),
        "by_language": write.get("by_language", {}),
        "clusters": heads.get("clusters", 0),
        "cluster_sizes": dict(sorted(heads.get("cluster_sizes", {}).items(), key=lambda kv: int(kv[0]))),
        "no_content_docs": steps.stats.get("keys", {}).get("no_content_docs", 0),
        "minhash": {
            "engine": ALGORITHM, "num_perm": config.dedup.minhash.num_perm,
            "bands": state.params.bands if state.params else 0, "rows": state.params.rows if state.params else 0,
            "threshold": config.dedup.minhash.threshold,
            # Chance that two documents exactly at the threshold share a bucket (become candidates).
            "candidate_probability_at_threshold":
                round(state.params.collision_probability(config.dedup.minhash.threshold), 4) if state.params else 0,
            "signed_docs": signatures.get("signed_docs", 0), "short_docs": signatures.get("short_docs", 0),
            "unsigned_docs": signatures.get("unsigned_docs", 0), "shingles": signatures.get("shingles", 0),
            "candidate_pairs": steps.stats.get("buckets", {}).get("candidate_pairs", 0),
            "checked_pairs": steps.stats.get("verify", {}).get("pairs_checked", 0),
            "verified_pairs": steps.stats.get("verify", {}).get("pairs_verified", 0),
        },
        "lines": {"boilerplate_lines": steps.stats.get("lines", {}).get("boilerplate_lines", 0),
                  "lines_removed": write.get("lines_removed", 0),
                  "chars_removed": write.get("line_chars_removed", 0)},
        "failed_units": steps.outcome.failed,
        "step_seconds": steps.seconds,
        "partitions": {name: len(units) for name, units in state.partitions.items()},
        "units": len(state.scan_units),
    }
    return stats


def _size_ranges(sizes: dict[str, int]) -> list[tuple[str, int]]:
    """Cluster counts by size in ranges 2, 3-4, 5-8, ... (stats.json keeps every size)."""
    ranges: dict[int, int] = {}
    for size, count in sizes.items():
        top = 1 << (int(size) - 1).bit_length()
        ranges[top] = ranges.get(top, 0) + count
    return [(str(top) if top == 2 else f"{top // 2 + 1}-{top}", count) for top, count in sorted(ranges.items())]


def format_dedup_summary(stats: dict) -> str:
    """A readable summary of a dedup-stage run."""
    n = stats.get("input_docs", 0)

    minhash = stats.get("minhash", {})
    lines = [
        f"dedup: {stats.get('status', '?')} — {stats.get('units', 0)} units, {stats.get('wall_seconds', 0):.1f}s wall",
        f"  input            {n:>10,} docs",
        f"  kept             {stats.get('kept_docs', 0):>10,} docs  {percent(stats.get('kept_docs', 0), n)}",
        f"  removed          {stats.get('removed_docs', 0):>10,} docs  {percent(stats.get('removed_docs', 0), n)}",
        f"    exact          {stats.get('exact_duplicates', 0):>10,}",
        f"    near           {stats.get('near_duplicates', 0):>10,}",
        f"    earlier runs   {stats.get('earlier_run_duplicates', 0):>10,}",
        f"    boilerplate    {stats.get('boilerplate_only_docs', 0):>10,}",
        f"  clusters         {stats.get('clusters', 0):>10,}   by size: "
        + (", ".join(f"{label}: {count:,}" for label, count in _size_ranges(stats.get("cluster_sizes", {}))) or "-"),
    ]
    if minhash.get("bands"):
        lines.append(f"  minhash          {minhash['num_perm']} permutations, {minhash['bands']} bands x "
                     f"{minhash['rows']} rows, threshold {minhash['threshold']}; {minhash['candidate_pairs']:,} "
                     f"candidate pairs, {minhash['checked_pairs']:,} checked, {minhash['verified_pairs']:,} similar; "
                     f"{minhash['short_docs']:,} short docs, {minhash['unsigned_docs']:,} without content")
    if stats.get("lines", {}).get("boilerplate_lines"):
        line_stats = stats["lines"]
        lines.append(f"  line dedup       {line_stats['boilerplate_lines']:,} boilerplate lines; "
                     f"{line_stats['lines_removed']:,} removed, {line_stats['chars_removed']:,} chars")
    return "\n".join(lines + failed_unit_lines(stats))


STAGE = DedupStage()
