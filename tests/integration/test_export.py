"""``datacleaning export``: kept shards out as JSON lines and parquet files, read back by plain
Python and by Hugging Face ``datasets``, and resumed after a kill."""
from __future__ import annotations

import base64
import gzip
import io
import json
import subprocess
import sys

import datasets
import pyarrow.parquet as pq
import pytest
import zstandard

import datacleaning as dc
from helpers import cli, done_records, fixture_records, kill_group_when, write_kept_shard

COLUMNS = ("id", "text", "source", "lang", "meta")


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    """The fixture documents three times over, with their meta, in two shards of small batches."""
    folder = tmp_path_factory.mktemp("kept")
    docs = [{"id": f"{r['id']}/{copy}", "text": r["text"], "lang": r["lang"], "source": r["source"],
             "meta": json.dumps({"copy": copy, "title": f"标题 {copy}"}, ensure_ascii=False)}
            for copy in range(3) for r in fixture_records()]
    half = len(docs) // 2
    write_kept_shard(folder, "part-0", docs[:half], batch_rows=16)
    write_kept_shard(folder, "part-1", docs[half:], batch_rows=16)
    return folder, docs


def _export(kept_dir, output, *extra):
    result = cli("export", str(kept_dir), "--output", str(output), "--workers", "2", "--no-progress", *extra)
    assert result.returncode == 0, result.stderr
    return json.loads((output / "stats.json").read_text())


def _read_lines(path) -> list[dict]:
    data = path.read_bytes()
    if path.name.endswith(".zst"):
        data = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)).read()
    elif path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return [json.loads(line) for line in data.splitlines()]


def _expected(docs) -> list[dict]:
    return [{c: d[c] for c in COLUMNS} for d in docs]


@pytest.mark.parametrize("compression, suffix", [("zstd", ".jsonl.zst"), ("gzip", ".jsonl.gz"), ("none", ".jsonl")])
def test_jsonl_export_holds_every_document_in_order(kept, tmp_path, compression, suffix):
    kept_dir, docs = kept
    stats = _export(kept_dir, tmp_path / "out", "--compression", compression, "--unit-bytes", "20000")
    files = sorted((tmp_path / "out").glob(f"*{suffix}"))
    assert stats["files"] == len(files) > 2
    assert [row for f in files for row in _read_lines(f)] == _expected(docs)
    assert stats["documents"] == len(docs) and stats["chars"] == sum(len(d["text"]) for d in docs)


def test_parquet_and_jsonl_exports_load_in_hugging_face_datasets(kept, tmp_path):
    kept_dir, docs = kept
    _export(kept_dir, tmp_path / "pq", "--format", "parquet", "--unit-bytes", "20000")
    _export(kept_dir, tmp_path / "jsonl")
    by_parquet = datasets.load_dataset("parquet", data_files=sorted(str(p) for p in (tmp_path / "pq").glob("*.parquet")),
                                       split="train", cache_dir=str(tmp_path / "cache"))
    by_json = datasets.load_dataset("json", data_files=sorted(str(p) for p in (tmp_path / "jsonl").glob("*.jsonl.zst")),
                                    split="train", cache_dir=str(tmp_path / "cache"))
    # The folder as it is: its stats.json and manifest.json are not read as data.
    by_folder = [datasets.load_dataset(str(tmp_path / folder), split="train", cache_dir=str(tmp_path / "cache"))
                 for folder in ("pq", "jsonl")]
    for loaded in (by_parquet, by_json, *by_folder):
        assert loaded.column_names == list(COLUMNS)
        assert loaded.to_list() == _expected(docs)
    assert json.loads(by_parquet[0]["meta"]) == {"copy": 0, "title": "标题 0"}


def test_the_python_api_exports_as_the_command_does(kept, tmp_path):
    kept_dir, docs = kept
    result = dc.export(kept_dir, tmp_path / "api", format="parquet", columns=("id", "text"))
    assert result.ok and result.stats["documents"] == len(docs)
    table = pq.read_table(sorted((tmp_path / "api").glob("*.parquet")))
    assert table.to_pylist() == [{"id": d["id"], "text": d["text"]} for d in docs]


def test_a_column_list_and_a_refused_column(kept, tmp_path):
    kept_dir, docs = kept
    _export(kept_dir, tmp_path / "out", "--format", "parquet", "--columns", "id, text")  # spaced as people write
    table = pq.read_table(sorted((tmp_path / "out").glob("*.parquet"))[0])
    assert table.column_names == ["id", "text"]
    result = cli("export", str(kept_dir), "--output", str(tmp_path / "bad"), "--columns", "id,title")
    assert result.returncode == 2 and "no column title" in result.stderr
    empty = cli("export", str(kept_dir), "--output", str(tmp_path / "none"), "--columns", " , ")  # an empty variable
    assert empty.returncode == 2 and "--columns names no column" in empty.stderr and not (tmp_path / "none").exists()


def test_a_quarantine_folder_exports_with_its_raw_bytes(tmp_path):
    """A clean run's quarantine rows hold the bytes that could not be read: JSON lines carry them
    as base64, parquet as binary, both back to the same bytes."""
    broken = [b'{"id": "ok", "text": "\xe4\xb8\x80\xe6\x9d\xa1\xe6\xad\xa3\xe5\xb8\xb8\xe7\x9a\x84\xe8\xae\xb0\xe5\xbd\x95"}',
              b'{"id": "cut", "text": "\xe4\xb8', b'not json at all \xff\xfe']
    (tmp_path / "in.jsonl").write_bytes(b"\n".join(broken) + b"\n")
    assert cli("clean", str(tmp_path / "in.jsonl"), "--output", str(tmp_path / "clean"), "--no-progress").returncode == 0
    quarantine = tmp_path / "clean" / "quarantine"
    columns = ("--columns", "file,offset,raw,error")
    assert _export(quarantine, tmp_path / "jsonl", *columns)["documents"] == 2
    rows = [row for f in sorted((tmp_path / "jsonl").glob("*.jsonl.zst")) for row in _read_lines(f)]
    assert sorted(base64.b64decode(row["raw"]) for row in rows) == sorted(line + b"\n" for line in broken[1:])
    _export(quarantine, tmp_path / "pq", "--format", "parquet", *columns)
    table = pq.read_table(sorted((tmp_path / "pq").glob("*.parquet")))
    assert sorted(table.column("raw").to_pylist()) == sorted(base64.b64decode(row["raw"]) for row in rows)


def test_settings_an_export_cannot_run_with_are_refused_before_it_starts(kept, tmp_path):
    kept_dir, _ = kept
    for extra, said in ((("--unit-bytes", "0"), "unit bytes must be 1 or more"),
                        (("--workers", "0"), "workers and unit bytes must be 1 or more"),
                        (("--output", str(kept_dir / "exported")), "overlap")):
        result = cli("export", str(kept_dir), "--output", str(tmp_path / "out"), *extra)
        assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr
    # A profile with no filters measures nothing: its signals column is a struct of no fields.
    (tmp_path / "in.jsonl").write_text(json.dumps({"id": "a", "text": fixture_records()[0]["text"]}) + "\n",
                                       encoding="utf-8")
    assert cli("clean", str(tmp_path / "in.jsonl"), "--output", str(tmp_path / "clean"), "--profile", "none",
               "--no-progress").returncode == 0
    result = cli("export", str(tmp_path / "clean" / "kept"), "--output", str(tmp_path / "pq"), "--format", "parquet",
                 "--columns", "id,text,signals")
    assert result.returncode == 2 and "column signals holds a struct without fields" in result.stderr
    assert _export(tmp_path / "clean" / "kept", tmp_path / "jsonl", "--columns", "id,signals")["documents"] == 1


def test_an_export_into_a_folder_of_another_format_is_refused(kept, tmp_path):
    kept_dir, _ = kept
    _export(kept_dir, tmp_path / "out")
    result = cli("export", str(kept_dir), "--output", str(tmp_path / "out"), "--format", "parquet")
    assert result.returncode == 2 and "different" in result.stderr


@pytest.mark.slow
def test_a_killed_export_resumes_to_the_same_files(kept, tmp_path):
    kept_dir, docs = kept
    options = ["--workers", "2", "--no-progress", "--unit-bytes", "8000"]
    _export(kept_dir, tmp_path / "reference", *options)
    total = done_records(tmp_path / "reference")
    assert total >= 8
    output = tmp_path / "killed"
    for done_at_least in (1, total // 2):
        proc = subprocess.Popen([sys.executable, "-m", "datacleaning.cli", "export", str(kept_dir), "--output",
                                 str(output), *options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        kill_group_when(proc, output, done_at_least)
    assert done_records(output) < total, "the kills should interrupt the export"
    _export(kept_dir, output, *options)
    reference = sorted(p.name for p in (tmp_path / "reference").iterdir() if p.is_file())
    assert sorted(p.name for p in output.iterdir() if p.is_file()) == reference
    for name in reference:
        if name.endswith(".jsonl.zst"):
            assert (output / name).read_bytes() == (tmp_path / "reference" / name).read_bytes(), name
