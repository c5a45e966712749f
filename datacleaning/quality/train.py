"""Training a quality classifier on good and bad text: logistic regression by Adam on minibatches,
the two classes weighed equally whatever their sizes, a ``hold_out`` share of each held out, spread
evenly, and scored after training."""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pyarrow as pa

from datacleaning import storage
from datacleaning.quality.auc import roc_auc
from datacleaning.quality.features import FeatureSettings, hashed_ngrams
from datacleaning.quality.model import QualityClassifier
from datacleaning.shards import SHARD_SUFFIX, open_shard
from datacleaning.sparse_logistic import AdamSettings, fit_logistic


@dataclass(frozen=True)
class TrainSettings:
    features: FeatureSettings = field(default_factory=FeatureSettings)
    epochs: int = 20
    batch_size: int = 256
    lr: float = 0.05
    l2: float = 1e-6
    hold_out: float = 0.1
    seed: int = 0
    # Models trained on the same texts, each shuffled by its own seed (seed, seed + 1, ...), whose
    # weights are averaged: the logit of the average is the average of their logits, so the
    # ensemble scores as fast as one model, and which examples one model's shuffle happened to
    # see last no longer moves the scores.
    models: int = 1

    def __post_init__(self):
        AdamSettings(self.epochs, self.batch_size, self.lr, self.l2, self.seed)  # checks them
        if not 0 <= self.hold_out < 1:
            raise ValueError(f"hold_out must be 0 or more and below 1, not {self.hold_out}")
        if self.models < 1:
            raise ValueError(f"models must be 1 or more, not {self.models}")


def split_held_out(texts: Sequence, hold_out: float) -> tuple[list, list]:
    """(trained on, held out): a ``hold_out`` share of the texts, spread evenly by position (the
    text at which the count of texts times ``hold_out`` reaches a new whole number), so that
    0.1 holds out every 10th text and 0.4 two of every five."""
    held_at = [int((i + 1) * hold_out + 1e-9) > int(i * hold_out + 1e-9) for i in range(len(texts))]
    return ([t for t, held in zip(texts, held_at) if not held], [t for t, held in zip(texts, held_at) if held])


def _shares(buckets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A text's distinct buckets and each one's share of its n-grams (what the model's mean weighs)."""
    distinct, counts = np.unique(buckets, return_counts=True)
    return distinct, counts / max(buckets.size, 1)


def train_classifier(good: Sequence[str], bad: Sequence[str], settings: TrainSettings = TrainSettings(),
                     log: Callable[[str], None] | None = None, good_weights: Sequence[float] | None = None,
                     bad_weights: Sequence[float] | None = None) -> QualityClassifier:
    """A classifier whose score is the probability that a text is of the kind of ``good``, not of
    ``bad``; its ``record`` holds the counts, the settings and the held-out AUC. Each class
    weighs half whatever its size; within a class, a text weighs its weight (default 1), so
    a few hundred texts of one kind can count as much as thousands of another."""
    began = time.perf_counter()
    good_weights = [1.0] * len(good) if good_weights is None else list(good_weights)
    bad_weights = [1.0] * len(bad) if bad_weights is None else list(bad_weights)
    if len(good_weights) != len(good) or len(bad_weights) != len(bad) or min([*good_weights, *bad_weights, 1]) < 0:
        raise ValueError("need one weight of 0 or more for each text")
    good_train, good_held = split_held_out(good, settings.hold_out)
    bad_train, bad_held = split_held_out(bad, settings.hold_out)
    if not good_train or not bad_train:
        raise ValueError(f"need good and bad text to train on: {len(good_train):,} good, {len(bad_train):,} bad")
    rows = [_shares(hashed_ngrams(t, settings.features)) for t in [*good_train, *bad_train]]
    labels = np.array([1.0] * len(good_train) + [0.0] * len(bad_train))
    # Each class weighs half, so a thousand good texts against a hundred bad ones do not teach
    # the model that everything is good.
    good_w = np.array(split_held_out(good_weights, settings.hold_out)[0], dtype=np.float64)
    bad_w = np.array(split_held_out(bad_weights, settings.hold_out)[0], dtype=np.float64)
    class_weight = np.concatenate([0.5 * good_w / good_w.sum(), 0.5 * bad_w / bad_w.sum()])
    weights, bias = np.zeros(1 << settings.features.bits), 0.0
    for model in range(settings.models):
        adam = AdamSettings(settings.epochs, settings.batch_size, settings.lr, settings.l2, settings.seed + model)
        which = f"model {model + 1}/{settings.models}, " if settings.models > 1 else ""
        model_weights, model_bias = fit_logistic(
            rows, labels, class_weight, 1 << settings.features.bits, adam,
            log and (lambda epoch: log(f"quality train: {which}epoch {epoch + 1}/{settings.epochs}")))
        weights += model_weights / settings.models
        bias += model_bias / settings.models
    classifier = QualityClassifier(weights.astype(np.float32), float(bias), settings.features)
    held_good = np.array([classifier.logit(t) for t in good_held])
    held_bad = np.array([classifier.logit(t) for t in bad_held])
    auc = roc_auc(held_bad, held_good) if len(held_good) and len(held_bad) else None
    classifier.record = {
        "good_documents": len(good_train), "bad_documents": len(bad_train),
        "held_out_good": len(good_held), "held_out_bad": len(bad_held),
        "held_out_auc": None if auc is None else round(auc, 4),
        "settings": asdict(settings), "seconds": round(time.perf_counter() - began, 1)}
    return classifier


def read_texts(paths: Iterable[str | os.PathLike]) -> tuple[list[str], int]:
    """The texts of every record in ``paths`` (files or folders in any input format ``clean``
    reads, or the pipeline's own Arrow shards: a stage's ``kept/`` or ``rejected/`` folder), and
    how many records could not be read (a shard without a text column, such as a quarantine
    shard, counts all its rows)."""
    from datacleaning.document import Document
    from datacleaning.readers import ReaderOptions, discover, plan_units, read_unit

    texts, unreadable = [], 0
    files = discover(list(paths)).files
    for f in files:
        if f.path.endswith(SHARD_SUFFIX):
            found, missing = _shard_texts(f.path)
            texts += found
            unreadable += missing
    options = ReaderOptions()
    for unit in plan_units([f for f in files if not f.path.endswith(SHARD_SUFFIX)], 1 << 30):
        for item in read_unit(unit, options, lambda _: None):
            if isinstance(item, Document):
                if item.text.strip():
                    texts.append(item.text)
            else:
                unreadable += 1
    return texts, unreadable


def _shard_texts(path: str) -> tuple[list[str], int]:
    """The non-blank texts of one Arrow shard, and its row count when it has no text column."""
    with storage.open_arrow(path, memory_map=True) as source:
        reader = pa.ipc.open_file(source)
        if "text" not in reader.schema.names:
            return [], sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches))
        texts = open_shard(source, ["text"]).read_all().column(0).to_pylist()
    return [t for t in texts if t and t.strip()], 0


def train_from_paths(good: Sequence[str | os.PathLike], bad: Sequence[str | os.PathLike], output: str | os.PathLike,
                     settings: TrainSettings = TrainSettings(), log: Callable[[str], None] | None = None) -> dict:
    """Train on the records of the ``good`` and ``bad`` inputs and write the classifier to ``output``
    (a .npz file); returns its training record, which names the inputs."""
    good_texts, good_unreadable = read_texts(good)
    bad_texts, bad_unreadable = read_texts(bad)
    classifier = train_classifier(good_texts, bad_texts, settings, log)
    classifier.record.update({"good": [str(p) for p in good], "bad": [str(p) for p in bad],
                              "unreadable_records": good_unreadable + bad_unreadable})
    classifier.save(output)
    return classifier.record
