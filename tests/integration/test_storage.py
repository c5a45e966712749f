"""Inputs and outputs on an object store, against a real S3-compatible server (moto's, on a free port
of 127.0.0.1): the clean stage from S3 to S3 gives what it gives on local disk, document for
document; a run to S3 killed with SIGKILL resumes to the same output; dedup, probe and tokenize from
S3 to S3 (their intermediate files in a local work folder) give what they give locally; Ray tasks
get the storage options; a URL output without a work folder is refused before anything starts;
local paths keep the operating system's fast paths."""
from __future__ import annotations

import importlib.util
import io
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from datacleaning import storage
from datacleaning.report import write_report
from datacleaning.shards import shard_paths
from helpers import (EXAMPLE_CONFIG, REPO_ROOT, cli, done_records, kept_fixture_shards, kill_group_when, outcome_sets,
                     read_rows, write_kept_shard, write_repeated_corpus)

# Whole stages in processes of their own (runs, kills, resumes, Ray, S3): `pytest -m "not slow"` leaves these out.
pytestmark = [pytest.mark.slow, pytest.mark.s3]

s3fs = pytest.importorskip("s3fs", reason="s3fs is not installed (pip install 'datacleaning[test]')")
moto_server = pytest.importorskip("moto.server",
                                  reason="moto[server] is not installed (pip install 'datacleaning[test]')")

BUCKET = "corpus"
CHUNK = "20000"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3:
    """The test's S3 endpoint, its bucket, and a client of its own (s3fs, not our code) to put
    inputs there and look at what a run left."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.fs = s3fs.S3FileSystem(endpoint_url=endpoint, skip_instance_cache=True, use_listings_cache=False)

    def upload(self, folder: Path, key: str) -> str:
        self.fs.put(f"{folder}/", f"{BUCKET}/{key}/", recursive=True)
        return f"s3://{BUCKET}/{key}"

    def keys(self, key: str) -> list[str]:
        return self.fs.find(f"{BUCKET}/{key}")

    def option(self) -> list[str]:
        return ["--storage-option", f"s3.endpoint_url={self.endpoint}"]


@pytest.fixture(scope="module")
def s3_server():
    with pytest.MonkeyPatch.context() as env:
        for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                            ("AWS_DEFAULT_REGION", "us-east-1")):
            env.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            env.delenv(name, raising=False)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        port = _free_port()
        server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            store = S3(f"http://127.0.0.1:{port}")
            store.fs.mkdir(BUCKET)
            yield store
        finally:
            server.stop()


@pytest.fixture
def s3(s3_server):
    """The endpoint, also the one this process's own reads go to (an API call with a config of no
    [storage] options, such as the session's tokenizer training, resets them)."""
    storage.configure({"s3": {"endpoint_url": s3_server.endpoint}})
    yield s3_server
    storage.configure({})


@pytest.fixture(scope="module")
def examples(s3_server, tmp_path_factory):
    """The example corpus (every input format: jsonl cut into byte ranges, jsonl.gz, jsonl.zst,
    parquet, WARC, text, broken lines) in a local folder named ``in`` and at s3://corpus/examples/in."""
    local = tmp_path_factory.mktemp("examples") / "in"
    shutil.copytree(REPO_ROOT / "examples" / "data", local)
    return local, s3_server.upload(local, "examples/in")


def _clean(inputs: str, output: str, *extra: str) -> list[str]:
    return ["clean", inputs, "--output", output, "--config", str(EXAMPLE_CONFIG), "--workers", "2",
            "--chunk-bytes", CHUNK, "--no-progress", *extra]


def _by_id(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda row: row["id"])


def _quarantine(rows: list[dict], root: str) -> list[dict]:
    """Quarantine rows with the input file named below the input folder, wherever it was."""
    return sorted(({**row, "file": row["file"].removeprefix(root)} for row in rows),
                  key=lambda row: (row["file"], row["offset"]))


@pytest.fixture(scope="module")
def local_examples_run(examples, tmp_path_factory):
    local, _ = examples
    output = tmp_path_factory.mktemp("local-run") / "out"
    result = cli(*_clean(str(local), str(output)))
    assert result.returncode == 0, result.stderr
    return output


def test_clean_from_s3_to_s3_equals_a_local_run(s3, examples, local_examples_run):
    local, url = examples
    result = cli(*_clean(url, f"s3://{BUCKET}/examples/out", *s3.option()))
    assert result.returncode == 0, result.stderr
    out = storage.as_path(f"s3://{BUCKET}/examples/out")

    kept, rejected = read_rows(out / "kept"), read_rows(out / "rejected")
    assert len(kept) > 100 and len(rejected) > 10
    assert _by_id(kept) == _by_id(read_rows(local_examples_run / "kept"))
    assert _by_id(rejected) == _by_id(read_rows(local_examples_run / "rejected"))
    quarantine = read_rows(out / "quarantine")
    assert quarantine and all(row["file"].startswith(url + "/") for row in quarantine)
    assert (_quarantine(quarantine, url) == _quarantine(read_rows(local_examples_run / "quarantine"), str(local)))

    stats = json.loads(s3.fs.cat_file(f"{BUCKET}/examples/out/stats.json"))
    local_stats = json.loads((local_examples_run / "stats.json").read_text())
    for key in ("status", "input_docs", "kept_docs", "rejected_docs", "quarantined_docs", "input_bytes",
                "input_chars", "kept_chars", "rejected_by", "skipped_records", "units", "input_files"):
        assert stats[key] == local_stats[key], key
    assert stats["units"]["total"] > stats["input_files"], "jsonl inputs should be cut into byte ranges"
    keys = s3.keys("examples/out")
    assert f"{BUCKET}/examples/out/manifest.json" in keys
    assert not [k for k in keys if k.rsplit("/", 1)[-1].startswith(storage.TMP_PREFIX)]
    assert done_records(out) == stats["units"]["total"]


def test_the_report_of_an_output_at_a_url_is_the_report_of_the_same_output_on_disk(s3, local_examples_run, tmp_path):
    url = s3.upload(local_examples_run, "report/clean")
    result = cli("report", url, *s3.option())
    assert result.returncode == 0, result.stderr
    remote = s3.fs.cat_file(f"{BUCKET}/report/clean/report.html").decode("utf-8")
    local = write_report(local_examples_run, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<h2>Review samples</h2>" in local
    assert remote.replace(url, "OUTPUT") == local.replace(str(local_examples_run), "OUTPUT")


@pytest.mark.ray
def test_ray_tasks_open_s3_with_the_drivers_storage_options(s3, examples, local_examples_run):
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'datacleaning[ray]')")
    _, url = examples
    output = f"s3://{BUCKET}/ray/out"
    result = cli(*_clean(url, output, "--executor", "ray", *s3.option()))
    assert result.returncode == 0, result.stderr
    for folder in ("kept", "rejected"):
        assert _by_id(read_rows(storage.as_path(output) / folder)) == _by_id(read_rows(local_examples_run / folder))


def test_a_run_to_s3_killed_mid_way_resumes_to_the_same_output(s3, tmp_path):
    corpus = tmp_path / "corpus"
    write_repeated_corpus(corpus, copies=12)
    url = s3.upload(corpus, "killed/in")
    reference = tmp_path / "reference"
    result = cli(*_clean(str(corpus), str(reference)))
    assert result.returncode == 0, result.stderr
    total = done_records(reference)
    assert total >= 10, "the corpus should span many units for the kill to land mid-run"

    output = f"s3://{BUCKET}/killed/out"
    # The spool files of the units in flight die with the run: keep them in the test's own folder.
    spool = tmp_path / "spool"
    spool.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "datacleaning.cli", *_clean(url, output, *s3.option())],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, "TMPDIR": str(spool)})
    kill_group_when(proc, output, 1)
    finished = done_records(output)
    assert 1 <= finished < total, f"the kill should land mid-run ({finished} of {total} units done)"

    result = cli(*_clean(url, output, *s3.option()))
    assert result.returncode == 0, result.stderr
    assert "skipped_units" in result.stderr, "the rerun should skip the units finished before the kill"
    assert outcome_sets(storage.as_path(output)) == outcome_sets(reference)
    stats = json.loads(s3.fs.cat_file(f"{BUCKET}/killed/out/stats.json"))
    ref_stats = json.loads((reference / "stats.json").read_text())
    for key in ("input_docs", "kept_docs", "rejected_docs", "quarantined_docs", "rejected_by"):
        assert stats[key] == ref_stats[key], key
    assert not [k for k in s3.keys("killed/out") if k.rsplit("/", 1)[-1].startswith(storage.TMP_PREFIX)]


def _stage_outputs_equal(s3, key: str, local: Path, folders: tuple[str, ...]) -> None:
    for folder in folders:
        assert _by_id(read_rows(f"s3://{BUCKET}/{key}/{folder}")) == _by_id(read_rows(local / folder)), folder
    assert not [k for k in s3.keys(key) if k.rsplit("/", 1)[-1].startswith(storage.TMP_PREFIX)]


def test_dedup_from_s3_to_s3_equals_a_local_run(s3, tmp_path):
    docs = kept_fixture_shards(tmp_path / "kept")
    write_kept_shard(tmp_path / "kept", "c-copies", [dict(doc, id=doc["id"] + "#copy") for doc in docs[::3]])
    url = s3.upload(tmp_path / "kept", "dedup/kept")
    local = cli("dedup", str(tmp_path / "kept"), "--output", str(tmp_path / "local"), "--workers", "2", "--no-progress")
    assert local.returncode == 0, local.stderr
    result = cli("dedup", url, "--output", f"s3://{BUCKET}/dedup/out", "--work-dir", str(tmp_path / "work"),
                 "--workers", "2", "--no-progress", *s3.option())
    assert result.returncode == 0, result.stderr
    _stage_outputs_equal(s3, "dedup/out", tmp_path / "local", ("kept", "removed"))
    stats = json.loads(s3.fs.cat_file(f"{BUCKET}/dedup/out/stats.json"))
    assert stats["removed_docs"] == json.loads((tmp_path / "local" / "stats.json").read_text())["removed_docs"] > 0
    assert not list((tmp_path / "work").iterdir()), "a complete run leaves nothing in its work folder"


def test_probe_scores_from_s3_to_s3_as_on_local_disk(s3, tmp_path):
    kept_fixture_shards(tmp_path / "kept")
    url = s3.upload(tmp_path / "kept", "probe/kept")
    args = ["--workers", "2", "--no-progress", "--set", "probe.buckets=[0.5]"]
    local = cli("probe", "score", str(tmp_path / "kept"), "--output", str(tmp_path / "local"), *args)
    assert local.returncode == 0, local.stderr
    result = cli("probe", "score", url, "--output", f"s3://{BUCKET}/probe/out", "--work-dir", str(tmp_path / "work"),
                 *args, *s3.option())
    assert result.returncode == 0, result.stderr
    _stage_outputs_equal(s3, "probe/out", tmp_path / "local", ("kept",))


def test_tokenize_from_s3_to_s3_gives_the_same_bins_and_model(s3, spm_model, tmp_path):
    kept_fixture_shards(tmp_path / "kept")
    url = s3.upload(tmp_path / "kept", "shards/kept")
    args = ["--model", str(spm_model), "--workers", "2", "--no-progress"]
    local = cli("tokenize", "encode", str(tmp_path / "kept"), "--output", str(tmp_path / "local"), *args)
    assert local.returncode == 0, local.stderr
    result = cli("tokenize", "encode", url, "--output", f"s3://{BUCKET}/tokens/out", "--work-dir",
                 str(tmp_path / "work"), *args, *s3.option())
    assert result.returncode == 0, result.stderr
    for name in ("tokens.bin", "tokens.idx", "tokenizer.model"):
        assert s3.fs.cat_file(f"{BUCKET}/tokens/out/{name}") == (tmp_path / "local" / name).read_bytes(), name
    assert json.loads(s3.fs.cat_file(f"{BUCKET}/tokens/out/stats.json"))["documents"] == len(read_rows(url))
    assert not list((tmp_path / "work").iterdir())


def test_run_takes_its_clean_input_and_storage_options_from_the_config(s3, examples, local_examples_run, tmp_path):
    _, url = examples
    config = tmp_path / "pipeline.toml"
    config.write_text(f'extends = "{EXAMPLE_CONFIG}"\n'
                      f'[input]\npaths = ["{url}"]\nchunk_bytes = {CHUNK}\n'
                      f'[run]\nstages = ["clean", "dedup"]\nworkers = 2\nprogress = false\nwork_dir = "work"\n'
                      f'[storage.options.s3]\nendpoint_url = "{s3.endpoint}"\n')
    for output in (str(tmp_path / "out"), f"s3://{BUCKET}/run/out"):
        result = cli("run", "--config", str(config), "--output", output)
        assert result.returncode == 0, result.stderr
    assert _by_id(read_rows(tmp_path / "out" / "clean" / "kept")) == _by_id(read_rows(local_examples_run / "kept"))
    assert json.loads((tmp_path / "out" / "dedup" / "stats.json").read_text())["status"] == "complete"
    _stage_outputs_equal(s3, "run/out/dedup", tmp_path / "out" / "dedup", ("kept", "removed"))


@pytest.mark.parametrize("command", [["dedup", "IN"], ["tokenize", "encode", "IN"], ["probe", "score", "IN"],
                                     ["run", "--set", "run.stages=['clean', 'dedup']"]])
def test_a_url_output_without_a_work_folder_is_refused_at_start_up(s3, command, tmp_path):
    kept_fixture_shards(tmp_path / "kept")
    output = f"s3://{BUCKET}/refused/{command[0]}"
    args = [str(tmp_path / "kept") if arg == "IN" else arg for arg in command]
    result = cli(*args, "--output", output, "--no-progress", *s3.option())
    assert result.returncode == 2, result.stderr
    assert "run.work_dir" in result.stderr and output in result.stderr
    assert not s3.keys("refused")


def test_unmerged_token_parts_are_not_written_to_a_url(s3, spm_model, tmp_path):
    kept_fixture_shards(tmp_path / "kept")
    result = cli("tokenize", "encode", str(tmp_path / "kept"), "--output", f"s3://{BUCKET}/parts", "--model",
                 str(spm_model), "--work-dir", str(tmp_path / "work"), "--set", "tokenize.merge=false",
                 "--no-progress", *s3.option())
    assert result.returncode == 2 and "tokenize.merge" in result.stderr, result.stderr
    assert not s3.keys("parts")


def test_local_paths_keep_the_operating_systems_fast_paths(tmp_path):
    folder = tmp_path / "shards"
    assert storage.as_path(str(folder)) == folder and type(storage.as_path(str(folder))) is type(folder)
    assert storage.as_path(f"file://{folder}") == folder
    assert str(storage.as_path("s3://bucket/out") / "kept") == "s3://bucket/out/kept"
    assert not storage.is_url(folder) and storage.is_url("s3://bucket/out")

    kept_fixture_shards(folder)
    shard = storage.StagedFile(folder / "x.arrow")
    assert shard.temp == folder / (storage.TMP_PREFIX + "x.arrow" + storage.TMP_SUFFIX), \
        "a local file is staged beside its final name"
    with storage.open_arrow(shard_paths(folder)[0], memory_map=True) as source:
        assert isinstance(source, pa.MemoryMappedFile)
    with storage.open_arrow(shard_paths(folder)[0]) as source:
        assert isinstance(source, pa.OSFile)
    with storage.open_input(shard_paths(folder)[0]) as f:
        assert isinstance(f, io.BufferedReader) and isinstance(f.raw, io.FileIO)

    remote = storage.StagedFile(storage.as_path("s3://bucket/out/x.arrow"))
    assert remote.temp.parent != folder and remote.temp.name.startswith(storage.TMP_PREFIX)
    remote.discard()
    assert not remote.temp.exists()


def test_a_memory_url_output_is_refused_not_reported_complete(tmp_path):
    """memory:// is private to a process: the workers' shards would vanish with them, and the
    run would call itself complete with nothing in it."""
    import datacleaning as dc

    corpus = tmp_path / "in.jsonl"
    corpus.write_text(json.dumps({"id": "a", "text": "A sentence long enough to keep, with words in it."}) + "\n")
    with pytest.raises(dc.ConfigError, match="memory://"):
        dc.Pipeline().run([corpus], "memory://cleaned", workers=1)
    result = cli("clean", str(corpus), "--output", "memory://cleaned", "--no-progress")
    assert result.returncode == 2 and "memory://cleaned" in result.stderr, result.stderr


@pytest.mark.parametrize("options, code, said", [
    (["--storage-option", "s3.endpoint=http://127.0.0.1:9"], 1,
     "datacleaning: storage: TypeError: AioSession.__init__() got an unexpected keyword argument 'endpoint'"),
    (["--storage-option", "s3.endpoint_url=http://127.0.0.1:9", "--storage-option", "s3.anon=true",
      "--storage-option", "s3.config_kwargs={retries={max_attempts=1}}"], 1,
     "datacleaning: storage: EndpointConnectionError: Could not connect to the endpoint URL"),
])
def test_an_object_store_that_cannot_be_reached_is_one_line_not_a_traceback(tmp_path, options, code, said):
    corpus = tmp_path / "in.jsonl"
    corpus.write_text(json.dumps({"id": "a", "text": "A sentence."}) + "\n")
    result = cli("clean", str(corpus), "--output", "s3://bucket/out", "--work-dir", str(tmp_path / "work"),
                 "--no-progress", *options)
    assert result.returncode == code and said in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_store_whose_filesystem_package_is_missing_is_a_config_error(tmp_path):
    pytest.importorskip("s3fs")
    if importlib.util.find_spec("gcsfs") is not None:
        pytest.skip("gcsfs is installed here")
    corpus = tmp_path / "in.jsonl"
    corpus.write_text(json.dumps({"id": "a", "text": "A sentence."}) + "\n")
    result = cli("clean", str(corpus), "--output", "gs://bucket/out", "--work-dir", str(tmp_path / "work"),
                 "--no-progress")
    assert result.returncode == 2 and "gs:// needs a package that is not installed" in result.stderr, result.stderr


@pytest.mark.parametrize("where", ["config", "flag"])
def test_credentials_in_a_config_or_on_the_command_line_are_refused(tmp_path, where):
    """A config is shared and committed, a command line lands in shell histories and nohup logs:
    the secret is refused by name, and the environment named as where it goes."""
    corpus = tmp_path / "in.jsonl"
    corpus.write_text(json.dumps({"id": "a", "text": "A sentence."}) + "\n")
    (tmp_path / "c.toml").write_text('[storage.options.s3]\nkey = "AKIA..."\nsecret = "wJalr..."\n')
    args = ["--config", str(tmp_path / "c.toml")] if where == "config" else [
        "--storage-option", "s3.client_kwargs={aws_secret_access_key='wJalr...'}"]
    result = cli("clean", str(corpus), "--output", str(tmp_path / "out"), "--no-progress", *args)
    assert result.returncode == 2 and "credentials are not taken from a config" in result.stderr, result.stderr
    assert "AWS_SECRET_ACCESS_KEY" in result.stderr and "wJalr" not in result.stderr
    assert not (tmp_path / "out").exists()
