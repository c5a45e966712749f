"""Train the shipped line classifier (datacleaning/main_text/default.npz) and write TRAINING.md.

    python bench/main_text_train.py --dev-data ../shared/data/dev

Training pages, from the development corpus:

- ``turku``: English OSCAR documents with a main-text/noise label per line, the upstream train
  and dev splits (the test split is what bench/main_content.py measures);
- ``reference``: clean reference documents, every line main text (``reference_pages``);
- ``magic_html``, ``cleaneval``, ``readability``: the gold sets' pages that
  ``main_content.held_out`` leaves for training, each rendered twice (as plain text, the way crawl
  text arrives extracted, and as lines with their link shares and tags, the way an HTML page
  reaches the classifier), every line labelled by aligning it with the page's gold text
  (``main_content.label_lines``).

Each of the five sets weighs the same. Takes about two minutes on two cores.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from _common import add_dev_data_option, dev_data_or_exit, shown_path
from main_content import gold_pages, held_out, label_lines, text_lines, turku_pages

from datacleaning.main_text import SHIPPED_LINE_CLASSIFIER, LabelledPage, render_page, train_line_classifier

REFERENCE_DOCS = 200


def rendered_pages(page: dict) -> list[LabelledPage]:
    """A gold page as plain text and as marked lines, each line labelled by the gold."""
    lines = text_lines(page["html"])
    marked = render_page(page["html"])
    return [LabelledPage(lines, label_lines(lines, page["gold"]), page["set"]),
            LabelledPage(marked.lines, label_lines(marked.lines, page["gold"]), page["set"],
                         marked.link_shares, marked.tags)]


def reference_pages(dev: Path) -> list[LabelledPage]:
    """Clean reference documents, every line main text: manuals, laws and verse are made of
    short lines too, and must keep them. The even positions of each file, at most
    ``REFERENCE_DOCS`` taken evenly through them (bench/judgment.py measures the odd ones)."""
    pages = []
    for source in sorted(dev.glob("*/*_clean_*.jsonl")):
        with open(source, encoding="utf-8") as f:
            even = [json.loads(line)["text"] for i, line in enumerate(f) if i % 2 == 0]
        step = max(1, len(even) // REFERENCE_DOCS)
        for text in even[::step][:REFERENCE_DOCS]:
            lines = [line.strip() for line in text.split("\n") if line.strip()]
            pages.append(LabelledPage(lines, [1] * len(lines), "reference"))
    return pages


def training_pages(dev: Path) -> list[LabelledPage]:
    pages = turku_pages(dev, {"train", "dev"}) + reference_pages(dev)
    for page in gold_pages(dev):
        if not held_out(page["id"]):
            pages += rendered_pages(page)
    return pages


def training_notes(record: dict) -> str:
    lines = ["# The shipped line classifier", "",
             "`default.npz`: the probability that a line of a page is its main text, two logistic stages over",
             "hashed line features (`datacleaning/main_text/features.py`). Trained by",
             "`python bench/main_text_train.py --dev-data ../shared/data/dev` (about a minute on this project's "
             f"2-core machine to render and label the pages, then {record['seconds']:.0f} s to train).", "",
             "| set | pages (renderings) | what |", "|---|---:|---|"]
    what = {"turku": "English OSCAR documents, a human main-text/noise label per line (upstream train and dev splits)",
            "magic_html": "Chinese, English and other articles and forum threads with their human-extracted text "
                          "(half of the pages, each rendered twice: as text and as marked HTML lines)",
            "cleaneval": "CleanEval 2007 English pages with their gold text (half, rendered twice)",
            "readability": "Mozilla Readability's test pages with its expected extraction (half, rendered twice)",
            "reference": f"clean reference prose, manuals and laws (up to {REFERENCE_DOCS} even-position documents of "
                         "each `*_clean_*` source), every line main text"}
    lines += [f"| {group} | {n:,} | {what.get(group, '')} |" for group, n in record["pages"].items()]
    lines += ["", f"{record['lines']:,} lines, {record['main_text_lines']:,} of them main text. Lines of the gold-set "
              "pages are labelled by aligning them with the gold text (`bench/main_content.py`, `label_lines`); "
              "each set weighs the same.", "", f"Settings: `{json.dumps(record['settings'])}`", "",
              "What it measures on the held-out pages: `python bench/main_content.py --dev-data ../shared/data/dev` "
              "([docs/main_text.md](../../docs/main_text.md)).", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_dev_data_option(parser)
    parser.add_argument("--output", type=Path, default=SHIPPED_LINE_CLASSIFIER)
    args = parser.parse_args()
    pages = training_pages(dev_data_or_exit(args.dev_data, "main_text_train", needs=("boilerplate",)))
    print(f"{len(pages):,} pages: {dict(Counter(p.group for p in pages))}", file=sys.stderr)
    classifier = train_line_classifier(pages, log=lambda message: print(message, file=sys.stderr))
    classifier.save(args.output)
    (args.output.parent / "TRAINING.md").write_text(training_notes(classifier.record), encoding="utf-8")
    print(f"{shown_path(args.output)}: "
          f"{classifier.record['lines']:,} lines", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
