"""The README tells the truth: the sample summary in "Set up" is what the example run prints."""
from __future__ import annotations

import re

from datacleaning.config import load_config
from datacleaning.stages import run_stage
from datacleaning.stats import format_clean_summary
from helpers import EXAMPLE_CONFIG, REPO_ROOT

WALL = re.compile(r"\d+\.\ds wall")


def _documented_sample() -> list[str]:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("summary of each stage like this one:", 1)[1].split("```", 2)[1]
    return [line for line in block.strip("\n").splitlines() if line.strip() != "..."]


def test_the_sample_summary_is_the_example_runs(tmp_path):
    config = load_config(EXAMPLE_CONFIG, [(["run", "workers"], 2), (["run", "progress"], False)])
    result = run_stage("clean", config, [config.resolve(p) for p in config.input.paths], tmp_path / "clean")
    printed = format_clean_summary(result.stats).splitlines()
    sample = _documented_sample()
    assert len(sample) >= 5, sample
    # Times differ from run to run; everything else must match the lines shown.
    assert [WALL.sub("", line) for line in sample] == [WALL.sub("", line) for line in printed[:len(sample)]]
