"""Count the pair of Chinese n-gram models shipped in datacleaning/reference_lm/lm_ratio.npz, reproducibly.

    python bench/lm_ratio_train.py --dev-data ../shared/data/dev

Good: Chinese web writing and edited prose of the development corpus — the crawl excerpts labelled
good by reading for the quality classifier (bench/labels/train, the files it learns), the text
people extracted from the Chinese pages of the magic-html gold set (the half bench/main_content.py
does not measure), Chinese user reviews (even positions) and the clean reference prose the
classifier calls good (even positions, in pieces). Junk: the excerpts labelled junk in the same
files, and the crawl excerpts `mixed_web`'s rules reject (bench/quality_train_default.py reads
both sides). Writes the pair and, beside it, LM_RATIO_TRAINING.md: the limit 95% of the good
excerpts stay under, each scored by a pair counted without its fifth of them (out of fold), as the
quality classifier's limits are set; that limit on the labelled pages neither model counted, on
the reviews of odd positions and on each reference source's odd positions.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

import numpy as np

from _common import TOKENIZER, add_dev_data_option, dev_data_or_exit
from judgment import evenly, read_jsonl
from main_content import held_out
from quality_train_default import (CRAWL, FOLDS, GOOD, GOOD_LABEL, REVIEW_MIN_CHARS, REVIEWS, WEB_GOOD_KEPT,
                                   read_training_text, reference_texts)
from datacleaning.quality.auc import roc_auc
from datacleaning.reference_lm import LMSettings
from datacleaning.reference_lm.ratio import SHIPPED_LM_RATIO, LMRatio, train_lm_ratio

LANG = "zh"
GOLD = "boilerplate/magic_html_benchmark.jsonl.gz"
GOLD_MIN_CHARS = 200
# Chinese in the classical register (Tang poems, Song ci, the Analects; GPL-3.0+), which no other
# good text holds: without it, a long poem read as junk to the pair.
CLASSICAL = "zh/zh_misc_fortunes_zh.jsonl"
REFERENCE_DOCS = 400


def gold_texts(dev: Path) -> list[str]:
    """The text people extracted from the Chinese gold pages the line classifier learns from."""
    with gzip.open(dev / GOLD, "rt", encoding="utf-8") as f:
        return [r["gold"] for r in map(json.loads, f)
                if r.get("lang") == LANG and len(r["gold"] or "") >= GOLD_MIN_CHARS and not held_out(r["id"])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_dev_data_option(parser)
    parser.add_argument("--out", type=Path, default=SHIPPED_LM_RATIO, help="the .npz to write")
    parser.add_argument("--min-count", type=int, default=1)
    parser.add_argument("--max-chars", type=int, default=LMSettings.max_chars)
    args = parser.parse_args()
    dev = dev_data_or_exit(args.dev_data, "lm_ratio_train")
    text = read_training_text(dev, with_web=True)
    reviews = [r["text"] for r in read_jsonl(dev / REVIEWS) if len(r["text"]) >= REVIEW_MIN_CHARS]
    classical = [r["text"] for r in read_jsonl(dev / CLASSICAL)]
    fixed_good = {"gold": gold_texts(dev), "reviews": reviews[0::2], "classical": classical[0::2],
                  "references": text.references[LANG]}
    rejected = [t for lang, t in text.rejected if lang == LANG]
    web = text.web[LANG]
    settings = LMSettings(order=2, min_count=args.min_count, max_chars=args.max_chars, hold_out=0)

    def fit(web_good: list[str], web_junk: list[str]) -> LMRatio:
        good = web_good + [t for texts in fixed_good.values() for t in texts]
        return train_lm_ratio(good, web_junk + rejected, dev / TOKENIZER, settings)

    out_of_fold = {GOOD_LABEL: [], "junk": []}
    for fold in range(FOLDS):
        pair = fit(*([t for i, t in enumerate(web[side]) if i % FOLDS != fold] for side in (GOOD_LABEL, "junk")))
        for side in out_of_fold:
            out_of_fold[side] += pair.junk_log_ratios(web[side][fold::FOLDS]).tolist()
    good_scores, junk_scores = np.array(out_of_fold[GOOD_LABEL]), np.array(out_of_fold["junk"])
    limit = round(float(np.quantile(good_scores, WEB_GOOD_KEPT)), 4)
    pair = fit(web[GOOD_LABEL], web["junk"])
    unlearned = text.unlearned_kept.get(LANG, {GOOD_LABEL: [], "junk": []})
    unlearned_good, unlearned_junk = (pair.junk_log_ratios(unlearned[side]) for side in (GOOD_LABEL, "junk"))
    odd_reviews = pair.junk_log_ratios(reviews[1::2])
    odd_classical = pair.junk_log_ratios([t for t in classical[1::2] if len(t) >= REVIEW_MIN_CHARS])
    references = {}
    for name, _, _ in GOOD:
        if name.startswith(f"{LANG}/"):
            scores = pair.junk_log_ratios(evenly(reference_texts(dev, name, 1), REFERENCE_DOCS))
            references[name] = {"documents": int(scores.size), "above_limit": round(float((scores > limit).mean()), 4)}
    pair.record.update({
        "language": LANG, "good": {**{k: len(v) for k, v in fixed_good.items()}, "web_good": len(web[GOOD_LABEL])},
        "bad": {"web_junk": len(web["junk"]), "rejected_by_rules": len(rejected)},
        "out_of_fold": {"good": int(good_scores.size), "junk": int(junk_scores.size),
                        "auc": round(roc_auc(good_scores, junk_scores), 4), "limit_95_percent_of_good": limit,
                        "junk_above_it": round(float((junk_scores > limit).mean()), 4)},
        "unlearned": {"good": int(unlearned_good.size), "junk": int(unlearned_junk.size),
                      "auc": round(roc_auc(unlearned_good, unlearned_junk), 4),
                      "good_above_limit": int((unlearned_good > limit).sum()),
                      "junk_above_limit": int((unlearned_junk > limit).sum())},
        "reviews_odd_positions": {"documents": int(odd_reviews.size),
                                  "at_or_below_limit": round(float((odd_reviews <= limit).mean()), 4)},
        "classical_odd_positions": {"documents": int(odd_classical.size),
                                    "at_or_below_limit": round(float((odd_classical <= limit).mean()), 4)},
        "references_odd_positions": references})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    pair.save(args.out)
    write_training_md(args.out.with_name("LM_RATIO_TRAINING.md") if args.out == SHIPPED_LM_RATIO
                      else args.out.with_suffix(".md"), pair.record, args)
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.1f} MB; out-of-fold ROC AUC {pair.record['out_of_fold']['auc']}, "
          f"limit {limit}; unlearned pages ROC AUC {pair.record['unlearned']['auc']}")
    return 0


def write_training_md(path: Path, record: dict, args) -> None:
    command = "python bench/lm_ratio_train.py --dev-data ../shared/data/dev" + \
        ("" if args.min_count == 1 else f" --min-count {args.min_count}") + \
        ("" if args.max_chars == LMSettings.max_chars else f" --max-chars {args.max_chars}")
    settings, good, bad = record["settings"], record["good"], record["bad"]
    fold, unlearned = record["out_of_fold"], record["unlearned"]
    lines = [
        "# The pair of Chinese models shipped for the lm_ratio filter", "",
        "Two bigram models (Witten-Bell interpolation, as the reference model in this "
        "folder) over the pieces of the development corpus' 20,000-piece Chinese SentencePiece model "
        "(`models/chinese_sp.model`, Apache-2.0, carried in the file): one of Chinese text to keep, one of Chinese "
        "crawl junk. A document's `junk_log_ratio` is its NLL per character under the first minus that under the "
        f"second, on its first {settings['max_chars']:,} characters after folding. Count your own with "
        "`datacleaning reference-lm train-ratio`.", "",
        "Reproduce (from the repository root):", "", f"    {command}", "",
        "## Text counted", "",
        "| side | text | documents |", "|---|---|---:|",
        f"| good | crawl excerpts labelled good by reading (`bench/labels/train/`, the files the quality classifier "
        f"learns; `{CRAWL[0]}`) | {good['web_good']:,} |",
        f"| good | text people extracted from the Chinese pages of `{GOLD}` (the half bench/main_content.py does not "
        f"measure) | {good['gold']:,} |",
        f"| good | Chinese user reviews of {REVIEW_MIN_CHARS} characters or more, even positions (`{REVIEWS}`) | "
        f"{good['reviews']:,} |",
        f"| good | Chinese in the classical register, even positions (`{CLASSICAL}`: Tang poems, Song ci, the "
        f"Analects; GPL-3.0+) | {good['classical']:,} |",
        f"| good | the Chinese clean reference prose the quality classifier learns (even positions, in pieces; "
        f"datacleaning/quality/TRAINING.md) | {good['references']:,} |",
        f"| junk | crawl excerpts labelled junk by reading, in the same files | {bad['web_junk']:,} |",
        f"| junk | the other Chinese crawl excerpts that `mixed_web`'s rules reject | {bad['rejected_by_rules']:,} |", "",
        "## The limit", "",
        f"Each labelled excerpt scored by a pair counted without its fifth of them (out of fold): ROC AUC "
        f"{fold['auc']} ({fold['good']:,} good, {fold['junk']:,} junk); 95% of the good stay at or under "
        f"**{fold['limit_95_percent_of_good']}**, {fold['junk_above_it']:.1%} of the junk is above it "
        "(the quality classifier's out-of-fold figures: datacleaning/quality/TRAINING.md).", "",
        "Measured at that limit with the pair shipped:", "",
        f"- the labelled pages neither model counted (the other files of `bench/labels/train/`) that the rules of "
        f"`mixed_web` keep: ROC AUC {unlearned['auc']}, {unlearned['good_above_limit']} of {unlearned['good']:,} "
        f"good and {unlearned['junk_above_limit']} of {unlearned['junk']:,} junk above the limit;",
        f"- the {record['reviews_odd_positions']['documents']:,} reviews of odd positions: "
        f"{record['reviews_odd_positions']['at_or_below_limit']:.1%} at or under it;",
        f"- the {record['classical_odd_positions']['documents']:,} classical texts of odd positions of "
        f"{REVIEW_MIN_CHARS} characters or more: {record['classical_odd_positions']['at_or_below_limit']:.1%} at "
        "or under it;",
        "- each clean reference source's odd positions (whole documents, at most "
        f"{REFERENCE_DOCS}; bench/judgment.py measures the same half): "
        + "; ".join(f"`{name}` {v['above_limit']:.1%} above it" for name, v in record["references_odd_positions"].items())
        + ".", "",
        f"Settings: `{json.dumps(settings)}`; counted in {record['seconds']:.0f} s.", "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
