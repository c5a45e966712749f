"""Judge a finished clean output again with other thresholds, from the values its filters stored.

A clean run with ``clean.score_all = true`` measures every filter on every document that reaches
the filters and stores the values (``scores``). ``run_rejudge`` reads them back, asks the filters
of another config whether they keep each document, and writes a clean output folder, as dolma
applies new filters to stored attributes without reading the documents again:

    kept/        kept rows the new thresholds keep, unchanged; rejected rows they keep, cleaned
                 again from the text as read by the same normalizers and edits (and measured again)
    rejected/    the rest, with the new rejected_by and value: the text as read for documents the
                 first run rejected, the cleaned text for those it kept (it did not store them as read)
    quarantine/  copied
    stats.json   the clean stage's counts (by source and language too, and the signals' histograms),
                 plus what changed (``rejudged``)
    review_samples.jsonl   documents to read, drawn as clean draws them (samples/: the candidates)

Only thresholds may change (the parameters a filter lists in ``Filter.thresholds``), filters may
be dropped or reordered, and the normalizers and edits must be the ones that made the scores; a
config that asks for anything else is refused with what to change, since it needs a clean run.
A rejudge output is not rejudged again (its rejected rows may hold cleaned text): rejudge the
clean output it came from.
"""
from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import os
import re
import time
from collections import Counter

import pyarrow.compute as pc
from tqdm import tqdm

from datacleaning import storage
from datacleaning.cleaning.rule_chain import BUILTIN_CHECKS, RuleChain, languages_judged
from datacleaning.cleaning.samples import SAMPLES, SAMPLES_SCHEMA, UnitSamples, merge_samples
from datacleaning.cleaning.stage import (KEPT, QUARANTINE, REJECTED, UNIDENTIFIED, build_rule_chain, count_outcome,
                                         count_signals, kept_row, numeric_signals, rejected_row, shard_schemas,
                                         signals_row)
from datacleaning.config import Config
from datacleaning.document import Document
from datacleaning.errors import ConfigError
from datacleaning.logs import log_event
from datacleaning.manifest import MANIFEST, STATS, Fingerprint, claim_output, exclusive_output, mark_complete, \
    settings_digest
from datacleaning.readers.records import json_text
from datacleaning.rules.base import Rule
from datacleaning.rules.registry import KINDS, build_rule
from datacleaning.shards import iter_batches, unit_writers
from datacleaning.stats import percent, write_stats
from datacleaning.storage import StoragePath

logger = logging.getLogger("datacleaning.rejudge")

STAGE = "rejudge"
# The clean config's values that decide what was measured; the rules are compared as built (their
# classes and parameters, wherever their plugin was imported from).
MEASURED_WITH = ("languages", "max_input_chars")


def recorded_clean(source: StoragePath) -> dict:
    """The stats.json of a finished clean output made with ``clean.score_all`` (its ``clean`` the
    config it was made with)."""
    try:
        manifest = json.loads(storage.read_bytes(source / MANIFEST))
        stats = json.loads(storage.read_bytes(source / STATS))
    except FileNotFoundError:
        raise ConfigError(f"{source}: not a clean output folder (no {MANIFEST} and {STATS})") from None
    if manifest.get("stage") == STAGE:
        # Its rejected rows moved from kept hold cleaned text, not the text as read.
        raise ConfigError(f"{source}: a rejudge output; rejudge the clean output it was made from "
                          f"({stats.get('rejudged', {}).get('from', '?')}) instead")
    if manifest.get("stage") != "clean":
        raise ConfigError(f"{source}: a {manifest.get('stage')} output, not a clean one; rejudge the clean output "
                          f"its input came from")
    if not manifest.get("complete"):
        raise ConfigError(f"{source}: a clean run that has not finished; finish it first (run the same command "
                          f"again)")
    clean = stats.get("clean")
    if clean is None:
        raise ConfigError(f"{source}: its stats.json does not record the clean config (made by an older version); "
                          f"run clean again with clean.score_all = true")
    if not clean.get("score_all"):
        raise ConfigError(f"{source}: made without clean.score_all, so a rejected document holds only the values "
                          f"of the filters up to the one that rejected it; run clean again with "
                          f"--set clean.score_all=true")
    return stats


def check_measured_alike(recorded: dict, config: Config, rule_chain: RuleChain) -> dict[str, Rule]:
    """Refuse a config whose filters would need values the recorded run did not measure
    (``recorded``: the clean config of that run, or the rules it built in code); returns the
    filters of that run by label, built as it set them."""
    now = json.loads(json.dumps(config.clean.model_dump(), default=str))
    for key in MEASURED_WITH:
        if recorded.get(key) != now[key]:
            raise ConfigError(f"clean.{key} differs from the run that measured the scores; a rejudge changes "
                              f"filter thresholds only: run clean again for this")
    before = RuleChain(**{section: _recorded_rules(recorded, section) for section in KINDS})
    measured_tables, tables = before.tables(), rule_chain.tables()
    for section in ("normalizers", "edits"):
        for i, (old, new) in enumerate(itertools.zip_longest(measured_tables[section], tables[section])):
            if old != new:
                raise ConfigError(f"clean.{section}[{i}] differs from the run that measured the scores (was "
                                  f"{old!r}, now {new!r}); a rejudge changes filter thresholds only: run clean "
                                  f"again for this")
    measured = dict(before.filters)
    for label, rule in rule_chain.filters:
        old = measured.get(label)
        if old is None or type(old) is not type(rule):
            raise ConfigError(f"clean.filters: {label} was not measured by the run that made the scores "
                              f"(it had {', '.join(measured) or 'no filters'}); run clean again to add it")
        for field in dataclasses.fields(rule):
            if field.name not in rule.thresholds and getattr(old, field.name) != getattr(rule, field.name):
                raise ConfigError(f"clean.filters: {label}.{field.name} changes what the filter measures (was "
                                  f"{getattr(old, field.name)!r}, now {getattr(rule, field.name)!r}); "
                                  + (f"only {', '.join(sorted(rule.thresholds))} can change in a rejudge"
                                     if rule.thresholds else "none of its parameters can change in a rejudge"))
    return measured


def thresholds_without_values(source: StoragePath, rule_chain: RuleChain, measured: dict[str, Rule]) -> dict[str, str]:
    """The thresholds (``label.threshold``) that compare a field no stored document holds (a check
    added to the filter after the run, or one that judges only a language the run had none of),
    each with that field: they judge nothing in this rejudge, as they judged nothing in the run.
    Refused where the config sets such a threshold to other than the run had it (``measured``: the
    run's filters by label, as ``check_measured_alike`` builds them): it asks for a judgment the
    scores cannot give."""
    wanted = {label: set(rule.threshold_fields.values()) - {"value"}
              for label, rule in rule_chain.filters if set(rule.threshold_fields.values()) - {"value"}}
    held = _stored_fields([source / KEPT, source / REJECTED], wanted)
    unjudged = {}
    for label, rule in rule_chain.filters:
        if label not in held:  # no document was measured by it: nothing to say of its fields
            continue
        for threshold, field in rule.threshold_fields.items():
            if field in wanted.get(label, ()) and field not in held[label]:
                had = getattr(measured[label], threshold)
                if getattr(rule, threshold) != had:
                    raise ConfigError(f"clean.filters: {label}.{threshold} compares {field}, which no document of "
                                      f"the run that made the scores holds (the filter measured it on no document: "
                                      f"a language the run had none of, texts too short for it, or a check added "
                                      f"since), so it would judge nothing; only the value the run had "
                                      f"({had!r}) can stay; run clean again to judge it")
                unjudged[f"{label}.{threshold}"] = field
    return unjudged


def _stored_fields(folders: list[StoragePath], wanted: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per filter of ``wanted`` that measured some document, which of its wanted fields some
    document holds: read from the typed ``signals`` column's null counts (no row decoded), and,
    for a field the run stored only in the scores JSON (a filter that declared it, or any signal,
    only after the run), from the JSON rows that name it."""
    held: dict[str, set[str]] = {}
    untyped = dict(wanted)
    for folder in folders:
        for batch in iter_batches(folder, ["signals"]):
            signals = batch.column(0)
            # flatten() carries a parent's nulls down: a document a filter did not measure holds
            # none of its fields, though Arrow stores them under its null as zeros.
            for label, values in zip(signals.type.names, signals.flatten()):
                if label not in wanted:
                    continue
                untyped[label] = wanted[label] - set(values.type.names)
                if values.null_count == len(values):
                    continue
                fields = held.setdefault(label, set())
                for name, field_values in zip(values.type.names, values.flatten()):
                    if field_values.null_count < len(field_values):
                        fields.add(name)
    looked_for = {label: set(fields) for label, fields in untyped.items() if fields}
    if looked_for:
        _fields_in_scores(folders, looked_for, held)
    return held


def _fields_in_scores(folders: list[StoragePath], looked_for: dict[str, set[str]], held: dict[str, set[str]]) -> None:
    """Add to ``held`` the fields of ``looked_for`` some row's scores JSON holds (and the filters
    that measured a row, where their typed signals did not say): only the rows whose JSON names
    one of them are decoded, and reading stops once all are found."""
    unmeasured = {label for label in looked_for if label not in held}
    for folder in folders:
        for batch in iter_batches(folder, ["scores"]):
            names = unmeasured | {field for fields in looked_for.values() for field in fields}
            if not names:
                return
            named = pc.match_substring_regex(batch.column(0), "\"(" + "|".join(map(re.escape, sorted(names))) + ")\":")
            for text in batch.column(0).filter(named).to_pylist():
                scores = json.loads(text)
                for label in list(looked_for):
                    value = scores.get(label)
                    if not isinstance(value, dict):
                        continue
                    unmeasured.discard(label)
                    held.setdefault(label, set()).update(looked_for[label] & value.keys())
                    looked_for[label] -= value.keys()
                    if not looked_for[label]:
                        del looked_for[label]


def _recorded_rules(recorded: dict, section: str) -> list:
    """The rules of one section of a recorded clean config, built (not prepared) as the config
    named them then; their plugins must have been imported by the config now."""
    try:
        return [build_rule(section, i, table) for i, table in enumerate(recorded.get(section, []))]
    except ConfigError as e:
        raise ConfigError(f"the run that made the scores had rules that cannot be built now ({e}); load the "
                          f"plugins that define them (clean.plugins, --plugin), registered by name "
                          f"(datacleaning.rules.registry.register)") from None


def fingerprint(source: StoragePath, config: Config) -> Fingerprint:
    manifest = json.loads(storage.read_bytes(source / MANIFEST))
    relevant = {"source": str(source), "source_fingerprint": manifest.get("fingerprint"),
                "clean": config.clean.model_dump(), "max_shard_bytes": config.output.max_shard_bytes}
    return settings_digest(relevant)


def run_rejudge(config: Config, source: str | os.PathLike, output: str | os.PathLike) -> dict:
    """Judge the clean output ``source`` again with ``config``'s filters into ``output``; returns
    its stats. A rerun into a finished ``output`` returns at once; into an unfinished one, redoes it."""
    started = time.time()
    source, output = storage.as_path(source), storage.as_path(output)
    storage.refuse_overlap([source], output)
    recorded = recorded_clean(source)
    config = config.model_copy(update={"clean": config.clean.model_copy(update={"score_all": True})})
    rule_chain = build_rule_chain(config)
    measured = check_measured_alike(recorded["clean"], config, rule_chain)
    unjudged = thresholds_without_values(source, rule_chain, measured)
    with exclusive_output(output):
        return _rejudge(config, source, output, recorded, rule_chain, unjudged, started)


def _rejudge(config: Config, source: StoragePath, output: StoragePath, recorded: dict, rule_chain: RuleChain,
             unjudged: dict[str, str], started: float) -> dict:
    """run_rejudge's work, once its settings are checked, in the output folder it holds."""
    digest = fingerprint(source, config)
    finished = claim_output(output, STAGE, digest, resumable=False)
    if finished is not None:
        return finished
    log_event(logger, "start", source=source, output=output, profile=config.profile or "-")
    if config.run.executor != "local":
        log_event(logger, "executor_not_used", level=logging.WARNING, executor=config.run.executor,
                  note="a rejudge reads and writes in this one process")
    if unjudged:
        log_event(logger, "thresholds_without_values", level=logging.WARNING,
                  thresholds=", ".join(sorted(unjudged)))
    schemas = {**shard_schemas(rule_chain.filters), SAMPLES: SAMPLES_SCHEMA}
    declared = [label for label, rule in rule_chain.filters if rule.signals]
    numeric = numeric_signals(rule_chain.filters)
    # The same documents as the clean run: what was read and edited is its count; what is kept
    # and why the rest is rejected is counted again.
    tables: dict[str, dict] = {"by_source": {}, "by_language": {}}
    signal_counts: dict[str, dict] = {}
    samples = UnitSamples(config.clean.review_samples)

    def outcome(row: dict, text: str, rejected: str | None, value: str | None) -> None:
        for table, key in (("by_source", row["source"]), ("by_language", row["lang"] or UNIDENTIFIED)):
            count_outcome(tables[table].setdefault(key, {}), len(text), rejected)
        samples.offer(Document(row["id"], text, row["source"], row["lang"]), rejected, value)

    rejected_by: Counter = Counter()
    kept_to_rejected: Counter = Counter()
    rejected_to_kept: Counter = Counter()
    kept_chars = 0
    rule_chain.take_counters()
    with unit_writers(output, STAGE, schemas, config.output.max_shard_bytes) as writers, \
            tqdm(desc="rejudge", unit=" docs", disable=not config.run.progress) as progress:
        kept, rejected, quarantined = writers[KEPT], writers[REJECTED], writers[QUARANTINE]
        for folder in (KEPT, REJECTED):
            for row in _rows(source / folder):
                progress.update()
                was = row.get("rejected_by")
                if was in BUILTIN_CHECKS:
                    rejected_by[was] += 1
                    rejected.add({**row, "signals": signals_row(declared, {})}, len(row["text"]))
                    outcome(row, row["text"], was, row["reject_value"])
                    continue
                scores = json.loads(row["scores"])
                if row["lang"]:
                    count_signals(signal_counts, row["lang"], scores, numeric)
                verdict = rule_chain.judge(scores, row["lang"], row["source"], row["id"])
                if verdict is None and was is not None:
                    # Kept now: clean the text as read again (same rules, so the same verdict).
                    doc = Document(row["id"], row["text"], row["source"], meta=row["meta"])
                    verdict = rule_chain.process(doc)
                    if verdict is None:
                        rejected_to_kept[was] += 1
                        kept.add(kept_row(doc, declared), len(doc.text))
                        kept_chars += len(doc.text)
                        outcome(row, doc.text, None, None)
                    else:
                        if verdict.rejected_by != was:
                            log_event(logger, "verdict_differs", id=row["id"], stored=was,
                                      measured=verdict.rejected_by)
                        rejected_by[verdict.rejected_by] += 1
                        written = rejected_row(doc, verdict, declared)
                        rejected.add(written, len(doc.original_text))
                        outcome(row, doc.original_text, verdict.rejected_by, written["reject_value"])
                    continue
                if verdict is None:
                    kept.add({**row, "signals": signals_row(declared, scores)}, len(row["text"]))
                    kept_chars += len(row["text"])
                    outcome(row, row["text"], None, None)
                    continue
                if was is None:
                    kept_to_rejected[verdict.rejected_by] += 1
                rejected_by[verdict.rejected_by] += 1
                value = json_text(verdict.value)
                rejected.add({"id": row["id"], "text": row["text"], "source": row["source"], "lang": row["lang"],
                              "meta": row["meta"], "rejected_by": verdict.rejected_by,
                              "reject_value": value, "scores": row["scores"],
                              "signals": signals_row(declared, scores)}, len(row["text"]))
                outcome(row, row["text"], verdict.rejected_by, value)
        for batch in iter_batches(source / QUARANTINE):
            quarantined.add_batch(batch)
        for row in samples.rows():
            writers[SAMPLES].add(row)
    for name, table in tables.items():
        for key, read in recorded.get(name, {}).items():
            copied = {k: read[k] for k in ("input_docs", "input_chars", "edited_by", "quarantined_docs") if k in read}
            if copied:
                table.setdefault(key, {}).update(copied)
    counts = {"kept_docs": kept.rows, "rejected_docs": rejected.rows, "quarantined_docs": quarantined.rows}
    stats = {"input_docs": sum(counts.values()), **counts, "kept_chars": kept_chars,
             **{k: recorded[k] for k in ("input_bytes", "input_chars", "input_files", "skipped_records",
                                         "quarantined_by") if k in recorded},
             **tables, "signals": signal_counts,
             "review_samples": merge_samples(output, config.clean.review_samples),
             "rejected_by": dict(rejected_by.most_common()),
             "rules": _rule_counters(recorded.get("rules", {}), rule_chain, rejected_by),
             "rejudged": {"from": str(source), "thresholds_without_values": unjudged,
                          "kept_to_rejected": dict(kept_to_rejected.most_common()),
                          "rejected_to_kept": dict(rejected_to_kept.most_common())},
             "status": "complete", "profile": config.profile or None, "clean": config.clean.model_dump(),
             "wall_seconds": round(time.time() - started, 3)}
    stats["thresholds"] = rule_chain.thresholds(languages_judged(stats))
    write_stats(output / STATS, stats)
    mark_complete(output, STAGE, digest)
    log_event(logger, "finish", kept=stats["kept_docs"], rejected=stats["rejected_docs"])
    return stats


def _rule_counters(recorded: dict, rule_chain: RuleChain, rejected_by: Counter) -> dict:
    """What each rule did: the normalizers and edits as in the clean run (with score_all they
    ran on the same documents), the built-in checks' rejections as counted here (a document the
    clean run's screening rejected first may now fall to the language check), the filters'
    counters of this rejudge."""
    rules = {}
    for label, counter in recorded.items():
        if counter.get("kind") == "builtin":
            rules[label] = {**counter, "rejected": rejected_by.get(label, 0)}
        elif counter.get("kind") != "filter":
            rules[label] = counter
    return {**rules, **{label: c for label, c in rule_chain.take_counters().items() if c["kind"] == "filter"}}


def _rows(folder: StoragePath):
    """The rows of a folder of clean shards, without their ``signals`` (rebuilt for the new filters)."""
    for batch in iter_batches(folder):
        columns = [name for name in batch.schema.names if name != "signals"]
        yield from batch.select(columns).to_pylist()


def format_rejudge_summary(stats: dict) -> str:
    """A readable summary of a rejudge."""
    n = stats.get("input_docs", 0)
    changed = stats.get("rejudged", {})

    lines = [f"rejudge: {stats.get('status', '?')} — {n:,} docs of {changed.get('from', '?')}, "
             + (f"profile {stats['profile']}" if stats.get("profile") else "rules of the config"),
             f"  kept         {stats.get('kept_docs', 0):>10,} docs  {percent(stats.get('kept_docs', 0), n)}",
             f"  rejected     {stats.get('rejected_docs', 0):>10,} docs  {percent(stats.get('rejected_docs', 0), n)}",
             f"  quarantined  {stats.get('quarantined_docs', 0):>10,} docs  {percent(stats.get('quarantined_docs', 0), n)}"]
    # The filters, which judged again, and the built-in checks that rejected (the normalizers and
    # edits did in the clean run what they did: its summary says it).
    for label, c in stats.get("rules", {}).items():
        if c.get("kind") != "filter" and not (c.get("kind") == "builtin" and c.get("rejected")):
            continue
        checks = ", ".join(f"{check} {k:,}" for check, k in sorted(c.get("checks", {}).items(), key=lambda kv: -kv[1]))
        lines.append(f"  {label:<30}{c.get('rejected', 0):>10,} rejected" + (f"  ({checks})" if checks else ""))
    for key, text in (("kept_to_rejected", "now rejected"), ("rejected_to_kept", "now kept")):
        moved = changed.get(key, {})
        if moved:
            lines.append(f"  {text} {sum(moved.values()):,}: " + ", ".join(f"{k} {v:,}" for k, v in moved.items()))
    unjudged = changed.get("thresholds_without_values", {})
    if unjudged:
        lines.append("  judged nothing (no document holds the field; clean again to judge them): "
                     + ", ".join(f"{threshold} ({field})" for threshold, field in sorted(unjudged.items())))
    return "\n".join(lines)
