"""What names a probe model's scores in a run's fingerprint (model_probe.stage.model_identity):
every file of its folder, small ones by content, large ones by size and modification time."""
from __future__ import annotations

import json
import os

from datacleaning.model_probe.stage import HASHED_MODEL_FILE_BYTES, model_identity


def _folder(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"vocab_size": 10}))
    (folder / "tokenizer.model").write_bytes(b"pieces" * 100)
    with open(folder / "model.safetensors", "wb") as f:  # sparse: no 64 MB written
        f.truncate(HASHED_MODEL_FILE_BYTES + 1)
    return folder


def test_a_small_file_changed_in_place_at_the_same_size_is_another_model(tmp_path):
    folder = _folder(tmp_path)
    before = model_identity(folder)
    (folder / "tokenizer.model").write_bytes(b"PIECES" * 100)
    assert model_identity(folder) != before


def test_large_weights_are_named_by_size_and_time_without_being_read(tmp_path):
    folder = _folder(tmp_path)
    before = model_identity(folder)
    assert model_identity(folder) == before
    weights = folder / "model.safetensors"
    stat = weights.stat()
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # written again, same size
    assert model_identity(folder) != before
