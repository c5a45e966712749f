"""The batch scripts: run_data_cleaning.sh runs as a background job with a pid file, stopall.sh
stops exactly that job's processes, and a later run resumes where the stopped one left off."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from helpers import EXAMPLE_CONFIG, REPO_ROOT, outcome_sets, processes_in_group, write_repeated_corpus

# Whole stages in processes of their own (runs, kills, resumes, Ray, S3): `pytest -m "not slow"` leaves these out.
pytestmark = pytest.mark.slow


def _env(tmp_path) -> dict:
    return {**os.environ, "DATACLEANING_PIDFILE": str(tmp_path / "run.pid"), "DATACLEANING_PYTHON": sys.executable,
            "DATACLEANING_STOP_GRACE": "20"}


def _start_job(tmp_path, corpus, output) -> subprocess.Popen:
    log = open(tmp_path / "run.log", "ab")
    return subprocess.Popen(["bash", str(REPO_ROOT / "run_data_cleaning.sh"), str(EXAMPLE_CONFIG), str(corpus),
                             "--output", str(output), "--workers", "2", "--chunk-bytes", "40000"],
                            stdout=log, stderr=subprocess.STDOUT, env=_env(tmp_path), cwd=tmp_path,
                            start_new_session=True)


def _stopall(tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(REPO_ROOT / "stopall.sh")], capture_output=True, text=True, env=_env(tmp_path),
                          cwd=tmp_path, timeout=120)


def _wait_for(predicate, seconds=60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_stopall_stops_the_whole_run_and_a_rerun_resumes(tmp_path):
    corpus = tmp_path / "corpus"
    write_repeated_corpus(corpus, copies=80)
    output = tmp_path / "out"
    units = output / "clean" / ".units"
    job = _start_job(tmp_path, corpus, output)
    pidfile = tmp_path / "run.pid"
    assert _wait_for(lambda: pidfile.exists() and units.is_dir() and len(list(units.glob("*.done.json"))) >= 2)
    pgid = int(pidfile.read_text().split()[0])
    assert len(processes_in_group(pgid)) >= 3, "the main process and two workers should be running"

    stop = _stopall(tmp_path)
    assert stop.returncode == 0, stop.stdout + stop.stderr
    assert job.wait(timeout=60) != 0, "a stopped run must exit non-zero"
    assert processes_in_group(pgid) == []
    assert not pidfile.exists()
    done_when_stopped = len(list(units.glob("*.done.json")))

    again = _stopall(tmp_path)
    assert again.returncode == 0 and "nothing to stop" in again.stdout

    rerun = _start_job(tmp_path, corpus, output)
    assert rerun.wait(timeout=300) == 0, (tmp_path / "run.log").read_text()
    log = (tmp_path / "run.log").read_text()
    assert f"skipped_units={done_when_stopped}" in log, "the rerun should skip the units finished before the stop"

    reference = tmp_path / "reference"
    fresh = subprocess.run([sys.executable, "-m", "datacleaning.cli", "clean", str(corpus), "--output", str(reference),
                            "--config", str(EXAMPLE_CONFIG), "--workers", "1", "--no-progress"],
                           capture_output=True, text=True)
    assert fresh.returncode == 0, fresh.stderr
    assert outcome_sets(output / "clean") == outcome_sets(reference)


def test_a_second_job_on_the_same_pid_file_is_refused(tmp_path):
    corpus = tmp_path / "corpus"
    write_repeated_corpus(corpus, copies=80)
    job = _start_job(tmp_path, corpus, tmp_path / "out")
    try:
        assert _wait_for(lambda: (tmp_path / "run.pid").exists())
        second = subprocess.run(["bash", str(REPO_ROOT / "run_data_cleaning.sh"), str(EXAMPLE_CONFIG), str(corpus),
                                 "--output", str(tmp_path / "out2")], capture_output=True, text=True,
                                env=_env(tmp_path), cwd=tmp_path, timeout=60)
        assert second.returncode == 3 and "already going" in second.stderr
    finally:
        _stopall(tmp_path)
        job.wait(timeout=60)


def test_two_jobs_started_at_once_run_one_and_a_pid_file_that_cannot_be_written_runs_none(tmp_path):
    corpus = tmp_path / "corpus"
    write_repeated_corpus(corpus, copies=20)
    both = [subprocess.Popen(["bash", str(REPO_ROOT / "run_data_cleaning.sh"), str(EXAMPLE_CONFIG), str(corpus),
                              "--output", str(tmp_path / f"out{i}"), "--workers", "1"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=_env(tmp_path), cwd=tmp_path,
                             start_new_session=True) for i in range(2)]
    try:
        ended = [job.communicate(timeout=600) for job in both]
    finally:
        _stopall(tmp_path)
    codes = sorted(job.returncode for job in both)
    assert codes == [0, 3], ended
    assert any("already going" in err for _, err in ended)

    env = {**_env(tmp_path), "DATACLEANING_PIDFILE": str(tmp_path / "no" / "such" / "folder" / "run.pid")}
    refused = subprocess.run(["bash", str(REPO_ROOT / "run_data_cleaning.sh"), str(EXAMPLE_CONFIG), str(corpus),
                              "--output", str(tmp_path / "out3")], capture_output=True, text=True, env=env,
                             cwd=tmp_path, timeout=60)
    assert refused.returncode == 2 and "cannot write" in refused.stderr
    assert not (tmp_path / "out3").exists()


def test_a_python_that_cannot_import_datacleaning_is_named_before_anything_starts(tmp_path):
    """Started without the environment it was installed in, the job said only ModuleNotFoundError
    from inside the run."""
    system_python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3"
    env = {**_env(tmp_path), "DATACLEANING_PYTHON": system_python, "PYTHONPATH": "", "PYTHONNOUSERSITE": "1"}
    probe = subprocess.run([env["DATACLEANING_PYTHON"], "-c", "import datacleaning"], capture_output=True, env=env)
    if probe.returncode == 0:
        pytest.skip(f"{env['DATACLEANING_PYTHON']} can import datacleaning here")
    refused = subprocess.run(["bash", str(REPO_ROOT / "run_data_cleaning.sh"), str(EXAMPLE_CONFIG), "--output",
                              str(tmp_path / "out")], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert refused.returncode == 2 and "cannot import datacleaning" in refused.stderr
    assert "DATACLEANING_PYTHON" in refused.stderr and not (tmp_path / "run.pid").exists()
