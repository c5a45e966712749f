"""A unit that raises, or whose worker process dies, is reported failed while every other unit
finishes; the run exits non-zero and a rerun redoes only what failed."""
from __future__ import annotations

import json
import textwrap

import pytest

from helpers import EXAMPLE_CONFIG, cli, fixture_records

PLUGIN = textwrap.dedent('''
    import os
    import signal
    from dataclasses import dataclass

    import datacleaning as dc


    @dc.register("explode_on_marker")
    @dataclass
    class ExplodeOnMarker(dc.Filter):
        """Fails hard on documents containing ``marker``: raises, or kills its own worker."""

        marker: str = "EXPLODE"
        how: str = "raise"

        def score(self, doc):
            if self.marker in doc.text:
                if self.how == "kill":
                    os.kill(os.getpid(), signal.SIGKILL)
                raise RuntimeError(f"exploded on {doc.id}")
            return 0

        def keep(self, value):
            return True
''')


def _write_inputs(folder, poisoned_file: int) -> dict[str, int]:
    """Four jsonl files of real documents; one also holds a document with the marker."""
    folder.mkdir()
    records = fixture_records()
    counts = {}
    for i in range(4):
        name = f"part-{i}.jsonl"
        lines = [dict(r, id=f"{r['id']}@{i}") for r in records[i * 20:(i + 1) * 20]]
        if i == poisoned_file:
            lines.insert(5, {"id": "poison", "text": "这一段文字会让规则出错 EXPLODE " * 5})
        (folder / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")
        counts[name] = len(lines)
    return counts


def _config(tmp_path, how: str):
    plugin = tmp_path / "explode_plugin.py"
    plugin.write_text(PLUGIN)
    config = tmp_path / "config.toml"
    config.write_text(f'extends = "{EXAMPLE_CONFIG}"\n[clean]\nplugins = ["{plugin}"]\n'
                      f'[[clean.filters]]\nname = "explode_on_marker"\nhow = "{how}"\n', encoding="utf-8")
    return config


@pytest.mark.parametrize("how", ["raise", "kill"])
def test_failed_unit_does_not_stop_the_others(tmp_path, how):
    inputs = tmp_path / "in"
    counts = _write_inputs(inputs, poisoned_file=2)
    output = tmp_path / "out"
    config = _config(tmp_path, how)
    run = cli("clean", str(inputs), "--output", str(output), "--config", str(config), "--workers", "2", "--no-progress")
    assert run.returncode == 1, run.stderr
    assert "unit_failed" in run.stderr
    stats = json.loads((output / "stats.json").read_text())
    assert stats["status"] == "failed"
    assert stats["units"] == {"total": 4, "completed": 3, "failed": 1}
    [(failed_unit, error)] = stats["failed_units"].items()
    assert failed_unit.startswith("2-part-2.jsonl-"), "units are named by their file's place in input order"
    assert ("exploded on poison" in error) if how == "raise" else ("died" in error)
    healthy = sum(n for name, n in counts.items() if name != "part-2.jsonl")
    assert stats["input_docs"] == healthy == stats["kept_docs"] + stats["rejected_docs"] + stats["quarantined_docs"]

    # Fix the rule (the user's code; the input must stay as it was) and rerun: only the failed
    # unit runs, and the run completes.
    plugin = tmp_path / "explode_plugin.py"
    plugin.write_text(PLUGIN.replace("if self.marker in doc.text:", "if False:"))
    rerun = cli("clean", str(inputs), "--output", str(output), "--config", str(config), "--workers", "2",
                "--no-progress")
    assert rerun.returncode == 0, rerun.stderr
    assert "skipped_units=3" in rerun.stderr
    stats = json.loads((output / "stats.json").read_text())
    assert stats["status"] == "complete"
    assert stats["input_docs"] == sum(counts.values())


STOP_EARLY = textwrap.dedent('''
    import os, random, signal, sys, tempfile, threading, time
    from pathlib import Path
    from datacleaning.execution import FileUnit, run_units

    def work(unit, context):
        time.sleep(0.02)
        return {}

    signal.signal(signal.SIGTERM, lambda *args: None)  # a signal landing after a run ends
    rng = random.Random(11)
    for i in range(int(sys.argv[1])):
        units = [FileUnit(id="u0", path="x", format="jsonl", start=0, end=1, size=1, name="x")]
        threading.Timer(rng.uniform(0, 0.03), os.kill, (os.getpid(), signal.SIGTERM)).start()
        run_units(units, work, state_dir=Path(tempfile.mkdtemp()), workers=2, show_progress=False)
    print("all runs returned")
''')


def test_a_stop_signal_while_the_pool_starts_never_hangs_the_run(tmp_path):
    # SIGTERM at random moments of the pool's start-up, when a worker may not yet have its own
    # handlers or may sit idle inside the task queue's lock: every run must still return. Run in
    # a child process so that a hang fails the test instead of stalling the suite.
    import os
    import signal
    import subprocess
    import sys

    script = tmp_path / "stop_early.py"
    script.write_text(STOP_EARLY)
    child = subprocess.Popen([sys.executable, str(script), "200"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
    try:
        out, err = child.communicate(timeout=150)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        pytest.fail("a run hung after a stop signal during pool start-up")
    assert child.returncode == 0, err
    assert "all runs returned" in out


IDLE_WORKER = textwrap.dedent('''
    import sys, time
    from pathlib import Path
    from datacleaning.execution import FileUnit, run_units

    started = Path(sys.argv[1])

    def work(unit, context):
        started.touch()
        while True:
            time.sleep(0.01)
            context.check_stop()

    units = [FileUnit(id="u0", path="x", format="jsonl", start=0, end=1, size=1, name="x")]
    outcome = run_units(units, work, state_dir=started.parent / "state", workers=3, show_progress=False)
    print("interrupted" if outcome.interrupted else "not interrupted")
''')


def test_a_stop_signal_to_the_process_group_while_workers_sit_idle_ends_the_run(tmp_path):
    # More workers than units: the idle ones wait for work when the signal kills them, and
    # that must neither stall the run nor lose the busy worker's clean stop.
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "idle_worker.py"
    script.write_text(IDLE_WORKER)
    started = tmp_path / "started"
    for attempt in range(3):
        started.unlink(missing_ok=True)
        child = subprocess.Popen([sys.executable, str(script), str(started)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, start_new_session=True)
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert started.exists(), child.communicate()[1]
        time.sleep(0.2)
        os.killpg(child.pid, signal.SIGTERM)
        try:
            out, err = child.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            pytest.fail("the run hung after a stop signal reached its idle workers")
        assert child.returncode == 0, err
        assert out.strip() == "interrupted"
