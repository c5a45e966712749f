"""The dedup stage's clustering steps: duplicate pairs in, each document's decision out.

    graph      pair file  exact and near-duplicate pairs, both directions  → components/graph/
    large-NN   range      a large-star round over one range of documents   → components/large-NN/
    small-NN   range      a small-star round over one range of documents   → components/small-NN/
    heads      scan       the unit's cluster representatives: id, size     → heads/<unit>.arrow
    decide     scan       what becomes of each of the unit's documents     → decisions/<unit>.arrow

Rounds alternate (components.py) until a large-star round finds every cluster a star around its
first document; that round's edges are (document, representative) and its star centres are the
representatives. A round reads one range of documents' edges, a scan step one unit's documents
and the representatives they point at, so no step holds a per-document array of the whole input
and the rounds spread over a cluster like the other grouping steps. A round's plan (its ranges)
is saved before it runs, so the edges it read can be deleted once it is complete and a resumed
run still knows its units.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from datacleaning.dedup.components import CENTER_RECORD, both_directions, large_star, small_star
from datacleaning.dedup.runs import PAIR_RECORD, balanced_bounds, load_array, load_range, partition_count, \
    run_length, run_path, save_array
from datacleaning.dedup.steps import CLUSTER_COLUMN, DECISION_SCHEMA, EARLIER, EXACT, NEAR, REPRESENTATIVE, \
    RunState, decision_path, fetch_rows, part_id, read_arrow_file, write_table
from datacleaning.execution import FileUnit, RowRange, Steps, Unit, UnitContext, load_done_stats
from datacleaning.shards import write_atomic

COMPONENTS = "components"
GRAPH = "graph"
HEADS_SCHEMA = pa.schema([("ordinal", pa.int64()), ("id", pa.string())])


def _round_folder(step: str) -> str:
    return f"{COMPONENTS}/{step}"


@dataclass
class GraphStep:
    """One file of duplicate pairs (an exact-hash range's, or a verify range's) as edges in both
    directions, keyed by their first end."""

    state: RunState

    def __call__(self, unit: FileUnit, context: UnitContext) -> dict:
        pairs = load_array(Path(unit.path))
        writer = self.state.run_writer(_round_folder(GRAPH), unit, PAIR_RECORD, "a")
        writer.add(both_directions(pairs))
        return {"pairs": len(pairs), "runs": writer.close()}


@dataclass
class StarStep:
    """One large-star or small-star round over the edges of the unit's range of documents."""

    state: RunState
    inputs: list[Path]
    large: bool

    def __call__(self, unit: RowRange, context: UnitContext) -> dict:
        edges = load_range(self.inputs, "a", unit.start, unit.end, PAIR_RECORD)
        context.check_stop()
        writer = self.state.run_writer(_round_folder(unit.step), unit, PAIR_RECORD, "a")
        if not self.large:
            writer.add(small_star(edges))
            return {"edges": len(edges), "runs": writer.close()}
        out, centers, unsettled = large_star(edges)
        save_array(self.state.work.path(_round_folder(unit.step), f"{unit.id}.centers.npy"), centers)
        writer.add(out)
        return {"edges": len(edges), "unsettled_nodes": unsettled, "runs": writer.close()}


def _heads_path(state: RunState, unit_id: str) -> Path:
    return state.work.path("heads", f"{unit_id}.arrow")


@dataclass
class HeadsStep:
    """The unit's documents that represent a cluster: their ids (for the decisions of the
    documents they stand for) and the sizes of their clusters."""

    state: RunState
    centers: list[Path]

    def __call__(self, unit: FileUnit, context: UnitContext) -> dict:
        state = self.state
        _, low, high = state.unit_span(unit.id)
        centers = load_range(self.centers, "doc", low, high, CENTER_RECORD)
        ordinals = centers["doc"].astype(np.int64)
        ids = np.empty(len(ordinals), dtype=object)
        for found, batch in fetch_rows(state, ordinals, ["id"]):
            ids[found] = batch.column("id").to_pylist()
        write_table(_heads_path(state, unit.id), pa.table({"ordinal": ordinals, "id": pa.array(ids, pa.string())},
                                                           schema=HEADS_SCHEMA))
        sizes, counts = np.unique(centers["members"].astype(np.int64) + 1, return_counts=True)
        return {"clusters": len(centers),
                "cluster_sizes": {str(size): int(count) for size, count in zip(sizes.tolist(), counts.tolist())}}


@dataclass
class DecideStep:
    """For each of the unit's documents in a cluster: kept (the representative, its first
    document in input order, whose ordinal is the cluster's id) or removed as an exact or near
    duplicate of it; and the documents an earlier run's index removes."""

    state: RunState
    stars: list[Path]

    def __call__(self, unit: FileUnit, context: UnitContext) -> dict:
        state = self.state
        number, low, high = state.unit_span(unit.id)
        star = load_range(self.stars, "a", low, high, PAIR_RECORD)
        star = star[np.argsort(star["a"])]
        members = star["a"].astype(np.int64)
        kept_by = star["b"].astype(np.int64)
        exact = state.exact_removed(number)[members - low]
        earlier = state.earlier(low, high)
        heads = read_arrow_file(_heads_path(state, unit.id))
        context.check_stop()
        head_ordinals = heads.column("ordinal").to_numpy()
        table = pa.table({
            "row": np.concatenate([members, earlier.column("ordinal").to_numpy(), head_ordinals]) - low,
            CLUSTER_COLUMN: pa.concat_arrays([pa.array(kept_by, pa.int64()), pa.nulls(earlier.num_rows, pa.int64()),
                                              pa.array(head_ordinals, pa.int64())]),
            "kept_id": pa.concat_arrays([self._head_ids(kept_by), earlier.column("kept_id").combine_chunks(),
                                         pa.nulls(heads.num_rows, pa.string())]),
            "dup_kind": pa.array(np.concatenate([np.where(exact, EXACT, NEAR).astype(object),
                                                 np.full(earlier.num_rows, EARLIER, object),
                                                 np.full(heads.num_rows, REPRESENTATIVE, object)]), pa.string()),
        }, schema=DECISION_SCHEMA).sort_by("row")
        write_table(decision_path(state, unit.id), table)
        return {"exact_duplicates": int(exact.sum()), "near_duplicates": int((~exact).sum()),
                "earlier_run_duplicates": earlier.num_rows}

    def _head_ids(self, kept_by: np.ndarray) -> pa.Array:
        """The ids of the representatives ``kept_by``, read from the heads files of their units."""
        ids = np.empty(len(kept_by), dtype=object)
        units = self.state.unit_of(kept_by)
        for number in np.unique(units).tolist():
            mine = units == number
            heads = read_arrow_file(_heads_path(self.state, self.state.scan_units[number].id))
            position = np.searchsorted(heads.column("ordinal").to_numpy(), kept_by[mine])
            ids[mine] = heads.column("id").take(pa.array(position)).to_pylist()
        return pa.array(ids, pa.string())


def _pair_files(state: RunState) -> list[Path]:
    files = []
    if state.config.exact.enabled:
        files += [state.work.path("exact", f"{part.id}.pairs.npy") for part in state.partitions["exact"]]
    if state.config.minhash.enabled:
        files += (state.partition_files("verified", "verify") if state.config.minhash.verify
                  else state.partition_files("edges", "buckets"))
    return files


def _outputs(steps: Steps, state: RunState, step: str, units: list[Unit]) -> list[Path]:
    """The sorted runs the units of a graph or round step wrote."""
    folder = state.work.folder(_round_folder(step))
    done = load_done_stats(steps.state_dir(step), units)
    return [run_path(folder, unit.id, n) for unit, stats in zip(units, done) for n in range(stats["runs"])]


def _round_units(state: RunState, step: str, inputs: list[Path], memory_bytes: int, workers: int) -> list[RowRange]:
    """The round's ranges of documents, each holding about as many edges, planned once: the saved
    plan outlives the inputs it was made from."""
    plan = state.work.path(COMPONENTS, f"{step}.plan.json")
    if not plan.exists():
        edges = sum(run_length(path) for path in inputs)
        parts = partition_count(edges, PAIR_RECORD.itemsize, memory_bytes, workers)
        size = max(edges * PAIR_RECORD.itemsize // parts, 1)
        ranges = [[low, high, size] for low, high in balanced_bounds(inputs, "a", state.total_docs, parts)]
        write_atomic(plan, json.dumps(ranges).encode())
    ranges = json.loads(plan.read_text())
    return [RowRange(part_id(step, p, len(ranges)), size, step, low, high)
            for p, (low, high, size) in enumerate(ranges)]


def cluster(steps: Steps, state: RunState, memory_bytes: int, workers: int) -> bool:
    """Run the clustering steps; False when one of them did not complete."""
    graph = [FileUnit(f"{GRAPH}-{path.stem}", max(path.stat().st_size, 1), str(path), GRAPH, 0, None, GRAPH)
             for path in _pair_files(state)]
    if not steps.run(GRAPH, graph, GraphStep(state)):
        return False
    previous, edges = GRAPH, _outputs(steps, state, GRAPH, graph)
    number = 0
    while True:
        number += 1
        for large in (True, False):
            step = f"{'large' if large else 'small'}-{number:02d}"
            units = _round_units(state, step, edges, memory_bytes, workers)
            state.partitions[step] = units
            if not steps.run(step, units, StarStep(state, edges, large)):
                return False
            shutil.rmtree(state.work.root / _round_folder(previous), ignore_errors=True)
            previous, edges = step, _outputs(steps, state, step, units)
            if large and steps.stats[step]["unsettled_nodes"] == 0:
                centers = [state.work.path(_round_folder(step), f"{u.id}.centers.npy") for u in units]
                return (steps.run("heads", state.scan_units, HeadsStep(state, centers))
                        and steps.run("decide", state.scan_units, DecideStep(state, edges)))
