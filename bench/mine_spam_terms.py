"""Candidate spam terms mined from raw Chinese crawl text, for a person to read and choose from.

    python bench/mine_spam_terms.py --dev-data ../shared/data/dev --category gambling

Documents of ``zh/zh_web_hplt_unlabelled.jsonl`` that hold a term of the category's bundled list
are the spam side; the ones labelled by reading (bench/labels/) are left out, so that the terms
chosen here can be judged on them. Every Han or alphanumeric string of 2 to 6 characters is
counted by the documents it occurs in, on the spam side and in the background: the other crawl
documents and the users' reviews. A candidate must occur in at least ``--min-docs`` spam
documents and in no clean reference source (the zh ``*_clean_*`` files) at all; candidates are
printed by how much more often they occur in spam than in the background, with their counts.
Printing is all it does: the terms a person keeps go into the seed lists of
``datacleaning/blacklists/build_lists.py``.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

from _common import REPO_ROOT, add_dev_data_option, dev_data_or_exit
from datacleaning.blacklists.matcher import resolve_blacklist

LABELS = REPO_ROOT / "bench" / "labels" / "zh_hplt_sample.tsv"
RUN = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]+")


def read_texts(path: Path, most: int | None = None) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    rows = rows if most is None or len(rows) <= most else [rows[i * len(rows) // most] for i in range(most)]
    return [(row["id"], row["text"]) for row in rows]


def list_terms(category: str) -> list[str]:
    lines = resolve_blacklist(f"zh_{category}", REPO_ROOT).read_text(encoding="utf-8").splitlines()
    return [line.strip("|") for line in lines if line and not line.startswith("#")]


def strings(text: str, longest: int = 6) -> set[str]:
    """Every string of 2 to ``longest`` characters inside a run of Han characters, letters or digits."""
    found = set()
    for run in RUN.findall(text):
        for size in range(2, min(longest, len(run)) + 1):
            found.update(run[i:i + size] for i in range(len(run) - size + 1))
    return found


def document_counts(texts: list[str]) -> Counter:
    counts: Counter = Counter()
    for text in texts:
        counts.update(strings(text))
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_dev_data_option(parser)
    parser.add_argument("--category", default="gambling")
    parser.add_argument("--min-docs", type=int, default=3)
    parser.add_argument("--top", type=int, default=150)
    args = parser.parse_args()
    dev = dev_data_or_exit(args.dev_data, "mine_spam_terms")
    with open(LABELS, encoding="utf-8") as f:
        labelled = {row["id"] for row in csv.DictReader(f, delimiter="\t")}
    crawl = [(i, t) for i, t in read_texts(dev / "zh" / "zh_web_hplt_unlabelled.jsonl") if i not in labelled]
    anchors = list_terms(args.category)
    spam = [t for _, t in crawl if any(a in t for a in anchors)]
    background = [t for _, t in crawl if not any(a in t for a in anchors)]
    background += [t for _, t in read_texts(dev / "zh" / "zh_ugc_reviews_chinesenlpcorpus.jsonl", most=20000)]
    clean: set[str] = set()
    for source in sorted(dev.glob("zh/zh_clean_*.jsonl")):
        for _, text in read_texts(source, most=2000):
            clean |= strings(text)
    in_spam, in_background = document_counts(spam), document_counts(background)
    candidates = [(term, n) for term, n in in_spam.items() if n >= args.min_docs and term not in clean]
    ranked = sorted(candidates, key=lambda tn: (-tn[1] / (in_background[tn[0]] + 1), -len(tn[0]), tn[0]))
    print(f"{len(spam)} spam documents (holding a zh_{args.category} term), {len(background):,} background; "
          f"candidates: spam docs / background docs")
    for term, n in ranked[:args.top]:
        print(f"{term}\t{n}\t{in_background[term]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
