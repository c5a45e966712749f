"""What the benchmark scripts share: where things are, the units they report in, the corpus manifest."""
from __future__ import annotations

import json
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
