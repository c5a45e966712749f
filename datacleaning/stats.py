"""Counters: merged from every work unit, written to ``stats.json``, summarised for people."""
from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datacleaning.shards import write_atomic
from datacleaning.storage import StoragePath


def merge_counters(parts: list[dict]) -> dict:
    """Sum numbers key by key, recursing into nested dicts; other values keep their first value."""
    merged: dict = {}
    for part in parts:
        _merge_into(merged, part)
    return merged


def _merge_into(target: dict, part: dict) -> None:
    for key, value in part.items():
        if isinstance(value, dict):
            _merge_into(target.setdefault(key, {}), value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            target[key] = target.get(key, 0) + value
        else:
            target.setdefault(key, value)


def count_by_column(counts: dict, batch, keep, dropped: str, text=None) -> None:
    """Add a batch's kept documents and characters, and those it drops (counted under ``dropped``,
    ``*_docs`` and ``*_chars``), to ``counts["by_source"]`` and ``counts["by_language"]`` by its
    ``source`` and ``lang`` columns (where it has them): what a report breaks a stage down by
    without reading its shards. Every entry holds all four counts, none or not: code that adds
    them up needs no default. ``text``: the texts the stage writes, if not the batch's."""
    chars = pc.utf8_length(batch.column("text") if text is None else text)
    dropped = dropped.removesuffix("_docs")
    outcome = pa.array(np.where(keep, "kept", dropped))
    for table, column in (("by_source", "source"), ("by_language", "lang")):
        if column not in batch.schema.names:
            continue
        grouped = pa.table({"key": batch.column(column), "outcome": outcome, "chars": chars}).group_by(
            ["key", "outcome"]).aggregate([("chars", "count"), ("chars", "sum")])
        for key, name, docs, n_chars in zip(*(grouped.column(c).to_pylist()
                                               for c in ("key", "outcome", "chars_count", "chars_sum"))):
            entries = counts.setdefault(table, {}).setdefault(
                key or "", {f"{o}_{n}": 0 for o in ("kept", dropped) for n in ("docs", "chars")})
            entries[f"{name}_docs"] += docs
            entries[f"{name}_chars"] += n_chars or 0


def two_digit_histogram(values: np.ndarray) -> dict[str, int]:
    """Values to two significant digits (written ``f"{x:.2g}"``) → how many: the histogram form of
    every distribution in ``stats.json`` (the clean stage's signals, the probe's scores), which a
    report bins as it likes. NaN has no bin."""
    values = values[~np.isnan(values)].astype(np.float64)
    if not values.size:
        return {}
    with np.errstate(divide="ignore"):
        scale = 10.0 ** (np.floor(np.log10(np.abs(values), where=values != 0, out=np.zeros_like(values))) - 1)
    rounded, counts = np.unique(np.round(values / scale) * scale, return_counts=True)
    histogram: dict[str, int] = {}
    for value, n in zip(rounded.tolist(), counts.tolist()):
        key = f"{value:.2g}"
        histogram[key] = histogram.get(key, 0) + n
    return histogram


def write_stats(path: StoragePath, stats: dict) -> None:
    write_atomic(path, json.dumps(stats, indent=2, ensure_ascii=False, sort_keys=False).encode())


def percent(part: float, whole: float) -> str:
    """``part`` as a share of ``whole`` for a summary's column: ``" 12.5%"``, ``"    -"`` of nothing."""
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def failed_unit_lines(stats: dict) -> list[str]:
    """A summary's line for each work unit that failed: its id and the last line of its error."""
    return [f"  FAILED unit {unit}: {error.strip().splitlines()[-1]}" for unit, error in stats.get("failed_units", {}).items()]


QUARANTINE_REASONS_SHOWN = 3


def format_clean_summary(stats: dict) -> str:
    """A readable summary of a clean-stage run."""
    n = stats.get("input_docs", 0)
    lines = [
        f"clean: {stats.get('status', '?')} — {stats.get('units', {}).get('completed', 0)}/"
        f"{stats.get('units', {}).get('total', 0)} units, {stats.get('wall_seconds', 0):.1f}s wall, "
        + (f"profile {stats['profile']}" if stats.get("profile") else "rules of the config (no bundled profile)"),
        f"  input        {n:>10,} docs  {stats.get('input_bytes', 0) / 1e6:10.1f} MB",
        f"  kept         {stats.get('kept_docs', 0):>10,} docs  {percent(stats.get('kept_docs', 0), n)}",
        f"  rejected     {stats.get('rejected_docs', 0):>10,} docs  {percent(stats.get('rejected_docs', 0), n)}",
        f"  quarantined  {stats.get('quarantined_docs', 0):>10,} docs  {percent(stats.get('quarantined_docs', 0), n)}",
    ]
    reasons = sorted(stats.get("quarantined_by", {}).items(), key=lambda kv: (-kv[1], kv[0]))
    shown, rest = reasons[:QUARANTINE_REASONS_SHOWN], reasons[QUARANTINE_REASONS_SHOWN:]
    lines += [f"    {count:>10,} {reason}" for reason, count in shown]
    if rest:
        reasons = f"{len(rest):,} other reason{'s' if len(rest) > 1 else ''}"
        lines.append(f"    {sum(c for _, c in rest):>10,} for {reasons} (stats.json's quarantined_by; the records "
                     f"in quarantine/)")
    rules = stats.get("rules", {})
    if rules:
        width = max(30, 2 + max(len(name) for name in rules))
        lines.append(f"  {'rule':<{width}}{'kind':<11}{'rejected':>10}{'edited':>10}{'chars -':>12}{'seconds':>9}")
        for name, c in rules.items():
            lines.append(f"  {name:<{width}}{c.get('kind', ''):<11}{c.get('rejected', 0):>10,}{c.get('edited', 0):>10,}"
                         f"{c.get('chars_removed', 0):>12,}{c.get('seconds', 0):>9.2f}")
            if c.get("checks"):
                checks = sorted(c["checks"].items(), key=lambda kv: -kv[1])
                lines.append("    by check: " + ", ".join(f"{check} {n:,}" for check, n in checks))
    skipped_files = stats.get("skipped_files", {})
    if skipped_files:
        lines.append("  input entries skipped (not read): " + ", ".join(f"{k} {v:,}" for k, v in skipped_files.items()))
    if stats.get("review_samples"):
        lines.append(f"  review samples: {stats['review_samples']:,} documents to read in review_samples.jsonl")
    if stats.get("ids_made"):
        lines.append(f"  ids made (records without a value in the id field '{stats.get('id_field', 'id')}', "
                     f"input.id_field): {stats['ids_made']:,}")
    if stats.get("renamed_ids"):
        lines.append(f"  ids renamed (repeated an earlier document's): {stats['renamed_ids']:,}")
    skipped = stats.get("skipped_records", {})
    if skipped:
        lines.append("  not documents (skipped): " + ", ".join(f"{k} {v:,}" for k, v in skipped.items()))
    return "\n".join(lines + failed_unit_lines(stats))
