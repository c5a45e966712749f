"""The clean stage's stats.json breaks its counts down by source and by language, so that a report
reads them rather than the shards: checked here against counts made from the shards themselves."""
from __future__ import annotations

import json
from collections import Counter

from helpers import EXAMPLE_CONFIG, FIXTURES


def _expected(rows_kept, rows_rejected, key: str) -> dict:
    counts: dict = {}
    for row in rows_kept + rows_rejected:
        entry = counts.setdefault(row[key] or "unidentified", {"input_docs": 0, "rejected_by": Counter()})
        entry["input_docs"] += 1
        if "rejected_by" in row:
            entry["rejected_by"][row["rejected_by"]] += 1
    for row in rows_kept:
        entry = counts[row[key] or "unidentified"]
        entry["kept_docs"] = entry.get("kept_docs", 0) + 1
        entry["kept_chars"] = entry.get("kept_chars", 0) + len(row["text"])
    return counts


def test_counts_by_source_and_language_agree_with_the_shards(clean_run, tmp_path):
    source = FIXTURES / "mixed_docs.jsonl"
    # Small units, so that the counts of several work units are merged.
    run = clean_run([source], config=EXAMPLE_CONFIG, overrides=[(["input", "chunk_bytes"], 1 << 15)])
    assert run.stats["units"]["total"] > 2 and run.rejected
    for key, table in (("source", "by_source"), ("lang", "by_language")):
        expected = _expected(run.kept, run.rejected, key)
        found = run.stats[table]
        assert set(found) == set(expected), table
        for name, counts in found.items():
            assert counts["input_docs"] == expected[name]["input_docs"], (table, name)
            assert counts.get("kept_docs", 0) == expected[name].get("kept_docs", 0), (table, name)
            assert counts.get("kept_chars", 0) == expected[name].get("kept_chars", 0), (table, name)
            assert counts.get("rejected_by", {}) == dict(expected[name]["rejected_by"]), (table, name)
    read = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    assert sum(c["input_chars"] for c in run.stats["by_source"].values()) == sum(len(r["text"]) for r in read)
    assert {"zh", "en"} <= set(run.stats["by_language"])


def test_signal_histograms_agree_with_the_values_stored_in_the_shards(clean_run):
    """stats.json's signals: per language, every filter's measured values rounded to two
    significant digits, counted; here counted again from the scores the shards keep."""
    run = clean_run([FIXTURES / "mixed_docs.jsonl"], config=EXAMPLE_CONFIG,
                    overrides=[(["input", "chunk_bytes"], 1 << 15)])
    expected: dict = {}
    for row in run.kept + run.rejected:
        if not row["lang"]:
            continue
        for label, measured in json.loads(row["scores"]).items():
            if label == "language" or measured is None:
                continue
            for name, value in (measured.items() if isinstance(measured, dict) else [("value", measured)]):
                if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
                    histogram = expected.setdefault(row["lang"], {}).setdefault(f"{label}.{name}", Counter())
                    histogram[f"{value:.2g}"] += 1
    found = run.stats["signals"]
    assert {lang: set(h) for lang, h in found.items()} == {lang: set(h) for lang, h in expected.items()}
    for lang, histograms in expected.items():
        for signal, counts in histograms.items():
            assert found[lang][signal] == dict(counts), (lang, signal)
    assert "quality_classifier.score" in found["en"] and "han_ratio.value" in found["zh"]


def test_a_run_counts_and_says_the_ids_it_made_for_records_without_one(clean_run, tmp_path):
    """A misnamed id field is not silent: the records that lack it get made ids, counted in the
    stats and named in the summary; pages the reader made records of (HTML) have no id field to miss."""
    from datacleaning.stats import format_clean_summary

    records = [{"id": f"a{i}", "text": f"第{i}条记录的正文，写得足够长，好让它成为一个文档。"} for i in range(3)]
    records.append({"docid": "b0", "text": "This record names its id in the field the run was told to read."})
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "docs.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                                encoding="utf-8")
    (tmp_path / "in" / "page.html").write_text("<html><body><p>A page has no id field.</p></body></html>",
                                               encoding="utf-8")
    run = clean_run([tmp_path / "in"], overrides=[(["input", "id_field"], "docid"), (["clean", "filters"], [])])
    assert run.stats["ids_made"] == 3 and run.stats["id_field"] == "docid"
    made = [row for row in run.kept if "id" in json.loads(row["meta"])]
    assert sorted(json.loads(row["meta"])["id"] for row in made) == ["a0", "a1", "a2"]   # kept, as meta
    assert len({row["id"] for row in made}) == 3 and not any(row["id"].startswith("a") for row in made)
    assert "ids made (records without a value in the id field 'docid', input.id_field): 3" in \
        format_clean_summary(run.stats)
    named = clean_run([tmp_path / "in"], overrides=[(["clean", "filters"], [])], name="named")
    assert named.stats["ids_made"] == 1 and "ids made" in format_clean_summary(named.stats)
