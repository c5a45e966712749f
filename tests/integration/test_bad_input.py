"""Bad input through the real clean stage (worker processes, real files): broken lines and files go
to quarantine or to rejected, visibly and byte for byte, and never stop the run; bad configs stop it
before any work with exit code 2 and a message naming the key.

Every run checks that stats.json adds up, matches the shards' row counts and matches a count of
input records made by the test itself.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from datacleaning.document import QUARANTINE_HEAD_BYTES, Quarantined
from datacleaning.errors import InputError
from datacleaning.readers import ReaderOptions, discover, plan_units, read_unit
from helpers import FIXTURES, REPO_ROOT, cli, http_response, warc_record, write_repeated_corpus

NEWS = FIXTURES / "readers" / "news_zh_en.jsonl"
NEWS_IDS = [json.loads(line)["id"] for line in NEWS.read_text(encoding="utf-8").splitlines()]
EXAMPLE_CONFIG = REPO_ROOT / "configs" / "example.toml"


def _rec(id: str, text: str) -> bytes:
    return json.dumps({"id": id, "text": text}, ensure_ascii=False).encode("utf-8")


def _line_offsets(data: bytes) -> list[tuple[int, bytes]]:
    """(byte offset, line without its newline) for every line of ``data``, split by the test."""
    out, pos = [], 0
    for line in data.split(b"\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _generated_lines(n: int, prefix: str) -> list[bytes]:
    zh = ["小区门口新开了一家面包店，每天早上七点开门。", "今年的龙舟赛吸引了上万名观众到江边观看。",
          "社区医院周末也安排医生值班，方便上班族看病。"]
    en = ["The ferry to the island now runs every half hour in summer.",
          "Students painted a mural on the wall of the old post office."]
    return [_rec(f"{prefix}{i}", f"{(zh + en)[i % 5]} ({prefix}{i})") for i in range(n)]


def _complete_lines_of_gzip_prefix(data: bytes) -> list[bytes]:
    """What a truncated gzip file still holds: the complete lines of its decompressible prefix."""
    out = zlib.decompressobj(wbits=31).decompress(data)
    return out.split(b"\n")[:-1]


def _ids(rows) -> list[str]:
    return [r["id"] for r in rows]


# --------------------------------------------------------------------------------------------
# Broken lines in a jsonl file
# --------------------------------------------------------------------------------------------

# (line, what should become of it: "kept", "empty", or the words its quarantine error should hold)
BAD_LINES: list[tuple[bytes, object]] = [
    (_rec("g1", "菜市场今天的青菜特别新鲜，价格也比上周便宜了不少。"), "kept"),
    ('{"id": "m1", "text": "少了结尾的引号和括号'.encode(), ["json"]),
    (b'{"id": "u1", "text": "caf\xe9 au lait, un croissant"}', ["utf-8"]),          # Latin-1, not UTF-8
    ('["不是", "对象"]'.encode(), ["object"]),
    (b"3.14", ["object"]),
    ('{"id": "n1", "title": "只有标题没有正文"}'.encode(), ["text"]),
    (b'{"id": "n2", "text": 12345}', ["text", "str"]),
    (b'{"id": "n3", "text": null}', ["text", "str"]),
    ('{"id": "n4", "text": ["列表", "不是字符串"]}'.encode(), ["text", "str"]),
    (b'  {"id": "m2", "text": "a trailing comma",}  ', ["json"]),
    ('\t {"id": "n5", "text": {"zh": "对象"}}  '.encode(), ["text", "str"]),  # whitespace kept in raw
    (b'{"id": "e1", "text": ""}', "empty"),
    ('{"id": "e2", "text": " \\n\\t\u3000 "}'.encode(), "empty"),                    # U+3000 ideographic space
    (_rec("g2", "The night market by the river reopens this weekend with forty food stalls."), "kept"),
]


# A whitespace-only line after every record: not a record itself, it spreads the records over many
# work units of the smallest size a config allows.
SPREAD = b" " * 5000


@pytest.mark.parametrize("chunk_bytes", [4096, 1 << 20], ids=["many-units", "one-unit"])
def test_broken_lines_are_quarantined_with_offset_and_raw_bytes(tmp_path, clean_run, chunk_bytes):
    data = b"\n".join(line + b"\n" + SPREAD for line, _ in BAD_LINES) + b"\n"
    path = tmp_path / "in" / "broken-lines.jsonl"
    path.parent.mkdir()
    path.write_bytes(data)
    run = clean_run([path.parent], overrides=[(["input", "chunk_bytes"], chunk_bytes)])

    assert run.stats["status"] == "complete" and not run.stats["failed_units"]
    assert run.stats["units"]["total"] == -(-len(data) // chunk_bytes)
    run.assert_totals(len(BAD_LINES))
    assert _ids(run.kept) == ["g1", "g2"]
    assert {r["id"]: (r["rejected_by"], r["text"]) for r in run.rejected} == {
        "e1": ("empty", ""), "e2": ("empty", " \n\t\u3000 ")}

    expected_q = [(offset, line, words) for (offset, line), (_, words) in zip(_line_offsets(data)[::2], BAD_LINES)
                  if isinstance(words, list)]
    quarantine = sorted(run.quarantine, key=lambda r: r["offset"])
    assert len(quarantine) == len(expected_q) == 10
    for row, (offset, line, words) in zip(quarantine, expected_q):
        assert row["file"] == str(path)
        assert row["offset"] == offset
        assert data[row["offset"]:row["offset"] + len(row["raw"])] == row["raw"], "offset does not point at the line"
        assert row["raw"].rstrip(b"\n") == line
        for word in words:
            assert word in row["error"].lower(), (line, row["error"])
    # stats.json counts them by kind of fault, each record under one.
    assert sum(run.stats["quarantined_by"].values()) == 10


def test_quarantine_kinds_leave_out_places_and_paths_and_are_bounded():
    """A fault is one kind wherever it happens: in any file, at any row range; an encoding's name
    stays. Past the commonest kinds, the rest are counted together, so stats.json stays small and
    still adds up."""
    from datacleaning.cleaning.stage import MAX_QUARANTINE_KINDS, OTHER_KINDS, commonest_kinds, quarantine_reason

    assert len({quarantine_reason(f"cannot open: [Errno 5] Input/output error: '/data/{i}/part-{i:05d}.jsonl'")
                for i in range(50)}) == 1
    assert len({quarantine_reason(f"row group {i}: rows {1000 * i}-{1000 * i + 999} do not decode")
                for i in range(50)}) == 1
    assert "UTF-8" in quarantine_reason("holds bytes that are not UTF-8") and "GB18030" in quarantine_reason(
        "neither UTF-8 nor GB18030")
    counts = {f"KeyError: 'field{i}'": 1 + i % 3 for i in range(500)}  # a message naming the record's own field
    counts["no text field (looked for text)"] = 1000
    bounded = commonest_kinds(counts)
    assert len(bounded) == MAX_QUARANTINE_KINDS + 1 and sum(bounded.values()) == sum(counts.values())
    assert bounded["no text field (looked for text)"] == 1000 and bounded[OTHER_KINDS] > 0
    assert commonest_kinds(bounded) == bounded  # merged again across units, the same


def test_the_summary_says_why_records_were_quarantined(tmp_path):
    """A mistyped --text-field quarantines every record; the summary says why, not only how many."""
    corpus = tmp_path / "in"
    write_repeated_corpus(corpus, copies=1)
    result = cli("clean", str(corpus), "--output", str(tmp_path / "out"), "--text-field", "txt", "--no-progress")
    assert result.returncode == 0
    quarantined = json.loads((tmp_path / "out" / "stats.json").read_text())["quarantined_docs"]
    assert quarantined > 0 and f"{quarantined:>10,} no text field (looked for txt)" in result.stdout
    # Faults at different places of different files are one kind: their line numbers left out.
    broken = tmp_path / "broken"
    broken.mkdir()
    for part in (corpus / "part-0.jsonl", corpus / "part-1.jsonl"):
        lines = part.read_text(encoding="utf-8").splitlines(keepends=True)
        (broken / part.name).write_text("".join(line[:-3] + "\n" if i % 3 == 0 else line
                                                for i, line in enumerate(lines)), encoding="utf-8")
    result = cli("clean", str(broken), "--output", str(tmp_path / "out2"), "--no-progress")
    by = json.loads((tmp_path / "out2" / "stats.json").read_text())["quarantined_by"]
    assert len(by) == 1 and next(iter(by.values())) > 2, by


# --------------------------------------------------------------------------------------------
# One huge document
# --------------------------------------------------------------------------------------------

def test_a_50mb_document_is_rejected_whole_without_crashing(tmp_path, clean_run):
    # The text's JSON form: a Chinese and English sentence with an escaped newline, repeated.
    piece = "城市图书馆从下个月起延长开放时间，方便上班族借阅。The library stays open late on Fridays.\\n"
    piece_bytes = piece.encode("utf-8")
    repeats = -(-50_000_000 // len(piece_bytes))
    path = tmp_path / "in" / "huge.jsonl"
    path.parent.mkdir()
    with open(path, "wb") as f:  # written in blocks: the test never holds the file in memory
        f.write(b'{"id": "huge", "text": "')
        block = piece_bytes * 1000
        for _ in range(repeats // 1000):
            f.write(block)
        f.write(piece_bytes * (repeats % 1000))
        f.write(b'", "url": "https://example.cn/huge"}\n')
        f.write(_rec("small", "一条普通的短文本，用来确认同一文件里的其他文档照常处理。") + b"\n")
    assert path.stat().st_size > 50_000_000

    run = clean_run([path.parent])  # default config: max_input_chars = 2,000,000
    assert run.stats["status"] == "complete" and not run.stats["failed_units"]
    run.assert_totals(2)
    assert _ids(run.kept) == ["small"]
    (row,) = run.rejected
    decoded_piece = piece.replace("\\n", "\n")
    assert row["id"] == "huge" and row["rejected_by"] == "max_input_chars"
    assert json.loads(row["reject_value"]) == len(decoded_piece) * repeats
    assert len(row["text"]) == len(decoded_piece) * repeats
    assert row["text"] == decoded_piece * repeats
    assert json.loads(row["meta"]) == {"url": "https://example.cn/huge"}


# --------------------------------------------------------------------------------------------
# Broken files among good ones
# --------------------------------------------------------------------------------------------

BINARY = bytes(range(256)) * 8  # NUL bytes, newlines, invalid UTF-8: 2 KiB of "binary"


def test_broken_files_are_quarantined_and_the_run_goes_on(tmp_path, clean_run):
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / "folder.jsonl").mkdir()  # a directory named like a jsonl file is a folder to walk
    shutil.copy(NEWS, root / "news.jsonl")
    more = _generated_lines(3, "gz")
    (root / "sub" / "more.jsonl.gz").write_bytes(gzip.compress(b"\n".join(more) + b"\n"))
    inner = _generated_lines(2, "in")
    (root / "folder.jsonl" / "inner.jsonl").write_bytes(b"\n".join(inner) + b"\n")
    (root / "empty.jsonl").write_bytes(b"")

    # Bad files: each should give exactly one quarantine record.
    (root / "blob.bin").write_bytes(BINARY)
    (root / "blob.jsonl").write_bytes(BINARY)
    (root / "sub" / "not-gzip.jsonl.gz").write_bytes("这不是 gzip 文件，只是普通文字。\n".encode())
    cut_source = b"\n".join(_generated_lines(300, "cut")) + b"\n"
    compressed = gzip.compress(cut_source)
    cut_gz = compressed[:len(compressed) // 2]
    (root / "sub" / "cut.jsonl.gz").write_bytes(cut_gz)
    buf = io.BytesIO()
    pq.write_table(pa.table({"id": ["p1", "p2"], "text": ["第一行。", "Second row."]}), buf)
    (root / "cut.parquet").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    # A GBK text file cut inside its last character: recognised as GB18030, but it does not decode.
    cut_gbk = "天下大势，分久必合，合久必分。".encode("gbk")[:-1]
    (root / "cut-gbk.txt").write_bytes(cut_gbk)
    bad_files = ["blob.bin", "blob.jsonl", "cut-gbk.txt", "cut.jsonl.gz", "cut.parquet", "not-gzip.jsonl.gz"]

    cut_lines = _complete_lines_of_gzip_prefix(cut_gz)
    assert 0 < len(cut_lines) < 300
    good_ids = NEWS_IDS + [json.loads(l)["id"] for l in more + inner + cut_lines]

    run = clean_run([root], config=EXAMPLE_CONFIG)
    assert run.stats["status"] == "complete" and not run.stats["failed_units"]
    assert run.stats["input_files"] == 10
    run.assert_totals(len(good_ids) + len(bad_files))
    # Every readable document was judged, once.
    assert sorted(_ids(run.kept) + _ids(run.rejected)) == sorted(good_ids)

    by_file = {}
    for row in run.quarantine:
        by_file.setdefault(os.path.basename(row["file"]), []).append(row)
    assert sorted(by_file) == bad_files
    assert all(len(rows) == 1 and rows[0]["error"].strip() for rows in by_file.values()), by_file
    blob = by_file["blob.jsonl"][0]
    assert blob["offset"] == 0 and blob["raw"] and BINARY.startswith(blob["raw"])
    assert by_file["cut-gbk.txt"][0]["offset"] == len(cut_gbk) - 1
    assert by_file["cut-gbk.txt"][0]["raw"] == cut_gbk
    assert "gb18030" in by_file["cut-gbk.txt"][0]["error"].lower()
    assert any(w in by_file["cut.jsonl.gz"][0]["error"].lower() for w in ("truncated", "corrupt", "ended"))
    assert "unsupported" in by_file["blob.bin"][0]["error"].lower()


def test_a_large_unreadable_text_file_is_quarantined_by_its_head(tmp_path, clean_run):
    """A text file that is not text (a 3 MB image or archive named .txt) went whole into the
    quarantine shard; as every reader does for a whole file, its first bytes are kept and the
    file stays where it is."""
    data = bytes(range(256)) * (3 * 4096)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "photo.txt").write_bytes(data)
    run = clean_run([tmp_path / "in"])
    [row] = run.quarantine
    assert row["raw"] == data[:QUARANTINE_HEAD_BYTES] and row["error"]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="running as root: chmod 000 does not stop root from reading the file "
                           "(the open-failure path is covered by test_a_file_gone_after_planning_is_quarantined)")
def test_unreadable_file_is_quarantined(tmp_path, clean_run):
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(NEWS, root / "news.jsonl")
    locked = root / "locked.jsonl"
    locked.write_bytes(b"\n".join(_generated_lines(4, "x")) + b"\n")
    locked.chmod(0)
    try:
        run = clean_run([root])
    finally:
        locked.chmod(0o644)
    assert run.stats["status"] == "complete"
    run.assert_totals(len(NEWS_IDS) + 1)
    assert sorted(_ids(run.kept)) == sorted(NEWS_IDS)
    (row,) = run.quarantine
    assert row["file"] == str(locked) and "permission" in row["error"].lower()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="running as root: chmod 000 does not stop root from listing the folder")
def test_unreadable_folder_stops_the_run_before_it_starts(tmp_path, clean_run):
    """A folder that cannot be listed hides how much input it holds, so no per-record account is
    possible: the run refuses to start and names the folder."""
    root = tmp_path / "in"
    (root / "private").mkdir(parents=True)
    shutil.copy(NEWS, root / "news.jsonl")
    (root / "private" / "p.jsonl").write_bytes(b"\n".join(_generated_lines(3, "p")) + b"\n")
    (root / "private").chmod(0)
    try:
        with pytest.raises(InputError, match="cannot list input folder .*private"):
            clean_run([root])
    finally:
        (root / "private").chmod(0o755)


def test_a_file_gone_after_planning_is_quarantined(tmp_path):
    path = tmp_path / "gone.jsonl"
    path.write_bytes(b"\n".join(_generated_lines(3, "g")) + b"\n")
    units = plan_units(discover([path]).files, 1 << 20)
    path.unlink()
    items = [i for u in units for i in read_unit(u, ReaderOptions(), lambda n: None)]
    assert len(items) == 1 and isinstance(items[0], Quarantined)
    assert items[0].file == str(path) and "no such file" in items[0].error.lower()


@pytest.mark.parametrize("link", ["dangling", "loop"])
def test_a_broken_symlink_in_the_input_folder_is_quarantined(tmp_path, clean_run, link):
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(NEWS, root / "news.jsonl")
    target = tmp_path / "deleted.jsonl" if link == "dangling" else root / "link.jsonl"
    os.symlink(target, root / "link.jsonl")
    run = clean_run([root])
    assert run.stats["status"] == "complete"
    run.assert_totals(len(NEWS_IDS) + 1)
    assert sorted(_ids(run.kept)) == sorted(NEWS_IDS)
    (row,) = run.quarantine
    assert row["file"] == str(root / "link.jsonl")


def test_a_binary_jsonl_bigger_than_a_chunk_is_quarantined_like_a_small_one(tmp_path, clean_run):
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(NEWS, root / "news.jsonl")
    (root / "blob.jsonl").write_bytes(BINARY * 4)  # 8 KiB, 2 units of 4096 bytes
    run = clean_run([root], overrides=[(["input", "chunk_bytes"], 4096)])
    assert run.stats["status"] == "complete"
    assert sorted(_ids(run.kept)) == sorted(NEWS_IDS)
    blob_rows = [r for r in run.quarantine if r["file"].endswith("blob.jsonl")]
    for row in blob_rows:  # whatever is quarantined is a byte-exact slice of the file
        assert (BINARY * 4)[row["offset"]:row["offset"] + len(row["raw"])] == row["raw"]
    assert len(blob_rows) == 1 and blob_rows[0]["offset"] == 0
    run.assert_totals(len(NEWS_IDS) + 1)


def test_one_line_with_a_nul_byte_does_not_lose_the_rest_of_the_file(tmp_path, clean_run):
    lines = _generated_lines(200, "r")
    lines[3] = b'{"id": "r3", "text": "\xe5\x9d\x8f\x00\x00 corrupted on disk"}'
    data = b"\n".join(lines) + b"\n"
    path = tmp_path / "in" / "one-bad-line.jsonl"
    path.parent.mkdir()
    path.write_bytes(data)
    run = clean_run([path])
    run.assert_totals(200)
    assert len(run.kept) + len(run.rejected) == 199
    (row,) = run.quarantine
    assert row["offset"] == data.index(lines[3]) and row["raw"].rstrip(b"\n") == lines[3]


def test_a_run_of_nuls_before_long_records_does_not_make_the_file_binary(tmp_path, clean_run):
    """What a crash leaves at the head of a file being written, then records too long for one of
    them to end in the file's first 4 KiB: the NUL line is quarantined, every record read."""
    nuls = b"\x00" * 64 + b"\n"
    lines = [_rec(f"long{i}", "社区医院周末也安排医生值班，方便上班族看病。" * 120) for i in range(30)]
    path = tmp_path / "in" / "crashed.jsonl"
    path.parent.mkdir()
    path.write_bytes(nuls + b"\n".join(lines) + b"\n")
    run = clean_run([path])
    run.assert_totals(31)
    assert sorted(_ids(run.kept + run.rejected)) == sorted(f"long{i}" for i in range(30))
    (row,) = run.quarantine
    assert row["offset"] == 0 and row["raw"].rstrip(b"\n") == nuls.rstrip(b"\n")


def test_a_truncated_zstd_file_is_reported(tmp_path, clean_run):
    first = b"\n".join(_generated_lines(100, "a")) + b"\n"
    second = b"\n".join(_generated_lines(100, "b")) + b"\n"
    cctx = zstandard.ZstdCompressor()
    whole = cctx.compress(first)
    frame2 = cctx.compress(second)
    path = tmp_path / "in" / "cut.jsonl.zst"
    path.parent.mkdir()
    path.write_bytes(whole + frame2[: len(frame2) // 2])  # the second frame cut in half
    readable = zstandard.ZstdDecompressor().decompressobj().decompress(frame2[: len(frame2) // 2])
    expected_docs = 100 + readable.count(b"\n")
    run = clean_run([path.parent])
    assert run.stats["status"] == "complete"
    assert len(run.kept) + len(run.rejected) == expected_docs
    assert len(run.quarantine) == 1
    assert any(w in run.quarantine[0]["error"].lower() for w in ("truncated", "corrupt"))
    run.assert_totals(expected_docs + 1)


def test_a_truncated_warc_is_reported(tmp_path, clean_run):
    html_en = ("<html><body><article><h1>Harbour news</h1><p>The harbour will be dredged this autumn so that larger "
               "ferries can dock.</p><p>Fishing boats will use the north pier while the work goes on.</p>"
               "</article></body></html>").encode()
    html_zh = ("<html><body><article><h1>老街改造</h1><p>老街改造工程下周开工，沿街的店铺将分批装修，"
               "预计年底前全部完成。</p>" + "<p>施工期间，居民可以从东门进出，公交站临时向南移动五十米。</p>" * 30
               + "</article></body></html>").encode()
    records = [
        warc_record("warcinfo", 1, b"software: tests\r\n", "application/warc-fields"),
        warc_record("response", 2, http_response("text/html; charset=utf-8", html_en),
                    "application/http; msgtype=response", "http://harbour.example.org/"),
        warc_record("response", 3, http_response("text/html; charset=utf-8", html_zh),
                    "application/http; msgtype=response", "http://news.example.cn/street.html"),
    ]
    data = b"".join(records)
    path = tmp_path / "in" / "cut.warc"
    path.parent.mkdir()
    path.write_bytes(data[: len(data) - len(records[2]) // 2])  # cut inside the Chinese page's body
    run = clean_run([path.parent])
    assert run.stats["status"] == "complete"
    urls = [json.loads(r["meta"])["url"] for r in run.kept + run.rejected]
    assert urls == ["http://harbour.example.org/"]
    assert len(run.quarantine) == 1
    run.assert_totals(2)


def test_nul_byte_in_a_text_file_is_quarantined_at_its_byte_offset(tmp_path, clean_run):
    data = "停水通知：明天上午九点到十二点停水。".encode() + b"\x00\x00\x01binary tail"
    path = tmp_path / "in" / "notice.txt"
    path.parent.mkdir()
    path.write_bytes(data)
    run = clean_run([path.parent])
    run.assert_totals(1)
    (row,) = run.quarantine
    assert row["raw"] == data
    assert row["offset"] == data.index(b"\x00")


# --------------------------------------------------------------------------------------------
# Config errors: exit code 2 before any work, naming the key
# --------------------------------------------------------------------------------------------

RULES = """
[[clean.normalizers]]
name = "remove_invisible"

[[clean.filters]]
name = "length"
min_chars = 30

[[clean.filters]]
name = "han_ratio"
min_ratio = 0.3

[[clean.filters]]
name = "gopher_repetition"
max_dup_line_fraction = 0.3
"""


def _rules_with(old: str, new: str) -> str:
    assert old in RULES
    return RULES.replace(old, new, 1)


def _example_plus(addition: str) -> tuple[str, int]:
    """The bundled example config with ``addition`` appended; also its count of filters."""
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    return text + "\n" + addition, text.count("[[clean.filters]]")


CONFIG_ERRORS = {
    "unknown-rule": (_rules_with('name = "han_ratio"', 'name = "han_ratoi"'), "clean.filters[1].name"),
    "threshold-string": (_rules_with("min_chars = 30", 'min_chars = "30"'), "clean.filters[0].min_chars"),
    "threshold-float": (_rules_with("min_chars = 30", "min_chars = 1.5"), "clean.filters[0].min_chars"),
    "threshold-in-later-rule": (_rules_with("max_dup_line_fraction = 0.3", 'max_dup_line_fraction = "0.3"'),
                                "clean.filters[2].max_dup_line_fraction"),
    "unknown-key-in-rule": (_rules_with("min_chars = 30", "min_chars = 30\nmin_char = 5"),
                            "clean.filters[0].min_char"),
    "unknown-rule-after-example": (
        _example_plus('[[clean.filters]]\nname = "no_such_rule"\n')[0],
        f"clean.filters[{_example_plus('')[1]}].name"),
    "unknown-top-level-key": ("workers = 2\n" + RULES, "workers"),
    "unknown-key-in-section": ("[input]\nchunk_byte = 1000\n" + RULES, "input.chunk_byte"),
    "wrong-type-in-section": ('[clean]\nmax_input_chars = "2000000"\n', "clean.max_input_chars"),
}


@pytest.mark.parametrize("case", list(CONFIG_ERRORS))
def test_config_errors_exit_2_before_processing(tmp_path, case):
    body, key = CONFIG_ERRORS[case]
    config = tmp_path / "bad.toml"
    config.write_text(body, encoding="utf-8")
    shutil.copy(NEWS, tmp_path / "news.jsonl")
    output = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "datacleaning.cli", "clean", str(tmp_path / "news.jsonl"), "--output", str(output),
         "--config", str(config), "--workers", "2", "--no-progress"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    # An error in the file as written names the file too.
    assert re.search(rf"config error: ({re.escape(str(config))}: )?{re.escape(key)}:", proc.stderr), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not output.exists()  # nothing was processed, not even the output folder made


def test_a_bad_rule_value_in_the_file_is_refused_when_a_flag_replaces_its_whole_list(tmp_path):
    """The file is checked as written (docs/running.md): a rule table the flag replaces was never
    built, so its bad value passed and the run went on with the flag's rules."""
    config = tmp_path / "bad.toml"
    config.write_text('[clean]\nfilters = [{name = "length"}, {name = "length", min_chars = "abc"}]\n',
                      encoding="utf-8")
    shutil.copy(NEWS, tmp_path / "news.jsonl")
    proc = subprocess.run(
        [sys.executable, "-m", "datacleaning.cli", "clean", str(tmp_path / "news.jsonl"), "--output",
         str(tmp_path / "out"), "--config", str(config), "--set", 'clean.filters=[{name = "length"}]', "--no-progress"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert f"{config}: clean.filters[1].min_chars: Input should be a valid integer (rule 'length')" in proc.stderr
    assert not (tmp_path / "out").exists()
