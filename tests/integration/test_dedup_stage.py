"""The dedup stage end to end on real shards with real worker processes: what is kept, what is
removed and why, its counters, short documents, earlier-run indexes, line dedup, the command
line, the Python API and bad input."""
from __future__ import annotations

import json
from collections import Counter
import random

import pyarrow as pa
import pytest

import datacleaning as dc
from datacleaning.config import load_config
from datacleaning.shard_input import ShardInputError
from datacleaning.stages import run_stage
from helpers import EXAMPLE_CONFIG, cli, fixture_records, read_rows, reference_jaccard, reference_shingles, \
    write_kept_shard

RECORDS = fixture_records()


def _config(**dedup):
    overrides = [(["run", "workers"], 2), (["run", "progress"], False)]
    overrides += [(["dedup", *key.split("__")], value) for key, value in dedup.items()]
    return load_config(None, overrides)


def _doc(record: dict, **changes) -> dict:
    return {"id": record["id"], "text": record["text"], "lang": record["lang"], "source": record["source"], **changes}


def _edit_words(text: str, lang: str, every: int) -> str:
    """Replace every ``every``-th character (Chinese) or word (English) with a fixed other one;
    with ``every=0``, only the middle one."""
    tokens = list(text) if lang == "zh" else text.split(" ")
    chosen = {len(tokens) // 2} if every == 0 else set(range(every - 1, len(tokens), every))
    edited = [("某" if lang == "zh" else "lorem") if i in chosen else t for i, t in enumerate(tokens)]
    return ("" if lang == "zh" else " ").join(edited)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The fixture documents (shard a-...), then (shard b-...) exact copies with other case,
    punctuation and spacing, near copies with one token changed, and far copies with every
    second token changed; returns the input folder and what each copy is expected to be."""
    folder = tmp_path_factory.mktemp("input")
    long = [r for r in RECORDS if len(r["text"]) >= 400]
    rng = random.Random(3)
    rng.shuffle(long)
    originals = [_doc(r) for r in RECORDS]
    copies, expected = [], {}
    for record in long[:4]:
        text = record["text"].upper() if record["lang"] == "en" else record["text"].replace("，", ", ").replace("。", " . ")
        copies.append(_doc(record, id=record["id"] + "#exact", text=text))
        expected[record["id"] + "#exact"] = ("exact", record["id"])
    for record in long[4:9]:
        text = _edit_words(record["text"], record["lang"], 0)
        similarity = reference_jaccard(reference_shingles(record["text"]),
                                       reference_shingles(text))
        assert 0.85 <= similarity < 1, similarity
        copies.append(_doc(record, id=record["id"] + "#near", text=text))
        expected[record["id"] + "#near"] = ("near", record["id"])
    for record in long[9:12]:
        text = _edit_words(record["text"], record["lang"], 2)
        similarity = reference_jaccard(reference_shingles(record["text"]),
                                       reference_shingles(text))
        assert similarity < 0.5, similarity
        copies.append(_doc(record, id=record["id"] + "#far", text=text))
        expected[record["id"] + "#far"] = ("kept", None)
    write_kept_shard(folder, "a-originals", originals, batch_rows=16)
    write_kept_shard(folder, "b-copies", copies, batch_rows=4)
    return folder, originals, copies, expected


@pytest.fixture(scope="module")
def deduplicated(corpus, tmp_path_factory):
    folder = corpus[0]
    output = tmp_path_factory.mktemp("dedup")
    result = run_stage("dedup", _config(unit_bytes=4000), folder, output)
    assert result.ok, result.stats
    return output


def test_exact_and_near_copies_are_removed_in_favour_of_the_first_document(corpus, deduplicated):
    folder, originals, copies, expected = corpus
    removed = {r["id"]: r for r in read_rows(deduplicated / "removed")}
    kept = {r["id"]: r for r in read_rows(deduplicated / "kept")}
    position = {d["id"]: i for i, d in enumerate(originals + copies)}
    for copy_id, (kind, original) in expected.items():
        if kind == "kept":
            assert copy_id in kept and copy_id not in removed
            continue
        assert removed[copy_id]["dup_kind"] == kind, copy_id
        assert removed[copy_id]["kept_id"] == original
        assert removed[copy_id]["dup_cluster"] == position[original]
        assert kept[original]["dup_cluster"] == position[original]
    assert set(kept) | set(removed) == set(position) and not set(kept) & set(removed)
    clustered = {kept_id for kind, kept_id in expected.values() if kind != "kept"}
    assert {i for i, row in kept.items() if row["dup_cluster"] is not None} == clustered


def test_kept_documents_keep_every_input_column_unchanged(corpus, deduplicated):
    folder = corpus[0]
    before = {r["id"]: r for r in read_rows(folder)}
    table = dc.read_table(deduplicated / "kept")
    assert table.schema.names == [*dc.read_table(folder).schema.names, "dup_cluster"]
    for row in table.to_pylist():
        assert {k: v for k, v in row.items() if k != "dup_cluster"} == before[row["id"]]


def test_stats_add_up_and_agree_with_the_shards(corpus, deduplicated):
    _, originals, copies, expected = corpus
    stats = json.loads((deduplicated / "stats.json").read_text())
    kinds = [kind for kind, _ in expected.values()]
    assert stats["status"] == "complete"
    assert stats["input_docs"] == len(originals) + len(copies) == stats["kept_docs"] + stats["removed_docs"]
    assert stats["removed_docs"] == len(read_rows(deduplicated / "removed"))
    assert (stats["exact_duplicates"], stats["near_duplicates"]) == (kinds.count("exact"), kinds.count("near"))
    assert stats["cluster_sizes"] == {"2": kinds.count("exact") + kinds.count("near")}
    assert stats["minhash"]["bands"] * stats["minhash"]["rows"] <= stats["minhash"]["num_perm"]
    assert not (deduplicated / ".work").exists()
    # By language and by source: what the kept shards and the removed ids say.
    by_id = {d["id"]: d for d in originals + copies}
    for table, key in (("by_language", "lang"), ("by_source", "source")):
        expected_counts: dict = {}
        for folder, outcome in (("kept", "kept"), ("removed", "removed")):
            for row in read_rows(deduplicated / folder):
                # Every entry holds both outcomes, a zero where a source kept or lost nothing.
                counts = expected_counts.setdefault(by_id[row["id"]][key], {
                    "kept_docs": 0, "kept_chars": 0, "removed_docs": 0, "removed_chars": 0})
                counts[f"{outcome}_docs"] += 1
                # Characters as written: a kept text after any cut, a removed one as it came in.
                text = row["text"] if folder == "kept" else by_id[row["id"]]["text"]
                counts[f"{outcome}_chars"] += len(text)
        assert stats[table] == expected_counts, table
    # The largest clusters: each original kept with its removed copies.
    sizes = Counter(kept_id for kind, kept_id in expected.values() if kind != "kept")
    assert {(c["representative"], c["size"]) for c in stats["largest_clusters"]} == {
        (kept_id, n + 1) for kept_id, n in sizes.items()}


def test_a_chain_of_near_copies_is_one_cluster_kept_by_its_first_document(tmp_path):
    """Each copy differs from the one before in two words, so only neighbours in the chain are
    similar enough: the verified pairs form a path, which takes the clustering several rounds."""
    record = max((r for r in RECORDS if r["lang"] == "en"), key=lambda r: len(r["text"].split(" ")))
    words = record["text"].split(" ")
    positions = random.Random(5).sample(range(len(words)), 12)
    chain = [words]
    for step in range(1, 7):
        edited = list(chain[-1])
        for position in positions[2 * (step - 1):2 * step]:
            edited[position] = f"chainword{step}"
        chain.append(edited)
    shingles = [reference_shingles(" ".join(w)) for w in chain]
    assert min(reference_jaccard(a, b) for a, b in zip(shingles, shingles[1:])) >= 0.85
    assert reference_jaccard(shingles[0], shingles[-1]) < 0.7
    order = [3, 6, 0, 4, 1, 5, 2]
    docs = [_doc(record, id=f"link{i}", text=" ".join(chain[i])) for i in order]
    write_kept_shard(tmp_path / "in", "chain", docs + [_doc(r) for r in RECORDS[:20]], batch_rows=3)
    result = run_stage("dedup", _config(unit_bytes=2000), tmp_path / "in", tmp_path / "out")
    assert result.ok, result.stats
    removed = {r["id"]: (r["dup_kind"], r["kept_id"], r["dup_cluster"]) for r in read_rows(tmp_path / "out" / "removed")}
    assert removed == {f"link{i}": ("near", "link3", 0) for i in order[1:]}
    assert result.stats["cluster_sizes"] == {"7": 1}
    assert any(step.startswith("small-") for step in result.stats["step_seconds"])


def test_the_copy_kept_and_the_id_kept_are_those_of_the_earliest_input_file(tmp_path):
    """Files of one name in dated folders: "first" is the earliest folder's, whatever the hash of
    its path in the shards' names says (with 30 folders, a hash order puts 2000 first once in 30)."""
    text = next(r["text"] for r in RECORDS if r["lang"] == "en" and len(r["text"]) > 300)
    for year in map(str, range(2000, 2030)):
        (tmp_path / "dump" / year).mkdir(parents=True)
        (tmp_path / "dump" / year / "part-0.jsonl").write_text(
            json.dumps({"id": "doc-1", "text": text, "year": year}) + "\n", encoding="utf-8")
    clean = cli("clean", str(tmp_path / "dump"), "--output", str(tmp_path / "clean"), "--profile", "none",
                "--workers", "2", "--no-progress")
    assert clean.returncode == 0, clean.stderr
    kept = read_rows(tmp_path / "clean" / "kept")
    assert {row["id"]: json.loads(row["meta"])["year"] for row in kept if row["id"] == "doc-1"} == {"doc-1": "2000"}
    dedup = cli("dedup", str(tmp_path / "clean" / "kept"), "--output", str(tmp_path / "dedup"), "--workers", "1",
                "--no-progress")
    assert dedup.returncode == 0, dedup.stderr
    [survivor] = read_rows(tmp_path / "dedup" / "kept")
    assert (survivor["id"], json.loads(survivor["meta"])["year"]) == ("doc-1", "2000")
    assert {r["kept_id"] for r in read_rows(tmp_path / "dedup" / "removed")} == {"doc-1"}


def test_short_documents_are_deduplicated_by_all_their_tokens(tmp_path):
    docs = [("r1", "好评！", "zh"), ("r2", "好评", "zh"), ("r3", "味道不错", "zh"), ("r4", "味道很好", "zh"),
            ("r5", "外卖送得很快，味道不错，下次还点。", "zh"), ("r6", "外卖送得很快，味道不错，下次还点", "zh"),
            ("r7", "外卖送得很快，味道一般，下次不点。", "zh"), ("e1", "Thank you.", "en"), ("e2", "thank  you", "en"),
            ("e3", "Great service", "en"), ("e4", "Great food", "en"), ("p1", "。。。", "zh"), ("p2", "！！！", "zh")]
    write_kept_shard(tmp_path / "in", "reviews", [{"id": i, "text": t, "lang": lang} for i, t, lang in docs])
    result = run_stage("dedup", _config(), tmp_path / "in", tmp_path / "out")
    removed = {r["id"]: (r["dup_kind"], r["kept_id"]) for r in read_rows(tmp_path / "out" / "removed")}
    assert removed == {"r2": ("exact", "r1"), "r6": ("exact", "r5"), "e2": ("exact", "e1")}
    # Fewer than 5 tokens, signed with one shingle: r1 r3 r4 e1 e3 e4 (r2 and e2, exact copies, are never signed).
    assert result.stats["minhash"]["short_docs"] == 6
    assert result.stats["no_content_docs"] == 2  # p1 and p2: nothing left after normalization, both kept
    assert {"p1", "p2"} <= {r["id"] for r in read_rows(tmp_path / "out" / "kept")}


def test_an_earlier_runs_index_removes_what_that_run_kept(tmp_path):
    first = [_doc(r) for r in RECORDS[:40]]
    second = [_doc(r, id=r["id"] + "@2") for r in RECORDS[30:60]]
    write_kept_shard(tmp_path / "in1", "part", first)
    write_kept_shard(tmp_path / "in2", "part", second)
    assert run_stage("dedup", _config(exact__save_index=True), tmp_path / "in1", tmp_path / "out1").ok
    index = tmp_path / "out1" / "exact_index"
    assert len(read_rows(index)) == 40
    result = run_stage("dedup", _config(exact__index=[str(index)]), tmp_path / "in2", tmp_path / "out2")
    removed = {r["id"]: r for r in read_rows(tmp_path / "out2" / "removed")}
    assert set(removed) == {d["id"] for d in second[:10]}
    for doc_id, row in removed.items():
        assert (row["dup_kind"], row["kept_id"], row["dup_cluster"]) == ("earlier_run", doc_id[:-2], None)
    assert result.stats["earlier_run_duplicates"] == 10
    # A kept folder named as the index by mistake is refused before the run, naming what it lacks.
    with pytest.raises(ShardInputError, match="has no hash_hi, hash_lo column"):
        run_stage("dedup", _config(exact__index=[str(tmp_path / "in1")]), tmp_path / "in2", tmp_path / "out3")


def test_line_dedup_removes_lines_shared_by_many_documents(tmp_path):
    footer = "Copyright 2024 Example Media Group. All rights reserved."
    nav = "Home | News | Sports | Business | Technology"
    bodies = [r["text"] for r in RECORDS if r["lang"] == "en"][:25]
    docs = [{"id": f"page{i}", "text": f"{nav}\n{body}\n{footer}\n", "lang": "en"} for i, body in enumerate(bodies)]
    docs.append({"id": "only-boilerplate", "text": f"{nav}\n\n{footer}", "lang": "en"})
    write_kept_shard(tmp_path / "in", "pages", docs)
    result = run_stage("dedup", _config(lines__enabled=True, lines__max_docs=10), tmp_path / "in", tmp_path / "out")
    kept = {r["id"]: r["text"] for r in read_rows(tmp_path / "out" / "kept")}
    for i, body in enumerate(bodies):
        assert kept[f"page{i}"] == body + "\n"
    removed = {r["id"]: r["dup_kind"] for r in read_rows(tmp_path / "out" / "removed")}
    assert removed == {"only-boilerplate": "boilerplate"}
    assert result.stats["lines"]["boilerplate_lines"] == 2
    assert result.stats["lines"]["lines_removed"] == 2 * len(docs)


def test_switches_exact_only_and_minhash_only(corpus, tmp_path):
    folder, _, _, expected = corpus
    exact_only = run_stage("dedup", _config(minhash__enabled=False), folder, tmp_path / "exact")
    kinds = [kind for kind, _ in expected.values()]
    assert (exact_only.stats["exact_duplicates"], exact_only.stats["near_duplicates"]) == (kinds.count("exact"), 0)
    near_only = run_stage("dedup", _config(exact__enabled=False), folder, tmp_path / "near")
    # Exact copies have identical shingles, so MinHash finds them as near duplicates.
    assert near_only.stats["near_duplicates"] == kinds.count("exact") + kinds.count("near")


def test_cli_dedup_and_rerun_of_a_finished_run_changes_nothing(corpus, tmp_path):
    folder = corpus[0]
    args = ["dedup", str(folder), "--output", str(tmp_path / "out"), "--workers", "2", "--no-progress"]
    first = cli(*args)
    assert first.returncode == 0, first.stderr
    assert "dedup: complete" in first.stdout and "near" in first.stdout
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out" / "kept").iterdir()}
    again = cli(*args)
    assert again.returncode == 0, again.stderr
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out" / "kept").iterdir()} == before
    refused = cli(*args, "--threshold", "0.7")
    assert refused.returncode == 2 and "different configuration" in refused.stderr


@pytest.mark.slow
def test_run_command_cleans_then_deduplicates(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    lines = [json.dumps(r, ensure_ascii=False) for r in RECORDS]
    (data / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (data / "b.jsonl").write_text("\n".join(lines[:20]) + "\n", encoding="utf-8")
    result = cli("run", str(data), "--output", str(tmp_path / "out"), "--config", str(EXAMPLE_CONFIG),
                 "--workers", "2", "--no-progress")
    assert result.returncode == 0, result.stderr
    clean = json.loads((tmp_path / "out" / "clean" / "stats.json").read_text())
    dedup = json.loads((tmp_path / "out" / "dedup" / "stats.json").read_text())
    assert dedup["input_docs"] == clean["kept_docs"]
    kept_ids = [r["id"] for r in read_rows(tmp_path / "out" / "dedup" / "kept")]
    assert len(kept_ids) == len(set(kept_ids)) == dedup["kept_docs"]
    assert dedup["exact_duplicates"] >= 15  # b.jsonl repeats 20 records (a few are rejected by the cleaner)


def test_python_api(corpus, tmp_path):
    result = dc.dedup(corpus[0], tmp_path / "out", workers=2)
    assert result.ok and result.stats["near_duplicates"] == 5


def test_bad_input_is_a_clear_error(tmp_path):
    good = tmp_path / "good"
    write_kept_shard(good, "part", [_doc(r) for r in RECORDS[:5]])
    (good / "zz-broken.arrow").write_bytes(b"not an arrow file at all")
    broken = cli("dedup", str(good), "--output", str(tmp_path / "out"), "--no-progress")
    assert broken.returncode == 2 and "zz-broken.arrow" in broken.stderr

    no_lang = tmp_path / "no_lang"
    no_lang.mkdir()
    with pa.ipc.new_file(str(no_lang / "part.arrow"), pa.schema([("id", pa.string()), ("text", pa.string())])) as w:
        w.write_batch(pa.record_batch({"id": ["a"], "text": ["x"]}))
    missing = cli("dedup", str(no_lang), "--output", str(tmp_path / "out2"), "--no-progress")
    assert missing.returncode == 2 and "no lang column" in missing.stderr

    gone = cli("dedup", str(tmp_path / "nothing"), "--output", str(tmp_path / "out3"), "--no-progress")
    assert gone.returncode == 2 and f"{tmp_path / 'nothing'} does not exist" in gone.stderr
    (tmp_path / "empty").mkdir()
    empty = cli("dedup", str(tmp_path / "empty"), "--output", str(tmp_path / "out3"), "--no-progress")
    assert empty.returncode == 2 and "no .arrow shards" in empty.stderr

    bands = cli("dedup", str(good), "--output", str(tmp_path / "out4"), "--set", "dedup.minhash.bands=4")
    assert bands.returncode == 2 and "dedup.minhash" in bands.stderr
