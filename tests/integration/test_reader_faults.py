"""Faults inside input files, through the real clean stage: one bad record, a corrupt tail of a
compressed stream, a WARC record whose framing lies, and entries of an input folder that are not
files to read. Whatever was readable is kept or rejected, every fault has its own quarantine row at
its own offset, and every file left out is counted and named.

Bad files are written by each test into tmp_path; expectations (offsets, counts) are computed here
from the bytes the test wrote.
"""
from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from helpers import http_response, warc_record

TEXTS = ["小区门口新开了一家面包店，每天早上七点开门，周末还有现烤的蛋挞。",
         "The ferry to the island now runs every half hour in summer, and twice an hour in winter.",
         "社区医院周末也安排医生值班，方便上班族看病，挂号可以在手机上完成。",
         "Students painted a mural on the wall of the old post office during the spring break."]


def _record(i: int, prefix: str = "r", **extra) -> bytes:
    return json.dumps({"id": f"{prefix}{i}", "text": f"{TEXTS[i % 4]} ({prefix}{i})", **extra},
                      ensure_ascii=False).encode()


def _jsonl(n: int, prefix: str = "r") -> bytes:
    return b"".join(_record(i, prefix) + b"\n" for i in range(n))


def _judged_ids(run) -> list[str]:
    return sorted(r["id"] for r in run.kept + run.rejected)


# --------------------------------------------------------------------------------------------
# One record that cannot become a document
# --------------------------------------------------------------------------------------------

def test_a_record_nested_too_deep_for_meta_is_quarantined_alone(tmp_path, clean_run):
    """orjson reads 300 levels of nesting but writes at most 254: the record parses and then fails
    when its other fields are kept as JSON meta."""
    deep = '{"id": "deep", "text": "这条记录的正文好好的", "meta": '.encode() + b"[" * 300 + b"]" * 300 + b"}"
    before, after = _jsonl(40, "a"), _jsonl(40, "b")
    path = tmp_path / "in" / "deep.jsonl"
    path.parent.mkdir()
    path.write_bytes(before + deep + b"\n" + after)

    run = clean_run([path])
    assert run.stats["status"] == "complete"
    run.assert_totals(81)
    assert _judged_ids(run) == sorted([f"a{i}" for i in range(40)] + [f"b{i}" for i in range(40)])
    (row,) = run.quarantine
    assert row["offset"] == len(before)
    assert row["raw"].rstrip(b"\n") == deep
    assert "meta" in row["error"].lower()


def test_a_parquet_row_that_python_cannot_hold_is_quarantined_alone(tmp_path, clean_run):
    """A timestamp past year 9999 fails when its row batch becomes Python values: that row alone is
    quarantined, with its row number; the rows beside it in the same batch are read."""
    n = 50
    stamps = [i * 86_400_000 for i in range(n)]
    stamps[17] = 2 ** 62  # milliseconds: far past datetime's year 9999
    table = pa.table({"id": [f"p{i}" for i in range(n)], "text": [f"{TEXTS[i % 4]} (p{i})" for i in range(n)],
                      "fetched": pa.array(stamps, pa.timestamp("ms"))})
    path = tmp_path / "in" / "rows.parquet"
    path.parent.mkdir()
    pq.write_table(table, path)

    run = clean_run([path])
    assert run.stats["status"] == "complete"
    run.assert_totals(n)
    assert _judged_ids(run) == sorted(f"p{i}" for i in range(n) if i != 17)
    (row,) = run.quarantine
    assert row["offset"] == 17 and b"p17" in row["raw"]


def test_a_corrupt_parquet_row_group_is_quarantined_and_the_others_read(tmp_path, clean_run):
    """A page header of the middle row group overwritten: its rows are one quarantine record that
    names them, the row groups before and after it are read."""
    n = 30
    path = tmp_path / "in" / "groups.parquet"
    path.parent.mkdir()
    pq.write_table(pa.table({"id": [f"g{i}" for i in range(n)], "text": [f"{TEXTS[i % 4]} (g{i})" for i in range(n)]}),
                   path, row_group_size=10)
    column = pq.ParquetFile(path).metadata.row_group(1).column(1)
    data = bytearray(path.read_bytes())
    data[column.data_page_offset:column.data_page_offset + 16] = b"\xab" * 16
    path.write_bytes(bytes(data))

    run = clean_run([path])
    run.assert_totals(21)
    assert _judged_ids(run) == sorted(f"g{i}" for i in [*range(10), *range(20, 30)])
    (row,) = run.quarantine
    assert row["offset"] == 10 and "row group 1 (rows 10-19)" in row["error"]


def test_a_parquet_row_whose_text_is_not_a_string_is_quarantined_with_that_text(tmp_path, clean_run):
    """The row is quarantined as it was read: the text column that failed included, not the
    fields the reader had left after taking the text out."""
    path = tmp_path / "in" / "rows.parquet"
    path.parent.mkdir()
    pq.write_table(pa.table({"id": ["first", "second"], "text": [TEXTS[0].encode(), b"stored as bytes"]}), path)

    run = clean_run([path])
    run.assert_totals(2)
    assert run.kept + run.rejected == []
    rows = sorted(run.quarantine, key=lambda r: r["offset"])
    assert [r["offset"] for r in rows] == [0, 1]
    assert rows[1]["raw"] == repr({"id": "second", "text": b"stored as bytes"}).encode()
    assert rows[0]["raw"] == repr({"id": "first", "text": TEXTS[0].encode()}).encode()
    assert all("'text' is bytes, not a string" in r["error"] for r in rows)


# --------------------------------------------------------------------------------------------
# Compressed jsonl: a good stream, then a fault
# --------------------------------------------------------------------------------------------

GARBAGE = b"\x13\x37 this is not compressed data \xff\xfe" * 40
N_COMPRESSED = 3000


@pytest.mark.parametrize("name", ["a.jsonl.zst", "a.jsonl.gz"])
def test_everything_decoded_before_garbage_is_kept(tmp_path, clean_run, name):
    """One frame (or gzip member) of a few thousand records, then garbage, all inside the first
    read of the file: the records are all judged and the garbage is one quarantine row at its own
    byte offset."""
    data = _jsonl(N_COMPRESSED)
    good = zstandard.ZstdCompressor().compress(data) if name.endswith(".zst") else gzip.compress(data)
    path = tmp_path / "in" / name
    path.parent.mkdir()
    path.write_bytes(good + GARBAGE)

    run = clean_run([path])
    assert run.stats["status"] == "complete"
    run.assert_totals(N_COMPRESSED + 1)
    assert _judged_ids(run) == sorted(f"r{i}" for i in range(N_COMPRESSED))
    (row,) = run.quarantine
    assert row["offset"] == len(good) and row["raw"] == b""
    assert "corrupt" in row["error"].lower()


@pytest.mark.parametrize("name", ["cut.jsonl.zst", "cut.jsonl.gz"])
def test_a_cut_stream_keeps_its_whole_lines_and_quarantines_the_cut_one(tmp_path, clean_run, name):
    """A stream cut inside its last frame: every whole line decoded before the cut is judged; the
    line the cut went through is the quarantine row's raw bytes."""
    data = _jsonl(N_COMPRESSED)
    if name.endswith(".zst"):
        whole = zstandard.ZstdCompressor().compress(data)
        cut = whole[: len(whole) * 2 // 3]
        decoded = zstandard.ZstdDecompressor().decompressobj().decompress(cut)
    else:
        whole = gzip.compress(data)
        cut = whole[: len(whole) * 2 // 3]
        decoded = zlib.decompressobj(wbits=31).decompress(cut)
    lines = decoded.split(b"\n")
    assert 0 < len(lines) - 1 < N_COMPRESSED and lines[-1]
    path = tmp_path / "in" / name
    path.parent.mkdir()
    path.write_bytes(cut)

    run = clean_run([path])
    assert run.stats["status"] == "complete"
    run.assert_totals(len(lines))
    assert _judged_ids(run) == sorted(json.loads(line)["id"] for line in lines[:-1])
    (row,) = run.quarantine
    assert row["offset"] == 0 and row["raw"] == lines[-1]
    assert "truncated" in row["error"].lower()


def test_a_corrupt_deflate_block_keeps_every_line_decoded_before_it(tmp_path, clean_run):
    """A gzip member whose second deflate block has an invalid header, far past the first 64 KiB
    read of the file: every whole line of the first block is judged (none lost with the read the
    fault ends), and the line the fault cuts is the quarantine row's raw bytes."""
    salt = [os.urandom(48).hex() for _ in range(2400)]  # incompressible enough to span many reads
    data = b"".join(_record(i, salt=salt[i]) + b"\n" for i in range(2400))
    first = data[: data.index(b'"id": "r1700"') - 1 + 20]  # up to 20 bytes into line 1700
    deflate = zlib.compressobj(wbits=31)
    head = deflate.compress(first) + deflate.flush(zlib.Z_FULL_FLUSH)  # the next block starts on a byte
    assert len(head) > 65536
    block = bytearray(deflate.compress(data[len(first):]) + deflate.flush())
    block[0] = 0b111  # last block, block type 3: reserved, a decoder refuses it on sight
    path = tmp_path / "in" / "corrupt.jsonl.gz"
    path.parent.mkdir()
    path.write_bytes(head + bytes(block))

    run = clean_run([path])
    run.assert_totals(1701)
    assert _judged_ids(run) == sorted(f"r{i}" for i in range(1700))
    (row,) = run.quarantine
    assert row["offset"] == 0 and row["raw"] == first[first.rindex(b"\n") + 1:]
    assert "corrupt" in row["error"].lower()


# --------------------------------------------------------------------------------------------
# Uncompressed WARC whose framing lies
# --------------------------------------------------------------------------------------------

RESPONSE = "application/http; msgtype=response"


def _page(n: int) -> bytes:
    html = (f"<html><body><article><h1>Harbour news {n}</h1><p>The harbour will be dredged this autumn so that "
            f"larger ferries can dock at pier {n}.</p><p>Fishing boats will use the north pier while the work "
            f"goes on, the port office said on day {n}.</p></article></body></html>").encode()
    return warc_record("response", n, http_response("text/html; charset=utf-8", html), RESPONSE,
                       f"http://harbour.example.org/{n}")


def _with_length(record: bytes, value: bytes) -> bytes:
    """The record with the value of its WARC Content-Length header replaced."""
    head, sep, rest = record.partition(b"\r\n\r\n")
    lines = [b"Content-Length: " + value if line.startswith(b"Content-Length:") else line
             for line in head.split(b"\r\n")]
    return b"\r\n".join(lines) + sep + rest


WARC_FAULTS = {
    # name: (how record 3 of 6 is spoiled, or where the file is cut; pages read; quarantined record)
    "length too large": (lambda r: _with_length(r, str(int(r.split(b"Content-Length: ")[1].split(b"\r")[0])
                                                           + 50).encode()), [1, 2, 4, 5, 6]),
    "length past the end of the file": (lambda r: _with_length(r, b"99999999"), [1, 2, 4, 5, 6]),
    "length too small": (lambda r: _with_length(r, b"100"), [1, 2, 4, 5, 6]),
    "length not a number": (lambda r: _with_length(r, b"12ab"), [1, 2, 4, 5, 6]),
    "garbage instead of a record": (lambda r: b"garbage\r\n" * 20, [1, 2, 4, 5, 6]),
}


def _urls_read(run) -> list[str]:
    return sorted(json.loads(r["meta"])["url"] for r in run.kept + run.rejected)


@pytest.mark.parametrize("fault", sorted(WARC_FAULTS))
def test_a_warc_record_with_a_false_length_is_quarantined_and_the_next_ones_read(tmp_path, clean_run, fault):
    spoil, pages = WARC_FAULTS[fault]
    records = [_page(n) for n in range(1, 7)]
    records[2] = spoil(records[2])
    path = tmp_path / "in" / "pages.warc"
    path.parent.mkdir()
    path.write_bytes(b"".join(records))

    run = clean_run([path])
    assert run.stats["status"] == "complete"
    assert _urls_read(run) == [f"http://harbour.example.org/{n}" for n in pages]
    (row,) = run.quarantine
    assert row["offset"] == len(records[0] + records[1]) and row["raw"] == records[2]
    run.assert_totals(len(pages) + 1)


@pytest.mark.parametrize("spoiled", [0, 2, 5])
def test_a_corrupt_gzip_member_of_a_warc_is_quarantined_and_the_next_members_read(tmp_path, clean_run, spoiled):
    """A WARC compressed record by record, one member's deflate data overwritten (the first, a middle
    one, the last): that member is one quarantine row at its own offset holding its bytes, every
    other record is read."""
    members = [gzip.compress(_page(n)) for n in range(1, 7)]
    bad = bytearray(members[spoiled])
    bad[30:60] = b"\xff" * 30
    members[spoiled] = bytes(bad)
    path = tmp_path / "in" / "pages.warc.gz"
    path.parent.mkdir()
    path.write_bytes(b"".join(members))

    run = clean_run([path])
    assert run.stats["status"] == "complete"
    assert _urls_read(run) == [f"http://harbour.example.org/{n}" for n in range(1, 7) if n != spoiled + 1]
    (row,) = run.quarantine
    assert row["offset"] == len(b"".join(members[:spoiled])) and row["raw"] == members[spoiled]
    run.assert_totals(6)


@pytest.mark.parametrize("where", ["in its header", "in its HTTP header", "in its body"])
def test_a_warc_cut_inside_a_record_keeps_the_records_before(tmp_path, clean_run, where):
    records = [_page(n) for n in range(1, 7)]
    start = len(b"".join(records[:3]))
    cut_at = {"in its header": 40, "in its HTTP header": records[3].index(b"HTTP/1.1") + 20,
              "in its body": len(records[3]) - 60}[where]
    data = b"".join(records)[: start + cut_at]
    path = tmp_path / "in" / "cut.warc"
    path.parent.mkdir()
    path.write_bytes(data)

    run = clean_run([path])
    assert run.stats["status"] == "complete"
    assert _urls_read(run) == [f"http://harbour.example.org/{n}" for n in (1, 2, 3)]
    (row,) = run.quarantine
    assert row["offset"] == start and row["raw"] == data[start:]
    assert "truncated" in row["error"].lower()
    run.assert_totals(4)


# --------------------------------------------------------------------------------------------
# Entries of an input folder that are not files to read
# --------------------------------------------------------------------------------------------

def _clean_cli(inputs: list[Path], output: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real command line in its own process group; a run that hangs fails the test (its whole
    group killed) instead of hanging it."""
    args = [sys.executable, "-m", "datacleaning.cli", "clean", *map(str, inputs), "--output", str(output),
            "--workers", "2", "--no-progress"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"clean did not finish in {timeout}s")
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def _stats(output: Path) -> dict:
    return json.loads((output / "stats.json").read_text(encoding="utf-8"))


def test_a_fifo_and_a_device_in_the_input_folder_are_skipped_and_counted(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "a.jsonl").write_bytes(_jsonl(20))
    os.mkfifo(root / "pipe.jsonl")
    os.symlink("/dev/zero", root / "zero.jsonl.gz")  # a device named like a dump: endless bytes
    result = _clean_cli([root], tmp_path / "out")
    assert result.returncode == 0, result.stderr
    stats = _stats(tmp_path / "out")
    assert stats["skipped_files"] == {"not a regular file": 2}
    assert stats["input_docs"] == stats["kept_docs"] + stats["rejected_docs"] == 20
    assert "pipe.jsonl" in result.stderr and "zero.jsonl.gz" in result.stderr
    assert "not a regular file 2" in result.stdout


def test_a_fifo_given_as_the_input_is_skipped_and_counted(tmp_path):
    fifo = tmp_path / "stream.jsonl"
    os.mkfifo(fifo)
    result = _clean_cli([fifo], tmp_path / "out")
    assert result.returncode == 0, result.stderr
    stats = _stats(tmp_path / "out")
    assert stats["skipped_files"] == {"not a regular file": 1}
    assert stats["input_files"] == 0 and stats["input_docs"] == 0
    assert "stream.jsonl" in result.stderr


def test_hidden_entries_and_links_to_folders_are_skipped_counted_and_summarised(tmp_path):
    """Skipped as before (a link to a folder is not followed), but no longer without a word."""
    root = tmp_path / "in"
    (root / ".cache").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (root / "a.jsonl").write_bytes(_jsonl(10, "a"))
    (root / ".hidden.jsonl").write_bytes(_jsonl(5, "h"))
    (root / ".cache" / "b.jsonl").write_bytes(_jsonl(5, "c"))
    (tmp_path / "elsewhere" / "d.jsonl").write_bytes(_jsonl(5, "d"))
    os.symlink(tmp_path / "elsewhere", root / "linked")
    result = _clean_cli([root], tmp_path / "out")
    assert result.returncode == 0, result.stderr
    stats = _stats(tmp_path / "out")
    assert stats["skipped_files"] == {"hidden file": 1, "hidden folder": 1, "link to a folder": 1}
    assert stats["input_files"] == 1 and stats["input_docs"] == 10
    summary = [line for line in result.stdout.splitlines() if "skipped" in line and "input" in line]
    assert len(summary) == 1, result.stdout
    assert all(f"{reason} 1" in summary[0] for reason in ("hidden file", "hidden folder", "link to a folder"))
    assert str(root / "linked") in result.stderr
