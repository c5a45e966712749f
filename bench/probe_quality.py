"""Does the probe's perplexity tell clean reference text from what the cleaning stage rejects? And how
fast does the shipped tiny model score on a CPU?

    python bench/probe_quality.py --dev-data ../shared/data/dev
    python bench/probe_quality.py --dev-data ../shared/data/dev --model path/to/hf_folder --threads 2

Clean: the held-out documents of the development corpus' clean reference files (the odd positions,
at most ``HELD_OUT_DOCS`` a file, their first ``HELD_OUT_CHARS`` characters, which
bench/probe_train_tiny.py never trains on). Rejected: what the clean stage, with the example config's
rules, rejects from the corpus' dirty and miscellaneous files (Chinese news pages, English Common
Crawl pages, Chinese and English fortune-cookie quips, a sample of Chinese user reviews). Both sets are scored by the model on the CPU (one process, --threads
threads); ROC AUC is the chance that a rejected document has a higher perplexity than a clean one
(ties count half), overall and per language. The scoring rate counts tokens and documents of both
sets over the scorer's own CPU seconds (tokenizing included, reading and cleaning not).

Every dtype of ``--dtypes`` scores the same documents, one after the other in this process: the
first (float32, the full model) fills the main table, and a second table sets each against it,
its AUCs, its rate and the largest change it makes to a document's NLL per token (the CPU path a
user without a GPU gets is bfloat16 where the CPU computes it natively: ``probe.dtype = "auto"``).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import torch

from _common import BENCH_OUT, DEFAULT_CONFIG, REPO_ROOT, add_dev_data_option, dev_data_or_exit
from datacleaning import load_config, read_table
from datacleaning.model_probe import SHIPPED_TINY, Scorer, load_model, load_tokenizer
from datacleaning.model_probe.text import model_texts
from datacleaning.quality import roc_auc
from datacleaning.stages import run_stage

from judgment import evenly
from probe_train_tiny import HELD_OUT_CHARS, HELD_OUT_DOCS
from quality_train_default import GOOD, reference_texts

DIRTY = ["zh/zh_web_news_html_gne.jsonl", "en/en_web_cc_dolma_testdata.jsonl", "zh/zh_misc_fortunes_zh.jsonl",
         "en/en_misc_fortunes.jsonl"]
REVIEWS = "zh/zh_ugc_reviews_chinesenlpcorpus.jsonl"


def clean_set(dev_data: Path) -> list[tuple[str, str]]:
    """(lang, text) of the held-out reference documents."""
    return [(name[:2], text[:HELD_OUT_CHARS]) for name, _, _ in GOOD
            for text in evenly(reference_texts(dev_data, name, 1), HELD_OUT_DOCS)]


def rejected_set(dev_data: Path, reviews: int, scratch: Path) -> list[tuple[str, str, str]]:
    """(lang, text, rejected_by) of what the clean stage rejects from the dirty files."""
    inputs = [str(dev_data / name) for name in DIRTY]
    sample = scratch / "reviews.jsonl"
    with open(dev_data / REVIEWS, encoding="utf-8") as f, open(sample, "w", encoding="utf-8") as out:
        for _, line in zip(range(reviews), f):
            out.write(line)
    inputs.append(str(sample))
    config = load_config(DEFAULT_CONFIG, [(["run", "progress"], False), (["run", "workers"], 1)])
    result = run_stage("clean", config, inputs, scratch / "clean")
    assert result.ok, result.outcome.failed
    table = read_table(scratch / "clean" / "rejected", ["lang", "text", "rejected_by"]).to_pydict()
    return [(lang, text, by) for lang, text, by in zip(table["lang"], table["text"], table["rejected_by"])
            if lang in ("zh", "en") and text.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_dev_data_option(parser, default=REPO_ROOT.parent / "shared" / "data" / "dev")
    parser.add_argument("--model", type=Path, default=SHIPPED_TINY)
    parser.add_argument("--reviews", type=int, default=1000, help="user reviews sampled (the first N)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--dtypes", default="float32,bfloat16", help="comma-separated; the first is the reference")
    parser.add_argument("--json", type=Path, default=BENCH_OUT / "probe_quality.json")
    args = parser.parse_args()
    dev = dev_data_or_exit(args.dev_data, "probe_quality")
    torch.set_num_threads(args.threads)
    tokenizer = load_tokenizer(args.model)
    with tempfile.TemporaryDirectory() as scratch:
        clean = clean_set(dev)
        rejected = rejected_set(dev, args.reviews, Path(scratch))
    texts = [t for _, t in clean] + [r[1] for r in rejected]
    began = time.process_time()
    encoded = [tokenizer.encode(t) for t in model_texts(pa.array(texts, pa.string()), fold_script=True).to_pylist()]
    tokenizing = time.process_time() - began
    runs = {}
    for dtype in args.dtypes.split(","):
        scorer = Scorer(load_model(args.model, device="cpu", dtype=getattr(torch, dtype)))
        began = time.process_time()
        runs[dtype] = (scorer.score(encoded), time.process_time() - began + tokenizing)
    reference = args.dtypes.split(",")[0]
    scores, seconds = runs[reference]
    langs = np.array([lang for lang, _ in clean] + [r[0] for r in rejected])
    is_rejected = np.r_[np.zeros(len(clean), bool), np.ones(len(rejected), bool)]

    def auc(mask: np.ndarray, ppl: np.ndarray) -> dict | None:
        keep = mask & ~np.isnan(ppl)
        if not (keep & is_rejected).any() or not (keep & ~is_rejected).any():
            return None
        return {"clean_docs": int((keep & ~is_rejected).sum()), "rejected_docs": int((keep & is_rejected).sum()),
                "clean_median_ppl": round(float(np.median(ppl[keep & ~is_rejected])), 1),
                "rejected_median_ppl": round(float(np.median(ppl[keep & is_rejected])), 1),
                "roc_auc": round(roc_auc(ppl[keep & ~is_rejected], ppl[keep & is_rejected]), 4)}

    def nll_per_token(run: list) -> np.ndarray:
        return np.array([s.nll / s.n_tokens if s.n_tokens else np.nan for s in run])

    ppl = np.array([s.ppl for s in scores])
    n_tokens = sum(s.n_tokens for s in scores)
    paths = {dtype: {"by_lang": {lang: auc(langs == lang, np.array([s.ppl for s in run])) for lang in ("zh", "en")},
                     "tokens_per_second": round(n_tokens / run_seconds),
                     "speed_vs_reference": round(seconds / run_seconds, 2),
                     "max_nll_change": round(float(np.nanmax(np.abs(nll_per_token(run) - nll_per_token(scores)))), 4)}
             for dtype, (run, run_seconds) in runs.items()}
    reasons = np.array([""] * len(clean) + [r[2] for r in rejected])
    top = sorted(set(reasons[is_rejected]), key=lambda r: -(reasons == r).sum())[:6]
    result = {
        "command": "python " + " ".join([os.path.relpath(__file__, REPO_ROOT), *sys.argv[1:]]),
        "model": str(args.model), "threads": args.threads, "torch_threads": torch.get_num_threads(),
        "dtype": reference,
        "all": auc(np.ones(len(ppl), bool), ppl),
        "by_lang": {lang: auc(langs == lang, ppl) for lang in ("zh", "en")},
        "by_rule": {rule: auc(~is_rejected | (reasons == rule), ppl) for rule in top},
        "scoring": {"documents": len(texts), "tokens": n_tokens, "cpu_seconds": round(seconds, 2),
                    "tokens_per_second": round(n_tokens / seconds),
                    "documents_per_second": round(len(texts) / seconds, 1)},
        "cpu_paths": paths,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)


def print_table(result: dict) -> None:
    print(f"Probe `{result['model']}` in {result['dtype']}: held-out clean reference documents against what the example config's rules "
          "reject; ROC AUC is the chance that a rejected document has the higher perplexity.\n")
    print("| | clean docs | rejected docs | median ppl, clean | median ppl, rejected | ROC AUC |")
    print("|---|---:|---:|---:|---:|---:|")
    rows = [("Chinese", result["by_lang"]["zh"]), ("English", result["by_lang"]["en"]), ("both, pooled", result["all"]),
            *((f"rejected by `{rule}`", row) for rule, row in result["by_rule"].items())]
    for name, row in rows:
        if row:
            print(f"| {name} | {row['clean_docs']:,} | {row['rejected_docs']:,} | {row['clean_median_ppl']:,} | "
                  f"{row['rejected_median_ppl']:,} | {row['roc_auc']:.3f} |")
    s = result["scoring"]
    print(f"\nScoring on a CPU ({result['torch_threads']} thread): {s['documents']:,} documents, {s['tokens']:,} tokens in "
          f"{s['cpu_seconds']} CPU s: {s['tokens_per_second']:,} tokens and {s['documents_per_second']} documents per CPU second.")
    print(f"\nThe same documents in each dtype, against {result['dtype']}: ROC AUC per language, tokens per CPU "
          "second (tokenizing included) and the largest change to a document's NLL per token.\n")
    print("| dtype | ROC AUC, Chinese | ROC AUC, English | tokens per CPU s | speed | largest NLL change (nats) |")
    print("|---|---:|---:|---:|---:|---:|")
    for dtype, row in result["cpu_paths"].items():
        zh, en = (row["by_lang"][lang]["roc_auc"] if row["by_lang"][lang] else float("nan") for lang in ("zh", "en"))
        print(f"| {dtype} | {zh:.3f} | {en:.3f} | {row['tokens_per_second']:,} | {row['speed_vs_reference']}x | "
              f"{row['max_nll_change']} |")


if __name__ == "__main__":
    main()
