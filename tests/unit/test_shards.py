"""Arrow shards: size-bounded rotation, nothing visible before commit, nothing left after abort."""
from __future__ import annotations

import pyarrow as pa
import pytest

from datacleaning.shards import ShardWriter, iter_batches, read_table, remove_unit_outputs, shard_paths
from helpers import fixture_records

SCHEMA = pa.schema([("id", pa.string()), ("text", pa.string())])


def _rows():
    return [{"id": r["id"], "text": r["text"]} for r in fixture_records()]


def test_rotation_keeps_every_row_in_order_and_compresses(tmp_path):
    rows = _rows()
    writer = ShardWriter(tmp_path, "unit-a", SCHEMA, max_shard_bytes=20_000, batch_rows=8)
    for row in rows:
        writer.add(row, len(row["text"]))
    assert shard_paths(tmp_path) == [], "nothing is visible before commit"
    committed = writer.commit()
    assert len(committed) > 2 and shard_paths(tmp_path) == committed
    assert read_table(tmp_path).to_pylist() == rows
    assert [r for b in iter_batches(tmp_path, ["id"]) for r in b.to_pylist()] == [{"id": r["id"]} for r in rows]
    # Columns come in the order asked for, whatever the file's.
    assert [r for b in iter_batches(tmp_path, ["text", "id"]) for r in b.to_pylist()] == [
        {"text": r["text"], "id": r["id"]} for r in rows]
    assert all(list(b.schema.names) == ["text", "id"] for b in iter_batches(tmp_path, ["text", "id"]))
    raw_bytes = sum(len(r["text"].encode()) for r in rows)
    assert sum(p.stat().st_size for p in committed) < raw_bytes, "shards are zstd-compressed"
    assert not list(tmp_path.glob(".tmp-*"))


def test_abort_leaves_nothing(tmp_path):
    writer = ShardWriter(tmp_path, "unit-b", SCHEMA, max_shard_bytes=5_000, batch_rows=4)
    for row in _rows():
        writer.add(row, len(row["text"]))
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_leftovers_of_one_unit_are_removed_without_touching_another(tmp_path):
    for prefix in ("file-000001", "file-000010"):
        writer = ShardWriter(tmp_path, prefix, SCHEMA)
        writer.add({"id": prefix, "text": "x"})
        writer.commit()
    (tmp_path / ".tmp-file-000001-s00001.arrow").write_bytes(b"half written")
    remove_unit_outputs(tmp_path, "file-000001")
    assert [p.name for p in tmp_path.iterdir()] == ["file-000010-s00000.arrow"]


def test_a_shard_being_written_matches_no_arrow_glob(tmp_path):
    """pandas as the README reads a folder (pathlib's glob, which matches dot files) while a unit
    is being written, or after one was killed, must not meet a half-written shard."""
    writer = ShardWriter(tmp_path, "file-000001", SCHEMA, batch_rows=1)
    writer.add({"id": "a", "text": "x"})
    assert list(tmp_path.iterdir()), "the writer has a temporary shard open"
    assert list(tmp_path.glob("*.arrow")) == []
    writer.abort()


def test_reading_a_folder_without_shards_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="no .arrow shards"):
        read_table(tmp_path)
