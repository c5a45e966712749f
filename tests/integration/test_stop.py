"""A stop (SIGTERM to the run's process group, what stopall.sh sends) takes effect within seconds in
the middle of the slowest work there is, and DATACLEANING_STOP_GRACE bounds how long a worker
that does not stop is waited for."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from helpers import fixture_records, processes_in_group, write_kept_shard, write_repeated_corpus

# Whole stages in processes of their own (runs, kills, resumes, Ray, S3): `pytest -m "not slow"` leaves these out.
pytestmark = pytest.mark.slow

SLOW_RULE = '''
import time
from dataclasses import dataclass

import datacleaning as dc


@dc.register("sleeps_on_every_document")
@dataclass
class SleepsOnEveryDocument(dc.Filter):
    """A user rule that never looks at the stop flag: it sleeps far longer than any grace."""

    def score(self, doc):
        time.sleep(600)
        return 0

    def keep(self, value):
        return True
'''


def _start(args: list[str], grace: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "datacleaning.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, "DATACLEANING_STOP_GRACE": grace})


def _stop_once_started(proc: subprocess.Popen, start_line: str, settle: float, sig: int = signal.SIGTERM) -> float:
    """Wait for the stage's start line, give the workers ``settle`` seconds to get into their
    units, send ``sig`` to the process group; return the seconds until the run exited."""
    for line in proc.stderr:
        if start_line in line:
            break
    else:
        raise AssertionError(f"the run ended before {start_line!r}: {proc.communicate()}")
    time.sleep(settle)
    assert proc.poll() is None, "the run should still be going when it is stopped"
    os.killpg(proc.pid, sig)
    stopped = time.monotonic()
    try:
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return time.monotonic() - stopped


def _assert_stopped_within(proc: subprocess.Popen, stage: str, output, seconds: float) -> None:
    """Stop ``proc`` a few seconds into ``stage``; it must end within ``seconds``, interrupted, with
    no process of its group left."""
    took = _stop_once_started(proc, f"datacleaning.{stage} start", settle=4)
    assert took < seconds, f"the run took {took:.1f}s to stop"
    assert proc.returncode == 128 + signal.SIGTERM
    assert json.loads((output / "stats.json").read_text())["status"] == "interrupted"
    assert processes_in_group(proc.pid) == []


def test_a_stop_during_probe_scoring_takes_effect_within_seconds(tmp_path):
    texts = [record["text"] for record in fixture_records()]
    long_docs = [{"id": f"doc-{i}", "text": "\n".join(texts[(i + k) % len(texts)] for k in range(6)),
                  "lang": "zh", "source": "test"} for i in range(240)]
    # Two shards of one record batch each: each worker scores one batch of minutes of work.
    write_kept_shard(tmp_path / "kept", "a", long_docs[:120], batch_rows=4096)
    write_kept_shard(tmp_path / "kept", "b", long_docs[120:], batch_rows=4096)
    output = tmp_path / "probe"
    proc = _start(["probe", "score", str(tmp_path / "kept"), "--output", str(output), "--workers", "2",
                   "--device", "cpu", "--no-progress"], grace="120")
    _assert_stopped_within(proc, "probe", output, seconds=15)


def test_a_stop_inside_one_long_document_of_probe_scoring_takes_effect_within_seconds(tmp_path):
    """One document of about a million characters is one batch of a minute or more on a CPU: the
    stop was looked at between batches only, and the worker was killed when the grace ran out."""
    texts = [record["text"] for record in fixture_records() if record["lang"] == "zh"]
    text = "\n".join(texts * (1_000_000 // sum(len(t) + 1 for t in texts) + 1))
    write_kept_shard(tmp_path / "kept", "a", [{"id": "long", "text": text, "lang": "zh", "source": "test"}])
    output = tmp_path / "probe"
    proc = _start(["probe", "score", str(tmp_path / "kept"), "--output", str(output), "--workers", "1",
                   "--device", "cpu", "--no-progress"], grace="120")
    _assert_stopped_within(proc, "probe", output, seconds=15)


def test_a_stop_while_sentencepiece_trains_takes_effect_within_seconds(tmp_path):
    texts = [record["text"] for record in fixture_records()]
    rng = random.Random(0)
    # Pieces of real text recombined: enough variety that a unigram model takes tens of seconds.
    docs = [{"id": f"doc-{i}", "lang": "zh", "source": "test",
             "text": "".join(texts[rng.randrange(len(texts))][rng.randrange(200):][:rng.randrange(50, 400)]
                             for _ in range(8))} for i in range(20000)]
    write_kept_shard(tmp_path / "kept", "a", docs)
    output = tmp_path / "tokens"
    proc = _start(["tokenize", "encode", str(tmp_path / "kept"), "--output", str(output), "--workers", "1",
                   "--model-type", "unigram", "--vocab-size", "32000", "--set", "tokenize.train.threads=1",
                   "--no-progress"], grace="120")
    _assert_stopped_within(proc, "tokenize", output, seconds=10)


def _start_sleeping_workers(tmp_path, grace: str) -> subprocess.Popen:
    """A clean run of two workers whose one rule sleeps far past any grace (SLOW_RULE)."""
    corpus = tmp_path / "corpus"
    write_repeated_corpus(corpus, copies=1)
    (tmp_path / "slow_rule.py").write_text(SLOW_RULE)
    return _start(["clean", str(corpus), "--output", str(tmp_path / "out"), "--workers", "2", "--no-progress",
                   "--plugin", str(tmp_path / "slow_rule.py"), "--set", 'clean.filters=[{name="sleeps_on_every_document"}]'],
                  grace=grace)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_stop_grace_bounds_the_wait_for_a_worker_that_does_not_stop(tmp_path, sig):
    proc = _start_sleeping_workers(tmp_path, grace="3")
    took = _stop_once_started(proc, "datacleaning.clean start", settle=2, sig=sig)
    assert 2.5 < took < 12, f"the run took {took:.1f}s to stop with a grace of 3s"
    assert proc.returncode == 128 + sig  # 143 or 130, as a shell reports the signal
    assert processes_in_group(proc.pid) == []


def test_workers_die_with_the_main_process(tmp_path):
    """The main process killed alone (kill -9 of its pid, the OOM killer's choice): its workers,
    asleep inside a unit, go with it rather than live on outside any stop."""
    proc = _start_sleeping_workers(tmp_path, grace="30")
    for line in proc.stderr:
        if "datacleaning.clean start" in line:
            break
    time.sleep(2)
    workers = [pid for pid in processes_in_group(proc.pid) if pid != proc.pid]
    assert len(workers) == 2, workers
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while processes_in_group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_in_group(proc.pid) == []


SLOW_TRAINING = '''
import time

import pyarrow as pa
import sentencepiece

from datacleaning.tokenize import spm

sentencepiece.SentencePieceTrainer.train = lambda **options: time.sleep(600)  # a training that outlasts the test
print("training", flush=True)
spm._train_in_child(pa.array(["社区图书馆夜间开放。"]), {}, lambda: None)
'''


def test_the_tokenizer_trainer_dies_with_the_worker_that_forked_it(tmp_path):
    """SentencePiece trains in a child the tokenize worker forks; the worker killed outright (as
    when its main process dies and takes it along), the trainer goes with it rather than train on
    for minutes outside any stop."""
    script = tmp_path / "slow_training.py"
    script.write_text(SLOW_TRAINING)
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert proc.stdout.readline().strip() == "training"
    deadline = time.monotonic() + 10
    while len(processes_in_group(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(processes_in_group(proc.pid)) == 2, "the trainer should be running"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while processes_in_group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = processes_in_group(proc.pid)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == []
