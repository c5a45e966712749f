"""Count the reference language model shipped in datacleaning/reference_lm/default.npz, reproducibly.

    python bench/reference_lm_train.py --dev-data ../shared/data/dev
    python bench/reference_lm_train.py --dev-data ../shared/data/dev --out bench/out/reference-lm-try.npz --order 4

Text: the clean reference prose the shipped quality classifier calls good (bench/quality_train_default.py:
the licence-clean sources, even positions of each file, in pieces of about 3,000 characters, at
most 1,000 pieces a file), over the pieces of the development corpus' SentencePiece model, which
the model file carries (Apache-2.0). Writes the model and, beside it, TRAINING.md: the command,
the data, the NLL per character of each source's odd positions (never counted), and where web
text people wrote falls: the text people extracted from English and Chinese web pages (the
boilerplate gold sets: CleanEval, magic-html) and long Chinese user reviews, whose quantiles are
where a per-language limit can sit without judging ordinary web writing.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

import numpy as np

from _common import TOKENIZER, add_dev_data_option, dev_data_or_exit
from judgment import evenly, read_jsonl
from quality_train_default import GOOD, MAX_PIECES, REVIEW_MIN_CHARS, REVIEWS, good_texts, reference_texts
from datacleaning.quality import TrainSettings
from datacleaning.reference_lm import SHIPPED_REFERENCE_LM, LMSettings, train_reference_lm

HELD_OUT_DOCS = 200
QUANTILES = (0.9, 0.95, 0.98, 0.99, 0.995)
GOLD_SETS = ["boilerplate/en_cleaneval.jsonl.gz", "boilerplate/magic_html_benchmark.jsonl.gz"]
WEB_MIN_CHARS = 200


def gold_text(record: dict) -> str:
    """The text people extracted from a page, without CleanEval's ``URL:`` line and paragraph tags."""
    text = record["gold"]
    if record["id"].startswith("cleaneval"):
        text = re.sub(r"<[phl]>", "", re.sub(r"\AURL:.*\n", "", text))
    return text.strip()


def web_writing(dev: Path) -> dict[str, list[str]]:
    """Web text people wrote, by kind: the gold extractions per language, and Chinese reviews."""
    kinds: dict[str, list[str]] = {"en web articles (gold)": [], "zh web articles (gold)": []}
    for name in GOLD_SETS:
        with gzip.open(dev / name, "rt", encoding="utf-8") as f:
            for record in map(json.loads, f):
                text = gold_text(record)
                if len(text) >= WEB_MIN_CHARS and record.get("lang") in ("en", "zh"):
                    kinds[f"{record['lang']} web articles (gold)"].append(text)
    kinds["zh user reviews"] = [r["text"] for r in read_jsonl(dev / REVIEWS) if len(r["text"]) >= REVIEW_MIN_CHARS]
    return kinds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_dev_data_option(parser)
    parser.add_argument("--out", type=Path, default=SHIPPED_REFERENCE_LM, help="the .npz to write")
    parser.add_argument("--order", type=int, default=LMSettings.order)
    parser.add_argument("--min-count", type=int, default=LMSettings.min_count)
    args = parser.parse_args()
    dev = dev_data_or_exit(args.dev_data, "reference_lm_train")
    good, table = good_texts(dev, TrainSettings().features.max_chars)
    settings = LMSettings(order=args.order, min_count=args.min_count, hold_out=0)
    model = train_reference_lm([t for texts in good.values() for t in texts], dev / TOKENIZER, settings,
                               log=lambda line: print(line, flush=True))
    held_out = {}
    for name, _, _ in GOOD:
        texts = evenly(reference_texts(dev, name, 1), HELD_OUT_DOCS)
        nll, chars = model.nll(texts)
        held_out[name] = {"documents": len(texts), "nll_per_char": round(float(nll.sum() / chars.sum()), 4)}
    web = {}
    for kind, texts in web_writing(dev).items():
        nll, chars = model.nll(texts)
        per_char = nll / np.maximum(chars, 1)
        web[kind] = {"documents": len(texts),
                     "quantiles": {str(q): round(float(np.quantile(per_char, q)), 3) for q in QUANTILES}}
    model.record.update({"held_out": held_out, "web_writing": web})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    write_training_md(args.out.with_name("TRAINING.md") if args.out == SHIPPED_REFERENCE_LM
                      else args.out.with_suffix(".md"), model.record, table, args)
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.1f} MB; held-out NLL per char: " +
          ", ".join(f"{name.split('/')[1]} {v['nll_per_char']}" for name, v in held_out.items()))
    return 0


def write_training_md(path: Path, record: dict, table: list[tuple[str, str, int, int]], args) -> None:
    command = "python bench/reference_lm_train.py --dev-data ../shared/data/dev" + \
        ("" if args.order == LMSettings.order else f" --order {args.order}") + \
        ("" if args.min_count == LMSettings.min_count else f" --min-count {args.min_count}")
    settings = record["settings"]
    lines = [
        "# The reference language model shipped with datacleaning", "",
        f"An order-{settings['order']} n-gram model (Witten-Bell interpolation, n-grams above order 1 seen fewer "
        f"than {settings['min_count']} times dropped) over the pieces of a 20,000-piece Chinese SentencePiece model "
        "(the development corpus' `models/chinese_sp.model`, Apache-2.0, carried in the file), counted on the clean "
        "reference prose of the development corpus. It scores how far a text is from edited prose, per character, "
        f"on a text's first {settings['max_chars']:,} characters after folding (full-width forms, Traditional "
        "characters). Count your own with `datacleaning reference-lm train`.", "",
        f"Reproduce (from the repository root; {record['seconds']:.0f} s on this project's 2-core machine):", "",
        f"    {command}", "",
        "## Text counted: clean reference prose (even positions of each file)", "",
        f"Documents are cut into pieces of about 3,000 characters; at most {MAX_PIECES:,} pieces of a file, "
        f"taken evenly through it. {record['pieces']:,} SentencePiece pieces; n-grams by order: "
        + ", ".join(f"{n:,}" for n in record["ngrams"]) + ".", "",
        "| file | documents | pieces | licence | held-out NLL per char |", "|---|---:|---:|---|---:|",
        *(f"| `{name}` | {n:,} | {pieces:,} | {licence} | {record['held_out'][name]['nll_per_char']} |"
          for name, licence, n, pieces in table), "",
        f"Held out: the odd positions of each file (at most {HELD_OUT_DOCS} documents, taken evenly), never "
        "counted; bench/judgment.py measures the same half.", "",
        "## Web text people wrote", "",
        "NLL per character (nats) that the given share of each set stays under: the text people extracted from "
        f"web pages ({', '.join(f'`{n}`' for n in GOLD_SETS)}) and Chinese user reviews (`{REVIEWS}`), "
        f"each of {WEB_MIN_CHARS} characters or more; none of it is counted.", "",
        "| text | documents | " + " | ".join(f"{q:.1%}" for q in QUANTILES) + " |",
        "|---|---:|" + "---:|" * len(QUANTILES),
        *(f"| {kind} | {v['documents']:,} | " + " | ".join(str(v["quantiles"][str(q)]) for q in QUANTILES) + " |"
          for kind, v in record["web_writing"].items()), "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
