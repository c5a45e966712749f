"""The stages on a real local Ray instance (``--executor ray``, 2 CPUs): the same output, document
for document, as the local executor; a Ray worker killed mid-run loses and doubles nothing; a run
started with one executor resumes with the other; the progress bar moves within a unit."""
from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

import datacleaning
from helpers import EXAMPLE_CONFIG, cli, done_records, kill_group_when, outcome_sets, write_repeated_corpus

# Whole stages in processes of their own (runs, kills, resumes, Ray, S3): `pytest -m "not slow"` leaves these out.
pytestmark = [pytest.mark.slow, pytest.mark.ray]

pytest.importorskip("ray", reason="Ray is not installed (pip install 'datacleaning[ray]')")

STAGES = "run.stages=['clean', 'dedup', 'tokenize']"


def _run(output, *extra):
    return cli("run", "--config", str(EXAMPLE_CONFIG), "--output", str(output), "--workers", "2", "--no-progress",
               "--set", STAGES, *extra)


def test_clean_dedup_and_tokenize_on_ray_equal_the_local_executor(tmp_path):
    local, on_ray = _run(tmp_path / "local"), _run(tmp_path / "ray", "--executor", "ray")
    assert local.returncode == 0, local.stderr
    assert on_ray.returncode == 0, on_ray.stderr
    for stage, folder in (("clean", "kept"), ("clean", "rejected"), ("clean", "quarantine"), ("dedup", "kept"),
                          ("dedup", "removed")):
        want = datacleaning.read_table(tmp_path / "local" / stage / folder)
        got = datacleaning.read_table(tmp_path / "ray" / stage / folder)
        assert got.num_rows > 0 and got.equals(want), f"{stage}/{folder}"
    for name in ("tokenizer.model", "tokens.bin", "tokens.idx"):
        assert (tmp_path / "ray" / "tokenize" / name).read_bytes() == (tmp_path / "local" / "tokenize" / name).read_bytes()


def _ray_task_workers() -> list[int]:
    """Ray worker processes running one of our units (their process title names the task)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if f.read().startswith(b"ray::_run_task"):
                        found.append(int(entry))
            except OSError:
                continue
    return found


def _clean_args(corpus, output, *extra):
    return ["clean", str(corpus), "--output", str(output), "--config", str(EXAMPLE_CONFIG), "--workers", "2",
            "--chunk-bytes", "40000", "--no-progress", *extra]


@pytest.fixture(scope="module")
def corpus_and_reference(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("corpus")
    write_repeated_corpus(corpus, copies=40)
    reference = tmp_path_factory.mktemp("reference")
    result = cli(*_clean_args(corpus, reference))
    assert result.returncode == 0, result.stderr
    return corpus, outcome_sets(reference)


def test_a_ray_worker_killed_mid_run_loses_and_doubles_nothing(corpus_and_reference, tmp_path):
    corpus, reference = corpus_and_reference
    output = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "datacleaning.cli", *_clean_args(corpus, output, "--executor", "ray")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and proc.poll() is None and time.monotonic() < deadline:
        busy = _ray_task_workers()
        if busy and done_records(output) >= 1:
            os.kill(busy[0], signal.SIGKILL)
            killed = busy[0]
        time.sleep(0.01)
    stdout, stderr = proc.communicate(timeout=300)
    assert killed is not None, "no Ray worker was caught running a unit"
    assert proc.returncode == 0, stderr
    assert outcome_sets(output) == reference
    assert not list((output / "kept").glob(".tmp-*"))


def test_a_local_run_resumes_on_ray(corpus_and_reference, tmp_path):
    corpus, reference = corpus_and_reference
    output = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "datacleaning.cli", *_clean_args(corpus, output)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    kill_group_when(proc, output, 3)
    finished_locally = done_records(output)
    result = cli(*_clean_args(corpus, output, "--executor", "ray"))
    assert result.returncode == 0, result.stderr
    assert f"skipped_units={finished_locally}" in result.stderr, result.stderr
    assert outcome_sets(output) == reference


def test_sigterm_to_a_ray_run_stops_it_cleanly_and_a_rerun_completes(corpus_and_reference, tmp_path):
    """Ray's driver would abort on SIGTERM; the run takes the signal back and reports itself
    interrupted, like a local run, so stopall.sh works the same with either executor. One race is
    Ray's: the signal to the group also reaches the local Ray instance, and when its raylet dies
    before the driver has seen the signal, Ray's core worker ends the driver at once with status
    1. Either way the run stops non-zero and a rerun completes it."""
    corpus, reference = corpus_and_reference
    output = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "datacleaning.cli", *_clean_args(corpus, output, "--executor", "ray")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while done_records(output) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGTERM)
    returncode = proc.wait(timeout=120)
    assert returncode in (128 + signal.SIGTERM, 1)
    if returncode == 128 + signal.SIGTERM:
        assert json.loads((output / "stats.json").read_text())["status"] == "interrupted"
    result = cli(*_clean_args(corpus, output, "--executor", "ray"))
    assert result.returncode == 0, result.stderr
    assert outcome_sets(output) == reference


def test_progress_on_ray_advances_within_a_unit(tmp_path):
    """One work unit only, so a bar that moved only when units finish would jump from 0 to 100%;
    the tasks report per document, so a terminal sees the percentages in between."""
    corpus = tmp_path / "corpus"
    write_repeated_corpus(corpus, copies=150, files=1)
    controller, terminal = pty.openpty()
    # A terminal of no width would give the bar no room to print in.
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "datacleaning.cli", "clean", str(corpus), "--output",
                             str(tmp_path / "out"), "--config", str(EXAMPLE_CONFIG), "--workers", "1",
                             "--chunk-bytes", "1000000000", "--executor", "ray"],
                            stdout=subprocess.DEVNULL, stderr=terminal, start_new_session=True)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal's other end closed: the run is over
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert proc.wait(timeout=300) == 0, shown.decode(errors="replace")[-2000:]
    percentages = {int(p) for p in re.findall(rb"clean:\s+(\d+)%", shown)}
    assert 100 in percentages, shown.decode(errors="replace")[-2000:]
    assert any(0 < p < 100 for p in percentages), sorted(percentages)


def test_a_plugin_file_rule_runs_on_ray_as_on_the_local_executor(tmp_path):
    """A .py plugin is a module only the driver can import by its name; its rules reach the Ray
    tasks by value (every unit failed with ModuleNotFoundError before)."""
    (tmp_path / "my_rules.py").write_text(
        "from dataclasses import dataclass\nimport datacleaning as dc\n\n"
        "@dc.register('max_digit_share')\n@dataclass\nclass MaxDigitShare(dc.Filter):\n"
        "    max_share: float = 0.3\n"
        "    def score(self, doc):\n        return sum(c.isdigit() for c in doc.text) / max(len(doc.text), 1)\n"
        "    def keep(self, value):\n        return value <= self.max_share\n")
    records = [{"id": f"d{i}", "text": text} for i, text in enumerate(
        ["A plain sentence with words and no digits at all in it."] * 3 + ["1234567890 12345 67890 a"] * 3)]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (tmp_path / "config.toml").write_text('[clean]\nplugins = ["my_rules.py"]\n\n[[clean.filters]]\n'
                                          'name = "max_digit_share"\nmax_share = 0.3\n')
    outcomes = {}
    for executor in ("local", "ray"):
        result = cli("clean", str(tmp_path / "in.jsonl"), "--output", str(tmp_path / executor), "--config",
                     str(tmp_path / "config.toml"), "--workers", "2", "--executor", executor, "--no-progress")
        assert result.returncode == 0, result.stderr
        outcomes[executor] = outcome_sets(tmp_path / executor)
    assert outcomes["ray"] == outcomes["local"]
    stats = json.loads((tmp_path / "ray" / "stats.json").read_text())
    assert (stats["kept_docs"], stats["rejected_by"]) == (3, {"max_digit_share": 3})


def test_a_cluster_address_nothing_answers_at_is_a_config_error_not_a_hang(tmp_path):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free once closed: nothing listens there
    (tmp_path / "in.jsonl").write_text(json.dumps({"id": "a", "text": "A sentence of words."}) + "\n")
    started = time.monotonic()
    result = cli("clean", str(tmp_path / "in.jsonl"), "--output", str(tmp_path / "out"), "--executor", "ray",
                 "--ray-address", f"127.0.0.1:{port}", "--no-progress", timeout=120)
    assert result.returncode == 2 and f"nothing answers at 127.0.0.1:{port}" in result.stderr, result.stderr
    assert time.monotonic() - started < 60


@pytest.fixture
def ray_cluster(tmp_path):
    """A Ray cluster of its own (`ray start --head`), started from a folder of its own, as on a
    cluster's head node; stopped by its process group, so no other Ray on the machine is touched.
    Yields its address and its temp folder (short: Ray's socket paths must fit 107 characters)."""
    import shutil
    import socket
    import tempfile
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ray_tmp = tempfile.mkdtemp(prefix="r", dir="/tmp")
    head_dir = tmp_path / "head"
    head_dir.mkdir()
    env = {**os.environ, "RAY_TMPDIR": ray_tmp, "RAY_AUTH_MODE": "disabled"}
    head = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "ray"), "start", "--head",
                             f"--port={port}", "--num-cpus=2", "--include-dashboard=false", "--block"],
                            cwd=head_dir, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert head.poll() is None and time.monotonic() < deadline, "the Ray head did not start"
                time.sleep(1)
        yield f"127.0.0.1:{port}", ray_tmp, head_dir
    finally:
        os.killpg(head.pid, signal.SIGKILL)
        head.wait()
        shutil.rmtree(ray_tmp, ignore_errors=True)


def test_relative_paths_and_a_ray_address_in_the_environment_on_a_cluster_of_its_own(ray_cluster, tmp_path):
    """Tasks of a joined cluster run in the folder the cluster was started from: relative output
    and input folders are the driver's, made absolute before they leave it. Without
    --ray-address, RAY_ADDRESS (or a `ray start` on this machine) does not make the run join a
    cluster with a CPU count Ray refuses: it starts a local instance, as the docs say."""
    address, ray_tmp, head_dir = ray_cluster
    env = {"RAY_TMPDIR": ray_tmp, "RAY_AUTH_MODE": "disabled"}
    records = [{"id": f"d{i}", "text": f"A plain sentence number {i} with enough words to be kept by the rules."}
               for i in range(40)]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    joined = cli("clean", "in.jsonl", "--output", "out", "--workers", "2", "--no-progress", "--profile", "none",
                 "--executor", "ray", "--ray-address", address, cwd=tmp_path, env=env, timeout=300)
    assert joined.returncode == 0, joined.stderr
    kept = datacleaning.read_table(tmp_path / "out" / "kept", ["id", "text"]).to_pylist()
    assert len(kept) == 40 and not (head_dir / "out").exists()
    deduped = cli("dedup", "out/kept", "--output", "dedup", "--workers", "2", "--no-progress",
                  "--executor", "ray", "--ray-address", address, cwd=tmp_path, env=env, timeout=300)
    assert deduped.returncode == 0, deduped.stderr
    assert json.loads((tmp_path / "dedup" / "stats.json").read_text())["kept_docs"] == 40

    local = cli("clean", "in.jsonl", "--output", "local", "--workers", "2", "--no-progress", "--profile", "none",
                "--executor", "ray", cwd=tmp_path, env={**env, "RAY_ADDRESS": address}, timeout=300)
    assert local.returncode == 0 and "Traceback" not in local.stderr, local.stderr
    assert datacleaning.read_table(tmp_path / "local" / "kept", ["id", "text"]).to_pylist() == kept
