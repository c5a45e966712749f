"""Train the quality classifier shipped in datacleaning/quality/default.npz, reproducibly.

    python bench/quality_train_default.py --dev-data ../shared/data/dev
    python bench/quality_train_default.py --dev-data ../shared/data/dev --out bench/out/quality-try.npz

Good: the clean reference prose of the development corpus whose licence lets a model learned from
it ship (table below), the even positions of each file; bench/judgment.py measures the odd ones.
Bad: what the rules reject in the unlabelled crawl files, HPLT's Chinese excerpts (less the ones
labelled by reading, bench/labels/, which bench/judgment.py scores) and its English ones: the
``mixed_web`` profile, without this classifier, judges each excerpt, and the rejected ones are
the bad side, counted by the rule that rejected them.

Writes the model and, beside it, TRAINING.md: the command, the data, the held-out ROC AUC per
language, per language the score that 99.5% of the held-out good text of that language reaches,
and the score that 99.5% of the Chinese user reviews of 200 characters or more reach (web text
people wrote for people, in no training or labelled set: where a Chinese threshold can sit
without judging ordinary web writing).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from judgment import LABELS, evenly, hplt_document, read_jsonl, reference_halves, with_clean
from probe_train_tiny import detokenize_wikitext
from datacleaning.config import load_config
from datacleaning.quality import SHIPPED_CLASSIFIER, TrainSettings, roc_auc, train_classifier
from datacleaning.quality.train import split_held_out

# file, licence, which records (None: all)
GOOD = [
    ("zh/zh_clean_wiki_cmrc2018.jsonl", "CC-BY-SA-4.0", None),
    ("zh/zh_clean_law_lawrefbook.jsonl", "official documents, outside copyright (PRC Copyright Law art. 5)", None),
    ("zh/zh_clean_help_libreoffice.jsonl", "MPL-2.0", None),
    ("zh/zh_clean_tech_debian_reference.jsonl", "GPL-2+", None),
    ("zh/zh_clean_tech_manpages_zh.jsonl", "GFDL-1.2+", None),
    ("en/en_clean_wiki_wikitext2.jsonl", "CC-BY-SA-3.0", None),
    ("en/en_clean_tech_debian_reference.jsonl", "GPL-2+", None),
    ("en/en_clean_prose_nltk.jsonl", "public domain (State of the Union, inaugural addresses, Genesis only)",
     lambda r: any(part in r.get("source", "") for part in ("state_union", "inaugural", "genesis"))),
    ("en/en_clean_prose_gum.jsonl", "CC-BY and CC-BY-SA documents only",
     lambda r: r.get("licence", "").startswith("CC-BY-") and "-NC-" not in r.get("licence", "")),
]
CRAWL = ["zh/zh_web_hplt_unlabelled.jsonl", "en/en_web_hplt_unlabelled.jsonl"]
REVIEWS = "zh/zh_ugc_reviews_chinesenlpcorpus.jsonl"
REVIEW_MIN_CHARS = 200
REVIEWS_KEPT = 0.995
GOOD_KEPT = 0.995
# At most this many pieces of one file, so that the statutes (4,000 pieces) do not teach the
# model that good Chinese is legal Chinese.
MAX_PIECES = 1000


def pieces_of(text: str, size: int) -> list[str]:
    """A long document as consecutive pieces of at most about ``size`` characters, cut between
    paragraphs where it can be: the classifier reads a text's first ``size`` characters, and a
    long article or statute is many such pages, not one."""
    pieces, current = [], ""
    for paragraph in text.split("\n\n"):
        if current and len(current) + len(paragraph) > size:
            pieces.append(current)
            current = ""
        current = f"{current}\n\n{paragraph}" if current else paragraph
        while len(current) > size:
            pieces.append(current[:size])
            current = current[size:]
    return [*pieces, current] if current.strip() else pieces


def good_texts(dev: Path, max_chars: int) -> tuple[dict[str, list[str]], list[tuple[str, str, int, int]]]:
    """Good text by language, in pieces, and (file, licence, documents, pieces) for the record."""
    by_lang: dict[str, list[str]] = {"zh": [], "en": []}
    table = []
    for name, licence, wanted in GOOD:
        rows = [r for r in reference_halves(read_jsonl(dev / name))[0] if wanted is None or wanted(r)]
        texts = [detokenize_wikitext(r["text"]) if "wikitext" in name else r["text"] for r in rows]
        pieces = evenly([piece for text in texts for piece in pieces_of(text, max_chars)], MAX_PIECES)
        by_lang[name.split("/")[0]] += pieces
        table.append((name, licence, len(texts), len(pieces)))
    return by_lang, table


def bad_texts(dev: Path) -> tuple[list[tuple[str, str]], Counter]:
    """The crawl excerpts the rules of mixed_web reject, as (language, text), and the count by rule."""
    labelled = {line.split("\t")[0] for line in LABELS.read_text(encoding="utf-8").splitlines()[1:]}
    records = [hplt_document(r) for name in CRAWL for r in read_jsonl(dev / name) if r["id"] not in labelled]
    config = load_config(None, profile="mixed_web")
    rules_only = [f for f in config.clean.filters if f["name"] != "quality_classifier"]
    pipeline = with_clean(config, filters=rules_only)
    bad, by_rule = [], Counter()
    for record, cleaned in zip(records, pipeline.clean(records)):
        if not cleaned.kept:
            bad.append((cleaned.document.lang, record["text"]))
            by_rule[cleaned.verdict.rejected_by] += 1
    return bad, by_rule


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-data", default=os.environ.get("DATACLEANING_DEV_DATA"),
                        help="development corpus folder (or DATACLEANING_DEV_DATA)")
    parser.add_argument("--out", type=Path, default=SHIPPED_CLASSIFIER, help="the .npz to write")
    parser.add_argument("--epochs", type=int, default=TrainSettings.epochs)
    args = parser.parse_args()
    if not args.dev_data or not Path(args.dev_data).is_dir():
        print("no development data: pass --dev-data or set DATACLEANING_DEV_DATA", file=sys.stderr)
        return 2
    dev = Path(args.dev_data)
    good, table = good_texts(dev, TrainSettings().features.max_chars)
    bad, by_rule = bad_texts(dev)
    settings = TrainSettings(epochs=args.epochs)
    good_all = [t for texts in good.values() for t in texts]
    classifier = train_classifier(good_all, [text for _, text in bad], settings,
                                  log=lambda line: print(line, flush=True))
    # Held out as the trainer held them out (by position in its lists), then split by language.
    held_good = set(split_held_out(good_all, settings.hold_out)[1])
    held_bad = split_held_out(bad, settings.hold_out)[1]
    per_lang = {}
    for lang, texts in good.items():
        held = np.array([classifier.score(t) for t in texts if t in held_good])
        junk = np.array([classifier.score(t) for bad_lang, t in held_bad if bad_lang == lang])
        per_lang[lang] = {"held_out_good": int(held.size), "held_out_bad": int(junk.size),
                          "held_out_auc": round(roc_auc(junk, held), 4),
                          "min_score_for_99_5": round(float(np.quantile(held, 1 - GOOD_KEPT)), 4)}
    reviews = [r["text"] for r in read_jsonl(dev / REVIEWS) if len(r["text"]) >= REVIEW_MIN_CHARS]
    review_scores = np.array([classifier.score(t) for t in reviews])
    classifier.record.update({"per_language": per_lang, "bad_by_rule": dict(by_rule.most_common()),
                              "zh_reviews": {"documents": len(reviews), "min_chars": REVIEW_MIN_CHARS,
                                             "score_99_5_percent_reach": round(float(np.quantile(
                                                 review_scores, 1 - REVIEWS_KEPT)), 4)}})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    classifier.save(args.out)
    write_training_md(args.out.with_name("TRAINING.md") if args.out == SHIPPED_CLASSIFIER
                      else args.out.with_suffix(".md"), classifier.record, table)
    print(f"{args.out}: held-out AUC {classifier.record['held_out_auc']}; " + "; ".join(
        f"{lang} AUC {v['held_out_auc']}, 99.5% of good above {v['min_score_for_99_5']}" for lang, v in per_lang.items()))
    return 0


def write_training_md(path: Path, record: dict, table: list[tuple[str, str, int, int]]) -> None:
    command = "python bench/quality_train_default.py --dev-data ../shared/data/dev" + \
        ("" if record["settings"]["epochs"] == TrainSettings.epochs else f" --epochs {record['settings']['epochs']}")
    features = record["settings"]["features"]
    lines = [
        "# The quality classifier shipped with datacleaning", "",
        f"A logistic model over the hashed character 1- to {features['max_n']}-grams of a text's first "
        f"{features['max_chars']:,} characters ({1 << features['bits']:,} weights), trained to tell the clean "
        "reference prose of the development corpus from the crawl text its rules reject. It scores how much a "
        "page reads like edited reference prose; web text people call good scores lower than references do, "
        "so a threshold costs good web pages too (bench/judgment.py measures how many). "
        "Train your own on your good and bad text with `datacleaning quality train`.", "",
        f"Reproduce (from the repository root; {record['seconds']:.0f} s on this project's 2-core machine):", "",
        f"    {command}", "",
        "## Good: clean reference prose (even positions of each file)", "",
        f"Documents longer than {features['max_chars']:,} characters are cut into pieces of about that length, "
        f"between paragraphs; at most {MAX_PIECES:,} pieces of a file are kept, taken evenly through it.", "",
        "| file | documents | pieces | licence |", "|---|---:|---:|---|",
        *(f"| `{name}` | {n:,} | {pieces:,} | {licence} |" for name, licence, n, pieces in table), "",
        "## Bad: crawl excerpts the rules reject", "",
        f"{record['bad_documents'] + record['held_out_bad']:,} excerpts of `" + "`, `".join(CRAWL) + "` (less the "
        "Chinese ones labelled by reading) that `mixed_web` without this classifier rejects, by rule:", "",
        "| rule | excerpts |", "|---|---:|",
        *(f"| {rule} | {n:,} |" for rule, n in record["bad_by_rule"].items()), "",
        "## Held out", "",
        f"Every {round(1 / record['settings']['hold_out'])}th document of each side: "
        f"{record['held_out_good']:,} good, {record['held_out_bad']:,} bad; ROC AUC {record['held_out_auc']}.", "",
        "| language | held-out good | held-out bad | ROC AUC | score 99.5% of the good reach |",
        "|---|---:|---:|---:|---:|",
        *(f"| {lang} | {v['held_out_good']:,} | {v['held_out_bad']:,} | {v['held_out_auc']} | {v['min_score_for_99_5']} |"
          for lang, v in record["per_language"].items()), "",
        "## Chinese web writing", "",
        f"{record['zh_reviews']['documents']:,} Chinese user reviews of {record['zh_reviews']['min_chars']} characters or "
        f"more (`{REVIEWS}`, in no training or labelled set): 99.5% of them score "
        f"{record['zh_reviews']['score_99_5_percent_reach']} or more.", "",
        f"Settings: `{json.dumps(record['settings'])}`", "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
