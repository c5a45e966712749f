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


def test_a_sample_bears_the_id_of_its_own_document_when_the_input_repeats_ids(clean_run, tmp_path):
    """Three files numbering their records alike, two of them holding the same texts: the
    documents of the later files are renamed once every unit is written, after the units drew
    their samples by the ids as read. Every sample names the kept or rejected row it shows, of
    its own file, identical texts included."""
    records = [json.loads(line) for line in SOURCE.read_text(encoding="utf-8").splitlines()]
    half = len(records) // 2
    (tmp_path / "in").mkdir()
    for name, part in (("a", records[:half]), ("b", records[:half]), ("c", records[half:2 * half])):
        lines = [json.dumps({**r, "id": f"r{i}", "source": name}, ensure_ascii=False) for i, r in enumerate(part)]
        (tmp_path / "in" / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = clean_run([tmp_path / "in"], config=EXAMPLE_CONFIG, overrides=_settings(1000, 1000))
    assert run.stats["renamed_ids"] == 2 * half
    rows = {("kept", r["id"]): (r["text"], r["source"]) for r in run.kept}
    rows |= {("rejected", r["id"]): (r["text"], r["source"]) for r in run.rejected}
    samples = _samples(run)
    assert len(samples) == len(rows) and any("#" in s["id"] for s in samples)
    for sample in samples:
        folder = "kept" if sample["category"] == "kept" else "rejected"
        assert rows[(folder, sample["id"])] == (sample["text"], sample["source"]), sample["id"]
