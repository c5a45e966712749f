"""bench/gpu_check.sh, wired end to end on a CPU (GPU_CHECK_CPU=1: Triton's interpreter, a tiny
random model): the probe's tests run, every benchmark row is measured, and the JSON and Markdown
reports say so. On a GPU the same script runs the 385M model (docs/probe.md)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from helpers import REPO_ROOT

pytestmark = pytest.mark.slow


def test_the_gpu_check_runs_its_steps_and_reports_them(tmp_path):
    out = tmp_path / "gpu_check"
    done = subprocess.run(["bash", str(REPO_ROOT / "bench" / "gpu_check.sh"), str(out)], capture_output=True,
                          text=True, timeout=900, env={**os.environ, "GPU_CHECK_CPU": "1", "PYTHON": sys.executable})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((out / "gpu_check.json").read_text())
    tests = report["tests"]
    assert tests["ran"] and tests["passed"] > 50 and not tests["failed"], tests
    bench = report["bench"]
    assert "Triton interpreter" in bench["device"]
    assert bench["doc_tokens_min"] < bench["doc_tokens"] and bench["chunk_tokens"] < bench["doc_tokens"]
    rows = {(row["what"], row["dtype"]) for row in bench["rows"]}
    for dtype in ("bfloat16", "float32"):
        for what in ("kernel alone: Triton", "kernel alone: PyTorch block form", "scorer: Triton",
                     "scorer: PyTorch block form", "scorer: softmax (SDPA)"):
            assert (what, dtype) in rows, (what, dtype)
    errors = {(row["what"], row["dtype"]): row["max_rel_error"] for row in bench["rows"] if "max_rel_error" in row}
    assert errors[("kernel alone: Triton", "float32")] < 1e-5
    assert errors[("kernel alone: Triton", "bfloat16")] < 2e-2
    assert all(row["tokens_per_s"] > 0 for row in bench["rows"])
    markdown = (out / "gpu_check.md").read_text()
    assert markdown.startswith("# GPU check: CPU") and "| scorer: Triton | float32 |" in markdown
