"""The stage registry and the one runner every stage goes through: a stage written here, beside the
four the package ships, gets the manifest, stats, status, resume and clean-up from `run_stage`
alone, with real worker processes and real shards."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import cli, fixture_records, write_jsonl, write_kept_shard

from datacleaning.config import Config, RunConfig
from datacleaning.errors import ConfigError
from datacleaning.execution import FileUnit, Steps, UnitContext
from datacleaning.manifest import MANIFEST, STATS
from datacleaning.shard_input import input_listing, plan_scan_units, read_unit_batches
from datacleaning.stages import STAGE_ORDER, Plan, Stage, run_stage, stage


@dataclass
class CountStep:
    """Counts a unit's documents and characters, and leaves a file in the work folder."""

    work: Path

    def __call__(self, unit: FileUnit, context: UnitContext) -> dict:
        counts = {"documents": 0, "chars": 0}
        for batch in read_unit_batches(unit, ["text"]):
            counts["documents"] += batch.num_rows
            counts["chars"] += sum(len(t) for t in batch.column("text").to_pylist())
        self.work.mkdir(parents=True, exist_ok=True)
        (self.work / f"{unit.id}.json").write_text(json.dumps(counts))
        return counts


class CountStage(Stage):
    """A stage as a user would add one: counts the documents of a folder of shards."""

    name = "count"

    def __init__(self):
        self.executed = 0

    def plan(self, config: Config, source, output) -> Plan:
        units = plan_scan_units(source, 1 << 12)
        fingerprint = hashlib.sha256(json.dumps(input_listing(units), sort_keys=True).encode()).hexdigest()
        return Plan(fingerprint, len(units), {"units": len(units)}, units)

    def execute(self, config: Config, plan: Plan, output):
        self.executed += 1
        steps = Steps(self.name, output, config.run.workers, False)
        steps.run("count", plan.state, CountStep(output / ".work"))
        return {"documents": steps.stats.get("count", {}).get("documents", 0)}, steps.outcome

    def summary(self, stats: dict) -> str:
        return f"count: {stats['status']}, {stats['documents']} documents"

    def work_files(self, config: Config, plan: Plan, output) -> list:
        return [output / ".work"]

    def add_commands(self, sub) -> None:
        sub.add_parser(self.name, help="count the documents of a folder of shards")


@pytest.fixture
def shards(tmp_path) -> Path:
    folder = tmp_path / "kept"
    docs = [{"id": f"d{i}", "text": f"文档 {i} " * (40 + i), "lang": "zh"} for i in range(300)]
    write_kept_shard(folder, "part-a", docs[:150], batch_rows=50)
    write_kept_shard(folder, "part-b", docs[150:], batch_rows=50)
    return folder


def test_a_new_stage_gets_stats_manifest_resume_and_clean_up_from_the_runner(shards, tmp_path):
    config = Config(run=RunConfig(workers=2, progress=False))
    counting = CountStage()
    first = run_stage(counting, config, shards, tmp_path / "out")
    assert first.ok and counting.executed == 1
    stats = json.loads((tmp_path / "out" / STATS).read_text())
    assert stats["status"] == "complete" and stats["documents"] == 300 and stats["workers"] == 2
    assert stats["wall_seconds"] >= 0
    assert json.loads((tmp_path / "out" / MANIFEST).read_text())["complete"] is True
    assert not (tmp_path / "out" / ".work").exists(), "the work folder goes once the stage is complete"

    again = run_stage(counting, config, shards, tmp_path / "out")
    assert counting.executed == 1, "a finished output is not run again"
    assert again.ok and again.stats == stats and again.outcome.skipped_units == first.outcome.total_units


def test_the_runner_refuses_an_output_made_from_other_input(shards, tmp_path):
    config = Config(run=RunConfig(workers=1, progress=False))
    run_stage(CountStage(), config, shards, tmp_path / "out")
    write_kept_shard(shards, "part-c", [{"id": "new", "text": "一篇新的文档。" * 20, "lang": "zh"}])
    with pytest.raises(ConfigError, match="different"):
        run_stage(CountStage(), config, shards, tmp_path / "out")


def test_every_registered_stage_is_a_command_and_a_run_stage():
    for name in STAGE_ORDER:
        RunConfig(stages=[name])  # the config accepts every registered stage
    commands = cli("--help").stdout
    for name in STAGE_ORDER:
        assert stage(name).name == name
        assert cli(name, "--help").returncode == 0, f"no `datacleaning {name}` command"
        assert name in commands
    assert [name for name in STAGE_ORDER if stage(name).reads_dumps] == ["clean"]


def test_python_dash_m_datacleaning_is_the_same_command_line():
    script = cli("--help")
    module = subprocess.run([sys.executable, "-m", "datacleaning", "--help"], capture_output=True, text=True)
    assert module.returncode == script.returncode == 0, module.stderr
    assert module.stdout == script.stdout and "``" not in module.stdout


def test_run_config_refuses_a_stage_the_registry_does_not_hold():
    with pytest.raises(ValueError, match="count"):
        RunConfig(stages=["clean", "count"])


def test_a_run_whose_stage_keeps_nothing_stops_there_and_says_so(tmp_path):
    """Every Chinese record of the fixtures, with only French allowed: the clean stage rejects them
    all, and neither the run nor a later stage run on its own mistakes the empty kept/ folder for
    a wrong path."""
    chinese = [r for r in fixture_records() if r["lang"] == "zh"]
    write_jsonl(tmp_path / "in.jsonl", [r["text"] for r in chinese])
    output = tmp_path / "out"
    done = cli("run", str(tmp_path / "in.jsonl"), "--output", str(output), "--profile", "mixed_web",
               "--set", 'clean.languages=["fr"]', "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "run: clean kept no documents, so dedup, probe had nothing to read and did not run" in done.stderr
    stats = json.loads((output / "clean" / STATS).read_text())
    assert stats["kept_docs"] == 0 and stats["rejected_docs"] == len(chinese)
    assert not (output / "dedup").exists() and (output / "report.html").is_file()

    alone = cli("dedup", str(output / "clean" / "kept"), "--output", str(tmp_path / "dedup"), "--no-progress")
    assert alone.returncode == 2
    assert f"holds no documents: the clean run there kept none of its {len(chinese)}" in alone.stderr
