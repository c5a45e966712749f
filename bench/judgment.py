"""How well a profile's judgment agrees with people, on the labelled sets of the development corpus.

    python bench/judgment.py --dev-data ../shared/data/dev --profile mixed_web --profile mixed_web_strict

For each profile (or config, ``--config FILE``) the clean stage's rules judge, in this process:

- ``hplt_en``: HPLT v2 English excerpts with human labels (``label`` 1 = good, 0 = porn, unnatural
  text or the wrong language): good kept, bad rejected, balanced accuracy (their mean).
- ``simchicore``: Chinese web documents with CORE registers; the selling (``ds``) and machine
  translated or generated (``MT``) ones stand in for junk, every other register for good.
- ``hplt_zh``: the sample of raw Chinese HPLT excerpts labelled by reading (bench/labels/), junk
  being gambling, porn, SEO/spun text, catalogues and contact spam, boilerplate.
- ``turku_lines``: English OSCAR documents with a main-text/noise label per line: precision,
  recall and F1 of the lines the profile keeps (edit rules remove lines; a rejected document
  keeps none).
- every clean reference source (``*_clean_*``): the share kept, at most ``--max-docs`` documents
  each, taken evenly through the odd positions of the file (the even ones train the shipped
  quality classifier).

``--probe`` adds the probe's perplexity (the shipped tiny model, bench/probe_train_tiny.py, or
the model folder ``--probe-model`` names) as a signal: ROC AUC per token, per character and per
character of the pieces in the set's own script (the stage's ``main_nll_per_char``) on each
labelled set; per language, ROC AUC per character of the clean reference sources' odd positions
(which no shipped model trains on) against the labelled web junk of that language; and the
balanced accuracy of the profile's rules together with a per-language limit on NLL per character,
set at the 98th percentile of the odd positions of clean sources (English: GUM, nltk prose;
Chinese: laws, LibreOffice help). Texts are scored on their first ``PROBE_CHARS`` characters, on
the CPU. Beside it, the same AUCs under the reference n-gram model (the ``reference_perplexity``
filter's), and the characters each scores per CPU second: the fast CPU path measured against the
full model.

``--ablate`` adds what each filter buys: every filter measures every document once
(``clean.score_all``), then the profile judges those stored values again without each filter in
turn (``RuleChain.judge``, what ``datacleaning rejudge`` runs), without measuring again.

Prints one Markdown table per measure and writes everything to bench/out/judgment/<name>.json.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from _common import BENCH_OUT, REPO_ROOT, add_dev_data_option, dev_data_or_exit, shown_path, surviving_lines
import datacleaning as dc
from datacleaning.quality import roc_auc
from datacleaning.cleaning.rule_chain import BUILTIN_CHECKS, RuleChain
from datacleaning.config import load_config

LABELS = REPO_ROOT / "bench" / "labels" / "zh_hplt_sample.tsv"
# Where the probe's per-language limit is set: the odd positions (held out of every shipped model) of these.
PROBE_CALIBRATION_SOURCES = {"en": ["en/en_clean_prose_gum.jsonl", "en/en_clean_prose_nltk.jsonl"],
                             "zh": ["zh/zh_clean_law_lawrefbook.jsonl", "zh/zh_clean_help_libreoffice.jsonl"]}
PROBE_CHARS = 2000
# The language each labelled set is written in: the script its main-script score reads.
SET_LANGUAGES = {"hplt_en": "en", "hplt_zh": "zh", "simchicore": "zh"}
PROBE_CALIBRATION_DOCS = 150
PROBE_KEEP = 0.98
REFERENCE_VS_JUNK_DOCS = 100
JUNK_REGISTERS = {"ds", "MT"}
GOOD = "good"
HPLT_SEPARATOR = "\n..........\n"


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def evenly(rows: list, most: int) -> list:
    """At most ``most`` rows taken at even steps through ``rows`` (every row when fewer)."""
    if len(rows) <= most:
        return rows
    return [rows[i * len(rows) // most] for i in range(most)]


def reference_halves(rows: list) -> tuple[list, list]:
    """A clean reference source in two halves: the even positions, which the shipped quality
    classifier trains on (bench/quality_train_default.py), and the odd ones, which this benchmark
    measures, so no rule is scored on text it learned from."""
    return rows[0::2], rows[1::2]


def hplt_document(record: dict) -> dict:
    """An HPLT excerpt as the document it stands for: the two halves the annotators saw, joined by
    the line ``..........`` that the excerpting added, become two paragraphs (a line of dots would
    otherwise be judged as the document's own)."""
    return {**record, "text": record["text"].replace(HPLT_SEPARATOR, "\n\n")}


def labelled_sets(dev: Path) -> dict[str, list[tuple[dict, str]]]:
    """Each labelled set as (record, label) pairs, the label "good" or the kind of junk."""
    sets = {"hplt_en": [(hplt_document(r), "good" if r["label"] == 1 else "bad")
                        for r in read_jsonl(dev / "en" / "en_web_quality_labelled_hplt.jsonl")]}
    registers = read_jsonl(dev / "zh" / "zh_web_register_simchicore.jsonl")
    sets["simchicore"] = [(r, "junk" if JUNK_REGISTERS & set(r["label"].split()) else "good") for r in registers]
    if LABELS.exists():
        by_id = {r["id"]: r for r in read_jsonl(dev / "zh" / "zh_web_hplt_unlabelled.jsonl")}
        with open(LABELS, encoding="utf-8") as f:
            sets["hplt_zh"] = [(hplt_document(by_id[row["id"]]), row["label"])
                               for row in csv.DictReader(f, delimiter="\t")]
    return sets


def judge(pipeline: dc.Pipeline, records: list[dict]) -> list[str | None]:
    """The rule that rejected each record (None: kept)."""
    return [None if c.kept else c.verdict.rejected_by for c in pipeline.clean(records)]


def numeric_signals(scores: dict) -> dict[str, float]:
    """Every number in a document's scores, named ``filter.key`` (``filter`` for a bare number)."""
    out = {}
    for label, value in scores.items():
        if isinstance(value, (int, float)):
            out[label] = float(value)
        elif isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(inner, (int, float)):
                    out[f"{label}.{key}"] = float(inner)
    return out


def with_clean(config, **changes) -> dc.Pipeline:
    """A pipeline of ``config`` with some ``[clean]`` settings changed (score_all, filters)."""
    return dc.Pipeline(config.model_copy(update={"clean": config.clean.model_copy(update=changes)}))


def signal_aucs(config, pairs: list[tuple[dict, str]]) -> tuple[dict[str, float], dict[str, dict]]:
    """ROC AUC of every numeric signal, measured with every filter on every document (score_all),
    over the documents that have it: above 0.5, good documents score higher. Also each filter's
    documents measured and seconds spent, as the pipeline counts them (one process, one core)."""
    scoring = with_clean(config, score_all=True)
    scoring.cleaning.take_counters()
    good: dict[str, list[float]] = {}
    junk: dict[str, list[float]] = {}
    measured: Counter = Counter()
    for (_, label), cleaned in zip(pairs, scoring.clean([r for r, _ in pairs])):
        side = good if label == GOOD else junk
        measured.update(cleaned.document.scores.keys())
        for name, value in numeric_signals(cleaned.document.scores).items():
            side.setdefault(name, []).append(value)
    counters = scoring.cleaning.take_counters()
    timing = {label: {"docs": measured[label], "seconds": counters[label]["seconds"]}
              for label, _ in scoring.cleaning.filters if measured[label]}
    aucs = {name: roc_auc(np.array(junk[name]), np.array(good[name])) for name in sorted(good) if junk.get(name)}
    return aucs, timing


def ablation(config, sets: dict[str, list[tuple[dict, str]]], references: dict[str, list[dict]]) -> dict:
    """Balanced accuracy per labelled set and the lowest share kept of the clean references, with
    every filter and without each one, judged from values measured once."""
    scoring = with_clean(config, score_all=True)
    measured = {name: [(c.document, c.verdict) for c in scoring.clean(records)]
                for name, records in [*((s, [r for r, _ in pairs]) for s, pairs in sets.items()), *references.items()]}
    filters = scoring.cleaning.filters

    def verdicts(judge: RuleChain, name: str) -> list[str | None]:
        return [verdict.rejected_by if verdict is not None and verdict.rejected_by in BUILTIN_CHECKS
                else getattr(judge.judge(doc.scores, doc.lang, doc.source, doc.id), "rejected_by", None)
                for doc, verdict in measured[name]]

    rows = {}
    for left_out in ["", *(label for label, _ in filters)]:
        judge = RuleChain(filters=[rule for label, rule in filters if label != left_out])
        row = {s: score_labelled(pairs, verdicts(judge, s))["balanced_accuracy"] for s, pairs in sets.items()}
        row["min_reference_kept"] = min(sum(v is None for v in verdicts(judge, name)) / len(references[name])
                                        for name in references)
        rows[left_out or "(all filters)"] = row
    return rows


def probe_nll(texts: list[str], model_dir: Path, lang: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """NLL per token, per character and per character of the pieces in ``lang``'s script (the
    stage's ``main_nll_per_char``) of each text's first PROBE_CHARS characters under the probe
    model in ``model_dir`` (NaN for a text of no such tokens), and the characters scored per CPU
    second (tokenizing included, one torch thread, as each worker of the probe stage scores). The
    texts are read as the stage reads them by default, Traditional characters folded."""
    import pyarrow as pa
    import torch
    from datacleaning.model_probe import Scorer, load_model, load_tokenizer
    from datacleaning.model_probe.main_script import MainScript
    from datacleaning.model_probe.text import model_texts, unread_chars, unread_nll
    scorer, tokenizer = Scorer(load_model(model_dir)), load_tokenizer(model_dir)
    main_script = MainScript.of(tokenizer)
    texts = [t[:PROBE_CHARS] for t in texts]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    started = time.process_time()
    read = model_texts(pa.array(texts, pa.string()), fold_script=True)
    ids = [np.array(tokenizer.encode(t), dtype=np.int64) for t in read.to_pylist()]
    masks = [main_script.mask(doc, lang) for doc in ids]
    scores = scorer.score(ids, main=masks)
    unread = unread_nll(tokenizer, unread_chars(tokenizer, read, ids))
    seconds = time.process_time() - started
    torch.set_num_threads(threads)
    per_token = np.array([s.nll / s.n_tokens if s.n_tokens else np.nan for s in scores])
    per_char = np.array([(s.nll + u) / len(t) if s.n_tokens else np.nan for s, u, t in zip(scores, unread, texts)])
    main_chars = np.array([main_script.chars(doc, mask) for doc, mask in zip(ids, masks)])
    main = np.array([s.main_nll for s in scores]) / np.where(main_chars > 0, main_chars, np.nan)
    return per_token, per_char, main, sum(map(len, texts)) / seconds


def reference_lm_nll(texts: list[str]) -> tuple[np.ndarray, float]:
    """NLL per character under the shipped reference n-gram model (the reference_perplexity
    filter's; it reads a text's first 1,000 characters), and the characters it read per CPU second."""
    from datacleaning.reference_lm import load_reference_lm
    model = load_reference_lm()
    started = time.process_time()
    per_char = np.array([model.nll_per_char(t) for t in texts])
    seconds = time.process_time() - started
    return per_char, sum(min(len(t), model.max_chars) for t in texts) / seconds


def probe_report(config, dev: Path, sets: dict[str, list[tuple[dict, str]]], model_dir: Path) -> dict:
    """AUC of the probe's NLL per token and per character on each labelled set and of clean
    reference text against labelled junk, and the balanced accuracy of the rules alone and with a
    per-language limit on NLL per character."""
    limits = {}
    for lang, sources in PROBE_CALIBRATION_SOURCES.items():
        texts = [r["text"] for source in sources
                 for r in evenly(reference_halves(read_jsonl(dev / source))[1], PROBE_CALIBRATION_DOCS)]
        limits[lang] = float(np.nanquantile(probe_nll(texts, model_dir, lang)[1], PROBE_KEEP))
    pipeline = dc.Pipeline(config)
    report = {"model": shown_path(model_dir), "limits": limits, "sets": {}}
    speeds = {"probe": [], "reference_lm": []}
    junk_scores = {}
    for name, pairs in sets.items():
        cleaned = list(pipeline.clean([r for r, _ in pairs]))
        per_token, per_char, main, probe_speed = probe_nll([r["text"] for r, _ in pairs], model_dir,
                                                           SET_LANGUAGES[name])
        reference, reference_speed = reference_lm_nll([r["text"] for r, _ in pairs])
        speeds["probe"].append(probe_speed)
        speeds["reference_lm"].append(reference_speed)
        good = np.array([label == GOOD for _, label in pairs])
        junk_scores[name] = (per_char[~good], reference[~good], main[~good])
        scored = ~np.isnan(per_char)
        rules = [None if c.kept else c.verdict.rejected_by for c in cleaned]
        combined = [v if v is not None or not (per_char[i] > limits.get(c.document.lang, np.inf)) else "probe"
                    for i, (v, c) in enumerate(zip(rules, cleaned))]
        report["sets"][name] = {
            "auc_per_token": roc_auc(-per_token[~good & scored], -per_token[good & scored]),
            "auc_per_char": roc_auc(-per_char[~good & scored], -per_char[good & scored]),
            "auc_main_per_char": roc_auc(-main[~good & ~np.isnan(main)], -main[good & ~np.isnan(main)]),
            "auc_reference_lm": roc_auc(-reference[~good], -reference[good]),
            "rules": score_labelled(pairs, rules), "rules_and_probe": score_labelled(pairs, combined)}
    report["chars_per_cpu_second"] = {signal: round(float(np.median(rates))) for signal, rates in speeds.items()}
    report["reference_vs_junk"] = reference_vs_junk(dev, junk_scores, model_dir)
    return report


def reference_vs_junk(dev: Path, junk_scores: dict[str, tuple[np.ndarray, np.ndarray]], model_dir: Path) -> dict:
    """Per language, ROC AUC per character (good lower) of each clean reference source's odd
    positions against the labelled web junk of the language (the HPLT labels; ``junk_scores``:
    per labelled set, its junk's NLL per character under the probe and the reference n-gram
    model), under both models; and of all the language's sources together."""
    junk_of = {"en": "hplt_en", "zh": "hplt_zh"}
    report = {}
    for lang, set_name in junk_of.items():
        junk_probe, junk_ngram, junk_main = junk_scores[set_name]
        rows, pooled_probe, pooled_ngram, pooled_main = {}, [], [], []
        for source in sorted(dev.glob(f"{lang}/{lang}_clean_*.jsonl")):
            clean = [r["text"] for r in evenly(reference_halves(read_jsonl(source))[1], REFERENCE_VS_JUNK_DOCS)]
            _, clean_probe, clean_main, _ = probe_nll(clean, model_dir, lang)
            clean_ngram = reference_lm_nll(clean)[0]
            pooled_probe.append(clean_probe)
            pooled_ngram.append(clean_ngram)
            pooled_main.append(clean_main)
            rows[source.stem] = {"docs": len(clean), "probe": _good_lower(clean_probe, junk_probe),
                                 "probe_main": _good_lower(clean_main, junk_main),
                                 "reference_lm": _good_lower(clean_ngram, junk_ngram)}
        clean_probe, clean_ngram = np.concatenate(pooled_probe), np.concatenate(pooled_ngram)
        rows["all"] = {"docs": len(clean_probe), "probe": _good_lower(clean_probe, junk_probe),
                       "probe_main": _good_lower(np.concatenate(pooled_main), junk_main),
                       "reference_lm": _good_lower(clean_ngram, junk_ngram)}
        report[lang] = {"junk": len(junk_probe), "sources": rows}
    return report


def _good_lower(good: np.ndarray, junk: np.ndarray) -> float:
    """ROC AUC of a score on which good text should be lower than junk (texts without a score left out)."""
    return roc_auc(good[~np.isnan(good)], junk[~np.isnan(junk)])


# The judgment issue's targets for the labelled Chinese sample.
SPAM_KINDS = ("gambling", "seo")
SPAM_TARGET = 0.90
GOOD_LOSS_TARGET = 0.05


def score_labelled(pairs: list[tuple[dict, str]], verdicts: list[str | None]) -> dict:
    good = [v for (_, label), v in zip(pairs, verdicts) if label == GOOD]
    junk = [(label, v) for (_, label), v in zip(pairs, verdicts) if label != GOOD]
    kept_good = sum(v is None for v in good) / max(len(good), 1)
    rejected_junk = sum(v is not None for _, v in junk) / max(len(junk), 1)
    per_kind = {}
    for kind in sorted({label for label, _ in junk}):
        of_kind = [v for label, v in junk if label == kind]
        per_kind[kind] = {"docs": len(of_kind), "rejected": sum(v is not None for v in of_kind)}
    return {"good": len(good), "junk": len(junk), "kept_good": kept_good, "rejected_junk": rejected_junk,
            "balanced_accuracy": (kept_good + rejected_junk) / 2, "junk_by_kind": per_kind,
            "rejected_by": dict(Counter(v for v in verdicts if v is not None).most_common()),
            "good_rejected_by": dict(Counter(v for v in good if v is not None).most_common())}


def score_lines(pipeline: dc.Pipeline, records: list[dict]) -> dict:
    """Turku's line labels (1 = main text, 0 = noise) against the lines the profile keeps: a line
    is kept when its document is kept and the line, whitespace and case aside, is still a line of
    the cleaned text (``surviving_lines``). Precision, recall and F1 of the kept lines as main text."""
    true_kept = kept = main = 0
    for record, cleaned in zip(records, pipeline.clean(records)):
        flags = surviving_lines(record["lines"], cleaned.document.text if cleaned.kept else "")
        for is_kept, label in zip(flags, record["line_labels"]):
            kept += is_kept
            main += label
            true_kept += is_kept and label == 1
    precision, recall = true_kept / max(kept, 1), true_kept / max(main, 1)
    return {"lines": sum(len(r["lines"]) for r in records), "main_lines": main, "kept_lines": kept,
            "precision": precision, "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0}


def evaluate(name: str, config, dev: Path, max_docs: int, signals: bool = False, ablate: bool = False,
             probe: Path | None = None) -> dict:
    pipeline = dc.Pipeline(config)
    report: dict = {"labelled": {}, "clean_reference": {}}
    for set_name, pairs in labelled_sets(dev).items():
        report["labelled"][set_name] = score_labelled(pairs, judge(pipeline, [r for r, _ in pairs]))
    report["turku_lines"] = score_lines(pipeline, read_jsonl(dev / "en" / "en_web_line_labelled_turku.jsonl"))
    if signals:
        measured = {set_name: signal_aucs(config, pairs) for set_name, pairs in labelled_sets(dev).items()}
        report["signal_auc"] = {set_name: aucs for set_name, (aucs, _) in measured.items()}
        totals: dict[str, dict] = {}
        for _, timing in measured.values():
            for label, t in timing.items():
                total = totals.setdefault(label, {"docs": 0, "seconds": 0.0})
                total["docs"] += t["docs"]
                total["seconds"] += t["seconds"]
        report["signal_docs_per_second"] = {label: round(t["docs"] / t["seconds"]) if t["seconds"] else None
                                            for label, t in totals.items()}
    references = {source.stem: evenly(reference_halves(read_jsonl(source))[1], max_docs)
                  for source in sorted(dev.glob("*/*_clean_*.jsonl"))}
    if ablate:
        report["ablation"] = ablation(config, labelled_sets(dev), references)
    if probe:
        report["probe"] = probe_report(config, dev, labelled_sets(dev), probe)
    for source in sorted(dev.glob("*/*_clean_*.jsonl")):
        records = references[source.stem]
        verdicts = judge(pipeline, records)
        report["clean_reference"][source.stem] = {
            "docs": len(records), "kept": sum(v is None for v in verdicts) / len(records),
            "rejected_by": dict(Counter(v for v in verdicts if v is not None).most_common())}
    return report


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def print_tables(reports: dict[str, dict]) -> None:
    print("Labelled sets: good kept / junk rejected (balanced accuracy).\n")
    sets = sorted({s for r in reports.values() for s in r["labelled"]})
    print("| profile | " + " | ".join(sets) + " |")
    print("|---|" + "---|" * len(sets))
    for name, report in reports.items():
        cells = []
        for s in sets:
            m = report["labelled"].get(s)
            cells.append(f"{_pct(m['kept_good'])} / {_pct(m['rejected_junk'])} (**{m['balanced_accuracy']:.2f}**)"
                         if m else "-")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nTurku line labels: precision / recall (F1) of the lines kept, as main text.\n")
    print("| profile | lines | main text | kept | precision | recall | F1 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, report in reports.items():
        t = report["turku_lines"]
        print(f"| {name} | {t['lines']:,} | {t['main_lines']:,} | {t['kept_lines']:,} | {_pct(t['precision'])} | "
              f"{_pct(t['recall'])} | **{t['f1']:.2f}** |")
    print("\nClean reference sources: share kept.\n")
    sources = sorted({s for r in reports.values() for s in r["clean_reference"]})
    print("| source | docs | " + " | ".join(reports) + " |")
    print("|---|---:|" + "---:|" * len(reports))
    for source in sources:
        docs = next(r["clean_reference"][source]["docs"] for r in reports.values())
        print(f"| {source} | {docs:,} | "
              + " | ".join(_pct(r["clean_reference"][source]["kept"]) for r in reports.values()) + " |")
    for name, report in reports.items():
        aucs = report.get("signal_auc")
        if aucs:
            print(f"\n{name}: ROC AUC of each signal, good above junk (every filter measured on every document).\n")
            names = sorted({n for per_set in aucs.values() for n in per_set})
            print("| signal | " + " | ".join(aucs) + " |")
            print("|---|" + "---:|" * len(aucs))
            for signal in names:
                print(f"| {signal} | " + " | ".join(f"{aucs[s][signal]:.2f}" if signal in aucs[s] else "-"
                                                   for s in aucs) + " |")
    for name, report in reports.items():
        speed = report.get("signal_docs_per_second")
        if speed:
            print(f"\n{name}: documents per second of each filter on one core, over the labelled sets (its own "
                  f"time as the pipeline counts it: a text view several filters share is counted against the "
                  f"first that asks for it).\n")
            print("| filter | documents per second |\n|---|---:|")
            for label, rate in sorted(speed.items(), key=lambda item: -(item[1] or 0)):
                print(f"| {label} | {rate:,} |" if rate else f"| {label} | - |")
    for name, report in reports.items():
        probe = report.get("probe")
        if probe:
            limits = ", ".join(f"{lang} {limit:.3f}" for lang, limit in probe["limits"].items())
            print(f"\n{name} with the probe ({probe['model']}): ROC AUC of its NLL (good lower), and balanced "
                  f"accuracy of the rules alone and with NLL per character limited per language ({limits} nats, "
                  f"the {PROBE_KEEP:.0%} point of held-out clean text).\n")
            print("| set | AUC per token | AUC per char | AUC per char of its own script | "
                  "reference n-gram AUC per char | rules | rules + probe |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            for set_name, row in probe["sets"].items():
                both = row["rules_and_probe"]
                print(f"| {set_name} | {row['auc_per_token']:.3f} | {row['auc_per_char']:.3f} | "
                      f"{row['auc_main_per_char']:.3f} | "
                      f"{row['auc_reference_lm']:.3f} | {row['rules']['balanced_accuracy']:.2f} | "
                      f"{_pct(both['kept_good'])} / {_pct(both['rejected_junk'])} (**{both['balanced_accuracy']:.2f}**) |")
            print("\nClean reference text (odd positions) against the labelled web junk of its language: ROC AUC "
                  "of NLL per character, good lower.\n")
            print("| language | source | clean docs | junk docs | probe | probe, own script | reference n-gram |")
            print("|---|---|---:|---:|---:|---:|---:|")
            for lang, row in probe["reference_vs_junk"].items():
                for source, aucs in row["sources"].items():
                    print(f"| {lang} | {source} | {aucs['docs']} | {row['junk']} | {aucs['probe']:.3f} | "
                          f"{aucs['probe_main']:.3f} | {aucs['reference_lm']:.3f} |")
            rates = probe["chars_per_cpu_second"]
            print(f"\nCharacters scored per CPU second (median over the sets; one thread): the tiny "
                  f"TransNormerLLM {rates['probe']:,}, the reference n-gram model {rates['reference_lm']:,} "
                  f"({rates['reference_lm'] / rates['probe']:.0f}x).")
    for name, report in reports.items():
        rows = report.get("ablation")
        if rows:
            sets = [key for key in next(iter(rows.values())) if key != "min_reference_kept"]
            print(f"\n{name}: balanced accuracy without each filter, judged from values measured once "
                  f"(and the lowest share kept of the clean references).\n")
            print("| filter left out | " + " | ".join(sets) + " | lowest clean kept |")
            print("|---|" + "---:|" * (len(sets) + 1))
            for left_out, row in rows.items():
                print(f"| {left_out} | " + " | ".join(f"{row[s]:.3f}" for s in sets)
                      + f" | {_pct(row['min_reference_kept'])} |")
    for name, report in reports.items():
        zh = report["labelled"].get("hplt_zh")
        if zh:
            kinds = ", ".join(f"{k} {v['rejected']}/{v['docs']}" for k, v in zh["junk_by_kind"].items())
            print(f"\n{name}, hplt_zh junk rejected by kind: {kinds}")
            spam = [zh["junk_by_kind"][k] for k in SPAM_KINDS if k in zh["junk_by_kind"]]
            rejected, docs = sum(v["rejected"] for v in spam), sum(v["docs"] for v in spam)
            good_rejected = 1 - zh["kept_good"]
            print(f"{name}, hplt_zh against the judgment issue's targets: gambling and SEO rejected "
                  f"{rejected}/{docs} ({_pct(rejected / max(docs, 1))}, target {_pct(SPAM_TARGET)}: "
                  f"{'met' if rejected >= SPAM_TARGET * docs else 'NOT met'}); good rejected "
                  f"{round(good_rejected * zh['good'])}/{zh['good']} ({_pct(good_rejected)}, at most {_pct(GOOD_LOSS_TARGET)}: "
                  f"{'met' if good_rejected <= GOOD_LOSS_TARGET else 'NOT met'})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_dev_data_option(parser)
    parser.add_argument("--profile", action="append", default=[], help="a bundled profile; repeatable")
    parser.add_argument("--config", action="append", default=[], type=Path, help="a config file; repeatable")
    parser.add_argument("--max-docs", type=int, default=400, help="documents per clean reference source")
    parser.add_argument("--signals", action="store_true",
                        help="also the ROC AUC of every filter's measured values on each labelled set, and each "
                             "filter's documents per second")
    parser.add_argument("--ablate", action="store_true",
                        help="also each filter's contribution, judged again from values measured once")
    parser.add_argument("--probe", action="store_true",
                        help="also the probe's perplexity as a signal, alone and with the rules (CPU)")
    parser.add_argument("--probe-model", type=Path, default=None,
                        help="with --probe: a probe model folder (default: the shipped tiny model)")
    parser.add_argument("--out", type=Path, default=BENCH_OUT / "judgment")
    args = parser.parse_args()
    dev = dev_data_or_exit(args.dev_data, "judgment")
    configs = {p: load_config(None, profile=p) for p in args.profile or ["mixed_web"]}
    configs.update({str(path): load_config(path) for path in args.config})
    probe = None
    if args.probe:
        from datacleaning.model_probe import SHIPPED_TINY
        probe = args.probe_model or SHIPPED_TINY
    reports = {name: evaluate(name, config, dev, args.max_docs, args.signals, args.ablate, probe)
               for name, config in configs.items()}
    print_tables(reports)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, report in reports.items():
        (args.out / f"{Path(name).stem}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
