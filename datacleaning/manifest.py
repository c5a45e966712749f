"""The manifest of a stage's output folder: the fingerprint of what decided its contents, so a
resumed run refuses to mix outputs of two different configurations."""
from __future__ import annotations

import json

from datacleaning import storage
from datacleaning.rules.registry import ConfigError
from datacleaning.shards import write_atomic
from datacleaning.storage import StoragePath

MANIFEST = "manifest.json"


def check_manifest(output: StoragePath, stage: str, fingerprint: str) -> None:
    """Record ``fingerprint`` in a new output folder, or check that an existing one matches."""
    manifest = output / MANIFEST
    try:
        previous = json.loads(storage.read_bytes(manifest)).get("fingerprint")
    except FileNotFoundError:
        storage.make_dirs(output)
        write_atomic(manifest, json.dumps({"stage": stage, "fingerprint": fingerprint}).encode())
        return
    if previous != fingerprint:
        raise ConfigError(f"{output} holds a {stage} run made with a different configuration or input "
                          f"(fingerprint {previous}, now {fingerprint}); use another --output folder "
                          f"or delete it to start over")
