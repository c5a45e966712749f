"""The rows a report draws and tabulates, computed from the stages' stats alone."""
from __future__ import annotations

import dataclasses
import math
from collections import Counter

from datacleaning.cleaning.rule_chain import (BUILTIN_CHECKS, TRIGGER_SCAN, languages_judged, step_labels,
                                              threshold_marks)
from datacleaning.report.runs import RunOutput
from datacleaning.rules.registry import parameter_defaults, registered_rules

# The steps of the funnel: the stage whose counters give it, and the counters' names.
FUNNEL_STEPS = (("read", "clean", "input"), ("clean", "clean", "kept"), ("dedup", "dedup", "kept"),
                ("probe", "probe", "kept"))
HISTOGRAM_BINS = 40


def finished(run: RunOutput, stage: str) -> bool:
    """Whether ``run`` holds ``stage`` and the stage finished: an interrupted or failed stage's
    counts are of the work it did, not of what it leaves (an interrupted dedup counts nothing
    kept), so the funnel leaves it out."""
    return stage in run.stats and run.stats[stage].get("status", "complete") == "complete"


def unfinished_stages(run: RunOutput) -> list[str]:
    return [stage for stage in run.stats if not finished(run, stage)]


def funnel_rows(run: RunOutput) -> list[dict]:
    """Per language, the documents and characters at each step of the run's finished stages, then
    those tokenized (with their tokens): ``{"step", "lang", "docs", "chars"[, "tokens"]}``."""
    rows = []
    for step, stage, prefix in FUNNEL_STEPS:
        if not finished(run, stage):
            continue
        for lang, counts in run.stats[stage].get("by_language", {}).items():
            docs, chars = _step_counts(counts, prefix)
            rows.append({"step": step, "lang": lang, "docs": docs, "chars": chars})
    for lang, counts in (run.stats["tokenize"].get("languages", {}) if finished(run, "tokenize") else {}).items():
        rows.append({"step": "tokenize", "lang": lang, "docs": counts["documents"], "chars": counts["characters"],
                     "tokens": counts["tokens"]})
    return rows


def _step_counts(counts: dict, prefix: str) -> tuple[int, int | None]:
    """The documents and characters ``counts`` holds under ``prefix`` (``kept``: ``kept_docs``,
    ``kept_chars``); characters None where documents are counted without them (stats written by
    an earlier version)."""
    docs = counts.get(f"{prefix}_docs", 0)
    return docs, counts.get(f"{prefix}_chars", None if docs else 0)


def funnel_steps(run: RunOutput) -> list[str]:
    """The steps of this run's finished stages, in order."""
    steps = [step for step, stage, _ in FUNNEL_STEPS if finished(run, stage)]
    return steps + (["tokenize"] if finished(run, "tokenize") else [])


def breakdown_rows(run: RunOutput, table: str, limit: int) -> tuple[list[dict], int]:
    """Per source (``table="by_source"``) or language (``"by_language"``), most documents read
    first: the documents and characters after each step of the finished stages, the records the
    clean stage quarantined, and the tokens. The ``limit`` largest are rows of their own, the rest
    one row (``"(N others)"``); returns the rows and N."""
    tokenized = (run.stats["tokenize"].get("sources" if table == "by_source" else "languages", {})
                 if finished(run, "tokenize") else {})
    keys: Counter = Counter()
    for step, stage, prefix in FUNNEL_STEPS:
        if not finished(run, stage):
            continue
        for key, counts in run.stats[stage].get(table, {}).items():
            keys[key] = max(keys[key], counts.get(f"{prefix}_docs", 0))
    for key, counts in tokenized.items():
        keys[key] = max(keys[key], counts["documents"])
    ordered = [key for key, _ in keys.most_common()]
    shown, rest = ordered[:limit], ordered[limit:]
    rows = [_breakdown_row(run, table, tokenized, [key], key) for key in shown]
    if rest:
        rows.append(_breakdown_row(run, table, tokenized, rest, f"({len(rest):,} others)"))
    return rows, len(rest)


def _breakdown_row(run: RunOutput, table: str, tokenized: dict, keys: list[str], name: str) -> dict:
    row: dict = {"name": name}
    for step, stage, prefix in FUNNEL_STEPS:
        if not finished(run, stage):
            continue
        counts = run.stats[stage].get(table, {})
        found = [_step_counts(counts[key], prefix) if key in counts else (0, 0) for key in keys]
        row[f"{step}_docs"] = sum(docs for docs, _ in found)
        row[f"{step}_chars"] = None if any(chars is None for _, chars in found) else sum(c for _, c in found)
        if stage == "clean":
            row["quarantined_docs"] = sum(counts.get(key, {}).get("quarantined_docs", 0) for key in keys)
    if finished(run, "tokenize"):
        row["tokenize_docs"] = sum(tokenized.get(key, {}).get("documents", 0) for key in keys)
        row["tokens"] = sum(tokenized.get(key, {}).get("tokens", 0) for key in keys)
    return row


def rule_rows(clean: dict, counter: str) -> list[dict]:
    """Per rule and language, the documents it rejected (``counter="rejected_by"``) or edited
    (``"edited_by"``): ``{"rule", "lang", "docs"}``, rules with none left out."""
    return [{"rule": rule, "lang": lang, "docs": n}
            for lang, counts in clean.get("by_language", {}).items()
            for rule, n in counts.get(counter, {}).items() if n]


def source_rule_matrix(clean: dict, counter: str, limit: int) -> tuple[list[str], list[dict]]:
    """The rules that rejected (``counter="rejected_by"``) or edited (``"edited_by"``) anything,
    most first, and for the ``limit`` sources with the most such documents,
    ``{"source", "input_docs", RULE: documents, ...}``."""
    by_source = clean.get("by_source", {})
    totals: Counter = Counter()
    for counts in by_source.values():
        totals.update(counts.get(counter, {}))
    rules = [rule for rule, n in totals.most_common() if n]
    most = sorted(by_source, key=lambda s: -sum(by_source[s].get(counter, {}).values()))[:limit]
    rows = [{"source": source, "input_docs": by_source[source].get("input_docs", 0),
             **by_source[source].get(counter, {})} for source in most
            if by_source[source].get(counter)]
    return rules, rows


@dataclasses.dataclass
class Histogram:
    """A signal's distribution as bars ``{"lo", "hi", "docs"}``; ``log``: bins of equal ratio
    (values spanning two decades or more), their zeros counted apart in ``zeros``."""

    bins: list[dict]
    log: bool
    zeros: int
    documents: int


def histogram(counts: dict[str, int], marks: list[float] = (), bins: int = HISTOGRAM_BINS) -> Histogram:
    """Bars from a two-digit histogram (``stats.two_digit_histogram``): one per integer when the
    values are small integers, else ``bins`` bins, of equal ratio when the positive values span
    two decades or more and none is negative. The bins span the thresholds drawn with them
    (``marks``) too: the chart's axis does, and bins cut over the values alone would be slivers on
    it where the values lie far from a threshold (every page's mojibake ratio 0, its limit 0.02)."""
    values = sorted((float(key), n) for key, n in counts.items())
    total = sum(n for _, n in values)
    if not values:
        return Histogram([], False, 0, 0)
    marks = [float(m) for m in marks if math.isfinite(m)]  # a limit set to inf: no bound to draw to
    lo, hi = min([values[0][0], *marks]), max([values[-1][0], *marks])
    positive = [(v, n) for v, n in values if v > 0]
    if all(v.is_integer() for v in [*(v for v, _ in values), *marks]) and hi - lo <= bins:
        return Histogram([{"lo": v - 0.5, "hi": v + 0.5, "docs": n} for v, n in values], False, 0, total)
    positive_span = [v for v in [*(v for v, _ in positive), *marks] if v > 0]
    if lo >= 0 and positive and max(positive_span) / min(positive_span) >= 100:
        zeros = total - sum(n for _, n in positive)
        edges = _edges(math.log10(min(positive_span)), math.log10(max(positive_span)), bins)
        return Histogram(_bars(positive, edges, math.log10, lambda e: 10 ** e), True, zeros, total)
    return Histogram(_bars(values, _edges(lo, hi, bins), lambda v: v, lambda e: e), False, 0, total)


def _edges(lo: float, hi: float, bins: int) -> list[float]:
    if hi == lo:
        return [lo - 0.5, hi + 0.5]
    step = (hi - lo) / bins
    return [lo + i * step for i in range(bins + 1)]


def _bars(values, edges, to_axis, from_axis) -> list[dict]:
    counts = [0] * (len(edges) - 1)
    span = edges[-1] - edges[0]
    for value, n in values:
        i = int((to_axis(value) - edges[0]) / span * len(counts))
        counts[min(max(i, 0), len(counts) - 1)] += n
    return [{"lo": from_axis(edges[i]), "hi": from_axis(edges[i + 1]), "docs": n}
            for i, n in enumerate(counts) if n]


def filter_thresholds(clean: dict) -> dict[str, list[dict]]:
    """Per signal (``label.field``), the thresholds the run's filters compared it with:
    ``{"name", "value", "lang"}`` (``lang`` None: every language), as the run recorded them
    (``thresholds``, RuleChain.thresholds); for an output made before runs recorded them, worked
    out from its clean config with the filters registered in this process (not a plugin's)."""
    if "thresholds" in clean:
        return clean["thresholds"]
    config = clean.get("clean", {})
    taken = {*BUILTIN_CHECKS, TRIGGER_SCAN}
    specs = config.get("filters", [])
    rules = registered_rules()
    filters = []
    for spec, label in zip(specs, step_labels([spec["name"] for spec in specs], taken)):
        cls = rules.get(spec["name"])
        if cls is not None:
            filters.append((label, cls, {**parameter_defaults(cls), **spec}))
    return threshold_marks(filters, languages_judged(clean))


# The probe's scores a report draws, with their titles: perplexity always, the others where the
# run cuts its buckets on them or limits them.
PROBE_SCORES = {"ppl": "probe perplexity", "nll_per_char": "probe NLL per character",
                "main_nll_per_char": "probe NLL per character of its own script"}


def probe_panels(probe: dict, lang: str) -> list[tuple[str, dict[str, int], list[dict]]]:
    """For one language of a probe run's stats: (title, histogram counts, marks) of each score
    drawn, the marks being the bucket cuts on the score the buckets cut and the limit the run set
    on a score for the language (or for every language, ``*``)."""
    scores = probe.get("languages", {}).get(lang, {})
    buckets = probe.get("buckets") or {}
    panels = []
    for score, title in PROBE_SCORES.items():
        counts = scores.get(f"{score}_histogram")
        cuts = buckets.get("cuts", {}).get(lang, []) if buckets.get("by", "ppl") == score else []
        limits = probe.get(f"max_{score}") or {}
        limit = limits.get(lang, limits.get("*"))
        if not counts or (score != "ppl" and not cuts and limit is None):
            continue
        marks = [{"name": f"{score}_bucket cut {i + 1}", "value": v, "lang": lang} for i, v in enumerate(cuts)]
        if limit is not None:
            marks.append({"name": f"probe.max_{score}", "value": limit, "lang": lang})
        panels.append((title, counts, marks))
    return panels
