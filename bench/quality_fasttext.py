"""The shipped quality classifier against fastText trained on the same text: ROC AUC on the
labelled sets and documents per second, side by side in one process.

    pip install fasttext-wheel
    python bench/quality_fasttext.py --dev-data ../shared/data/dev

Both learn from what bench/quality_train_default.py trains the shipped model on (the same good
pieces, bad excerpts and web pages labelled for training, the same held-out tenth left out; where
our trainer weighs a text more, fastText reads it that many more times). fastText (``train_supervised``,
word bigrams, character 2- to 4-grams of words, 20 epochs) reads a text as words; Chinese has no
spaces, so every Han character is made a word of its own first, as Chinese fastText models are
usually fed. fasttext-wheel 0.9.2's ``predict`` fails under numpy 2 ("Unable to avoid copy"),
so its C++ binding (``model.f.predict``) is called directly.

Prints one table and writes bench/out/quality_fasttext.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import BENCH_OUT, add_dev_data_option, dev_data_or_exit
from judgment import evenly, labelled_sets, read_jsonl, reference_halves
from quality_train_default import WEB_SHARE, read_training_text, sides
from datacleaning.quality import TrainSettings, load_classifier, roc_auc
from datacleaning.quality.train import split_held_out

HAN = re.compile(r"([\u3400-\u9fff])")


def fasttext_line(text: str, max_chars: int) -> str:
    return " ".join(HAN.sub(r" \1 ", text[:max_chars]).split())


def evaluation_sets(dev: Path) -> dict[str, tuple[list[str], np.ndarray]]:
    """Each labelled set, and each clean reference source (odd positions) against the labelled
    junk of its language, as (texts, is_good)."""
    labelled = labelled_sets(dev)
    sets = {name: ([r["text"] for r, _ in pairs], np.array([label == "good" for _, label in pairs]))
            for name, pairs in labelled.items()}
    junk = {lang: [r["text"] for r, label in labelled[f"hplt_{lang}"] if label != "good"] for lang in ("en", "zh")}
    for source in sorted(dev.glob("*/*_clean_*.jsonl")):
        good = [r["text"] for r in evenly(reference_halves(read_jsonl(source))[1], 400)]
        bad = junk[source.name[:2]]
        sets[f"{source.stem} vs junk"] = (good + bad, np.array([True] * len(good) + [False] * len(bad)))
    return sets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_dev_data_option(parser)
    parser.add_argument("--out", type=Path, default=BENCH_OUT / "quality_fasttext.json")
    args = parser.parse_args()
    dev = dev_data_or_exit(args.dev_data, "quality_fasttext")
    import fasttext

    settings = TrainSettings()
    max_chars = settings.features.max_chars
    good, bad, good_weights, bad_weights = sides(read_training_text(dev, with_web=True), WEB_SHARE)
    train = {"good": (split_held_out(good, settings.hold_out)[0], split_held_out(good_weights, settings.hold_out)[0]),
             "bad": (split_held_out([t for _, t in bad], settings.hold_out)[0],
                     split_held_out(bad_weights, settings.hold_out)[0])}
    # Weights as repetitions: the lightest text of all is read once; each side weighs the same, as
    # in our trainer (which weighs each side half, whatever its texts' weights add up to).
    side_total = {label: sum(weights) for label, (_, weights) in train.items()}
    unit = min(w / side_total[label] for label, (_, weights) in train.items() for w in weights if w)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as f:
        for label, (texts, weights) in train.items():
            for text, weight in zip(texts, weights):
                f.write(f"__label__{label} {fasttext_line(text, max_chars)}\n" * round(weight / side_total[label] / unit))
    began = time.perf_counter()
    model = fasttext.train_supervised(f.name, epoch=20, wordNgrams=2, minn=2, maxn=4, dim=32, loss="softmax",
                                      verbose=0, seed=0, thread=1)
    fasttext_seconds = time.perf_counter() - began
    os.unlink(f.name)

    def fasttext_good(text: str) -> float:
        (probability, label), *_ = model.f.predict(fasttext_line(text, max_chars), 1, 0.0, "strict")
        return probability if label == "__label__good" else 1 - probability

    ours = load_classifier()
    report = {"fasttext_train_seconds": round(fasttext_seconds, 1), "sets": {}}
    speed = {"ours": 0.0, "fasttext": 0.0}
    docs = 0
    for name, (texts, is_good) in evaluation_sets(dev).items():
        row = {}
        for system, score in (("ours", ours.score), ("fasttext", fasttext_good)):
            began = time.perf_counter()
            values = np.array([score(t) for t in texts])
            speed[system] += time.perf_counter() - began
            row[system] = round(roc_auc(values[~is_good], values[is_good]), 3)
        docs += len(texts)
        report["sets"][name] = row
    report["docs_per_second"] = {system: round(docs / seconds) for system, seconds in speed.items()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print("ROC AUC, good above junk, of the shipped classifier and of fastText trained on the same text.\n")
    print("| set | ours | fastText |\n|---|---:|---:|")
    for name, row in report["sets"].items():
        print(f"| {name} | {row['ours']:.3f} | {row['fasttext']:.3f} |")
    print(f"| documents per second (one core) | {report['docs_per_second']['ours']:,} | "
          f"{report['docs_per_second']['fasttext']:,} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
