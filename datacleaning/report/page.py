"""The report page: one HTML file that opens from ``file://`` with no network access (Vega,
Vega-Lite and vega-embed inlined once, every chart a specification beside it)."""
from __future__ import annotations

import html
import json
from collections import Counter

import vl_convert
from altair.vegalite import SCHEMA_VERSION

from datacleaning import storage
from datacleaning.errors import ConfigError
from datacleaning.report import charts
from datacleaning.report.runs import RunOutput, read_run
from datacleaning.report.tables import (
    breakdown_rows, filter_thresholds, funnel_rows, funnel_steps, histogram, probe_panels, rule_rows,
    source_rule_matrix, unfinished_stages)
from datacleaning.shards import write_atomic
from datacleaning.storage import StoragePath

REPORT_FILE = "report.html"
# How every report begins: a run takes an output folder holding only such a page for its own.
REPORT_HEAD = '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>datacleaning run report</title>'
TABLE_ROWS = 30
SHOWN_CHARS = 600
# Signals whose label starts with these are quality scores: drawn in their own section.
SCORE_RULES = ("quality_classifier", "reference_perplexity")

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; } h3 { margin-top: 1.4em; }
table { border-collapse: collapse; margin: .6em 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 7px; overflow-wrap: anywhere; }
th { background: #f4f4f4; position: sticky; top: 0; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.wide { overflow-x: auto; max-width: 100%; }
.chart { margin: .8em 0; }
pre { white-space: pre-wrap; word-break: break-word; background: #f8f8f8; padding: .5em; margin: .3em 0; }
details.sample { border-left: 3px solid #ccc; margin: .5em 0; padding-left: .6em; }
.meta { color: #555; font-size: 12px; }
.note { color: #555; }
"""


def is_run_report(location: StoragePath) -> bool:
    """Whether the file at ``location`` is a report a run wrote (it begins as every one does)."""
    with storage.open_input(location) as f:
        return f.read(len(REPORT_HEAD.encode())) == REPORT_HEAD.encode()


def write_report(location: str | StoragePath, destination: str | StoragePath | None = None) -> StoragePath:
    """Write the report of the finished output folder ``location`` (a run's, or one stage's) to
    ``destination`` (default ``location/report.html``; a name ending in .html or .htm is the page,
    anything else a folder to hold ``report.html``; missing folders are made); returns where it
    went. A report the same as the one there is not written again: rerunning a finished run
    rewrites nothing."""
    run = read_run(location)
    target = storage.as_path(destination) if destination else run.location / REPORT_FILE
    if destination and not str(destination).lower().endswith((".html", ".htm")):
        if storage.exists(target) and not storage.is_dir(target):
            raise ConfigError(f"{target} is a file, not a folder to hold {REPORT_FILE}: name the page "
                              f"with .html (--to report.html) or a folder")
        target = target / REPORT_FILE
    storage.make_dirs(target.parent)
    page = render(run).encode("utf-8")
    if not (storage.exists(target) and storage.read_bytes(target) == page):
        write_atomic(target, page)
    return target


class _Page:
    def __init__(self):
        self.parts: list[str] = []
        self.specs: dict[str, dict] = {}

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def chart(self, spec: dict) -> None:
        chart_id = f"chart-{len(self.specs)}"
        self.specs[chart_id] = spec
        self.parts.append(f'<div class="chart" id="{chart_id}"></div>')


def render(run: RunOutput) -> str:
    """The report page of ``run``."""
    page = _Page()
    page.add(f"<h1>datacleaning run report</h1><p class=note>{_e(str(run.location))}</p>")
    _stages(page, run)
    # One colour per language on every chart: each chart's own list of languages would give it
    # colours in its own order.
    languages = sorted({row["lang"] for row in funnel_rows(run)}
                       | {row["lang"] for counter in ("rejected_by", "edited_by")
                          for row in rule_rows(run.stats.get("clean", {}), counter)})
    _funnel(page, run, languages)
    if "clean" in run.stats:
        _rules(page, run.stats["clean"], languages)
        _signals(page, run.stats["clean"])
    _quality(page, run)
    if "dedup" in run.stats:
        _dedup(page, run.stats["dedup"])
    if "tokenize" in run.stats:
        _tokens(page, run.stats["tokenize"])
    _samples(page, run.samples, "rejudged" in run.stats.get("clean", {}))
    # Text from the data (a source's name) must not end the script or open a comment in it.
    specs = json.dumps(page.specs, ensure_ascii=False).replace("<", "\\u003c")
    bundle = vl_convert.javascript_bundle(vl_version="_".join(SCHEMA_VERSION.split(".")[:2]))
    return f"""{REPORT_HEAD}
<style>{STYLE}</style>
<script>{bundle}</script></head>
<body>
{"".join(page.parts)}
<script>
const specs = {specs};
for (const [id, spec] of Object.entries(specs)) {{
  vegaEmbed("#" + id, spec, {{actions: {{export: true, source: false, compiled: false, editor: false}}}})
    .catch(error => console.error(id, error));
}}
</script>
</body></html>
"""


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _n(value) -> str:
    if value is None:
        return '<td class=n>–</td>'
    if isinstance(value, float):
        return f"<td class=n>{value:,.4g}</td>"
    return f"<td class=n>{value:,}</td>" if isinstance(value, int) else f"<td>{_e(value)}</td>"


def _table(header: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_n(v) for v in row) + "</tr>" for row in rows)
    return f'<div class=wide><table><tr>{head}</tr>{body}</table></div>'


def _stages(page: _Page, run: RunOutput) -> None:
    rows = []
    for stage, stats in run.stats.items():
        dropped = stats.get("rejected_docs", stats.get("removed_docs"))
        rows.append([stage, stats.get("status", "?"), stats.get("input_docs", stats.get("documents")),
                     stats.get("kept_docs", stats.get("documents")), dropped, stats.get("quarantined_docs"),
                     stats.get("wall_seconds")])
    page.add("<h2>Stages</h2>" + _table(
        ["stage", "status", "documents in", "kept", "rejected or removed", "quarantined", "wall seconds"], rows))
    clean = run.stats.get("clean", {})
    if clean.get("profile"):
        page.add(f"<p>Rule profile: <b>{_e(clean['profile'])}</b>.</p>")
    kinds = sorted(clean.get("quarantined_by", {}).items(), key=lambda kv: (-kv[1], kv[0]))
    if kinds:
        page.add("<h3>Quarantined, by kind of fault</h3><p class=note>The records themselves, with their "
                 "bytes, file and offset, are in the clean stage's <code>quarantine/</code>.</p>"
                 + _table(["fault (numbers left out)", "records"], [[kind, n] for kind, n in kinds]))
    rejudged = clean.get("rejudged")
    if rejudged:
        def moved(counts: dict, there: str, here: str) -> str:
            by_rule = ", ".join(f"{rule} {n:,}" for rule, n in counts.items())
            return f"{sum(counts.values()):,} documents {there} there are {here} here" + (
                f" ({_e(by_rule)})" if counts else "")
        unjudged = rejudged.get("thresholds_without_values", {})
        page.add(f"<p>The clean stage's documents judged again with other thresholds (<code>datacleaning "
                 f"rejudge</code>) from the values stored in <code>{_e(rejudged.get('from', '?'))}</code>, nothing "
                 f"measured again: {moved(rejudged.get('kept_to_rejected', {}), 'kept', 'rejected')}, "
                 f"{moved(rejudged.get('rejected_to_kept', {}), 'rejected', 'kept')}."
                 + (f" Thresholds that judged nothing, their field stored for no document: "
                    f"{_e(', '.join(sorted(unjudged)))}." if unjudged else "") + "</p>")


def _funnel(page: _Page, run: RunOutput, languages: list[str]) -> None:
    steps = funnel_steps(run)
    rows = funnel_rows(run)
    page.add("<h2>Funnel</h2><p class=note>Documents and characters read, then left after each stage; "
             "a language is the one identified in the clean stage (<i>unidentified</i>: rejected or "
             "quarantined before it).</p>")
    unfinished = unfinished_stages(run)
    if unfinished:
        page.add("<p><b>Left out of the funnel and its tables by language and source, not finished</b> (their "
                 "counts are of the work done so far; rerun the stage to finish it): " + ", ".join(
                     f"{_e(stage)} ({_e(run.stats[stage].get('status'))})" for stage in unfinished) + ".</p>")
    if rows:
        page.chart(charts.funnel(rows, steps, languages))
    columns = [f"{step} {unit}" for step in steps if step != "tokenize" for unit in ("docs", "chars")]
    keys = [f"{step}_{unit}" for step in steps if step != "tokenize" for unit in ("docs", "chars")]
    if "tokenize" in steps:
        columns += ["tokenized docs", "tokens"]
        keys += ["tokenize_docs", "tokens"]
    for title, table in (("By language", "by_language"), ("By source", "by_source")):
        body, others = breakdown_rows(run, table, TABLE_ROWS)
        if not body:
            continue
        # Counted by source and language since 2026-12-07: an older run's would show zeros.
        shown = list(zip(columns, keys))
        if any(row.get("quarantined_docs") for row in body):
            shown.insert(2, ("quarantined", "quarantined_docs"))
        page.add(f"<h3>{title}</h3>" + _table([title[3:]] + [c for c, _ in shown],
                                                [[r["name"]] + [r.get(k) for _, k in shown] for r in body]))


def _rules(page: _Page, clean: dict, languages: list[str]) -> None:
    page.add("<h2>Rules</h2>")
    rejected, edited = rule_rows(clean, "rejected_by"), rule_rows(clean, "edited_by")
    if rejected:
        page.chart(charts.by_rule(rejected, "documents rejected, by the rule that rejected them", languages))
    if edited:
        page.chart(charts.by_rule(edited, "documents edited, by rule (a document can be edited by several)",
                                  languages))
    rules = clean.get("rules", {})
    rows = [[name, c.get("kind"), c.get("rejected", 0), c.get("edited", 0), c.get("chars_removed", 0),
             c.get("seconds", 0.0), ", ".join(f"{k} {v:,}" for k, v in sorted(c.get("checks", {}).items(),
                                                                            key=lambda kv: -kv[1]))]
            for name, c in rules.items() if c.get("rejected") or c.get("edited")]
    quiet = [name for name, c in rules.items() if not (c.get("rejected") or c.get("edited"))]
    page.add("<h3>Every rule that acted</h3>" + _table(
        ["rule", "kind", "rejected", "edited", "characters removed", "seconds", "rejected by check"], rows))
    if quiet:
        page.add(f"<p class=note>Rules that neither rejected nor edited a document: {_e(', '.join(quiet))}.</p>")
    for counter, title, note in (("rejected_by", "Rejections by source", "lost the most documents; documents each "
                                  "rule rejected"),
                                 ("edited_by", "Edits by source", "had the most documents edited; documents each "
                                  "rule edited")):
        names, matrix = source_rule_matrix(clean, counter, TABLE_ROWS)
        if matrix:
            page.add(f"<h3>{title}</h3><p class=note>The {len(matrix)} sources that {note}.</p>" + _table(
                ["source", "documents read", *names],
                [[r["source"], r["input_docs"], *(r.get(n, 0) for n in names)] for r in matrix]))


def _signals(page: _Page, clean: dict) -> None:
    signals = clean.get("signals", {})
    if not signals:
        return
    thresholds = filter_thresholds(clean)
    page.add("<h2>Signals</h2><p class=note>What each filter measured, per language, with its thresholds in red "
             "(hover a rule for its parameter). A filter measures the documents that reach it: those an earlier "
             "filter rejected are not counted unless the run scores every filter (<code>clean.score_all</code>). "
             "Drag to pan, scroll to zoom.</p>")
    for lang in sorted(signals):
        panels = [_panel(name, counts, thresholds.get(name, []), lang)
                          for name, counts in signals[lang].items() if not name.startswith(SCORE_RULES)]
        if panels:
            page.add(f"<h3>{_e(lang)}</h3>")
            page.chart(charts.grid(panels))


def _panel(name: str, counts: dict, thresholds: list[dict], lang: str) -> tuple:
    marks = [t for t in thresholds if t["lang"] in (None, lang)]
    return histogram(counts, [t["value"] for t in marks]), marks, name


def _quality(page: _Page, run: RunOutput) -> None:
    clean_signals = run.stats.get("clean", {}).get("signals", {})
    probe = run.stats.get("probe", {})
    scored = {lang: {name: counts for name, counts in signals.items() if name.startswith(SCORE_RULES)}
              for lang, signals in clean_signals.items()}
    if not probe and not any(scored.values()):
        return
    page.add("<h2>Quality scores</h2>")
    thresholds = filter_thresholds(run.stats.get("clean", {}))
    for lang in sorted(set(scored) | set(probe.get("languages", {}))):
        drawn = [_panel(name, counts, thresholds.get(name, []), lang)
                 for name, counts in scored.get(lang, {}).items()]
        drawn += [(histogram(counts, [m["value"] for m in marks]), marks, title)
                  for title, counts, marks in probe_panels(probe, lang)]
        if drawn:
            page.add(f"<h3>{_e(lang)}</h3>")
            page.chart(charts.grid(drawn))
    languages = probe.get("languages", {})
    if languages:
        quantiles = sorted({q for scores in languages.values() for q in scores.get("ppl_quantiles", {})}, key=float)
        page.add("<p class=note>Probe perplexity quantiles.</p>" + _table(
            ["language", "documents", "tokens", *(f"p{float(q) * 100:g}" for q in quantiles)],
            [[lang, s.get("documents"), s.get("tokens"), *(s.get("ppl_quantiles", {}).get(q) for q in quantiles)]
             for lang, s in sorted(languages.items())]))


def _dedup(page: _Page, dedup: dict) -> None:
    page.add("<h2>Duplicates</h2>" + _table(
        ["input", "kept", "exact copies", "near copies", "copies of earlier runs", "boilerplate only", "clusters"],
        [[dedup.get("input_docs"), dedup.get("kept_docs"), dedup.get("exact_duplicates"),
          dedup.get("near_duplicates"), dedup.get("earlier_run_duplicates"), dedup.get("boilerplate_only_docs"),
          dedup.get("clusters")]]))
    if dedup.get("cluster_sizes"):
        page.chart(charts.cluster_sizes(dedup["cluster_sizes"]))
    largest = dedup.get("largest_clusters", [])
    if largest:
        page.add("<h3>Largest clusters</h3><p class=note>The document kept for each (its representative); "
                 "the others are in <code>removed/</code> under the same cluster.</p>" + _table(
                     ["representative", "documents"], [[c["representative"], c["size"]] for c in largest]))


def _tokens(page: _Page, tokenize: dict) -> None:
    page.add("<h2>Tokens</h2>")
    sources = tokenize.get("sources", {})
    top = sorted(sources.items(), key=lambda kv: -kv[1].get("tokens", 0))[:TABLE_ROWS]
    if top:
        page.chart(charts.tokens_by_source([{"source": s, **counts} for s, counts in top]))
    languages = tokenize.get("languages", {})
    page.add(_table(["language", "documents", "tokens", "characters", "characters per token"],
                    [[lang, c.get("documents"), c.get("tokens"), c.get("characters"),
                      round(c["characters"] / c["tokens"], 2) if c.get("tokens") else None]
                     for lang, c in sorted(languages.items())]))


def _samples(page: _Page, samples: list[dict], rejudged: bool) -> None:
    if not samples:
        return
    as_read = ("as read, but for those the clean run kept and the rejudge rejects, which it stored cleaned"
               if rejudged else "as read")
    page.add("<h2>Review samples</h2><p class=note>A seeded random sample of the documents kept and of those each "
             f"rule rejected ({as_read}), also in the clean stage's <code>review_samples.jsonl</code> for review "
             "tools. Texts are cut at the run's <code>clean.review_samples.max_chars</code>.</p>")
    groups = Counter(s["category"] for s in samples)
    order = sorted(groups, key=lambda c: (c != "kept", -groups[c], c))
    for category in order:
        items = [s for s in samples if s["category"] == category]
        blocks = "".join(_sample(s) for s in items)
        noun = "document" if len(items) == 1 else "documents"
        page.add(f"<details><summary><b>{_e(category)}</b> — {len(items):,} {noun}</summary>{blocks}</details>")


def _sample(sample: dict) -> str:
    text = sample.get("text") or ""
    reason = f" · {_e(sample['reason'])} = {_e(sample.get('value'))}" if sample.get("reason") else ""
    head = (f"<span class=meta>{_e(sample.get('id'))} · {_e(sample.get('source'))} · {_e(sample.get('lang'))}"
            f"{reason} · {sample.get('chars', len(text)):,} characters</span>")
    shown = f"<pre>{_e(text[:SHOWN_CHARS])}</pre>"
    if len(text) > SHOWN_CHARS:
        shown += (f"<details><summary>the other {len(text) - SHOWN_CHARS:,} characters</summary>"
                  f"<pre>{_e(text[SHOWN_CHARS:])}</pre></details>")
    return f'<div class="sample">{head}{shown}</div>'
