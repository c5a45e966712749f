"""The manifest of a stage's output folder: the fingerprint of what decided its contents, so a
resumed run refuses to mix outputs of two different configurations."""
from __future__ import annotations

import json
from pathlib import Path

from datacleaning.rules.registry import ConfigError
from datacleaning.shards import write_atomic

MANIFEST = "manifest.json"


def check_manifest(output: Path, stage: str, fingerprint: str) -> None:
    """Record ``fingerprint`` in a new output folder, or check that an existing one matches."""
    manifest = output / MANIFEST
    if manifest.exists():
        previous = json.loads(manifest.read_text()).get("fingerprint")
        if previous != fingerprint:
            raise ConfigError(f"{output} holds a {stage} run made with a different configuration or input "
                              f"(fingerprint {previous}, now {fingerprint}); use another --output folder "
                              f"or delete it to start over")
    else:
        output.mkdir(parents=True, exist_ok=True)
        write_atomic(manifest, json.dumps({"stage": stage, "fingerprint": fingerprint}).encode())
