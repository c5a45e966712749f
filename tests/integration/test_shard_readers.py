"""The tools the README says read the shards do read them, the way the README shows: every kept
document of a real clean run, once."""
from __future__ import annotations

import pytest

from helpers import cli, read_rows, write_repeated_corpus


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    root = tmp_path_factory.mktemp("shards")
    write_repeated_corpus(root / "corpus", copies=2)
    result = cli("clean", str(root / "corpus"), "--output", str(root / "out"), "--chunk-bytes", "40000",
                 "--max-shard-bytes", "20000", "--no-progress")
    assert result.returncode == 0, result.stderr
    folder = root / "out" / "kept"
    assert len(list(folder.glob("*.arrow"))) > 1
    return folder


def _ids(kept) -> list[str]:
    return sorted(row["id"] for row in read_rows(kept))


def test_pandas(kept):
    import pandas as pd
    frame = pd.concat(pd.read_feather(path) for path in sorted(kept.glob("*.arrow")))
    assert sorted(frame["id"]) == _ids(kept)


def test_polars(kept):
    import polars as pl
    frame = pl.read_ipc(f"{kept}/*.arrow")
    assert sorted(frame["id"].to_list()) == _ids(kept)


def test_duckdb(kept):
    import duckdb
    import pyarrow.dataset as ds
    shards = ds.dataset(kept, format="arrow")  # noqa: F841 (duckdb finds it by its name)
    rows = duckdb.sql("select id from shards").fetchall()
    assert sorted(row[0] for row in rows) == _ids(kept)


def test_hugging_face_datasets(kept):
    from datasets import load_dataset
    dataset = load_dataset("arrow", data_files=sorted(str(p) for p in kept.glob("*.arrow")), split="train",
                           cache_dir=str(kept.parent / "hf_cache"))
    assert sorted(dataset["id"]) == _ids(kept)


def test_the_typed_signals_are_the_measured_scores_and_can_be_thresholded_in_place(kept):
    import json

    import duckdb
    import pyarrow.dataset as ds
    rows = read_rows(kept) + read_rows(kept.parent / "rejected")
    compared = 0
    measured_names: dict[str, set] = {}
    for row in rows:
        for label, measured in json.loads(row["scores"]).items():
            typed = row["signals"].get(label)
            if typed is None:
                continue
            expected = measured if isinstance(measured, dict) else {"value": measured}
            measured_names.setdefault(label, set()).update(expected)
            assert {name: expected.get(name) for name in typed} == typed, (row["id"], label)
            compared += 1
    assert compared > len(rows)
    # Every declared field is one a filter measures: a misnamed one would be a column of nulls.
    declared = {label: set(typed) for row in rows for label, typed in row["signals"].items() if typed}
    assert all(names <= measured_names[label] for label, names in declared.items()), declared
    rejected = ds.dataset(kept.parent / "rejected", format="arrow")  # noqa: F841 (duckdb finds it by its name)
    [(short,)] = duckdb.sql("select count(*) from rejected where signals.length.original_chars < 50").fetchall()
    [(by_length,)] = duckdb.sql("select count(*) from rejected where rejected_by = 'length'").fetchall()
    assert short == by_length > 0


def test_shards_written_by_polars_with_view_strings_go_through_the_stages(kept, spm_model, tmp_path):
    """polars writes its strings as Arrow's string_view, which few compute kernels take yet: dedup,
    tokenize and the probe read them as plain strings, with the same results as from our shards."""
    import polars as pl
    frame = pl.read_ipc(f"{kept}/*.arrow").select("id", "text", "lang")
    (tmp_path / "views").mkdir()
    frame.write_ipc(tmp_path / "views" / "part.arrow")
    import pyarrow as pa
    assert pa.ipc.open_file(tmp_path / "views" / "part.arrow").schema.field("text").type == pa.string_view()
    for source, output in ((tmp_path / "views", "dedup"), (kept, "dedup_ours")):
        result = cli("dedup", str(source), "--output", str(tmp_path / output), "--workers", "1", "--no-progress")
        assert result.returncode == 0, result.stderr
    assert sorted(r["id"] for r in read_rows(tmp_path / "dedup" / "kept")) == sorted(
        r["id"] for r in read_rows(tmp_path / "dedup_ours" / "kept"))
    result = cli("tokenize", "encode", str(tmp_path / "dedup" / "kept"), "--output", str(tmp_path / "tokens"),
                 "--model", str(spm_model), "--workers", "1", "--no-progress")
    assert result.returncode == 0, result.stderr
    result = cli("probe", "score", str(tmp_path / "views"), "--output", str(tmp_path / "probe"), "--workers", "1",
                 "--no-progress")
    assert result.returncode == 0, result.stderr
    assert len(read_rows(tmp_path / "probe" / "kept")) == frame.height
