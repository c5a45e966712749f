"""Review samples: the clean stage sets documents aside for a person to read, the same ones
however the run is cut into units and workers, so a sample can be cited and read again."""
from __future__ import annotations

import json
from collections import Counter

from helpers import EXAMPLE_CONFIG, FIXTURES

SOURCE = FIXTURES / "mixed_docs.jsonl"


def _samples(run) -> list[dict]:
    return [json.loads(line) for line in (run.output / "review_samples.jsonl").read_text(encoding="utf-8").splitlines()]


def _settings(kept: int, per_rule: int, seed: int = 0, max_chars: int = 5000) -> list:
    return [(["clean", "review_samples"], {"kept": kept, "per_rule": per_rule, "seed": seed, "max_chars": max_chars})]


def test_the_sample_is_the_same_whatever_the_units_and_workers(clean_run):
    one = clean_run([SOURCE], workers=1, config=EXAMPLE_CONFIG, overrides=_settings(10, 3), name="one")
    many = clean_run([SOURCE], workers=2, config=EXAMPLE_CONFIG,
                     overrides=[*_settings(10, 3), (["input", "chunk_bytes"], 1 << 14)], name="many")
    assert one.stats["units"]["total"] == 1 < 3 < many.stats["units"]["total"]
    assert _samples(one) == _samples(many)
    other_seed = clean_run([SOURCE], workers=1, config=EXAMPLE_CONFIG, overrides=_settings(10, 3, seed=7),
                           name="seed7")
    assert [s["id"] for s in _samples(other_seed)] != [s["id"] for s in _samples(one)]


def test_each_category_holds_its_share_with_the_text_and_the_reason(clean_run):
    run = clean_run([SOURCE], config=EXAMPLE_CONFIG, overrides=_settings(10, 3, max_chars=200))
    samples = _samples(run)
    assert run.stats["review_samples"] == len(samples)
    by_category = Counter(s["category"] for s in samples)
    rejected_by = Counter(r["rejected_by"] for r in run.rejected)
    assert by_category["kept"] == min(10, len(run.kept))
    for rule, count in rejected_by.items():
        assert by_category[f"rejected:{rule}"] == min(3, count), rule
    assert set(by_category) == {"kept", *(f"rejected:{rule}" for rule in rejected_by)} and rejected_by
    kept = {r["id"]: r for r in run.kept}
    rejected = {r["id"]: r for r in run.rejected}
    for sample in samples:
        row = kept.get(sample["id"]) if sample["category"] == "kept" else rejected[sample["id"]]
        assert sample["text"] == row["text"][:200] and sample["chars"] == len(row["text"])
        if sample["category"] != "kept":
            assert (sample["reason"], sample["value"]) == (row["rejected_by"], row["reject_value"])
    assert any(s["chars"] > 200 for s in samples), "long texts are cut to max_chars"
