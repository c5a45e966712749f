"""Killing a tokenize run (SIGKILL to its whole process group) at any point, in training, encoding
or merging, and running the same command again gives the same model and the same token bins,
byte for byte, as a run that was never interrupted."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from helpers import cli, done_records, fixture_records, kill_group_when, write_kept_shard

# Whole stages in processes of their own (runs, kills, resumes, Ray, S3): `pytest -m "not slow"` leaves these out.
pytestmark = pytest.mark.slow

COPIES = 40
OPTIONS = ["--workers", "2", "--no-progress", "--vocab-size", "3000", "--set", "tokenize.unit_bytes=30000"]
OUTPUTS = ("tokenizer.model", "tokens.bin", "tokens.idx")


def _encode_args(kept, output, *extra):
    return ["tokenize", "encode", str(kept), "--output", str(output), *OPTIONS, *extra]


def _start(kept, output, *extra) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "datacleaning.cli", *_encode_args(kept, output, *extra)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True, text=True)


@pytest.fixture(scope="module")
def kept_shards(tmp_path_factory):
    """The fixture documents 40 times over (unique ids) in three shards of small record batches."""
    folder = tmp_path_factory.mktemp("kept")
    records = fixture_records()
    docs = [{"id": f"{r['id']}#{copy}", "text": r["text"], "lang": r["lang"], "source": r["source"]}
            for copy in range(COPIES) for r in records]
    third = len(docs) // 3
    for number, start in enumerate(range(0, len(docs), third)):
        write_kept_shard(folder, f"part-{number}", docs[start:start + third], batch_rows=16)
    return folder


@pytest.fixture(scope="module")
def reference(kept_shards, tmp_path_factory):
    output = tmp_path_factory.mktemp("reference")
    result = cli(*_encode_args(kept_shards, output, "--shuffle-seed", "1"))
    assert result.returncode == 0, result.stderr
    return output


def test_kill_at_several_points_then_resume_matches_uninterrupted_run(kept_shards, reference, tmp_path):
    stats = json.loads((reference / "stats.json").read_text())
    assert stats["units"] >= 20, "the input should span many units for the kills to land mid-run"
    total = done_records(reference)
    assert total == stats["units"] + 2, "train, every encode unit, merge"

    output = tmp_path / "killed"
    kills_mid_run = 0
    for done_at_least in (0, 1, total // 4, total // 2, 3 * total // 4, total - 1):
        proc = _start(kept_shards, output, "--shuffle-seed", "1")
        kill_group_when(proc, output, done_at_least)
        kills_mid_run += done_records(output) < total
    assert kills_mid_run >= 4, "the kills should interrupt the run, not land after it finished"

    result = cli(*_encode_args(kept_shards, output, "--shuffle-seed", "1"))
    assert result.returncode == 0, result.stderr
    for name in OUTPUTS:
        assert (output / name).read_bytes() == (reference / name).read_bytes(), name
    resumed = json.loads((output / "stats.json").read_text())
    for key in ("documents", "tokens", "text_bytes", "sources", "dtype", "model", "output"):
        assert resumed[key] == stats[key], key
    assert sorted(p.name for p in output.iterdir()) == sorted(p.name for p in reference.iterdir())
    assert not list(output.glob(".tmp-*"))


def test_sigterm_stops_a_run_that_then_resumes(kept_shards, reference, tmp_path):
    output = tmp_path / "stopped"
    proc = _start(kept_shards, output, "--shuffle-seed", "1")
    deadline = time.monotonic() + 60
    while done_records(output) < 5 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    os.killpg(proc.pid, signal.SIGTERM)
    stopped, _ = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the run finished before SIGTERM arrived")
    assert proc.returncode == 128 + signal.SIGTERM
    assert json.loads((output / "stats.json").read_text())["status"] == "interrupted"
    # The summary names no bins that were not written, and says how to go on.
    assert "output       not written" in stopped and "run the same command again to resume" in stopped
    result = cli(*_encode_args(kept_shards, output, "--shuffle-seed", "1"))
    assert result.returncode == 0, result.stderr
    assert "resumed a run that an earlier command began" in result.stdout
    assert json.loads((output / "stats.json").read_text())["resumed"] is True
    assert json.loads((reference / "stats.json").read_text())["resumed"] is False
    for name in OUTPUTS:
        assert (output / name).read_bytes() == (reference / name).read_bytes(), name
