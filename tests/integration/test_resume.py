"""Killing the whole job (SIGKILL to its process group) at any point and rerunning it gives the
same kept and rejected documents as a run that was never interrupted: nothing lost, nothing doubled."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers import EXAMPLE_CONFIG, cli, done_records, kill_group_when, outcome_sets, write_repeated_corpus

# Whole stages in processes of their own (runs, kills, resumes, Ray, S3): `pytest -m "not slow"` leaves these out.
pytestmark = pytest.mark.slow

CHUNK = "40000"


def _clean_args(corpus, output):
    return ["clean", str(corpus), "--output", str(output), "--config", str(EXAMPLE_CONFIG),
            "--workers", "2", "--chunk-bytes", CHUNK, "--no-progress"]


def _start(corpus, output) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "datacleaning.cli", *_clean_args(corpus, output)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    write_repeated_corpus(folder, copies=40)
    return folder


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    output = tmp_path_factory.mktemp("reference")
    result = cli(*_clean_args(corpus, output))
    assert result.returncode == 0, result.stderr
    return output


def test_kill_at_several_points_then_resume_matches_uninterrupted_run(corpus, reference, tmp_path):
    output = tmp_path / "killed"
    total_units = len(list((reference / ".units").glob("*.done.json")))
    assert total_units >= 20, "the corpus should span many units for the kills to land mid-run"
    kills_mid_run = 0
    for done_at_least in (0, 3, total_units // 2, total_units - 3):
        proc = _start(corpus, output)
        kill_group_when(proc, output, done_at_least)
        kills_mid_run += done_records(output) < total_units
    assert kills_mid_run >= 3, "the kills should interrupt the run, not land after it finished"

    result = cli(*_clean_args(corpus, output))
    assert result.returncode == 0, result.stderr
    assert "resumed a run that an earlier command began" in result.stdout

    kept, rejected = outcome_sets(output)
    ref_kept, ref_rejected = outcome_sets(reference)
    assert kept == ref_kept
    assert rejected == ref_rejected
    stats = json.loads((output / "stats.json").read_text())
    ref_stats = json.loads((reference / "stats.json").read_text())
    for key in ("input_docs", "kept_docs", "rejected_docs", "quarantined_docs", "rejected_by"):
        assert stats[key] == ref_stats[key]
    assert not [p for d in ("kept", "rejected", "quarantine") for p in (output / d).glob(".tmp-*")]


def test_rerun_of_a_finished_run_changes_nothing(corpus, reference, tmp_path):
    before = {p.name: p.stat().st_mtime_ns for p in (reference / "kept").iterdir()}
    result = cli(*_clean_args(corpus, reference))
    assert result.returncode == 0, result.stderr
    assert {p.name: p.stat().st_mtime_ns for p in (reference / "kept").iterdir()} == before


def test_resume_with_a_different_config_is_refused(corpus, reference):
    result = cli(*_clean_args(corpus, reference), "--set", "clean.filters=[]")
    assert result.returncode == 2
    assert "different configuration" in result.stderr
