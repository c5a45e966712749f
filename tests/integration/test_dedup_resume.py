"""Killing a dedup run (SIGKILL to its whole process group) at any point, in any of its steps, and
running the same command again gives the same kept and removed documents as a run that was
never interrupted: nothing lost, nothing doubled."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from datacleaning.report import write_report
from datacleaning.report.runs import read_run
from datacleaning.report.tables import funnel_rows, funnel_steps
from helpers import (EXAMPLE_CONFIG, cli, done_records, fixture_records, kill_group_when, read_rows,
                     write_repeated_corpus)

# Whole stages in processes of their own (runs, kills, resumes, Ray, S3): `pytest -m "not slow"` leaves these out.
pytestmark = pytest.mark.slow

CHUNK = "40000"


def _dedup_args(kept, output):
    return ["dedup", str(kept), "--output", str(output), "--workers", "2", "--no-progress"]


def _outcome(output) -> tuple[dict, dict]:
    kept = {r["id"]: (r["text"], r["dup_cluster"]) for r in read_rows(output / "kept")}
    removed = {r["id"]: (r["dup_kind"], r["kept_id"], r["dup_cluster"]) for r in read_rows(output / "removed")}
    assert len(kept) == len(read_rows(output / "kept")), "a kept document was written twice"
    assert len(removed) == len(read_rows(output / "removed")), "a removed document was written twice"
    return kept, removed


@pytest.fixture(scope="module")
def kept_shards(tmp_path_factory):
    """The clean stage's kept shards of the fixture corpus repeated 30 times (exact duplicates)
    with near copies (one word or character changed) of its longer documents, in many shards."""
    corpus = tmp_path_factory.mktemp("corpus")
    write_repeated_corpus(corpus, copies=30)
    with open(corpus / "near.jsonl", "w", encoding="utf-8") as f:
        for copy in range(3):
            for record in fixture_records():
                if len(record["text"]) >= 400:
                    middle = len(record["text"]) // 2 + copy
                    text = record["text"][:middle] + "某x"[copy % 2] + record["text"][middle + 1:]
                    f.write(json.dumps(dict(record, id=f"{record['id']}~near{copy}", text=text), ensure_ascii=False) + "\n")
    output = tmp_path_factory.mktemp("clean")
    result = cli("clean", str(corpus), "--output", str(output), "--config", str(EXAMPLE_CONFIG), "--workers", "2",
                 "--chunk-bytes", CHUNK, "--no-progress")
    assert result.returncode == 0, result.stderr
    return output / "kept"


@pytest.fixture(scope="module")
def reference(kept_shards, tmp_path_factory):
    output = tmp_path_factory.mktemp("reference")
    result = cli(*_dedup_args(kept_shards, output))
    assert result.returncode == 0, result.stderr
    return output


def test_kill_at_several_points_then_resume_matches_uninterrupted_run(kept_shards, reference, tmp_path):
    ref_kept, ref_removed = _outcome(reference)
    ref_stats = json.loads((reference / "stats.json").read_text())
    assert ref_stats["exact_duplicates"] > 1000 and ref_stats["near_duplicates"] > 20
    total = done_records(reference)
    assert ref_stats["units"] >= 20, "the input should span many units for the kills to land mid-run"

    output = tmp_path / "killed"
    kills_mid_run = 0
    for done_at_least in (0, 5, total // 4, total // 2, 3 * total // 4, total - 5):
        proc = subprocess.Popen([sys.executable, "-m", "datacleaning.cli", *_dedup_args(kept_shards, output)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        kill_group_when(proc, output, done_at_least)
        kills_mid_run += done_records(output) < total
    assert kills_mid_run >= 4, "the kills should interrupt the run, not land after it finished"

    result = cli(*_dedup_args(kept_shards, output))
    assert result.returncode == 0, result.stderr
    kept, removed = _outcome(output)
    assert kept == ref_kept
    assert removed == ref_removed
    stats = json.loads((output / "stats.json").read_text())
    for key in ("input_docs", "kept_docs", "removed_docs", "exact_duplicates", "near_duplicates", "cluster_sizes"):
        assert stats[key] == ref_stats[key], key
    assert not [p for d in ("kept", "removed") for p in (output / d).glob(".tmp-*")]
    assert not (output / ".work").exists()


def test_a_small_memory_budget_splits_the_clustering_rounds_and_changes_nothing(kept_shards, reference, tmp_path):
    output = tmp_path / "small"
    result = cli("dedup", str(kept_shards), "--output", str(output), "--workers", "8", "--memory-mb", "1",
                 "--no-progress")
    assert result.returncode == 0, result.stderr
    assert _outcome(output) == _outcome(reference)
    stats = json.loads((output / "stats.json").read_text())
    assert stats["partitions"]["large-01"] >= 2, stats["partitions"]
    assert stats["cluster_sizes"] == json.loads((reference / "stats.json").read_text())["cluster_sizes"]


def test_sigterm_stops_a_run_that_then_resumes(kept_shards, reference, tmp_path):
    output = tmp_path / "stopped"
    proc = subprocess.Popen([sys.executable, "-m", "datacleaning.cli", *_dedup_args(kept_shards, output)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True, text=True)
    deadline = time.monotonic() + 60
    while done_records(output) < 10 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    os.killpg(proc.pid, signal.SIGTERM)
    stdout, _ = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the run finished before SIGTERM arrived")
    assert proc.returncode == 128 + signal.SIGTERM
    assert json.loads((output / "stats.json").read_text())["status"] == "interrupted"
    # Its report says so and draws no funnel of the work done so far (it counts nothing kept).
    run = read_run(output)
    assert funnel_steps(run) == [] and funnel_rows(run) == []
    assert "not finished</b> (their counts are of the work done so far" in write_report(output).read_text("utf-8")
    result = cli(*_dedup_args(kept_shards, output))
    assert result.returncode == 0, result.stderr
    assert _outcome(output) == _outcome(reference)
