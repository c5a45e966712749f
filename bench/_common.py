"""What the benchmark scripts share: where things are, the units they report in, the corpus manifest."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Found from this file, not the working directory, so the scripts run from anywhere.
REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_OUT = REPO_ROOT / "bench" / "out"
DEFAULT_CONFIG = REPO_ROOT / "configs" / "example.toml"

# Decimal megabytes throughout (corpus sizes, MB/s, RSS), so every number compares directly.
MB = 1_000_000

# Hidden so that `datacleaning clean CORPUS_DIR` (which skips dot files) reads only the jsonl parts.
MANIFEST_NAME = ".corpus.json"
PART_GLOB = "part-*.jsonl"


def corpus_parts(corpus: Path) -> list[Path]:
    return sorted(corpus.glob(PART_GLOB))


def write_manifest(corpus: Path, manifest: dict) -> None:
    (corpus / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def read_manifest(corpus: Path) -> dict:
    path = corpus / MANIFEST_NAME
    return json.loads(path.read_text()) if path.exists() else {}


def measure_in_child(script: str, spec: dict, scratch: Path) -> dict:
    """Run one measurement as ``python SCRIPT --measure SPEC_FILE`` in a fresh process, so that
    its peak RSS and imports are its own; return the JSON the child wrote to ``spec["result"]``
    (a file rather than stdout: the measured libraries may print). The child gets the scratch
    folder ``spec["scratch"]`` for its outputs; the load average before the run is recorded."""
    spec = {**spec, "scratch": str(scratch / "output"), "result": str(scratch / "result.json"),
            "load_average_before": os.getloadavg()[0]}
    spec_path = scratch / "spec.json"
    spec_path.write_text(json.dumps(spec))
    Path(spec["result"]).unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, str(Path(script).resolve()), "--measure", str(spec_path)],
                          env={**os.environ, "HF_HUB_OFFLINE": "1"}, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{spec['name']} (workers {spec['workers']}) failed with exit code {proc.returncode}:\n"
                 f"{proc.stderr[-4000:]}")
    measured = json.loads(Path(spec["result"]).read_text())
    measured["load_average_before"] = spec["load_average_before"]
    return measured


def write_measurement(spec_path: Path, measure) -> None:
    """Child side of measure_in_child: measure the spec, write the result where it asks."""
    spec = json.loads(spec_path.read_text())
    Path(spec["result"]).write_text(json.dumps(measure(spec)))
