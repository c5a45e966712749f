"""The clean stage: raw dumps in, ``kept/``, ``rejected/`` and ``quarantine/`` Arrow shards out.

Output layout of ``DIR``::

    kept/        id, text, source, lang, meta, edits, scores, signals
    rejected/    id, text (as read), source, lang, meta, rejected_by, reject_value, scores, signals
    quarantine/  file, offset, raw, error
    stats.json   counters merged from every unit; input_docs = kept + rejected + quarantined; the
                 same by_source and by_language (documents and characters read and kept, rejections
                 and edits by rule, records quarantined: under their file's name and unidentified);
                 signals: per language, each filter's measured values (label.field) to two
                 significant digits → documents;
                 renamed_ids: documents whose id repeated one before them (unique_ids.py);
                 ids_made: documents of records with no value in input.id_field (id_field names it),
                 whose id the reader made
    samples/     each unit's candidate review samples; review_samples.jsonl the run's (samples.py)
    .units/      one completion record per finished work unit (what a rerun skips)
    manifest.json  the config fingerprint a resumed run must match
"""
from __future__ import annotations

import argparse
import os
import re
from collections import Counter
from dataclasses import dataclass

import pyarrow as pa

from datacleaning import storage
from datacleaning.cleaning.rule_chain import DocumentBatch, RuleChain, Verdict, languages_judged
from datacleaning.cleaning.samples import SAMPLES, SAMPLES_SCHEMA, UnitSamples, merge_samples
from datacleaning.cleaning.unique_ids import make_ids_unique
from datacleaning.config import Config, ReviewSamplesConfig
from datacleaning.document import Document, Quarantined
from datacleaning.errors import ConfigError, RuleFailure
from datacleaning.execution import UNITS_DIR, Engine, FileUnit, RunOutcome, UnitContext, load_done_stats, run_units
from datacleaning.execution.units import unit_size_record
from datacleaning.manifest import Fingerprint, settings_digest
from datacleaning.readers import InputFile, ReaderOptions, discover, plan_units, read_unit
from datacleaning.readers.records import exact_json_text, json_text
from datacleaning.readers.warc import SkippedRecord
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import build_rules
from datacleaning.shards import unit_writers
from datacleaning.stages import Plan, Stage
from datacleaning.stats import format_clean_summary, merge_counters
from datacleaning.storage import StoragePath


KEPT, REJECTED, QUARANTINE = "kept", "rejected", "quarantine"
# The language key of documents rejected before their language was identified (empty, too long,
# screened out as read).
UNIDENTIFIED = "unidentified"

KEPT_SCHEMA = pa.schema([
    ("id", pa.string()), ("text", pa.string()), ("source", pa.string()), ("lang", pa.string()),
    ("meta", pa.string()), ("edits", pa.string()), ("scores", pa.string()),
])
REJECTED_SCHEMA = pa.schema([
    ("id", pa.string()), ("text", pa.string()), ("source", pa.string()), ("lang", pa.string()),
    ("meta", pa.string()), ("rejected_by", pa.string()), ("reject_value", pa.string()), ("scores", pa.string()),
])
QUARANTINE_SCHEMA = pa.schema([
    ("file", pa.string()), ("offset", pa.int64()), ("raw", pa.large_binary()), ("error", pa.string()),
])


SIGNAL_TYPES = {"int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_()}
NUMERIC_SIGNALS = ("int64", "float64")
# The field of a filter that measures a bare number.
SCALAR_SIGNAL = "value"


def signals_type(filters: list[tuple[str, Filter]]) -> pa.StructType:
    """The ``signals`` column: a struct per filter that declares what it measures (Filter.signals),
    under the filter's label, null for a document the filter did not measure."""
    fields = []
    for label, rule in filters:
        unknown = sorted(set(rule.signals.values()) - set(SIGNAL_TYPES))
        if unknown:
            raise ConfigError(f"filter {label}: signals of unknown type {', '.join(unknown)} "
                              f"(known: {', '.join(SIGNAL_TYPES)})")
        if rule.signals:
            fields.append(pa.field(label, pa.struct([pa.field(name, SIGNAL_TYPES[kind])
                                                     for name, kind in rule.signals.items()])))
    return pa.struct(fields)


def shard_schemas(filters: list[tuple[str, Filter]]) -> dict[str, pa.Schema]:
    """The schemas of the kept, rejected and quarantine shards of a run with these filters."""
    signals = pa.field("signals", signals_type(filters))
    return {KEPT: KEPT_SCHEMA.append(signals), REJECTED: REJECTED_SCHEMA.append(signals), QUARANTINE: QUARANTINE_SCHEMA}


def kept_row(doc: Document, declared: list[str]) -> dict:
    """A kept shard's row for a cleaned document; ``declared``: the filters with typed signals."""
    return {"id": doc.id, "text": doc.text, "source": doc.source, "lang": doc.lang, "meta": doc.meta,
            "edits": json_text(doc.edits), "scores": scores_text(doc),
            "signals": signals_row(declared, doc.scores)}


def rejected_row(doc: Document, verdict: Verdict, declared: list[str]) -> dict:
    """A rejected shard's row: the text as read, what rejected it and what the filters measured."""
    return {"id": doc.id, "text": doc.original_text, "source": doc.source, "lang": doc.lang, "meta": doc.meta,
            "rejected_by": verdict.rejected_by, "reject_value": json_text(verdict.value),
            "scores": scores_text(doc), "signals": signals_row(declared, doc.scores)}


def scores_text(doc: Document) -> str:
    """The document's ``scores`` as JSON that a rejudge reads back as the values measured; a value
    that would read back as something else (a set as its text, an object as its repr) is its
    rule's failure on this document, since a rejudge would judge it otherwise or not at all."""
    try:
        return exact_json_text(doc.scores)
    except (TypeError, ValueError):
        pass
    for label, value in doc.scores.items():
        try:
            exact_json_text(value)
        except (TypeError, ValueError) as e:
            raise RuleFailure(label, doc.id, TypeError(
                f"measured {type(value).__name__}, which the scores JSON cannot store and read back as it is "
                f"({e})")) from e
    return exact_json_text(doc.scores)


def signals_row(declared: list[str], scores: dict) -> dict:
    """The measured values of the filters that declare theirs, by label; Arrow keeps the declared
    fields of each and leaves the rest (which stays in ``scores``)."""
    row = {}
    for label in declared:
        value = scores.get(label)
        if value is not None:
            row[label] = value if isinstance(value, dict) else {SCALAR_SIGNAL: value}
    return row


@dataclass
class CleanUnitProcessor:
    """Processes one work unit in a worker: read, clean, write three shard sets, count."""

    rule_chain: RuleChain
    reader_options: ReaderOptions
    output: StoragePath
    max_shard_bytes: int
    review_samples: ReviewSamplesConfig

    def __post_init__(self):
        self._schemas = {**shard_schemas(self.rule_chain.filters), SAMPLES: SAMPLES_SCHEMA}
        self._declared = [label for label, rule in self.rule_chain.filters if rule.signals]
        self._numeric = numeric_signals(self.rule_chain.filters)

    def __call__(self, unit: FileUnit, context: UnitContext) -> dict:
        rejected_by: Counter = Counter()
        quarantined_by: Counter = Counter()
        skipped: Counter = Counter()
        ids_made = 0
        by_source: dict[str, dict] = {}
        by_language: dict[str, dict] = {}
        signal_counts: dict[str, dict] = {}
        input_chars = kept_chars = 0
        self.rule_chain.take_counters()
        declared = self._declared
        samples = UnitSamples(self.review_samples)
        batch = DocumentBatch()
        with unit_writers(self.output, unit.id, self._schemas, self.max_shard_bytes) as writers:
            kept, rejected, quarantined = writers[KEPT], writers[REJECTED], writers[QUARANTINE]

            def clean_batch() -> None:
                nonlocal kept_chars
                documents = batch.take()
                for item, verdict in zip(documents, self.rule_chain.process_many(documents)):
                    if verdict is None:
                        kept.add(kept_row(item, declared), len(item.text))
                        kept_chars += len(item.text)
                        samples.offer(item, None, None, kept.rows - 1)
                    else:
                        rejected_by[verdict.rejected_by] += 1
                        row = rejected_row(item, verdict, declared)
                        rejected.add(row, len(item.original_text))
                        samples.offer(item, verdict.rejected_by, row["reject_value"], rejected.rows - 1)
                    for table, key in ((by_source, item.source), (by_language, item.lang or UNIDENTIFIED)):
                        _count(table.setdefault(key, {}), len(item.original_text), item, verdict)
                    if item.lang:
                        count_signals(signal_counts, item.lang, item.scores, self._numeric)

            for item in read_unit(unit, self.reader_options, context.progress):
                context.check_stop()
                if isinstance(item, Quarantined):
                    quarantined.add({"file": item.file, "offset": item.offset, "raw": item.raw, "error": item.error},
                                    len(item.raw))
                    quarantined_by[quarantine_reason(item.error)] += 1
                    # Under the source a document of its file names by default.
                    for table, key in ((by_source, unit.name), (by_language, UNIDENTIFIED)):
                        _count_quarantined(table.setdefault(key, {}))
                    continue
                if isinstance(item, SkippedRecord):
                    skipped[item.reason] += 1
                    continue
                input_chars += len(item.text)
                ids_made += item.id_made
                if batch.add(item):
                    clean_batch()
            clean_batch()
            for row in samples.rows():
                writers[SAMPLES].add(row)
        return {
            "input_docs": kept.rows + rejected.rows + quarantined.rows,
            "kept_docs": kept.rows,
            "rejected_docs": rejected.rows,
            "quarantined_docs": quarantined.rows,
            "input_bytes": unit.size,
            "input_chars": input_chars,
            "kept_chars": kept_chars,
            "rejected_by": dict(rejected_by),
            # Merged over the units, then cut to the commonest: a unit keeps more, so that a kind
            # common in all of them and rare in each is not lost among the others.
            "quarantined_by": commonest_kinds(quarantined_by, 10 * MAX_QUARANTINE_KINDS),
            "skipped_records": dict(skipped),
            "ids_made": ids_made,
            "rules": self.rule_chain.take_counters(),
            "by_source": by_source,
            "by_language": by_language,
            "signals": signal_counts,
        }


MAX_QUARANTINE_KINDS = 100


def quarantine_reason(error: str) -> str:
    """A quarantine record's error as the kind of fault it names, numbers (rows, lines, offsets,
    counts) left out: what stats.json counts records under (``quarantined_by``)."""
    return _NUMBER.sub("N", _QUOTED_PATH.sub("'…'", error))[:_REASON_CHARS]


def commonest_kinds(counts: dict[str, int], limit: int = MAX_QUARANTINE_KINDS) -> dict[str, int]:
    """The ``limit`` commonest kinds of fault, the others counted together: what an error says of
    the record that is neither a number nor a path (an exception's message) can still make a kind
    of its own for every record."""
    ranked = sorted(((kind, n) for kind, n in counts.items() if kind != OTHER_KINDS),
                    key=lambda kv: (-kv[1], kv[0]))
    kept = dict(ranked[:limit])
    others = counts.get(OTHER_KINDS, 0) + sum(n for _, n in ranked[limit:])
    return {**kept, OTHER_KINDS: others} if others else kept


# A count or a place (row 12, rows 3000-3999), not a part of a name (UTF-8, GB18030).
_NUMBER = re.compile(r"(?<![A-Za-z0-9])(?<![A-Za-z]-)\d+")
_QUOTED_PATH = re.compile(r"'[^'\n]*/[^'\n]*'")
_REASON_CHARS = 120
OTHER_KINDS = "(other kinds)"


def numeric_signals(filters: list[tuple[str, Filter]]) -> list[tuple[str, list[str]]]:
    """Each filter's label and the names of its numeric signals: what stats.json histograms."""
    return [(label, [name for name, kind in rule.signals.items() if kind in NUMERIC_SIGNALS])
            for label, rule in filters if rule.signals]


def count_signals(counts: dict, lang: str, scores: dict, numeric: list[tuple[str, list[str]]]) -> None:
    """The document's measured signals into their histograms (stats.json's signals: by language,
    ``label.field``, the value to two significant digits → documents), where a report draws each
    filter's distribution and threshold without reading the shards."""
    for label, fields in numeric:
        value = scores.get(label)
        if value is None:
            continue
        if not isinstance(value, dict):
            value = {SCALAR_SIGNAL: value}
        for name in fields:
            x = value.get(name)
            if x is not None and x == x:  # NaN: no bin
                histogram = counts.setdefault(lang, {}).setdefault(f"{label}.{name}", {})
                key = f"{x:.2g}"
                histogram[key] = histogram.get(key, 0) + 1


def _count(counts: dict, read_chars: int, doc: Document, verdict: Verdict | None) -> None:
    """One document in the counters of its source or language (stats.json's by_source and
    by_language: what a report breaks the run down by, without reading the shards)."""
    counts["input_docs"] = counts.get("input_docs", 0) + 1
    counts["input_chars"] = counts.get("input_chars", 0) + read_chars
    count_outcome(counts, len(doc.text), verdict and verdict.rejected_by)
    if doc.edits:
        edited = counts.setdefault("edited_by", {})
        for label in doc.edits:
            edited[label] = edited.get(label, 0) + 1


def _count_quarantined(counts: dict) -> None:
    """A record that could not be read as a document, in a by_source or by_language entry: read,
    so that the entries add up to the stage's input_docs, and neither kept nor rejected."""
    counts["input_docs"] = counts.get("input_docs", 0) + 1
    counts["quarantined_docs"] = counts.get("quarantined_docs", 0) + 1


def count_outcome(counts: dict, kept_chars: int, rejected_by: str | None) -> None:
    """A document kept (with the characters it keeps) or rejected (by ``rejected_by``) in a
    by_source or by_language entry."""
    if rejected_by is None:
        counts["kept_docs"] = counts.get("kept_docs", 0) + 1
        counts["kept_chars"] = counts.get("kept_chars", 0) + kept_chars
    else:
        reasons = counts.setdefault("rejected_by", {})
        reasons[rejected_by] = reasons.get(rejected_by, 0) + 1


def fingerprint(config: Config, files: list[InputFile], code_rules: RuleChain | None = None,
                renamed: dict[str, str] | None = None) -> Fingerprint:
    """What decides the stage's output: how input is read, the rules (the config's, or
    ``code_rules`` built in code), the shard size, every input file (its path, size and
    modification time), and the names of files told apart from others of their name (a
    document's source and default id: a run begun when they were named otherwise is not
    resumed with both)."""
    relevant = {"input": config.input.model_dump(exclude={"paths"}), "clean": config.clean.model_dump(),
                **({"code_rules": code_rules.settings()} if code_rules is not None else {}),
                "max_shard_bytes": config.output.max_shard_bytes,
                "files": [(f.path, f.size, f.version) for f in files],
                **({"names": renamed} if renamed else {}),
                **unit_size_record(sum(f.size for f in files), config.input.chunk_bytes)}
    return settings_digest(relevant, files={f.path: (f.size, f.version) for f in files})


def build_rule_chain(config: Config) -> RuleChain:
    return RuleChain.from_rules(build_rules(config.clean, config.base_dir), config.clean)


@dataclass
class CleanPlan:
    files: list[InputFile]
    skipped: dict[str, list[str]]
    units: list[FileUnit]
    rule_chain: RuleChain


class CleanStage(Stage):
    """Raw dumps in, kept, rejected and quarantined shards out (this module's note has the layout).
    ``rule_chain``: rules built in code (the Python API's), instead of the config's."""

    name = "clean"
    reads_dumps = True

    def __init__(self, rule_chain: RuleChain | None = None):
        self.rule_chain = rule_chain

    def plan(self, config: Config, source, output: StoragePath) -> Plan:
        inputs = [os.fspath(p) for p in source]
        if not inputs:
            raise ConfigError("no input given: name the dumps to clean (INPUT...) or set input.paths in the config")
        rule_chain = self.rule_chain or build_rule_chain(config)
        found = discover(inputs)
        # A glob that reaches into the output would find the run's own files on the next run.
        reaches = [storage.glob_root(p) for p in inputs if storage.glob_reaches_into(p, output)]
        storage.refuse_overlap([*(p for p in inputs if storage.is_dir(p)), *reaches, *(f.path for f in found.files)],
                               output)
        units = plan_units(found.files, config.input.chunk_bytes)
        return Plan(fingerprint(config, found.files, self.rule_chain, found.renamed), len(units),
                    {"files": len(found.files), "units": len(units), "workers": config.run.workers,
                     "profile": config.profile or "-"},
                    CleanPlan(found.files, found.skipped, units, rule_chain))

    def execute(self, config: Config, plan: Plan, output: StoragePath) -> tuple[dict, RunOutcome]:
        units = plan.state.units
        processor = CleanUnitProcessor(plan.state.rule_chain, ReaderOptions.of(config.input), output,
                                       config.output.max_shard_bytes, config.clean.review_samples)
        outcome = run_units(units, processor, state_dir=output / UNITS_DIR, workers=config.run.workers,
                            description="clean", show_progress=config.run.progress, engine=Engine.of(config.run))
        done = load_done_stats(output / UNITS_DIR, units)
        stats = merge_counters(done)
        stats["quarantined_by"] = commonest_kinds(stats.get("quarantined_by", {}))
        if outcome.ok:
            stats["renamed_ids"] = make_ids_unique([output / KEPT, output / REJECTED], config.input.id_field)
            stats["review_samples"] = merge_samples(output, config.clean.review_samples,
                                                    (output / KEPT, output / REJECTED) if stats["renamed_ids"] else None)
        for key in ("input_docs", "kept_docs", "rejected_docs", "quarantined_docs", "input_bytes", "input_chars",
                    "kept_chars"):
            stats.setdefault(key, 0)
        stats["units"] = {"total": len(units), "completed": len(done), "failed": len(outcome.failed)}
        stats["failed_units"] = outcome.failed
        stats["profile"] = config.profile or None
        # Rules built in code are the run's rules: a rejudge and the report read them here.
        stats["clean"] = {**config.clean.model_dump(), **(self.rule_chain.tables() if self.rule_chain else {})}
        stats["rules_in_code"] = self.rule_chain is not None
        stats["thresholds"] = plan.state.rule_chain.thresholds(languages_judged(stats))
        stats["id_field"] = config.input.id_field
        stats["input_files"] = len(plan.state.files)
        stats["skipped_files"] = {reason: len(paths) for reason, paths in sorted(plan.state.skipped.items())}
        return stats, outcome

    def finish_log(self, stats: dict) -> dict:
        return {"kept": stats["kept_docs"], "rejected": stats["rejected_docs"],
                "quarantined": stats["quarantined_docs"]}

    def summary(self, stats: dict) -> str:
        return format_clean_summary(stats)

    def add_commands(self, sub: argparse._SubParsersAction) -> None:
        from datacleaning.cleaning.commands import add_commands  # it imports this package: not at module level
        add_commands(sub)


STAGE = CleanStage()

__all__ = ["CleanStage", "build_rule_chain", "format_clean_summary"]
