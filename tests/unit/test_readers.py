"""Input readers: discovery, work-unit planning and every input format, read for real from files.

Expectations are stated by hand from the fixtures' content or computed here independently of the
readers (splitting the bytes ourselves, writing WARC records byte by byte).
"""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zlib
from pathlib import Path

import brotli
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from datacleaning.document import Document, Quarantined
from datacleaning.readers import ReaderOptions, discover
from datacleaning.readers.warc import SkippedRecord
from helpers import FIXTURES, cli, docs_of, http_response, read_all, read_rows, warc_record

NEWS = FIXTURES / "readers" / "news_zh_en.jsonl"
TEXT_FIELDS = ("text", "content", "raw_content")


def doc_key(doc: Document) -> tuple:
    return doc.id, doc.text, doc.source, json.loads(doc.meta)


# --------------------------------------------------------------------------------------------
# jsonl chunking
# --------------------------------------------------------------------------------------------

def _rec(text: str, id: str | None = None, **extra) -> bytes:
    record = {"id": id} if id is not None else {}
    record["text"] = text
    record.update(extra)
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


# Lines of very different lengths: one-byte ASCII, 3-byte Chinese, a 4-byte emoji, a long line,
# blank and whitespace-only lines (not records), a CRLF line, and broken lines in between so that
# the quarantine records' byte offsets are checked at many positions.
CHUNK_LINES: list[bytes] = [
    _rec("Hi.", "c00"),
    _rec("今天早上下了一场小雨，路上的行人都撑起了伞。"),
    b"",
    b'{"id": "c02", "text": "\xe6\xb2\xa1\xe6\x9c\x89\xe7\xbb\x93\xe5\xb0\xbe',  # unterminated string
    _rec("市图书馆新开了一间儿童阅览室，周末来看书的家长和孩子特别多。" * 8, "c03", tags=["图书馆", "library"]),
    b"   \t",
    _rec("The bakery on Main Street sells out of bread before nine.", "c04") + b"\r",
    b"[1, 2, 3]",
    _rec("Buses will run every ten minutes during the holiday week."),
    _rec("好", "c05"),
    b'{"id": "c06", "text": "caf\xe9 au lait"}',  # Latin-1 byte: invalid UTF-8
    b'{"id": "c07", "text": 7}',
    _rec("🙂 周末愉快！Have a nice weekend.", "c08", meta={"作者": "李华", "likes": 12}),
    b"42",
    _rec("x", "c09"),
    b'  {"id": "c11", "text": false}  \t',  # surrounding whitespace belongs to the line
    b"\t" + _rec("Indented records are records too.", "c12") + b"  ",
    _rec("河边新修了一条自行车道，骑车去火车站只要十五分钟。"),
    b"{}",
    _rec("Volunteers planted two hundred trees in the park on Sunday morning. " * 3, "c10"),
]
CHUNK_DATA = b"\n".join(CHUNK_LINES) + b"\n"
CHUNK_DATA_NO_FINAL_NEWLINE = b"\n".join(CHUNK_LINES)


def expected_items(data: bytes) -> list[tuple]:
    """Split the file ourselves: ("Q", offset, line) or ("D", id or None, text) per non-blank line."""
    out, pos = [], 0
    for line in data.split(b"\n"):
        if line.strip():
            try:
                record = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                record = None
            if isinstance(record, dict) and isinstance(record.get("text"), str):
                out.append(("D", record.get("id"), record["text"]))
            else:
                out.append(("Q", pos, line))
        pos += len(line) + 1
    return out


def _line_starts(data: bytes) -> list[int]:
    return [0] + [i + 1 for i, b in enumerate(data) if b == 0x0A and i + 1 < len(data)]


_STARTS = [s for s in _line_starts(CHUNK_DATA) if s > 1]
CHUNK_SIZES = {
    "tiny": [1, 2, 3, 5, 8],
    "on_newline": _STARTS,                       # the first cut falls exactly at a line start
    "just_before_newline": [s - 1 for s in _STARTS],
    "just_after_newline": [s + 1 for s in _STARTS],
    "odd": [13, 64, 97, 250, 511, 777],
    "file_sized": [len(CHUNK_DATA) - 1, len(CHUNK_DATA), len(CHUNK_DATA) + 1, 10 * len(CHUNK_DATA)],
}


def _check_chunked_read(path: Path, data: bytes, chunk: int, baseline: list[Document] | None) -> list:
    units, items = read_all([path], chunk_bytes=chunk)
    size = len(data)
    # The plan covers the file with contiguous byte ranges of at most `chunk` bytes.
    if size > chunk:
        assert len(units) == -(-size // chunk)
        assert units[0].start == 0 and units[-1].end == size
        assert all(a.end == b.start for a, b in zip(units, units[1:]))
        assert all(0 < u.end - u.start <= chunk for u in units)
    else:
        assert len(units) == 1 and units[0].start == 0

    expected = expected_items(data)
    assert len(items) == len(expected), f"chunk_bytes={chunk}: {len(items)} items, expected {len(expected)}"
    for n, (item, exp) in enumerate(zip(items, expected)):
        where = f"chunk_bytes={chunk}, record #{n}"
        if exp[0] == "Q":
            assert isinstance(item, Quarantined), f"{where}: expected quarantine, got {item!r}"
            _, offset, line = exp
            assert item.offset == offset, where
            assert item.raw.rstrip(b"\n") == line, where
            assert data[item.offset:item.offset + len(item.raw)] == item.raw, where
            assert item.file == str(path)
        else:
            assert isinstance(item, Document), f"{where}: expected a document, got {item!r}"
            _, doc_id, text = exp
            assert item.text == text, where
            if doc_id is not None:
                assert item.id == doc_id, where
            else:
                assert item.id, where
    docs = docs_of(items)
    if baseline is not None:
        # Generated ids (and everything else) do not depend on how the file was cut.
        assert [doc_key(d) for d in docs] == [doc_key(d) for d in baseline], f"chunk_bytes={chunk}"
    return docs


@pytest.mark.parametrize("final_newline", [True, False], ids=["final-newline", "no-final-newline"])
@pytest.mark.parametrize("kind", list(CHUNK_SIZES))
def test_jsonl_chunks_yield_every_record_once_in_order(tmp_path, kind, final_newline):
    data = CHUNK_DATA if final_newline else CHUNK_DATA_NO_FINAL_NEWLINE
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(data)
    baseline = _check_chunked_read(path, data, 10 * len(data), None)
    generated = [d.id for d, exp in zip(baseline, [e for e in expected_items(data) if e[0] == "D"]) if exp[1] is None]
    assert len(generated) == 3 and len(set(generated)) == 3
    assert not set(generated) & {e[1] for e in expected_items(data) if e[0] == "D"}
    for chunk in CHUNK_SIZES[kind]:
        _check_chunked_read(path, data, chunk, baseline)


def test_chunked_jsonl_through_the_clean_stage_with_two_workers(tmp_path, clean_run):
    # A whitespace-only line (not a record) after every line spreads them over many units of the
    # smallest size a config allows.
    data = b"\n".join(line + b"\n" + b" " * 3000 for line in CHUNK_LINES) + b"\n"
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(data)
    expected = expected_items(data)
    run = clean_run([path], overrides=[(["input", "chunk_bytes"], 4096)])
    assert run.stats["status"] == "complete"
    assert run.stats["units"]["total"] == -(-len(data) // 4096) > 10
    run.assert_totals(len(expected))
    read_texts = sorted(r["text"] for r in run.kept + run.rejected)
    assert read_texts == sorted(e[2] for e in expected if e[0] == "D")
    ids = [r["id"] for r in run.kept + run.rejected]
    assert len(set(ids)) == len(ids)
    assert sorted(r["offset"] for r in run.quarantine) == [e[1] for e in expected if e[0] == "Q"]
    for row in run.quarantine:
        assert data[row["offset"]:row["offset"] + len(row["raw"])] == row["raw"]


# --------------------------------------------------------------------------------------------
# Which field is the text, the id, the source; the rest goes to meta
# --------------------------------------------------------------------------------------------

def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_a_utf8_byte_order_mark_opening_a_json_file_or_line_is_read_past(tmp_path):
    """Windows tools start files with a BOM; a record of the file's first line is still a
    document, in JSON lines plain and compressed and in a JSON array, and so is one of two such
    files concatenated, whose mark opens a line inside."""
    bom = "\ufeff"
    lines = bom + '{"id": "a", "text": "第一行"}\r\n{"id": "b", "text": "second line"}\r\n'
    (tmp_path / "plain.jsonl").write_text(lines, encoding="utf-8")
    with gzip.open(tmp_path / "packed.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(lines)
    (tmp_path / "array.json").write_text(bom + '[{"id": "c", "text": "数组里的记录"}]', encoding="utf-8")
    (tmp_path / "joined.jsonl").write_text(bom + '{"id": "d", "text": "x"}\n' + bom + '{"id": "e", "text": "y"}\n',
                                           encoding="utf-8")
    _, items = read_all([tmp_path])
    assert sorted((d.id, d.text) for d in docs_of(items)) == [
        ("a", "第一行"), ("a", "第一行"), ("b", "second line"), ("b", "second line"), ("c", "数组里的记录"), ("d", "x"),
        ("e", "y")]
    assert not [i for i in items if isinstance(i, Quarantined)]


def test_json_lines_and_arrays_in_a_chinese_legacy_encoding_are_decoded(tmp_path):
    """GBK and Big5 dumps, told by the file's head as text files are: every unit of a split file
    decodes its lines (chunks smaller than the file), compressed too; a line holding bytes the
    encoding cannot decode is quarantined alone, saying so."""
    records = [{"id": f"r{i}", "text": text} for i, text in enumerate(
        ["城东街道社区图书馆自十月起试行夜间开放，每天延长至晚上十点。", "居民普遍表示欢迎，读者日均超过三百人次。"] * 40)]
    gbk = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("gbk")
    (tmp_path / "gbk.jsonl").write_bytes(gbk + b'{"id": "bad", "text": "\x81\x20"}\n')
    (tmp_path / "gbk.jsonl.gz").write_bytes(gzip.compress(gbk))
    traditional = [{"id": "t", "text": "這是一條用大五碼保存的繁體中文記錄，我們再多寫一些文字吧。"}]
    (tmp_path / "big5.json").write_bytes(json.dumps(traditional, ensure_ascii=False).encode("big5"))
    units, items = read_all([tmp_path], chunk_bytes=1 << 10)
    assert len([u for u in units if u.path.endswith("gbk.jsonl")]) > 1
    texts = [(d.id, d.text) for d in docs_of(items)]
    assert sorted(texts) == sorted([(r["id"], r["text"]) for r in records] * 2 + [("t", traditional[0]["text"])])
    [bad] = [i for i in items if isinstance(i, Quarantined)]
    assert bad.raw.startswith(b'{"id": "bad"') and "neither UTF-8 nor gb" in bad.error


def test_utf8_lines_after_a_gbk_head_are_read_as_utf8_not_as_gbk_mojibake(tmp_path):
    """Dumps concatenated: the head decides GB18030, the lines after it are UTF-8. Read in the
    head's encoding they would decode as mojibake ("涓枃...") or not at all."""
    gbk = [{"id": f"g{i}", "text": "城东街道社区图书馆自十月起试行夜间开放，每天延长至晚上十点。"} for i in range(3)]
    utf8 = [{"id": f"u{i}", "text": "北京上海广州深圳的读者日均超过三百人次。" * 2} for i in range(3)]
    (tmp_path / "mixed.jsonl").write_bytes(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in gbk).encode("gbk")
        + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in utf8).encode("utf-8"))
    _, items = read_all([tmp_path / "mixed.jsonl"])
    assert sorted((d.id, d.text) for d in docs_of(items)) == sorted((r["id"], r["text"]) for r in gbk + utf8)


def test_gbk_lines_after_an_ascii_head_are_read_in_gbk(tmp_path):
    """Dumps concatenated the other way: English records fill the head the encoding is told from
    (so it reads as UTF-8), Chinese ones in GBK follow. Each of those is told by its own bytes;
    they were all quarantined as not UTF-8."""
    english = [{"id": f"e{i}", "text": f"Record {i}: the reading room stays open late on Fridays."} for i in range(800)]
    chinese = [{"id": f"g{i}", "text": "城东街道社区图书馆自十月起试行夜间开放，每天延长至晚上十点。"}
               for i in range(5)]
    (tmp_path / "mixed.jsonl").write_bytes(
        "".join(json.dumps(r) + "\n" for r in english).encode("ascii")
        + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chinese).encode("gbk"))
    _, items = read_all([tmp_path / "mixed.jsonl"])
    assert sorted((d.id, d.text) for d in docs_of(items)) == sorted((r["id"], r["text"]) for r in english + chinese)


def test_json_lines_with_latin1_bytes_are_quarantined_not_read_in_a_guessed_code_page(tmp_path):
    """A few Latin-1 bytes make the detector answer a Windows code page (Greek, for "é è"): read
    in it, the line would be kept as "ιθ"."""
    (tmp_path / "latin1.jsonl").write_bytes(b'{"id": "s3", "text": "caf\xe9 cr\xe8me"}\n'
                                            b'{"id": "s4", "text": "good text"}\n')
    _, items = read_all([tmp_path / "latin1.jsonl"])
    assert [(d.id, d.text) for d in docs_of(items)] == [("s4", "good text")]
    [bad] = [i for i in items if isinstance(i, Quarantined)]
    assert bad.raw.startswith(b'{"id": "s3"') and bad.error == "holds bytes that are not UTF-8"


def test_json_that_python_writes_is_read_with_a_cut_emoji_as_a_replacement_character(tmp_path):
    """What Python's json module writes and orjson refuses: an emoji cut in two by whatever wrote
    the dump (``\\ud83d`` alone), in the text and in a field name, read as U+FFFD; NaN and
    Infinity for floats. A line that is not JSON either way stays quarantined."""
    (tmp_path / "cut.jsonl").write_text(
        '{"id": "a", "text": "before \\ud83d after", "tag\\udc00": "x"}\n'
        '{"id": "b", "text": "a whole emoji \\ud83d\\ude00"}\n'
        + json.dumps({"id": "n", "text": "a float without a JSON value", "score": float("nan")}) + "\n"
        '{"id": "c", "text": "broken \\ud83d" \n', encoding="utf-8")
    _, items = read_all([tmp_path / "cut.jsonl"])
    docs = {d.id: d for d in docs_of(items)}
    assert docs["a"].text == "before \ufffd after" and json.loads(docs["a"].meta) == {"tag\ufffd": "x"}
    assert docs["b"].text == "a whole emoji \U0001f600"
    assert docs["n"].text == "a float without a JSON value"
    [bad] = [i for i in items if isinstance(i, Quarantined)]
    assert bad.raw.startswith(b'{"id": "c"') and "invalid JSON" in bad.error
    # The same in .json files: JSON lines whose first line holds a NaN, and an array.
    (tmp_path / "lines.json").write_text(
        json.dumps({"id": "j1", "text": "one", "score": float("nan")}) + "\n" + json.dumps({"id": "j2", "text": "two"})
        + "\n", encoding="utf-8")
    (tmp_path / "array.json").write_text(json.dumps([{"id": "j3", "text": "three", "score": float("inf")}]),
                                         encoding="utf-8")
    _, items = read_all([tmp_path / "lines.json", tmp_path / "array.json"])
    assert sorted(d.id for d in docs_of(items)) == ["j1", "j2", "j3"]


def test_a_line_nested_deeper_than_python_recurses_is_quarantined_alone(tmp_path):
    """1,500 nested brackets: orjson refuses the line and Python's json module, asked next, runs
    out of recursion; the line is quarantined with its bytes and the lines after it are read."""
    deep = '{"id": "deep", "text": "x", "m": ' + "[" * 1500 + "]" * 1500 + "}"
    lines = [json.dumps({"id": "before", "text": "one"}), deep, json.dumps({"id": "after", "text": "two"})]
    (tmp_path / "deep.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, items = read_all([tmp_path / "deep.jsonl"])
    assert [d.id for d in docs_of(items)] == ["before", "after"]
    [bad] = [i for i in items if isinstance(i, Quarantined)]
    assert bad.raw.rstrip(b"\n") == deep.encode() and bad.offset == len(lines[0]) + 1


def test_a_json_array_with_a_bad_item_or_cut_short_keeps_its_good_items(tmp_path):
    """WuDao's layout, one array per file: a broken item is quarantined alone and the items after
    it are read; a file cut off inside an item (a download that stopped) keeps the items before."""
    items = [json.dumps({"id": f"w{i}", "text": f"第{i}篇文章的正文。"}, ensure_ascii=False) for i in range(6)]
    broken = items[:2] + ['{"id": "w2", "text": }'] + items[3:]
    (tmp_path / "broken.json").write_text("[\n" + ",\n".join(broken) + "\n]\n", encoding="utf-8")
    (tmp_path / "cut.json").write_text("[" + ", ".join(items[:4]) + ', {"id": "w4", "te', encoding="utf-8")
    _, from_broken = read_all([tmp_path / "broken.json"])
    assert [d.id for d in docs_of(from_broken)] == ["w0", "w1", "w3", "w4", "w5"]
    [bad] = [i for i in from_broken if isinstance(i, Quarantined)]
    assert bad.raw.startswith(b'{"id": "w2"') and "array item 2: invalid JSON" in bad.error
    _, from_cut = read_all([tmp_path / "cut.json"])
    assert [d.id for d in docs_of(from_cut)] == ["w0", "w1", "w2", "w3"]
    [cut] = [i for i in from_cut if isinstance(i, Quarantined)]
    assert cut.raw == b'{"id": "w4", "te' and "the file ends inside it" in cut.error


def test_text_field_is_the_first_of_text_content_raw_content(tmp_path):
    path = _write_jsonl(tmp_path / "fields.jsonl", [
        {"id": "a", "text": "用 text 字段保存正文。"},
        {"id": "b", "content": "This one keeps its body in content."},
        {"id": "c", "raw_content": "原始内容放在 raw_content 里。"},
        {"id": "d", "raw_content": "后备正文", "content": "content comes before raw_content", "title": "标题"},
        {"id": "e", "content": "不是这个", "text": "text wins over every other field"},
    ])
    _, items = read_all([path])
    docs = docs_of(items)
    assert len(items) == len(docs) == 5
    assert [(d.id, d.text) for d in docs] == [
        ("a", "用 text 字段保存正文。"),
        ("b", "This one keeps its body in content."),
        ("c", "原始内容放在 raw_content 里。"),
        ("d", "content comes before raw_content"),
        ("e", "text wins over every other field"),
    ]
    # The text fields that were not used are ordinary fields, kept in meta.
    assert json.loads(docs[3].meta) == {"raw_content": "后备正文", "title": "标题"}
    assert json.loads(docs[4].meta) == {"content": "不是这个"}
    assert all(json.loads(d.meta) == {} for d in docs[:3])


def test_a_null_text_field_counts_as_absent(tmp_path):
    """Dumps that fill one of several text fields often write the others as null: the next field
    holding text is the document's; a record whose text fields are all null is quarantined, saying
    so."""
    path = _write_jsonl(tmp_path / "nulls.jsonl", [
        {"id": "a", "text": None, "content": "正文在 content 字段，text 字段为空。"},
        {"id": "b", "text": None, "content": None},
    ])
    _, items = read_all([path])
    [doc] = docs_of(items)
    assert (doc.id, doc.text) == ("a", "正文在 content 字段，text 字段为空。")
    assert json.loads(doc.meta) == {"text": None}
    [quarantined] = [item for item in items if isinstance(item, Quarantined)]
    assert "text, content null" in quarantined.error


def test_custom_text_fields_and_id_field(tmp_path):
    path = _write_jsonl(tmp_path / "custom.jsonl", [
        {"doc_id": "x1", "body": "正文在 body 字段。", "text": "not the text", "id": "not-the-id"},
        {"doc_id": "x2", "text": "No body here, so the second text field is used."},
        {"doc_id": 17, "body": "数字编号也可以。"},
        {"id": "ignored", "body": "没有 doc_id 的记录。"},
        {"doc_id": "x5", "content": "content is not among the configured fields"},
    ])
    options = ReaderOptions(text_fields=("body", "text"), id_field="doc_id")
    _, items = read_all([path], options=options)
    docs = docs_of(items)
    assert [(d.id, d.text) for d in docs[:3]] == [
        ("x1", "正文在 body 字段。"),
        ("x2", "No body here, so the second text field is used."),
        ("17", "数字编号也可以。"),
    ]
    assert json.loads(docs[0].meta) == {"text": "not the text", "id": "not-the-id"}
    # No doc_id: an id is made for it; "id" is just another field now.
    assert docs[3].text == "没有 doc_id 的记录。" and docs[3].id not in ("", "ignored", "x1", "x2", "17")
    assert json.loads(docs[3].meta) == {"id": "ignored"}
    # Neither body nor text: not a document.
    assert len(docs) == 4 and isinstance(items[4], Quarantined)
    assert "body" in items[4].error and "text" in items[4].error


def test_missing_id_gets_a_stable_unique_generated_id(tmp_path):
    records = [{"text": f"第{i}条没有编号的记录。Record {i} has no id."} for i in range(6)]
    records[2]["id"] = ""      # an empty id is no id
    records[4]["id"] = None    # nor is null
    path = _write_jsonl(tmp_path / "noid.jsonl", records)
    _, first = read_all([path])
    _, again = read_all([path], chunk_bytes=40)
    ids = [d.id for d in docs_of(first)]
    assert len(ids) == 6 and all(ids) and len(set(ids)) == 6
    assert [d.id for d in docs_of(again)] == ids
    assert [d.text for d in docs_of(first)] == [r["text"] for r in records]


def test_integers_past_64_bits_stay_exact_in_ids_and_meta(tmp_path):
    """orjson reads 18446744073709551617 (2**64 + 1) as a float; ids and meta keep it exact."""
    big = 2 ** 64 + 1
    line = f'{{"id": {big}, "text": "一条记录。", "n": {big}, "small": 7}}'
    (tmp_path / "big.jsonl").write_text(line + "\n", encoding="utf-8")
    (tmp_path / "big.json").write_text(f"[{line}]", encoding="utf-8")
    _, items = read_all([tmp_path / "big.jsonl", tmp_path / "big.json"])
    for doc in docs_of(items):
        assert doc.id == str(big) and json.loads(doc.meta) == {"n": big, "small": 7}


def test_an_id_that_is_not_a_string_is_written_as_json_writes_it(tmp_path):
    values = [12, 2.5, True, {"site": "a", "n": 1}, ["x", 2]]
    path = _write_jsonl(tmp_path / "ids.jsonl", [{"id": v, "text": f"第{i}条记录。"} for i, v in enumerate(values)])
    _, items = read_all([path])
    assert [d.id for d in docs_of(items)] == ["12", "2.5", "true", '{"site":"a","n":1}', '["x",2]']


@pytest.mark.parametrize("fmt", ["jsonl", "txt"])
def test_generated_ids_are_unique_across_same_named_files(tmp_path, fmt):
    texts = {"2024-01": "一月份的第一篇报道。", "2024-02": "The first report of February."}
    for folder, text in texts.items():
        (tmp_path / folder).mkdir()
        if fmt == "jsonl":
            _write_jsonl(tmp_path / folder / "part-0000.jsonl", [{"text": text}])
        else:
            (tmp_path / folder / "part-0000.txt").write_text(text, encoding="utf-8")
    docs = docs_of(read_all([tmp_path])[1])
    assert sorted(d.text for d in docs) == sorted(texts.values())
    assert len({d.id for d in docs}) == 2, [d.id for d in docs]


def test_source_from_the_record_or_the_file_name(tmp_path):
    path = _write_jsonl(tmp_path / "sources.jsonl", [
        {"id": "1", "text": "来自新闻网站的一段话。", "source": "news.example.cn"},
        {"id": "2", "text": "No source field in this record."},
        {"id": "3", "text": "空字符串的来源不算来源。", "source": ""},
        {"id": "4", "text": "A source that is not a string stays in meta.", "source": 7},
    ])
    docs = docs_of(read_all([path])[1])
    assert [d.source for d in docs] == ["news.example.cn", "sources.jsonl", "sources.jsonl", "sources.jsonl"]
    assert json.loads(docs[0].meta) == {} and json.loads(docs[1].meta) == {}
    assert json.loads(docs[3].meta) == {"source": 7}
    options = ReaderOptions(source_field="site")
    path2 = _write_jsonl(tmp_path / "sites.jsonl", [{"text": "站点字段。", "site": "bbs.example.cn", "source": "x"}])
    (doc,) = docs_of(read_all([path2], options=options)[1])
    assert doc.source == "bbs.example.cn" and json.loads(doc.meta) == {"source": "x"}


def test_every_other_field_is_kept_in_meta(tmp_path):
    # The stored fixture: read it with the standard library, independently of the readers.
    records = [json.loads(line) for line in NEWS.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 8
    docs = docs_of(read_all([NEWS])[1])
    assert len(docs) == len(records)
    for record, doc in zip(records, docs):
        text_key = next(k for k in TEXT_FIELDS if k in record)
        assert doc.id == record["id"]
        assert doc.text == record[text_key]
        assert doc.source == record.get("source", NEWS.name)
        rest = {k: v for k, v in record.items() if k not in (text_key, "id", "source")}
        assert json.loads(doc.meta) == rest
    # Nested objects and non-ASCII survive as they were, not as escaped strings.
    assert json.loads(docs[2].meta)["meta_info"]["reporter"] == {"name": "王小明", "years": 6}
    assert "东坡村" in docs[2].meta
    assert json.loads(docs[5].meta) == {"extra": None}
    assert json.loads(docs[6].meta) == {"count": 200, "verified": True}


# --------------------------------------------------------------------------------------------
# Compressed jsonl, parquet, text
# --------------------------------------------------------------------------------------------

def _many_records() -> list[bytes]:
    """The fixture's lines repeated (ids made unique) past 1 MiB, so buffers and progress roll over."""
    lines = NEWS.read_bytes().splitlines()
    out = []
    for n in range(700):
        for line in lines:
            record = json.loads(line)
            record["id"] = f"{record['id']}-{n}"
            out.append(json.dumps(record, ensure_ascii=False).encode())
    return out


@pytest.mark.parametrize("many", [False, True], ids=["fixture", "over-1MiB"])
def test_gzip_and_zstd_jsonl_read_like_plain_jsonl(tmp_path, many):
    lines = _many_records() if many else NEWS.read_bytes().splitlines()
    half = len(lines) // 2
    first = b"".join(l + b"\n" for l in lines[:half])
    second = b"".join(l + b"\n" for l in lines[half:])
    (tmp_path / "plain.jsonl").write_bytes(first + second)
    # Two gzip members and two zstd frames, as concatenating compressed parts produces.
    (tmp_path / "multi.jsonl.gz").write_bytes(gzip.compress(first) + gzip.compress(second))
    cctx = zstandard.ZstdCompressor(level=3)
    (tmp_path / "multi.jsonl.zst").write_bytes(cctx.compress(first) + cctx.compress(second))

    sources = [json.loads(line).get("source") for line in lines]

    def read(name):
        units, items = read_all([tmp_path / name])
        # A compressed file is read whole by one unit; a plain one may be cut into several.
        assert len(units) == 1 or name == "plain.jsonl"
        assert all(isinstance(i, Document) for i in items)
        assert [d.source for d in items] == [s or name for s in sources]
        return [(d.id, d.text, json.loads(d.meta)) for d in items]

    plain = read("plain.jsonl")
    assert len(plain) == len(lines)
    assert [d[0] for d in plain] == [json.loads(l)["id"] for l in lines]
    assert read("multi.jsonl.gz") == plain
    assert read("multi.jsonl.zst") == plain


def _parquet_table() -> pa.Table:
    zh = ["早上的菜市场人来人往，摊主们忙着招呼客人。", "新开的地铁线路让通勤时间缩短了一半。",
          "小区门口的银杏树叶全黄了，很多人停下来拍照。"]
    en = ["The museum is free on the first Sunday of every month.",
          "Heavy snow closed the mountain road for two days.",
          "A local choir will sing at the train station on Friday evening."]
    n = 23
    texts = [f"{(zh + en)[i % 6]} ({i})" for i in range(n)]
    texts[7] = None  # a row without text
    ids = [f"p{i:02d}" for i in range(n)]
    ids[3] = ids[11] = None
    return pa.table({
        "id": pa.array(ids, pa.string()),
        "text": pa.array(texts, pa.string()),
        "url": [f"https://例子.example/文章/{i}" for i in range(n)],
        "score": [i / 4 for i in range(n)],
        "tags": [["新闻", f"t{i % 3}"] if i % 2 else [] for i in range(n)],
        "info": pa.array([{"author": ["张三", "Li Lei"][i % 2], "year": 2000 + i} for i in range(n)],
                         pa.struct([("author", pa.string()), ("year", pa.int64())])),
    })


@pytest.mark.parametrize("chunk", ["one-per-row-group", "two-row-groups", "whole-file"])
def test_parquet_every_row_once_with_its_columns_in_meta(tmp_path, chunk):
    table = _parquet_table()
    path = tmp_path / "rows.parquet"
    pq.write_table(table, path, row_group_size=5)
    metadata = pq.ParquetFile(path).metadata
    assert metadata.num_row_groups == 5
    chunk_bytes = {"one-per-row-group": 1,
                   "two-row-groups": metadata.row_group(0).total_byte_size + metadata.row_group(1).total_byte_size,
                   "whole-file": 1 << 30}[chunk]
    units, items = read_all([path], chunk_bytes=chunk_bytes)
    if chunk == "one-per-row-group":
        assert [(u.start, u.end) for u in units] == [(i, i + 1) for i in range(5)]
    elif chunk == "two-row-groups":
        assert 2 <= len(units) < 5
    else:
        assert len(units) == 1
    # The units' row-group ranges tile the file.
    assert units[0].start == 0 and all(a.end == b.start for a, b in zip(units, units[1:]))

    rows = table.to_pylist()
    assert len(items) == len(rows) == 23
    for i, (row, item) in enumerate(zip(rows, items)):
        if row["text"] is None:
            assert isinstance(item, Quarantined) and item.offset == i and "text" in item.error
            continue
        assert isinstance(item, Document), item
        assert item.text == row["text"]
        assert item.source == "rows.parquet"
        if row["id"] is not None:
            assert item.id == row["id"]
        assert json.loads(item.meta) == {"url": row["url"], "score": row["score"], "tags": row["tags"],
                                         "info": row["info"]}
    ids = [d.id for d in docs_of(items)]
    assert len(set(ids)) == len(ids) == 22


def test_text_and_markdown_files_are_one_document_each(tmp_path):
    content = ("社区通知\n\n本周六上午九点在小区广场举行义诊，欢迎居民参加。\n\n"
               "Notice: a free health check will be held in the square on Saturday at nine.\n")
    (tmp_path / "notice.txt").write_text(content, encoding="utf-8")
    (tmp_path / "readme.md").write_text("# 标题\n\n- 第一项\n- second item\n", encoding="utf-8")
    units, items = read_all([tmp_path])
    assert len(units) == 2 and len(items) == 2
    # Found through their folder, the files are named relative to it, folder name first.
    by_source = {d.source: d for d in items}
    assert by_source[f"{tmp_path.name}/notice.txt"].text == content
    assert by_source[f"{tmp_path.name}/readme.md"].text == "# 标题\n\n- 第一项\n- second item\n"
    assert all(d.id for d in items)


HTML_PAGE = """<!DOCTYPE html><html><head><meta charset="{charset}"><title>社区图书馆夜间开放</title></head>
<body><nav><a href="/">首页</a> | <a href="/news">新闻</a> | <a href="/sports">体育</a></nav>
<article><h1>社区图书馆夜间开放</h1>
<p>城东街道社区图书馆自10月起试行夜间开放，每天延长至晚上十点，夜间读者日均超过三百人次。</p>
<p>The library now stays open until ten in the evening &amp; readers keep coming.</p></article>
<footer>版权所有 晨星网</footer></body></html>"""


def test_html_files_are_one_document_each_with_the_title_in_meta(tmp_path):
    (tmp_path / "a.html").write_text(HTML_PAGE.format(charset="utf-8"), encoding="utf-8")
    (tmp_path / "b.htm").write_bytes(HTML_PAGE.format(charset="gbk").encode("gbk"))  # decoded by its meta
    units, items = read_all([tmp_path])
    assert [u.format for u in units] == ["html", "html"] and len(items) == 2
    for doc in items:
        assert "城东街道社区图书馆自10月起试行夜间开放" in doc.text
        assert "readers keep coming" in doc.text and "&amp;" not in doc.text
        assert json.loads(doc.meta) == {"title": "社区图书馆夜间开放"}
        assert "体育" not in doc.text  # the menu goes with the main-content extraction
    assert {d.id for d in items} == {f"{tmp_path.name}/a.html", f"{tmp_path.name}/b.htm"}  # as text files name them
    _, everything = read_all([tmp_path / "a.html"], options=ReaderOptions(html_extractor="full_page"))
    assert "体育" in everything[0].text  # all the page's text when asked


def test_a_records_html_field_becomes_its_text_and_its_title_joins_meta(tmp_path):
    page = HTML_PAGE.format(charset="utf-8")
    records = [{"id": "p1", "html": page, "url": "http://news.example.cn/a.html"},
               {"id": "p2", "html": page, "title": "编辑给的标题"},     # a title of its own stays
               {"id": "p3", "text": "没有网页的记录，照常读取它的文本字段。"},  # no HTML field: the text fields
               {"id": "p4", "html": ["not", "a", "string"]},
               {"id": "p5", "html": page, "title": None}, {"id": "p6", "html": page, "title": ""}]  # no title
    (tmp_path / "pages.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                          encoding="utf-8")
    _, items = read_all([tmp_path], options=ReaderOptions(html_field="html"))
    docs = {d.id: d for d in docs_of(items)}
    assert "城东街道社区图书馆自10月起试行夜间开放" in docs["p1"].text and "体育" not in docs["p1"].text
    assert json.loads(docs["p1"].meta) == {"url": "http://news.example.cn/a.html", "title": "社区图书馆夜间开放"}
    assert json.loads(docs["p2"].meta) == {"title": "编辑给的标题"}
    assert json.loads(docs["p5"].meta) == json.loads(docs["p6"].meta) == {"title": "社区图书馆夜间开放"}
    assert docs["p3"].text == "没有网页的记录，照常读取它的文本字段。"
    [bad] = [i for i in items if isinstance(i, Quarantined)]
    assert "'html' is list, not a string" in bad.error


def test_the_html_field_flag_reaches_the_reader(tmp_path):
    record = {"id": "p1", "html": HTML_PAGE.format(charset="utf-8")}
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "pages.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    result = cli("clean", str(tmp_path / "in"), "--output", str(tmp_path / "out"), "--html-field", "html",
                 "--workers", "1")
    assert result.returncode == 0, result.stderr
    rows = read_rows(tmp_path / "out" / "kept") + read_rows(tmp_path / "out" / "rejected")
    assert len(rows) == 1 and "城东街道社区图书馆" in rows[0]["text"] and "<p>" not in rows[0]["text"]
    assert json.loads(rows[0]["meta"])["title"] == "社区图书馆夜间开放"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_json_lines_in_utf16_are_named_as_such_not_as_a_binary_file(tmp_path, encoding):
    """Windows tools save text as UTF-16, with or without a byte order mark; JSON lines are not
    read in it, and the quarantine record says what the file is and how to convert it."""
    lines = "".join(json.dumps({"id": f"u{i}", "text": f"第{i}条。" + _BODY}, ensure_ascii=False) + "\n"
                    for i in range(20))
    (tmp_path / "wide.jsonl").write_bytes(lines.encode(encoding))
    _, items = read_all([tmp_path / "wide.jsonl"])
    [bad] = items
    name = encoding.upper().replace("16-", "16")  # without a byte order mark, the byte order named
    assert f"{name} text named as JSON lines" in bad.error and f"iconv -f {name} -t UTF-8" in bad.error
    assert (tmp_path / "wide.jsonl").read_bytes().decode(name).startswith('{"id": "u0"')


def test_an_html_file_that_is_binary_is_quarantined(tmp_path):
    (tmp_path / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _, items = read_all([tmp_path])
    assert len(items) == 1 and isinstance(items[0], Quarantined)
    assert "binary" in items[0].error and items[0].raw.startswith(b"\x89PNG")


NOTICE = ('<html><head><meta charset="{charset}"><title>{title}</title></head><body><p>{body}</p>'
          '<p>Office closed on Monday.</p></body></html>')
PAGES = {  # a page short enough that the bytes alone do not tell its encoding
    "gbk": ("放假通知", "国庆节放假七天，十月八日照常上班。"),
    "euc-kr": ("뉴스", "이것은 한국어 뉴스 페이지입니다. 오늘 서울의 날씨는 맑습니다."),
    "big5": ("停課通知", "颱風來襲，明日全市停課一天。"),
}


@pytest.mark.parametrize("charset", sorted(PAGES))
def test_an_html_page_is_decoded_by_its_own_meta_charset(tmp_path, charset):
    title, body = PAGES[charset]
    (tmp_path / "page.html").write_bytes(NOTICE.format(charset=charset, title=title, body=body).encode(charset))
    _, (doc,) = read_all([tmp_path])
    assert body in doc.text and json.loads(doc.meta) == {"title": title}


def test_a_utf8_page_that_keeps_the_meta_charset_of_its_origin_is_read_as_utf8(tmp_path):
    title, body = PAGES["gbk"]
    (tmp_path / "saved.html").write_bytes(NOTICE.format(charset="gb2312", title=title, body=body).encode("utf-8"))
    _, (doc,) = read_all([tmp_path])
    assert body in doc.text


@pytest.mark.parametrize("declared", ["utf-8", "iso-8859-1"])
def test_a_declared_charset_that_does_not_fit_the_body_gives_way_to_the_pages_own(tmp_path, declared):
    """A server that sends every page as UTF-8, or as ISO-8859-1 (which decodes any bytes), over a
    GBK page: the page's meta charset decodes it; a page really in ISO-8859-1 stays in it."""
    title, body = PAGES["gbk"]
    gbk_page = NOTICE.format(charset="gbk", title=title, body=body).encode("gbk")
    french = "<html><body><p>Fermé lundi : la bibliothèque rouvre mardi à neuf heures.</p></body></html>"
    records = [warc_record("response", 1, http_response(f"text/html; charset={declared}", gbk_page), RESP),
               warc_record("response", 2, http_response("text/html; charset=iso-8859-1", french.encode("latin-1")), RESP)]
    (tmp_path / "pages.warc").write_bytes(b"".join(records))
    _, (gbk_doc, french_doc) = read_all([tmp_path])
    assert body in gbk_doc.text
    assert "Fermé lundi : la bibliothèque rouvre mardi à neuf heures." in french_doc.text


def test_a_page_that_lies_about_its_charset_everywhere_is_read_in_the_one_its_bytes_are_in():
    """Header and meta both say UTF-8 over GBK bytes: the detected charset decodes the page."""
    from datacleaning.readers.page import decoded_page

    title, body = PAGES["gbk"]
    data = NOTICE.format(charset="utf-8", title=title, body=body).encode("gbk")
    assert body in decoded_page(data, "utf-8")


def test_a_stray_byte_costs_one_replacement_character_not_the_whole_page():
    """No charset decodes a GBK page with one stray byte whole: it is read in its own charset
    with that byte replaced, not as windows-1252 mojibake from end to end."""
    from datacleaning.readers.page import decoded_page

    title, body = PAGES["gbk"]
    data = NOTICE.format(charset="gbk", title=title, body=body).encode("gbk")
    stray = data.replace("七天".encode("gbk"), "七天".encode("gbk") + b"\x80")
    for declared in (None, "gbk"):
        text = decoded_page(stray, declared)
        assert "国庆节放假七天\ufffd，十月八日照常上班。" in text


def test_a_utf16_html_file_with_its_byte_order_mark_is_read_not_called_binary(tmp_path):
    page = "<html><head><title>记事本</title></head><body><p>这是一个以UTF-16编码保存的网页，Windows 记事本常这样保存。</p></body></html>"
    (tmp_path / "notepad.html").write_bytes(page.encode("utf-16"))
    _, (doc,) = read_all([tmp_path])
    assert "这是一个以UTF-16编码保存的网页" in doc.text


def test_warc_records_that_are_no_page_of_text_are_skipped_or_quarantined_by_what_they_are(tmp_path):
    """Error pages and redirects, wget's own log stored as a resource, and a binary body labelled
    text/html are not documents; a page with no Content-Type, and a gzip body the crawler cut short,
    are."""
    article = HTML_EN.encode()
    long_page = HTML_ZH.replace("</article>", "<p>" + "馆长表示，夜间开放期间还会举办读书分享会。" * 200 + "</p></article>")
    cut_gzip = gzip.compress(long_page.encode())[:1500]
    records = [
        warc_record("response", 1, b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n" + article, RESP, "http://a.example/gone"),
        warc_record("response", 2, b"HTTP/1.1 301 Moved\r\nLocation: /b\r\nContent-Type: text/html\r\n\r\n" + article, RESP, "http://a.example/"),
        warc_record("resource", 3, b"Total wall clock time: 11s\nDownloaded: 15 files\n", "text/plain",
                     "metadata://gnu.org/software/wget/warc/wget.log"),
        warc_record("response", 4, http_response("text/html", bytes(range(256)) * 4), RESP, "http://a.example/blob"),
        warc_record("response", 5, b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\n\n  " + article, RESP, "http://a.example/untyped"),
        warc_record("response", 6, b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                                   b"Content-Encoding: gzip\r\n\r\n" + cut_gzip, RESP, "http://a.example/cut"),
        warc_record("response", 7, b"HTTP/1.1 200 OK\r\n\r\n<!-- saved from url=(0024)http://a.example/ -->\n"
                                   b"<!-- a second comment -->" + article, RESP, "http://a.example/saved"),
    ]
    (tmp_path / "odd.warc").write_bytes(b"".join(records))
    _, items = read_all([tmp_path])
    assert sorted(i.reason for i in items if isinstance(i, SkippedRecord)) == [
        "HTTP 3xx response", "HTTP 4xx response", "warc resource about the crawl itself (metadata: URI)"]
    [binary] = [i for i in items if isinstance(i, Quarantined)]
    assert "binary content (NUL byte) in a text/html record" in binary.error
    untyped, cut, commented = docs_of(items)
    for page in (untyped, commented):  # a page may open with comments before its <html>
        assert "Reading groups and family story time" in page.text and json.loads(page.meta)["content_type"] == "text/html"
    assert "从下个月起，市图书馆将在每周五和周六晚上开放到十点" in cut.text and "\x1f" not in cut.text


# --------------------------------------------------------------------------------------------
# Discovery: folders, hidden entries, globs, missing inputs
# --------------------------------------------------------------------------------------------

def _tree(root: Path) -> None:
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".cache").mkdir()
    _write_jsonl(root / "a.jsonl", [{"id": "a1", "text": "根目录的第一条。"}, {"id": "a2", "text": "Second at the root."}])
    (root / "sub" / "b.jsonl.gz").write_bytes(gzip.compress(_rec("压缩文件里的一条。", "b1") + b"\n"))
    (root / "sub" / "deeper" / "c.txt").write_text("最深一层的文本文件。", encoding="utf-8")
    _write_jsonl(root / ".hidden.jsonl", [{"id": "h1", "text": "hidden file"}])
    _write_jsonl(root / ".cache" / "d.jsonl", [{"id": "h2", "text": "inside a hidden folder"}])
    (root / "sub" / ".e.txt").write_text("hidden text file", encoding="utf-8")


def test_folders_are_walked_recursively_and_hidden_entries_skipped(tmp_path):
    _tree(tmp_path / "in")
    found = discover([tmp_path / "in"]).files
    root = tmp_path / "in"
    assert [f.path for f in found] == [str(root / "a.jsonl"), str(root / "sub" / "b.jsonl.gz"),
                                        str(root / "sub" / "deeper" / "c.txt")]
    assert [f.format for f in found] == ["jsonl", "jsonl.gz", "text"]
    assert [f.size for f in found] == [p.stat().st_size for p in (root / "a.jsonl", root / "sub" / "b.jsonl.gz",
                                                                   root / "sub" / "deeper" / "c.txt")]
    _, items = read_all([root])
    assert sorted(d.text for d in items) == sorted(["根目录的第一条。", "Second at the root.", "压缩文件里的一条。",
                                                    "最深一层的文本文件。"])
    # The same file named twice (directly and through its folder) is read once.
    assert [f.path for f in discover([root / "a.jsonl", root]).files] == [f.path for f in found]
    # And a folder given again through a link to it: its files once, by the first path given.
    (tmp_path / "link").symlink_to(root)
    assert [f.path for f in discover([root, tmp_path / "link"]).files] == [f.path for f in found]


def test_files_of_one_name_from_two_folders_are_told_apart(tmp_path):
    """Dumps of one layout name their files alike (part-0.jsonl in every day's folder): given one
    by one, each was named part-0.jsonl, so their sources merged into one and their documents'
    ids were told apart only by a renaming suffix. Each is named by as much of its path as tells
    it apart; a file of a name of its own keeps it."""
    for day in ("2024-01-01", "2024-01-02"):
        (tmp_path / day).mkdir()
        _write_jsonl(tmp_path / day / "part-0.jsonl", [{"text": f"{day} 的第一条记录。"}])
    _write_jsonl(tmp_path / "other.jsonl", [{"text": "另一个文件。"}])
    inputs = [tmp_path / "2024-01-01" / "part-0.jsonl", tmp_path / "2024-01-02" / "part-0.jsonl",
              tmp_path / "other.jsonl"]
    assert [f.name for f in discover(inputs).files] == ["2024-01-01/part-0.jsonl", "2024-01-02/part-0.jsonl",
                                                        "other.jsonl"]
    _, items = read_all(inputs)
    assert sorted((d.source, d.id) for d in docs_of(items)) == [
        ("2024-01-01/part-0.jsonl", "2024-01-01/part-0.jsonl:0"),
        ("2024-01-02/part-0.jsonl", "2024-01-02/part-0.jsonl:0"), ("other.jsonl", "other.jsonl:0")]
    # Told apart from every other name too: a folder walked names its file data/part.jsonl.
    for folder in ("r/data", "r/other", "s/data"):
        (tmp_path / folder).mkdir(parents=True)
        _write_jsonl(tmp_path / folder / "part.jsonl", [{"text": f"{folder} 里的记录。"}])
    found = discover([tmp_path / "r" / "data" / "part.jsonl", tmp_path / "r" / "other" / "part.jsonl",
                      tmp_path / "s" / "data"])
    assert sorted(f.name for f in found.files) == ["data/part.jsonl", "r/data/part.jsonl", "r/other/part.jsonl"]
    assert found.renamed == {str(tmp_path / "r" / d / "part.jsonl"): f"r/{d}/part.jsonl" for d in ("data", "other")}


def test_a_file_and_a_link_to_it_in_one_folder_are_read_once_under_the_files_own_name(tmp_path):
    """The link sorts first ("alias" < "real") but the file is read by its own path; the link is
    counted and named as skipped, not left out unseen."""
    root = tmp_path / "in"
    root.mkdir()
    _write_jsonl(root / "real.jsonl", [{"id": "r1", "text": "只读一次的记录。"}])
    (root / "alias.jsonl").symlink_to("real.jsonl")
    found = discover([root])
    assert [f.path for f in found.files] == [str(root / "real.jsonl")]
    assert found.skipped == {"the same file as another input": [str(root / "alias.jsonl")]}


def test_glob_patterns(tmp_path):
    _tree(tmp_path / "in")
    root = tmp_path / "in"
    assert [f.path for f in discover([str(root / "**" / "*.jsonl*")]).files] == [
        str(root / "a.jsonl"), str(root / "sub" / "b.jsonl.gz")]
    # A pattern matching a folder walks it.
    assert [f.path for f in discover([str(root / "s*")]).files] == [
        str(root / "sub" / "b.jsonl.gz"), str(root / "sub" / "deeper" / "c.txt")]


def test_nonexistent_input_is_a_clear_error(tmp_path, clean_run):
    missing = tmp_path / "no-such-dump.jsonl"
    with pytest.raises(FileNotFoundError, match="no-such-dump.jsonl"):
        discover([missing])
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        discover([str(tmp_path / "nothing-here" / "*.jsonl")])
    with pytest.raises(FileNotFoundError):
        clean_run([missing])
    assert not (tmp_path / "out").exists()
    good = _write_jsonl(tmp_path / "good.jsonl", [{"text": "一条正常的记录。"}])
    proc = subprocess.run([sys.executable, "-m", "datacleaning.cli", "clean", str(good), str(missing),
                           "--output", str(tmp_path / "cli-out"), "--no-progress"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "no-such-dump.jsonl" in proc.stderr and "not found" in proc.stderr
    assert not (tmp_path / "cli-out").exists()


def test_an_input_folder_with_no_file_is_a_clear_error(tmp_path):
    """An empty folder, or one holding only hidden entries, would make a run that reads nothing."""
    (tmp_path / "dumps" / "2024" / ".cache").mkdir(parents=True)
    (tmp_path / "dumps" / ".partial.jsonl").write_text('{"text": "x"}\n', encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="input folder holds no files: .*dumps"):
        discover([tmp_path / "dumps"])
    proc = subprocess.run([sys.executable, "-m", "datacleaning.cli", "clean", str(tmp_path / "dumps"),
                           "--output", str(tmp_path / "out"), "--no-progress"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "input folder holds no files" in proc.stderr
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------------------------
# WARC
# --------------------------------------------------------------------------------------------

HTML_ZH = ("<html><head><title>本地新闻</title></head><body><nav>首页 | 关于我们</nav><article>"
           "<h1>城市图书馆延长开放时间</h1><p>从下个月起，市图书馆将在每周五和周六晚上开放到十点，方便上班族借阅图书。</p>"
           "<p>馆长表示，夜间开放期间还会举办读书分享会和亲子阅读活动，欢迎市民参加。</p></article></body></html>")
HTML_EN = ("<html><body><article><h1>Library hours</h1><p>The city library will stay open until ten in the "
           "evening on Fridays and Saturdays starting next month.</p><p>Reading groups and family story time "
           "will be held during the late opening hours.</p></article></body></html>")
RESP = "application/http; msgtype=response"


def small_warc_records() -> list[bytes]:
    """warcinfo, request, GBK HTML page, PNG, English HTML page, text/plain resource, metadata."""
    return [
        warc_record("warcinfo", 1, b"software: tests\r\nformat: WARC File Format 1.0\r\n", "application/warc-fields"),
        warc_record("request", 2, b"GET /a.html HTTP/1.1\r\nHost: news.example.cn\r\n\r\n",
                     "application/http; msgtype=request", "http://news.example.cn/a.html"),
        warc_record("response", 3, http_response("text/html; charset=gbk", HTML_ZH.encode("gbk")), RESP,
                     "http://news.example.cn/a.html"),
        warc_record("response", 4, http_response("image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"), RESP,
                     "http://news.example.cn/logo.png"),
        warc_record("response", 5, http_response("text/html", HTML_EN.encode()), RESP, "http://library.example.org/"),
        warc_record("resource", 6, "Plain notes: 开放时间调整。\n".encode(), "text/plain",
                     "http://library.example.org/notes.txt"),
        warc_record("metadata", 7, b"fetchTimeMs: 120\r\n", "application/warc-fields", "http://library.example.org/"),
    ]


@pytest.mark.parametrize("name", ["small.warc", "small.warc.gz"])
def test_warc_documents_and_skipped_records(tmp_path, name):
    records = small_warc_records()
    path = tmp_path / name
    path.write_bytes(b"".join(gzip.compress(r) for r in records) if name.endswith(".gz") else b"".join(records))
    _, items = read_all([path])
    docs = docs_of(items)
    skipped = [i for i in items if isinstance(i, SkippedRecord)]
    assert not [i for i in items if isinstance(i, Quarantined)]
    assert len(docs) == 3 and len(skipped) == 4 and len(items) == len(records)
    assert [json.loads(d.meta) for d in docs] == [
        {"url": "http://news.example.cn/a.html", "warc_date": "2024-03-03T10:00:00Z", "content_type": "text/html",
         "title": "本地新闻"},  # HTML_ZH's <title>; HTML_EN has none
        {"url": "http://library.example.org/", "warc_date": "2024-03-05T10:00:00Z", "content_type": "text/html"},
        {"url": "http://library.example.org/notes.txt", "warc_date": "2024-03-06T10:00:00Z",
         "content_type": "text/plain"},
    ]
    assert [d.id for d in docs] == [f"urn:uuid:00000000-0000-4000-8000-{n:012d}" for n in (3, 5, 6)]
    assert all(d.source == name for d in docs)
    # The GBK page is decoded, its main content kept and its menu dropped.
    assert "从下个月起，市图书馆将在每周五和周六晚上开放到十点" in docs[0].text
    assert "首页" not in docs[0].text and "<p>" not in docs[0].text
    assert "Reading groups and family story time" in docs[1].text
    assert docs[2].text == "Plain notes: 开放时间调整。\n"


def _encoded_response(body: bytes, *headers: str) -> bytes:
    """A response block whose body is stored as the server sent it, under ``headers``."""
    return ("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=gbk\r\n" + "".join(h + "\r\n" for h in headers)
            + "\r\n").encode() + body


@pytest.mark.parametrize("name", ["sent.warc", "sent.warc.gz"])
def test_warc_bodies_stored_as_sent_are_decoded_and_misdescribed_ones_read_as_they_are(tmp_path, name):
    """Crawlers that keep HTTP bodies as sent leave them gzip-, deflate- or brotli-compressed and
    cut into chunks whose size lines would run into the text (here every 50 bytes, inside
    characters); a body whose headers say so but whose bytes are plain is read as it is, and
    one that would grow past 64 MB is quarantined, the records after it read."""
    page = HTML_ZH.encode("gbk")
    chunked = b"".join(b"%x\r\n" % len(page[i:i + 50]) + page[i:i + 50] + b"\r\n" for i in range(0, len(page), 50))
    raw_deflate = zlib.compressobj(wbits=-15)
    blocks = [
        _encoded_response(gzip.compress(page), "Content-Encoding: gzip"),
        _encoded_response(raw_deflate.compress(page) + raw_deflate.flush(), "Content-Encoding: deflate"),
        _encoded_response(brotli.compress(page), "Content-Encoding: br"),
        _encoded_response(chunked + b"0\r\n\r\n", "Transfer-Encoding: chunked"),
        _encoded_response(page, "Content-Encoding: gzip", "Transfer-Encoding: chunked"),
        _encoded_response(gzip.compress(b"\0" * (65 << 20)), "Content-Encoding: gzip"),
        _encoded_response(page),
    ]
    records = [warc_record("response", n + 1, block, RESP, f"http://news.example.cn/{n}") for n, block in enumerate(blocks)]
    path = tmp_path / name
    path.write_bytes(b"".join(gzip.compress(r) for r in records) if name.endswith(".gz") else b"".join(records))
    _, items = read_all([path])
    docs = docs_of(items)
    assert [json.loads(d.meta)["url"][-1] for d in docs] == ["0", "1", "2", "3", "4", "6"]
    assert all("从下个月起，市图书馆将在每周五和周六晚上开放到十点，方便上班族借阅图书。" in d.text for d in docs)
    assert all(d.text == docs[-1].text for d in docs)
    [bomb] = [i for i in items if isinstance(i, Quarantined)]
    assert "HTTP body over 64 MB once its gzip is undone" in bomb.error


@pytest.mark.parametrize("name", ["lf.warc", "lf.warc.gz"])
def test_warc_http_headers_ended_by_bare_line_feeds_are_read_as_headers(tmp_path, name):
    """Some crawlers store a response's status line and headers with bare LF line ends: the body
    is still the page (its charset and chunking read from those headers), and an error page
    stored so is still skipped, not read as a page."""
    page = HTML_ZH.encode("gbk")
    chunked = b"".join(b"%x\r\n" % len(page[i:i + 50]) + page[i:i + 50] + b"\r\n" for i in range(0, len(page), 50))
    blocks = [
        b"HTTP/1.1 200 OK\nContent-Type: text/html; charset=gbk\n\n" + page,
        b"HTTP/1.1 200 OK\nContent-Type: text/html; charset=gbk\nTransfer-Encoding: chunked\n\n" + chunked + b"0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=gbk\n\n" + page,  # mixed line ends
        b"HTTP/1.1 404 Not Found\nContent-Type: text/html\n\n<html><body><p>Not here.</p></body></html>",
    ]
    records = [warc_record("response", n + 1, block, RESP, f"http://news.example.cn/{n}") for n, block in enumerate(blocks)]
    path = tmp_path / name
    path.write_bytes(b"".join(gzip.compress(r) for r in records) if name.endswith(".gz") else b"".join(records))
    _, items = read_all([path])
    docs = docs_of(items)
    assert [json.loads(d.meta)["url"][-1] for d in docs] == ["0", "1", "2"], items
    assert all("从下个月起，市图书馆将在每周五和周六晚上开放到十点，方便上班族借阅图书。" in d.text for d in docs)
    assert all(d.text == docs[0].text for d in docs)
    [skipped] = [i for i in items if isinstance(i, SkippedRecord)]
    assert skipped.reason == "HTTP 4xx response"


@pytest.mark.parametrize("encoded", [False, True], ids=["chunked", "chunked and gzip"])
def test_a_chunked_body_the_crawler_cut_short_is_its_chunks_as_far_as_they_came(tmp_path, encoded):
    """No chunk-size line runs into the text, and a compressed body is decompressed as far as it
    came, not quarantined as binary."""
    page = ("<html><body><article>" + "".join(f"<p>第{i}段：市图书馆将在每周五和周六晚上开放到十点。</p>"
                                              for i in range(300)) + "</article></body></html>").encode("gbk")
    body = gzip.compress(page) if encoded else page
    chunks = b"".join(b"%x\r\n" % len(body[i:i + 200]) + body[i:i + 200] + b"\r\n" for i in range(0, len(body), 200))
    headers = ["Transfer-Encoding: chunked"] + (["Content-Encoding: gzip"] if encoded else [])
    block = _encoded_response(chunks[: len(chunks) * 2 // 3], *headers)
    (tmp_path / "cut.warc").write_bytes(warc_record("response", 1, block, RESP, "http://news.example.cn/cut"))
    _, (doc,) = read_all([tmp_path])
    assert "第1段：市图书馆将在每周五和周六晚上开放到十点。" in doc.text
    assert "\nc8\n" not in doc.text and "c8\r" not in doc.text


def test_warc_skipped_records_are_counted_by_the_clean_stage(tmp_path, clean_run):
    path = tmp_path / "small.warc.gz"
    path.write_bytes(b"".join(gzip.compress(r) for r in small_warc_records()))
    run = clean_run([path])
    assert run.stats["status"] == "complete"
    run.assert_totals(3)
    assert sum(run.stats["skipped_records"].values()) == 4
    assert sorted(json.loads(r["meta"])["url"] for r in run.kept + run.rejected) == [
        "http://library.example.org/", "http://library.example.org/notes.txt", "http://news.example.cn/a.html"]


def _layout_options(name: str) -> ReaderOptions:
    from datacleaning.config import load_config
    from helpers import REPO_ROOT
    return ReaderOptions.of(load_config(REPO_ROOT / "configs" / "layouts" / f"{name}.toml").input)


_BODY = "居民消费价格指数是反映居民家庭购买的消费品和服务价格水平变动情况的宏观经济指标。"


def test_json_lines_named_json_whose_first_line_is_cut_are_read_line_by_line(tmp_path):
    """Baidu Baike's and WeChat's dumps are JSON lines named .json: a first line cut short (a
    download that stopped, then resumed) once made the whole file one quarantined "value"."""
    good = [json.dumps({"title": f"词条{i}", "summary": _BODY}, ensure_ascii=False) for i in range(3)]
    (tmp_path / "baike.json").write_text('{"title": "截断的词条", "summary": "下载中断\n' + "\n".join(good) + "\n",
                                         encoding="utf-8")
    _, items = read_all([tmp_path / "baike.json"], options=_layout_options("baidu_baike"))
    assert [d.text.split("\n")[0] for d in docs_of(items)] == ["词条0", "词条1", "词条2"]
    [bad] = [i for i in items if isinstance(i, Quarantined)]
    assert bad.offset == 0 and bad.raw.startswith('{"title": "截断的词条"'.encode())
    # A pretty-printed object is still one value: what it nests is indented.
    (tmp_path / "pretty.json").write_text(json.dumps({"id": "p", "text": _BODY, "tags": [{"a": 1}]}, indent=2,
                                                     ensure_ascii=False), encoding="utf-8")
    _, pretty = read_all([tmp_path / "pretty.json"])
    assert [d.id for d in docs_of(pretty)] == ["p"]


def test_a_record_nested_past_what_orjson_writes_is_quarantined_alone(tmp_path):
    """600 levels: orjson reads them and cannot write them back (254); Python would recurse past
    its limit walking them. Each such record is quarantined alone, the records after it read:
    the unit once ended there, its later records lost with nothing said."""
    deep = '{"title": "嵌套", "content": "正文", "extra": ' + "[" * 600 + "]" * 600 + "}"
    lines = [json.dumps({"title": f"第{i}篇", "content": _BODY}, ensure_ascii=False) for i in range(3)]
    (tmp_path / "wechat.jsonl").write_text("\n".join([lines[0], deep, lines[1], lines[2]]) + "\n", encoding="utf-8")
    _, items = read_all([tmp_path / "wechat.jsonl"], options=_layout_options("wechat"))
    # The layout keeps none of "extra": the record is whole, and read.
    assert [d.text.split("\n")[0] for d in docs_of(items)] == ["第0篇", "嵌套", "第1篇", "第2篇"]
    _, as_meta = read_all([tmp_path / "wechat.jsonl"], options=ReaderOptions(text_fields=("content",)))
    assert len(docs_of(as_meta)) == 3  # "extra" kept in meta, which cannot be written: that record alone goes
    [bad] = [i for i in as_meta if isinstance(i, Quarantined)]
    assert bad.raw.rstrip(b"\n") == deep.encode()
    array = [json.dumps({"id": 0, "title": "第0篇", "content": _BODY}, ensure_ascii=False),
             '{"id": ' + "[" * 300 + "]" * 300 + ', "title": "坏", "content": "正文"}',
             json.dumps({"id": 2, "title": "第2篇", "content": _BODY}, ensure_ascii=False)]
    (tmp_path / "part-1.json").write_text("[" + ",".join(array) + "]", encoding="utf-8")
    _, from_array = read_all([tmp_path / "part-1.json"], options=_layout_options("wudao"))
    assert len(docs_of(from_array)) == 2 and [i.error[:12] for i in from_array if isinstance(i, Quarantined)] == [
        "array item 1"]


def test_a_compressed_json_array_cut_short_keeps_the_items_decoded_before_the_cut(tmp_path):
    items = [{"id": f"w{i}", "text": f"第{i}篇。" + _BODY[i % 7:] + str(i * 7919)} for i in range(400)]
    data = json.dumps(items, ensure_ascii=False).encode()
    (tmp_path / "cut.json.gz").write_bytes(gzip.compress(data)[:len(gzip.compress(data)) // 2])
    decoded = zlib.decompressobj(31).decompress((tmp_path / "cut.json.gz").read_bytes()).decode("utf-8", "ignore")
    decoder, position, whole = json.JSONDecoder(), 1, 0
    while True:  # the items decoded whole before the cut
        try:
            _, position = decoder.raw_decode(decoded, position)
        except ValueError:
            break
        whole, position = whole + 1, position + 2  # past ", "
    _, read = read_all([tmp_path / "cut.json.gz"])
    assert [d.id for d in docs_of(read)] == [f"w{i}" for i in range(whole)] and whole > 10
    errors = [i.error for i in read if isinstance(i, Quarantined)]
    assert any("gz stream" in e for e in errors) and any("the file ends inside it" in e for e in errors)


def test_a_gzip_member_that_fails_its_checksum_is_reported_as_possibly_corrupt_text(tmp_path):
    """Deflate checks its data only at the member's end, so a byte damaged on disk can decode to
    other characters without an error (a helper's probe read 百度外卐 for 百度外卖): the
    quarantine record says the records read from the member may hold corrupt text, not only that
    the stream does not decode."""
    records = [{"id": f"r{i}", "text": f"第{i}条评论：" + _BODY} for i in range(50)]
    data = bytearray(gzip.compress("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode(),
                                   compresslevel=0))  # stored blocks: the text's bytes as they are
    data[len(data) // 2] ^= 0x01
    (tmp_path / "flipped.jsonl.gz").write_bytes(bytes(data))
    _, items = read_all([tmp_path / "flipped.jsonl.gz"])
    assert len(docs_of(items)) >= 40
    [fault] = [i for i in items if isinstance(i, Quarantined) and "gz stream" in i.error]
    assert "fails the checksum" in fault.error and "may hold corrupt text" in fault.error


def test_pretty_printed_objects_one_after_another_are_each_a_document(tmp_path):
    """What ``jq .`` writes of a file of records: each object pretty-printed, one after another,
    no array around them. Each is a document (the file was one quarantine row for all of them);
    a broken one is quarantined up to the next object."""
    records = [{"id": f"p{i}", "text": f"第{i}篇。" + _BODY, "meta": {"likes": i}} for i in range(6)]
    pretty = [json.dumps(r, ensure_ascii=False, indent=2) + "\n" for r in records]
    (tmp_path / "jq.json").write_text("".join(pretty), encoding="utf-8")
    _, items = read_all([tmp_path / "jq.json"])
    assert [(d.id, d.text) for d in docs_of(items)] == [(r["id"], r["text"]) for r in records]
    assert not [i for i in items if isinstance(i, Quarantined)]
    pretty[2] = pretty[2].replace('"text": "', '"text": "unterminated', 1).replace('",\n  "meta"', '\n  "meta"', 1)
    (tmp_path / "jq.json").write_text("".join(pretty), encoding="utf-8")
    _, items = read_all([tmp_path / "jq.json"])
    assert [d.id for d in docs_of(items)] == ["p0", "p1", "p3", "p4", "p5"]
    [bad] = [i for i in items if isinstance(i, Quarantined)]
    assert bad.error.startswith("value 2: invalid JSON") and bad.raw.decode() == pretty[2]


def test_pretty_printed_objects_read_one_by_one_whatever_is_broken(tmp_path):
    """The first object broken, a stream cut short, bytes that are not UTF-8 in one object: the
    others are read, and only the bad one is quarantined (the first case made the whole file one
    quarantine row, the second lost every object, the third kept U+FFFD in the text)."""
    records = [{"id": f"p{i}", "text": f"第{i}篇。" + _BODY} for i in range(5)]
    pretty = [(json.dumps(r, ensure_ascii=False, indent=2) + "\n").encode() for r in records]
    broken_first = [pretty[0].replace(b'",\n  "text"', b'\n  "text"', 1)] + pretty[1:]
    (tmp_path / "first.json").write_bytes(b"".join(broken_first))
    whole = gzip.compress(b"".join(pretty))
    three = len(b"".join(pretty[:3]))  # cut where three objects have come out whole, not four
    cut = next(whole[:n] for n in range(len(whole)) if len(zlib.decompressobj(31).decompress(whole[:n])) > three)
    (tmp_path / "cut.json.gz").write_bytes(cut)
    (tmp_path / "bytes.json").write_bytes(b"".join(pretty[:2] + [pretty[2].replace("篇".encode(), b"\xff\xfe")]
                                                  + pretty[3:]))
    for name, good, bad in (("first.json", ["p1", "p2", "p3", "p4"], 1), ("bytes.json", ["p0", "p1", "p3", "p4"], 1)):
        _, items = read_all([tmp_path / name])
        assert [d.id for d in docs_of(items)] == good, name
        assert len([i for i in items if isinstance(i, Quarantined)]) == bad, name
    _, items = read_all([tmp_path / "cut.json.gz"])
    assert [d.id for d in docs_of(items)] == ["p0", "p1", "p2"]
    assert any("truncated" in i.error for i in items if isinstance(i, Quarantined))


def test_an_object_nested_in_a_broken_array_item_is_not_taken_for_an_item(tmp_path):
    notes = ('[\n{"note_id": "n1", "title": "上海本帮菜探店", "desc": "红烧肉肥而不腻，浓油赤酱。"},\n'
             '{"note_id": "n2", "title": "自然博物馆" "desc": "恐龙骨架超级震撼。", "comments": [{"user": "甲"}, '
             '{"user": "乙", "title": "评论标题", "desc": "这是评论区里的一条评论。"}]},\n'
             '{"note_id": "n3", "title": "周末爬山", "desc": "山顶的风景非常漂亮。"}\n]\n')
    (tmp_path / "notes.json").write_text(notes, encoding="utf-8")
    _, items = read_all([tmp_path / "notes.json"], options=_layout_options("xiaohongshu"))
    assert [d.id for d in docs_of(items)] == ["n1", "n3"]
    [bad] = [i for i in items if isinstance(i, Quarantined)]
    assert "array item 1" in bad.error and "评论标题".encode() in bad.raw


def test_a_null_body_is_an_absent_part_and_numbers_are_written_as_json_writes_them(tmp_path):
    title = "618值得买的十款好物清单，看完再下单不踩坑"
    posts = [{"article_id": "a1", "article_title": title, "article_filter_content": None},
             {"article_id": "a2", "article_title": title, "article_filter_content": ""},
             {"article_id": "a3", "article_title": title}]
    (tmp_path / "smzdm.jsonl").write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts),
                                          encoding="utf-8")
    _, items = read_all([tmp_path / "smzdm.jsonl"], options=_layout_options("smzdm"))
    assert [(d.id, d.text) for d in docs_of(items)] == [("a1", title), ("a2", title), ("a3", title)]
    (tmp_path / "wechat.jsonl").write_text(json.dumps({"title": "标题", "content": True}, ensure_ascii=False) + "\n"
                                           + json.dumps({"title": "标题", "content": 12345}) + "\n", encoding="utf-8")
    _, wechat = read_all([tmp_path / "wechat.jsonl"], options=_layout_options("wechat"))
    assert [d.text for d in docs_of(wechat)] == ["标题\n\ntrue", "标题\n\n12345"]


def test_an_array_with_bytes_after_it_keeps_its_last_item(tmp_path):
    (tmp_path / "trailing.json").write_text('[{"id":"t1","text":"one"},{"id":"t2","text":"two"}]\nGARBAGE\n')
    _, items = read_all([tmp_path / "trailing.json"])
    assert [d.id for d in docs_of(items)] == ["t1", "t2"]
    [bad] = [i for i in items if isinstance(i, Quarantined)]
    assert bad.raw.strip() == b"GARBAGE"


def test_a_pretty_printed_value_nesting_an_object_on_a_line_of_its_own_is_one_value(tmp_path):
    with open(tmp_path / "indent0.json", "w", encoding="utf-8") as f:
        json.dump({"id": "z", "text": "hello world", "tags": [{"a": 1}, {}]}, f, indent=0)
    (tmp_path / "nested.json").write_text('{"id": "a1", "text": "A good document about rain.", "meta":\n'
                                          '{"source_site": "x"}\n}\n')
    _, items = read_all([tmp_path / "indent0.json", tmp_path / "nested.json"])
    assert [(d.id, d.text) for d in items] == [("z", "hello world"), ("a1", "A good document about rain.")]


def test_a_cut_compressed_array_with_a_lone_surrogate_escape_is_read(tmp_path):
    items = [{"id": f"s{i}", "text": f"第{i}篇。" + _BODY[i % 7:] + str(i * 7919)} for i in range(200)]
    data = json.dumps(items, ensure_ascii=False).replace("第3篇", "第3篇\\ud83d", 1).encode()
    compressed = gzip.compress(data)
    (tmp_path / "cut.json.gz").write_bytes(compressed[:len(compressed) * 3 // 4])
    _, read = read_all([tmp_path / "cut.json.gz"])
    [third] = [d for d in docs_of(read) if d.id == "s3"]
    assert "\ufffd" in third.text and "\ud83d" not in third.text
    third.text.encode("utf-8")  # what a shard writes


def test_a_broken_item_nesting_a_list_of_many_objects_is_quarantined_whole(tmp_path):
    comments = ", ".join(json.dumps({"user": f"u{k}", "title": "评论", "desc": "评论区里的一条评论。"},
                                    ensure_ascii=False) for k in range(5))
    notes = ('[\n{"note_id": "n1", "title": "上海本帮菜", "desc": "红烧肉肥而不腻。"},\n'
             '{"note_id": "n2", "title": "博物馆" "desc": "恐龙骨架超级震撼。", "comments": [' + comments + ']},\n'
             '{"note_id": "n3", "title": "周末爬山", "desc": "山顶的风景非常漂亮。"}\n]\n')
    (tmp_path / "notes.json").write_text(notes, encoding="utf-8")
    _, items = read_all([tmp_path / "notes.json"], options=_layout_options("xiaohongshu"))
    assert [d.id for d in docs_of(items)] == ["n1", "n3"]
    [bad] = [i for i in items if isinstance(i, Quarantined)]
    assert "array item 1" in bad.error and b'"u4"' in bad.raw


def test_typed_columns_in_a_composed_text_are_written_as_their_values(tmp_path):
    import datetime
    import decimal
    table = pa.table({"title": ["价格公告"], "day": [datetime.date(2024, 3, 1)],
                      "price": pa.array([decimal.Decimal("12.50")], pa.decimal128(5, 2)), "sold_out": [True]})
    pq.write_table(table, tmp_path / "posts.parquet")
    options = ReaderOptions(text_parts=("title", "day", "price", "sold_out"))
    _, items = read_all([tmp_path / "posts.parquet"], options=options)
    assert [d.text for d in docs_of(items)] == ["价格公告\n\n2024-03-01\n\n12.50\n\ntrue"]


def test_an_item_nested_as_deep_as_python_parses_is_quarantined_alone_in_a_recovered_array(tmp_path):
    """900 levels: Python's json parses the item, and walking it for lone surrogates then runs
    out of recursion; the item is quarantined and the items after it are read (reading stopped
    there, losing them)."""
    deep = '{"id": "deep", "text": "x", "m": ' + "[" * 900 + "]" * 900 + "}"
    (tmp_path / "a.json").write_text('[{"id": "a", "text": "one"}, ' + deep + ', {"id": "b", "text": "two"}, BROKEN]')
    _, items = read_all([tmp_path / "a.json"])
    assert [d.id for d in docs_of(items)] == ["a", "b"]
    assert [i.error[:12] for i in items if isinstance(i, Quarantined)] == ["array item 1", "array item 3"]


def test_json_text_keeps_big_integers_exact_and_writes_null_for_floats_that_are_not_finite():
    """Python's json module, which writes an integer past 64 bits where orjson cannot, wrote NaN
    (not JSON) where orjson writes null: a filter's NaN beside another's 96-bit value."""
    from datacleaning.readers.records import json_text
    value = {"checksum": 2 ** 70, "ratio": float("nan"), "limits": [float("inf"), 1.5]}
    assert json.loads(json_text(value), parse_constant=lambda name: pytest.fail(f"{name} is not JSON")) == \
        {"checksum": 2 ** 70, "ratio": None, "limits": [None, 1.5]}
