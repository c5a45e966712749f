"""`datacleaning run` with every stage (clean, dedup, probe, tokenize), SIGKILLed as a whole process
group once inside each stage and once between each pair of stages, each time rerun: the outputs
equal those of a run that was never interrupted (ids, texts, scores, token files byte for byte),
and running it once more after it finished exits 0 and rewrites nothing."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import EXAMPLE_CONFIG, cli, done_records, kill_group_on, read_rows, write_repeated_corpus

# Whole stages in processes of their own (runs, kills, resumes, Ray, S3): `pytest -m "not slow"` leaves these out.
pytestmark = pytest.mark.slow

STAGES = ("clean", "dedup", "probe", "tokenize")


def _run_args(corpus: Path, output: Path) -> list[str]:
    # Small units, so that every stage has several and a kill can land inside it.
    return ["run", str(corpus), "--output", str(output), "--config", str(EXAMPLE_CONFIG), "--workers", "2",
            "--chunk-bytes", "40000", "--no-progress", "--set", "dedup.unit_bytes=20000",
            "--set", "probe.unit_bytes=20000", "--set", "tokenize.unit_bytes=20000",
            "--set", "tokenize.train.vocab_size=2000"]


def _complete(stage_output: Path) -> bool:
    try:
        return json.loads((stage_output / "manifest.json").read_text()).get("complete", False)
    except (FileNotFoundError, json.JSONDecodeError):
        return False


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    write_repeated_corpus(folder, copies=3)
    return folder


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    output = tmp_path_factory.mktemp("reference")
    result = cli(*_run_args(corpus, output))
    assert result.returncode == 0, result.stderr[-3000:]
    return output


def _outputs(output: Path) -> dict:
    """Everything a user takes from the run, in a form two runs can be compared by."""
    def rows(folder: Path, columns: tuple[str, ...]) -> list[tuple]:
        return sorted(tuple(row[c] for c in columns) for row in read_rows(folder))

    return {
        "clean kept": rows(output / "clean" / "kept", ("id", "text", "lang", "edits", "scores")),
        "clean rejected": rows(output / "clean" / "rejected", ("id", "text", "rejected_by", "reject_value")),
        "clean quarantine": rows(output / "clean" / "quarantine", ("file", "offset", "raw", "error")),
        "dedup kept": rows(output / "dedup" / "kept", ("id", "text", "dup_cluster")),
        "dedup removed": rows(output / "dedup" / "removed", ("id", "kept_id", "dup_kind")),
        "probe kept": rows(output / "probe" / "kept", ("id", "text", "nll", "n_tokens", "ppl", "ppl_bucket")),
        "probe rejected": rows(output / "probe" / "rejected", ("id", "ppl")),
        **{f"tokenize {name}": (output / "tokenize" / name).read_bytes()
           for name in ("tokens.bin", "tokens.idx", "tokenizer.model")},
    }


def _kill_points() -> list[tuple[str, object]]:
    """(what, condition on the output folder): inside each stage, once it has finished a unit and
    before it completes; between stages, as soon as one has completed."""
    points = []
    for i, stage in enumerate(STAGES):
        points.append((f"inside {stage}",
                       lambda out, s=stage: done_records(out / s) >= 1 and not _complete(out / s)))
        if i + 1 < len(STAGES):
            points.append((f"between {stage} and {STAGES[i + 1]}", lambda out, s=stage: _complete(out / s)))
    return points


def test_run_killed_in_and_between_every_stage_resumes_to_the_uninterrupted_output(corpus, reference, tmp_path):
    output = tmp_path / "killed"
    landed = []
    for what, condition in _kill_points():
        proc = subprocess.Popen([sys.executable, "-m", "datacleaning.cli", *_run_args(corpus, output)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        if kill_group_on(proc, lambda: condition(output)):
            landed.append(what)
    assert len(landed) == len(_kill_points()), f"only these kills landed while the run was going: {landed}"

    result = cli(*_run_args(corpus, output))
    assert result.returncode == 0, result.stderr[-3000:]
    assert _outputs(output) == _outputs(reference)
    for stage in STAGES:
        stats = json.loads((output / stage / "stats.json").read_text())
        assert stats["status"] == "complete", (stage, stats)
    assert not [p for p in output.rglob("*") if p.name.startswith(".tmp-")]
    assert not [p for p in output.rglob(".work")], "intermediate files were left behind"


def test_rerun_of_a_finished_run_exits_0_and_rewrites_nothing(corpus, reference):
    before = {p: p.stat().st_mtime_ns for p in reference.rglob("*")}
    result = cli(*_run_args(corpus, reference))
    assert result.returncode == 0, result.stderr[-3000:]
    assert {p: p.stat().st_mtime_ns for p in reference.rglob("*")} == before
    for stage in STAGES:
        assert f"{stage}: complete" in result.stdout, result.stdout
