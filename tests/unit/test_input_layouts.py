"""Input layouts beyond JSON lines: JSON arrays and whole-JSON files, CSV/TSV, every compression,
plain text in legacy encodings, and texts composed of several fields. Files are written here from
the real documents of tests/fixtures/mixed_docs.jsonl and read through the real readers; what each
should give is derived from those documents, not from the readers."""
from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import io
import json
import lzma
import subprocess
import sys
import time
import zlib

import opencc
import pytest
import zstandard

from datacleaning.document import Document, Quarantined
from datacleaning.readers import ReaderOptions, discover, plan_units, read_unit
from datacleaning.readers.page import page_text
from helpers import EXAMPLE_CONFIG, fixture_records

RECORDS = fixture_records()
ZH = [r for r in RECORDS if r["id"].startswith("cmrc")][:4]
EN = [r for r in RECORDS if r["id"].startswith("fortunes-") and not r["id"].startswith("fortunes-zh")][:4]


def read_all(paths, options: ReaderOptions = ReaderOptions(), chunk_bytes: int = 1 << 30):
    units = plan_units(discover([str(p) for p in paths]).files, chunk_bytes)
    return [item for unit in units for item in read_unit(unit, options, lambda n: None)]


def documents(items) -> list[Document]:
    return [i for i in items if isinstance(i, Document)]


def quarantined(items) -> list[Quarantined]:
    return [i for i in items if isinstance(i, Quarantined)]


COMPRESSORS = {
    "": lambda data: data,
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
    ".zst": lambda data: zstandard.ZstdCompressor().compress(data),
}


def _jsonl(records) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)


@pytest.mark.parametrize("suffix", COMPRESSORS)
@pytest.mark.parametrize("layout", ["jsonl", "json-array", "csv", "tsv"])
def test_every_layout_reads_under_every_compression(tmp_path, layout, suffix):
    records = [{"id": r["id"], "text": r["text"], "source": r["source"]} for r in ZH + EN]
    if layout == "jsonl":
        name, data = "part.jsonl", _jsonl(records)
    elif layout == "json-array":
        name, data = "part.json", json.dumps(records, ensure_ascii=False, indent=1).encode()
    else:
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, ["id", "text", "source"], delimiter="," if layout == "csv" else "\t")
        writer.writeheader()
        writer.writerows(records)
        name, data = f"part.{layout}", buffer.getvalue().encode()
    (tmp_path / (name + suffix)).write_bytes(COMPRESSORS[suffix](data))
    items = read_all([tmp_path])
    assert not quarantined(items)
    assert [(d.id, d.text, d.source) for d in documents(items)] == [(r["id"], r["text"], r["source"]) for r in records]


def test_a_truncated_bzip2_file_keeps_the_lines_before_the_cut_and_quarantines_the_cut(tmp_path):
    records = [{**r, "id": f"{r['id']}/{copy}"} for copy in range(8) for r in RECORDS]
    data = bz2.compress(_jsonl(records), compresslevel=1)  # blocks of 100 kB: a cut leaves whole ones
    (tmp_path / "cut.jsonl.bz2").write_bytes(data[: len(data) * 3 // 4])
    items = read_all([tmp_path])
    kept = documents(items)
    assert 0 < len(kept) < len(records)
    assert [d.id for d in kept] == [r["id"] for r in records[: len(kept)]]
    assert len(quarantined(items)) == 1 and "bz2 stream" in quarantined(items)[0].error


def test_json_files_hold_lines_an_array_or_one_pretty_printed_record(tmp_path):
    (tmp_path / "lines.json").write_bytes(_jsonl(ZH[:2]))
    (tmp_path / "array.json").write_text(json.dumps([EN[0], "not a record", EN[1]], ensure_ascii=False))
    (tmp_path / "one.json").write_text(json.dumps(EN[2], ensure_ascii=False, indent=2))
    (tmp_path / "broken.json").write_text('[{"id": "a", "text": "unclosed"')
    items = read_all([tmp_path])
    by_id = {d.id: d.text for d in documents(items)}
    assert by_id == {r["id"]: r["text"] for r in [*ZH[:2], EN[0], EN[1], EN[2]]}
    errors = sorted(q.error for q in quarantined(items))
    assert len(errors) == 2
    assert errors[0].startswith("array item 0: invalid JSON") and errors[1] == "array item 1 is str, not an object"


def test_a_big_json_array_cut_into_units_is_read_once(tmp_path):
    records = [{"id": f"a{i}", "text": r["text"]} for i, r in enumerate(RECORDS)]
    path = tmp_path / "array.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    items = read_all([path], chunk_bytes=path.stat().st_size // 5)
    assert [d.id for d in documents(items)] == [r["id"] for r in records]


def test_a_csv_header_naming_a_field_twice_keeps_both_values(tmp_path):
    (tmp_path / "twice.csv").write_text(f'id,text,text\nr1,"{ZH[0]["text"]}",一条备注\n', encoding="utf-8")
    [doc] = read_all([tmp_path])
    assert doc.text == ZH[0]["text"] and json.loads(doc.meta) == {"text_2": "一条备注"}


def test_csv_rows_that_do_not_fit_the_header_are_quarantined_alone(tmp_path):
    text = ZH[0]["text"]
    (tmp_path / "reviews.csv").write_text(
        f'id,text,likes\nr1,"{text}",12\nr2,only two\nr3,"第二行\n跨行的评论, 带逗号",3\n', encoding="utf-8")
    items = read_all([tmp_path])
    assert [(d.id, d.text, json.loads(d.meta)) for d in documents(items)] == [
        ("r1", text, {"likes": "12"}), ("r3", "第二行\n跨行的评论, 带逗号", {"likes": "3"})]
    [bad] = quarantined(items)
    assert bad.raw == b"r2,only two\n" and "2 fields, the header 3" in bad.error  # the row as the file holds it


def test_a_csv_quote_the_file_ends_inside_is_quarantined_not_one_row_of_the_rest(tmp_path):
    """Where the lines after the quote do not each hold the header's fields (r3's text holds a
    comma of its own), they cannot be told to be rows: the rest of the file is one quarantine row.
    Lines that do are read as rows (test_csv_rows_written_without_quoting_...)."""
    text = ZH[0]["text"]
    rest = f'r2,"{text},5\nr3,第三行, 带逗号,7\nr4,第四行,9\n'
    (tmp_path / "open-quote.csv").write_text(f"id,text,likes\nr1,{text},12\n" + rest, encoding="utf-8")
    items = read_all([tmp_path])
    assert [d.id for d in documents(items)] == ["r1"]
    [bad] = quarantined(items)
    assert bad.raw == rest.encode() and "row 1 (from line 3) opens a quoted field the file ends inside" in bad.error


def _table(rows: list[list[str]], delimiter: str = ",") -> str:
    """A table written without quoting, as a script joining fields by hand writes it."""
    return "".join(delimiter.join(row) + "\n" for row in rows)


def _plain_texts() -> list[str]:
    """The fixture texts as one line each, with no comma, tab or quote of their own."""
    return [" ".join(r["text"].split()).replace(",", "，").replace('"', "") for r in EN + ZH]


def test_csv_rows_written_without_quoting_are_read_one_a_line_whatever_quotes_they_hold(tmp_path):
    """Scraped text often opens with a quote: the csv module read on to the next quote in the
    file, rows and ids and all, as one field (10 rows of a user's file read as 7 documents, one
    holding three rows, none quarantined). Each line holds the header's fields, so each is a row,
    its quotes its text's, as TSV reads them."""
    texts = _plain_texts()
    texts[1] = '"' + texts[1]  # runs on to row 4's quote
    texts[4] = '"' + texts[4]
    texts[6] = '"' + texts[6]  # no later quote: runs on to the end of the file
    (tmp_path / "scraped.csv").write_text(_table([["id", "text"]] + [[f"s{i}", t] for i, t in enumerate(texts)]),
                                          encoding="utf-8")
    items = read_all([tmp_path])
    assert [(d.id, d.text) for d in documents(items)] == [(f"s{i}", t) for i, t in enumerate(texts)]
    assert not quarantined(items)


def test_lines_a_stray_quote_ran_together_keep_their_own_quoting_and_blank_lines_between_them(tmp_path):
    """A line quoted as it should be (a comma in its quoted text) among the lines a stray quote ran
    together is read as quoted, and a blank line among them is no row: both made the lines one
    quarantine record, a line's quotes were kept as its text."""
    texts = _plain_texts()
    lines = ["id,text", f's0,"{texts[0]}', "", f's1,"{texts[1]}，还有, 一个逗号"', f"s2,{texts[2]}"]
    (tmp_path / "scraped.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read_all([tmp_path])
    assert [(d.id, d.text) for d in documents(items)] == [("s0", '"' + texts[0]), ("s1", texts[1] + "，还有, 一个逗号"),
                                                         ("s2", texts[2])]
    assert not quarantined(items)


def test_a_tsv_line_of_tabs_alone_is_a_row_of_empty_fields(tmp_path):
    (tmp_path / "t.tsv").write_text("id\ttext\nr1\t好\n\t\nr3\t也好\n", encoding="utf-8")
    items = read_all([tmp_path])
    assert [d.text for d in documents(items)] == ["好", "", "也好"] and not quarantined(items)


def test_a_utf8_row_in_a_gbk_csv_is_read_as_utf8(tmp_path):
    """As a UTF-8 line in GBK JSON lines is: its bytes decode in GBK too, as mojibake."""
    chinese = [t for t in _plain_texts() if sum("\u4e00" <= c <= "\u9fff" for c in t) > len(t) / 2]
    texts = [chinese[i % len(chinese)] for i in range(21)]
    head = _table([["id", "text"]] + [[f"g{i}", t] for i, t in enumerate(texts[:20])]).encode("gbk")
    (tmp_path / "mixed.csv").write_bytes(head + f"u0,{texts[20]}\n".encode("utf-8"))
    items = read_all([tmp_path])
    assert [d.text for d in documents(items)] == texts and not quarantined(items)


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_lines_a_stray_quote_ran_together_that_are_not_each_a_row_are_one_quarantine_row(tmp_path, delimiter):
    """A line among them holds a field more than the header (a comma of its text, unquoted):
    rows cannot be told from one quoted field's lines, so they are quarantined as they are, never
    read as one row's text."""
    texts = _plain_texts()
    rows = [["id", "text"], ["s0", texts[0]], ["s1", '"' + texts[1]], ["s2", texts[2], "多出的一栏"],
            ["s3", texts[3] + ' "引号" 结束'], ["s4", texts[4]]]
    name = "scraped." + ("csv" if delimiter == "," else "tsv")
    (tmp_path / name).write_text(_table(rows, delimiter), encoding="utf-8")
    items = read_all([tmp_path])
    assert [(d.id, d.text) for d in documents(items)] == [("s0", texts[0]), ("s4", texts[4])]
    [bad] = quarantined(items)
    assert bad.raw == _table(rows[2:5], delimiter).encode() and "row 1 (lines 3 to 5)" in bad.error


def test_lines_a_stray_quote_ran_together_in_a_one_field_table_are_one_quarantine_row(tmp_path):
    """Every line of a one-field table holds the header's one field: rows cannot be told from the
    lines of one quoted field, so they are quarantined, not read as one text."""
    texts = _plain_texts()[:5]
    lines = [texts[0], '"' + texts[1], texts[2], texts[3] + ' "引号" 结束', texts[4]]
    (tmp_path / "texts.csv").write_text(_table([["text"]] + [[t] for t in lines]), encoding="utf-8")
    items = read_all([tmp_path])
    assert [d.text for d in documents(items)] == [texts[0], texts[4]]
    [bad] = quarantined(items)
    assert bad.raw == _table([[t] for t in lines[1:4]]).encode() and "one-field table" in bad.error


@pytest.mark.parametrize("suffix", COMPRESSORS)
@pytest.mark.parametrize("layout", ["csv", "tsv"])
def test_blank_lines_between_and_after_rows_are_no_rows(tmp_path, layout, suffix):
    """As in JSON lines, and above the header: each blank line was a quarantined row ("row 2 has 0
    fields, the header 2")."""
    delimiter = "," if layout == "csv" else "\t"
    rows = [[f"b{i}", t] for i, t in enumerate(_plain_texts()[:3])]
    data = ("id" + delimiter + "text\n" + delimiter.join(rows[0]) + "\n\n" + delimiter.join(rows[1]) + "\r\n \n\n"
            + delimiter.join(rows[2]) + "\n\n\n")
    (tmp_path / f"blank.{layout}{suffix}").write_bytes(COMPRESSORS[suffix](data.encode()))
    items = read_all([tmp_path])
    assert [(d.id, d.text) for d in documents(items)] == [tuple(row) for row in rows] and not quarantined(items)


def _cut_in_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


@pytest.mark.parametrize("name, damage", [
    ("cut.csv.zst", lambda data: _cut_in_half(zstandard.ZstdCompressor().compress(data))),
    ("cut.tsv.bz2", lambda data: _cut_in_half(bz2.compress(data))),
    ("short.csv.bz2", lambda data: bz2.compress(data)[:10]),
    ("plain.csv.gz", lambda data: data),
])
def test_a_compressed_table_whose_stream_fails_before_its_header_decodes_is_one_quarantine_row(tmp_path, name,
                                                                                               damage):
    """It read as a file of no rows: input 0, quarantined 0, no trace of the file."""
    delimiter = "\t" if ".tsv" in name else ","
    data = _table([["id", "text"]] + [[f"c{i}", t] for i, t in enumerate(_plain_texts())], delimiter).encode()
    (tmp_path / name).write_bytes(damage(data))
    [item] = read_all([tmp_path])
    compression = name.rsplit(".", 1)[1]
    assert isinstance(item, Quarantined) and item.error.startswith(f"{compression} stream ")
    assert ("corrupt" if compression == "gz" else "truncated") in item.error


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_a_quarantined_csv_row_is_its_bytes_at_its_offset(tmp_path, encoding):
    """Not the row encoded again with a byte-order mark before it (utf-8-sig and utf-16 write
    one), and not at offset 0."""
    rows = ["id,text\r\n", f"r1,{ZH[0]['text']}\r\n", "r2只有一栏的行\r\n", f"r3,{ZH[1]['text']}\r\n"]
    data = "".join(rows).encode(encoding)  # a byte-order mark first, for utf-8-sig and utf-16
    start, end = (len("".join(rows[:n]).encode(encoding)) for n in (2, 3))
    (tmp_path / "rows.csv").write_bytes(data)
    items = read_all([tmp_path])
    assert [d.id for d in documents(items)] == ["r1", "r3"]
    [bad] = quarantined(items)
    assert (bad.raw, bad.offset) == (data[start:end], start) and "1 fields, the header 2" in bad.error


def _utf8_table_with_one_row_in(encoding: str, place: int, rows: int) -> tuple[bytes, list[tuple[str, str]]]:
    """A UTF-8 CSV of ``rows`` rows of the fixture texts, the row at ``place`` in ``encoding``."""
    texts = _plain_texts()[len(EN):]  # the Chinese ones
    table = [(f"u{i}", texts[i % len(texts)]) for i in range(rows)]
    lines = [f"{i},{t}\n".encode(encoding if n == place else "utf-8") for n, (i, t) in enumerate(table)]
    return b"id,text\n" + b"".join(lines), table


@pytest.mark.parametrize("place", ["early", "past the first MiB"])
def test_a_gbk_row_in_a_utf8_csv_is_read_in_gbk_wherever_it_is(tmp_path, place):
    """As a GBK line in UTF-8 JSON lines is. The encoding was told from the first MiB alone: there
    one GBK row made the detector name no encoding and the whole file one quarantine row, where
    past it the same row was quarantined alone."""
    rows = 800
    row = 3 if place == "early" else rows - 2
    data, table = _utf8_table_with_one_row_in("gbk", row, rows)
    assert (data.index(b"\nu%d," % row) < 1 << 20) == (place == "early") and len(data) > 1 << 20
    (tmp_path / "mixed.csv").write_bytes(data)
    items = read_all([tmp_path])
    assert [(d.id, d.text) for d in documents(items)] == table and not quarantined(items)


def test_a_row_in_no_chinese_encoding_in_a_utf8_csv_is_quarantined_alone(tmp_path):
    data, table = _utf8_table_with_one_row_in("utf-8", -1, 8)
    bad = b"x1,caf\xe9 cr\xe8me br\xfbl\xe9e\n"  # Latin-1
    cut = data.index(b"\nu4,") + 1
    (tmp_path / "mixed.csv").write_bytes(data[:cut] + bad + data[cut:])
    items = read_all([tmp_path])
    assert [(d.id, d.text) for d in documents(items)] == table
    [item] = quarantined(items)
    assert (item.raw, item.offset) == (bad, cut) and "not UTF-8" in item.error


def test_a_csv_in_no_recognised_encoding_is_one_quarantine_row(tmp_path):
    """A few stray rows are quarantined alone; a file in no encoding recognised is not read."""
    data = "".join(f"u{i},{t}\n" for i, t in enumerate(_plain_texts())).encode("utf-16-le")  # no byte-order mark
    (tmp_path / "nobom.csv").write_bytes("id,text\n".encode("utf-16-le") + data)
    [item] = read_all([tmp_path])
    assert isinstance(item, Quarantined) and "no text encoding recognised" in item.error


def test_a_cut_tsv_stream_quarantines_the_row_the_cut_went_through(tmp_path):
    rows = [f"t{i}\t{ZH[i % len(ZH)]['text']} ({i})\n" for i in range(400)]
    data = ("id\ttext\n" + "".join(rows)).encode()
    whole = gzip.compress(data)
    cut = whole[: len(whole) * 2 // 3]
    decoded = zlib.decompressobj(wbits=31).decompress(cut).decode("utf-8", "ignore")
    whole_rows = decoded.count("\n") - 1
    (tmp_path / "cut.tsv.gz").write_bytes(cut)
    items = read_all([tmp_path])
    assert [d.id for d in documents(items)] == [f"t{i}" for i in range(whole_rows)]
    [bad] = quarantined(items)
    assert rows[whole_rows].startswith(bad.raw.decode()) and bad.raw and "truncated" in bad.error


def test_tsv_rows_written_without_quoting_are_read_one_a_line_whatever_quotes_they_hold(tmp_path):
    """A TSV dump of fortunes or quotations writes a text that opens with a quote as it is: the
    csv module read on to the next quote, rows and ids and all, as one record (197 of 200 read in
    a helper's probe, none quarantined). Each line holds the header's fields, so each is a row,
    its quotes its text's."""
    texts = [" ".join(r["text"].split()) for r in EN + ZH]
    texts[1] = '"' + texts[1]             # opens a quote it never closes
    texts[2] = texts[2] + "\u2028"        # a line separator Python's splitlines would break at
    texts[4] = texts[4] + ' "引号" 结束'   # the next quote in the file, rows later
    (tmp_path / "quotes.tsv").write_text("id\ttext\n" + "".join(f"q{i}\t{t}\n" for i, t in enumerate(texts)),
                                         encoding="utf-8")
    items = read_all([tmp_path])
    assert [(d.id, d.text) for d in documents(items)] == [(f"q{i}", t) for i, t in enumerate(texts)]
    assert not quarantined(items)
    # A quote that no later one closes ran on to the end of the file, every row after it one field.
    texts[4] = texts[4].replace('"', "")
    (tmp_path / "quotes.tsv").write_text("id\ttext\n" + "".join(f"q{i}\t{t}\n" for i, t in enumerate(texts)),
                                         encoding="utf-8")
    items = read_all([tmp_path])
    assert [(d.id, d.text) for d in documents(items)] == [(f"q{i}", t) for i, t in enumerate(texts)]
    assert not quarantined(items)


@pytest.mark.parametrize("cell", ["lines of text", "lines indented with a tab"])
def test_a_tsv_cell_quoted_across_lines_is_still_one_field(tmp_path, cell):
    """A spreadsheet or pandas export quotes a cell that holds line breaks, and closes the quotes
    where the cell ends: its lines are a field's, not rows, tabs in them or not (code indented
    with tabs holds as many as a row of a two-field table)."""
    text = "\n".join(r["text"] for r in ZH[:2]) if cell == "lines of text" else "def f():\n\treturn 1\n\tpass"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t").writerows([["id", "text"], ["c1", text], ["c2", "第二行"]])
    (tmp_path / "cells.tsv").write_text(buffer.getvalue(), encoding="utf-8")
    items = read_all([tmp_path])
    assert [(d.id, d.text) for d in documents(items)] == [("c1", text), ("c2", "第二行")]


def test_blank_lines_above_a_csv_header_are_passed_over(tmp_path):
    """The header is the first line that names fields: blank lines above it made it an empty
    row, and every row after it was quarantined for its field count."""
    rows = [[f"c{i}", r["text"]] for i, r in enumerate(ZH)]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["id", "text"], *rows])
    (tmp_path / "blank-head.csv").write_text("\n \n" + buffer.getvalue(), encoding="utf-8")
    items = read_all([tmp_path])
    assert [(d.id, d.text) for d in documents(items)] == [tuple(row) for row in rows] and not quarantined(items)


CHINESE_ENCODINGS = ["gbk", "gb18030", "utf-16", "utf-8-sig"]


@pytest.mark.parametrize("encoding", CHINESE_ENCODINGS)
def test_chinese_text_files_in_legacy_encodings_are_decoded(tmp_path, encoding):
    text = "\n\n".join(r["text"] for r in ZH)
    (tmp_path / "book.txt").write_bytes(text.encode(encoding))
    [doc] = read_all([tmp_path])
    assert doc.text == text


def test_a_big_endian_utf16_file_is_read_by_its_bom(tmp_path):
    text = ZH[3]["text"]
    (tmp_path / "be.txt").write_bytes(codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    [doc] = read_all([tmp_path])
    assert doc.text == text


def test_utf16_without_a_bom_is_quarantined_not_guessed(tmp_path):
    data = ZH[3]["text"].encode("utf-16-le")
    (tmp_path / "nobom.txt").write_bytes(data)
    [item] = read_all([tmp_path])
    assert isinstance(item, Quarantined) and item.raw == data and "no text encoding recognised" in item.error


def _encodes_in(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
        return True
    except UnicodeEncodeError:
        return False


def test_a_big5_text_file_is_decoded(tmp_path):
    traditional = [opencc.OpenCC("s2t").convert(r["text"]) for r in RECORDS if r["id"].startswith("cmrc")]
    text = "\n\n".join([t for t in traditional if _encodes_in(t, "big5")][:4])
    (tmp_path / "book.txt").write_bytes(text.encode("big5"))
    [doc] = read_all([tmp_path])
    assert doc.text == text


def test_a_csv_in_gbk_is_decoded(tmp_path):
    (tmp_path / "gbk.csv").write_bytes(f'id,content\nz1,"{ZH[1]["text"]}"\n'.encode("gbk"))
    [doc] = read_all([tmp_path])
    assert (doc.id, doc.text) == ("z1", ZH[1]["text"])


# --------------------------------------------------------------------------------------------
# Composing the text of several fields
# --------------------------------------------------------------------------------------------

def test_title_and_body_make_the_text_and_leave_meta(tmp_path):
    record = {"id": 7, "title": "标题", "content": ZH[0]["text"], "dataType": "百科"}
    (tmp_path / "wudao.json").write_text(json.dumps([record], ensure_ascii=False))
    [doc] = read_all([tmp_path], ReaderOptions(text_parts=("title", "content")))
    assert doc.id == "7" and doc.text == "标题\n\n" + ZH[0]["text"]
    assert json.loads(doc.meta) == {"dataType": "百科"}


def test_nested_paths_join_the_items_of_a_list_one_a_line(tmp_path):
    paragraphs = ZH[0]["text"].split("。")[:3]
    record = {"文件名": "a.txt", "段落": [{"行号": i, "内容": p} for i, p in enumerate(paragraphs)]}
    (tmp_path / "mnbvc.jsonl").write_bytes(_jsonl([record]))
    [doc] = read_all([tmp_path], ReaderOptions(text_parts=("段落[].内容",)))
    assert doc.text == "\n".join(p.strip() for p in paragraphs)
    assert json.loads(doc.meta) == {"文件名": "a.txt"}


def test_an_infobox_becomes_key_value_lines_between_abstract_and_body(tmp_path):
    record = {"title": "长城", "abstract": "长城是古代的防御工程。", "infobox": {"中文名": "长城", "长度": "21196.18千米"},
              "content": ZH[2]["text"], "url": "https://baike.example/item/长城"}
    (tmp_path / "baike.jsonl").write_bytes(_jsonl([record]))
    options = ReaderOptions(text_parts=("title", "abstract", "infobox", "content"), meta_fields=("url",))
    [doc] = read_all([tmp_path], options)
    assert doc.text == "长城\n\n长城是古代的防御工程。\n\n中文名: 长城\n长度: 21196.18千米\n\n" + ZH[2]["text"]
    assert json.loads(doc.meta) == {"url": record["url"]}


def test_a_nested_text_part_takes_only_its_own_field_out_of_meta(tmp_path):
    record = {"id": "n1", "title": "长城", "info": {"abstract": ZH[0]["text"], "url": "https://baike.example/长城"},
              "extra": {"abstract": ZH[1]["text"]}}
    (tmp_path / "nested.jsonl").write_bytes(_jsonl([record]))
    [doc] = read_all([tmp_path], ReaderOptions(text_parts=("title", "info.abstract", "extra.abstract")))
    assert doc.text == "长城\n\n" + ZH[0]["text"] + "\n\n" + ZH[1]["text"]
    # The other field of info stays; extra, emptied, goes.
    assert json.loads(doc.meta) == {"info": {"url": "https://baike.example/长城"}}


def test_a_record_with_none_of_the_parts_is_quarantined(tmp_path):
    (tmp_path / "x.jsonl").write_bytes(_jsonl([{"id": "e", "title": "", "other": "x"}]))
    [item] = read_all([tmp_path], ReaderOptions(text_parts=("title", "content")))
    assert isinstance(item, Quarantined) and "none of the text parts" in item.error


def test_an_html_pages_title_can_open_its_text(tmp_path):
    body = "".join(f"<p>{p}。</p>" for p in ZH[0]["text"].split("。") if p.strip())
    (tmp_path / "page.html").write_text(f"<html><head><title>一篇文章</title></head><body><article>{body}"
                                        "</article></body></html>", encoding="utf-8")
    [plain] = read_all([tmp_path])
    [titled] = read_all([tmp_path], ReaderOptions(text_parts=("title", "text")))
    assert json.loads(plain.meta) == {"title": "一篇文章"}
    assert titled.text == "一篇文章\n\n" + plain.text and json.loads(titled.meta) == {}


def test_a_page_whose_main_content_holds_no_word_gives_all_its_text(tmp_path):
    """Legacy HTML with the body left inside an unclosed list: Resiliparse's main-content
    heuristic drops all of it (11 of the 848 dev gold pages lose everything this way). The
    reader takes the page's whole text instead, so the rules judge the article, not an empty
    document."""
    paragraphs = [p + "。" for p in ZH[1]["text"].split("。") if p.strip()]
    article = "".join(f"<p>{p}</p>" for p in paragraphs)
    (tmp_path / "page.html").write_text(f"<html><body><ul><h1>一篇文章</h1>{article}</body></html>",
                                        encoding="utf-8")
    [doc] = read_all([tmp_path])
    assert [line.strip() for line in doc.text.split("\n") if line.strip()] == ["一篇文章", *paragraphs]


def test_a_page_whose_main_content_is_a_widget_gives_all_its_text(tmp_path):
    """A news site's article inside a list item (a two-column layout written as <ul><li>):
    Resiliparse's main-content heuristic drops it and keeps the alt texts of a floating comment
    button ("评论 返回顶部", as on two of the dev corpus' news pages). Main content that short
    beside the page is a widget: the reader takes the page's whole text, article included."""
    paragraphs = [p + "。" for p in ZH[1]["text"].split("。") if p.strip()]
    menu = "".join(f'<li><a href="/{i}">栏目{i}</a></li>' for i in range(8))
    article = "".join(f"<p>{p}</p>" for p in paragraphs)
    (tmp_path / "page.html").write_text(
        f'<html><body><div class="nav"><ul>{menu}</ul></div><div class="main"><ul class="two-columns">'
        f'<li class="left-main"><div class="content">{article}</div></li></ul></div><div class="float-nav">'
        '<a href="#comment"><img src="/c.png" alt="评论"></a> <a href="#top"><img src="/t.png" alt="返回顶部"></a>'
        '</div></body></html>', encoding="utf-8")
    [doc] = read_all([tmp_path])
    assert all(p in doc.text for p in paragraphs)


def test_trafilatura_extracts_the_article_when_chosen(tmp_path):
    paragraphs = [p + "。" for p in ZH[1]["text"].split("。") if p.strip()]
    menu = "".join(f'<li><a href="/{i}">栏目{i}</a></li>' for i in range(12))
    article = "".join(f"<p>{p}</p>" for p in paragraphs)
    (tmp_path / "page.html").write_text(f"<html><body><nav><ul>{menu}</ul></nav><article>{article}</article>"
                                        "<footer>版权所有</footer></body></html>", encoding="utf-8")
    [doc] = read_all([tmp_path], ReaderOptions(html_extractor="trafilatura"))
    assert all(p in doc.text for p in paragraphs)
    assert "栏目3" not in doc.text and "版权所有" not in doc.text



def _page_with_comments(article: list[str], comments: list[str]) -> str:
    thread = "".join(f'<div class="comment"><p>{c}</p></div>' for c in comments)
    return (f"<html><body><article>{''.join(f'<p>{p}</p>' for p in article)}</article>"
            f'<div id="comments" class="comments"><h3>网友评论</h3>{thread}</div></body></html>')


def test_trafilatura_leaves_out_comments_short_beside_the_article_and_keeps_a_thread(tmp_path):
    """Readers' comments under an article (a line or two, a login prompt) are not the article; a
    thread whose replies outweigh its opening post is what the page is for."""
    paragraphs = [p + "。" for p in ZH[1]["text"].split("。") if p.strip()]
    replies = [p + "。" for p in ZH[2]["text"].split("。") if p.strip()]
    (tmp_path / "article.html").write_text(_page_with_comments(paragraphs, ["支持！", "请先登录后发表评论"]),
                                           encoding="utf-8")
    [doc] = read_all([tmp_path / "article.html"], ReaderOptions(html_extractor="trafilatura"))
    assert all(p in doc.text for p in paragraphs)
    assert "请先登录后发表评论" not in doc.text and "网友评论" not in doc.text
    (tmp_path / "thread.html").write_text(_page_with_comments(paragraphs, replies), encoding="utf-8")
    [doc] = read_all([tmp_path / "thread.html"], ReaderOptions(html_extractor="trafilatura"))
    assert all(p in doc.text for p in paragraphs) and all(r in doc.text for r in replies)


def test_trafilatura_text_is_in_composed_form_as_trafilatura_gives_it():
    import trafilatura

    paragraphs = [p + "。" for p in ZH[1]["text"].split("。") if p.strip()]
    page = _page_with_comments([*paragraphs, "Le cafe\u0301 du coin ouvre tard."], ["支持！"])
    assert "café" in trafilatura.extract(page, favor_precision=True, include_tables=False)
    text, _ = page_text(page, "trafilatura")
    assert "café" in text and "e\u0301" not in text

def test_trafilatura_falls_back_on_resiliparse_where_it_misses_the_article(tmp_path):
    """A page laid out in a table, the menu in one cell and the article in the next (most of
    CleanEval's pages): trafilatura prints such a page as table rows or, tables left out, nothing,
    and the reader takes Resiliparse's main content instead: each paragraph on a line of its own."""
    paragraphs = [p + "。" for p in ZH[1]["text"].split("。") if p.strip()]
    menu = "".join(f'<tr><td><a href="/{i}">栏目{i}</a></td></tr>' for i in range(8))
    article = "".join(f"<p>{p}</p>" for p in paragraphs)
    (tmp_path / "page.html").write_text(f"<html><body><table><tr><td><table>{menu}</table></td><td>{article}"
                                        "</td></tr></table></body></html>", encoding="utf-8")
    [resiliparse] = read_all([tmp_path])
    [doc] = read_all([tmp_path], ReaderOptions(html_extractor="trafilatura"))
    assert doc.text == resiliparse.text
    assert all(p in doc.text.split("\n") for p in paragraphs) and "|" not in doc.text


def test_trafilatura_is_not_asked_of_a_page_laid_out_in_tables(tmp_path):
    """A page laid out in a table, the menu in one cell and the article in the next, its paragraphs
    broken by <br> as old pages wrote them, and a paragraph below the table: trafilatura, tables
    left out, takes that paragraph for the article (a third of the page's words, enough to pass
    for it). Most of the page's text stands in the table, so the reader takes Resiliparse's main
    content, which holds the article."""
    paragraphs = [p + "。" for p in ZH[1]["text"].split("。") if p.strip()]
    below = ZH[2]["text"][:300]
    menu = "".join(f'<tr><td><a href="/{i}">栏目{i}</a></td></tr>' for i in range(8))
    (tmp_path / "page.html").write_text(f"<html><body><table><tr><td><table>{menu}</table></td>"
                                        f"<td>{'<br><br>'.join(paragraphs)}</td></tr></table><p>{below}</p>"
                                        "</body></html>", encoding="utf-8")
    [resiliparse] = read_all([tmp_path])
    [doc] = read_all([tmp_path], ReaderOptions(html_extractor="trafilatura"))
    assert doc.text == resiliparse.text
    assert all(p in doc.text for p in paragraphs)


# --------------------------------------------------------------------------------------------
# Unique ids
# --------------------------------------------------------------------------------------------

def _numbered(records, first: int = 1) -> list[dict]:
    return [{"id": first + i, "text": r["text"]} for i, r in enumerate(records)]


def _all_rows(run) -> list[dict]:
    return run.kept + run.rejected


def test_ids_repeated_across_files_and_inside_one_become_unique_and_stable(tmp_path, clean_run):
    half = len(RECORDS) // 2
    (tmp_path / "in" / "b").mkdir(parents=True)
    (tmp_path / "in" / "a.jsonl").write_bytes(_jsonl(_numbered(RECORDS[:half])))
    (tmp_path / "in" / "b" / "a.jsonl").write_bytes(_jsonl(_numbered(RECORDS[half:])))  # ids 1.. again
    # A file that repeats each of its ids in every copy, big enough to be cut into several units.
    copies = [{"id": f"c{i}", "text": r["text"]} for _ in range(4) for i, r in enumerate(RECORDS)]
    (tmp_path / "in" / "c.jsonl").write_bytes(_jsonl(copies))
    chunk = [(["input", "chunk_bytes"], 1 << 16)]
    assert (tmp_path / "in" / "c.jsonl").stat().st_size > 4 << 16
    run = clean_run([tmp_path / "in"], overrides=chunk)
    rows = _all_rows(run)
    ids = [r["id"] for r in rows]
    assert len(rows) == len(RECORDS) + len(copies) and len(set(ids)) == len(ids)
    repeated = min(half, len(RECORDS) - half) + 3 * len(RECORDS)
    assert run.stats["renamed_ids"] == repeated
    renamed = [r for r in rows if "#" in r["id"]]
    assert len(renamed) == repeated
    for row in renamed:  # the id as read stays in meta, and begins the new one
        assert row["id"].startswith(f"{json.loads(row['meta'])['id']}#")
    again = clean_run([tmp_path / "in"], overrides=chunk, name="again")
    assert sorted(r["id"] for r in _all_rows(again)) == sorted(ids)


def test_an_id_repeated_in_kept_and_rejected_rows_of_one_unit_becomes_unique(tmp_path, clean_run):
    """A unit's kept and rejected shards share their names: a repeat renamed after its shard
    and row alone was given the same new id in both."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "same.jsonl").write_bytes(_jsonl([{"id": "same", "text": r["text"]} for r in RECORDS]))
    run = clean_run([tmp_path / "in"], config=EXAMPLE_CONFIG)
    assert run.kept and run.rejected
    ids = [r["id"] for r in _all_rows(run)]
    assert len(set(ids)) == len(ids) == len(RECORDS) and run.stats["renamed_ids"] == len(RECORDS) - 1


def test_a_renamed_documents_meta_keeps_its_numbers_exact(tmp_path, clean_run):
    """The renaming read and wrote meta with orjson, which reads an integer past 64 bits as a float:
    a checksum kept beside each record came out as 1.2345678901234568e+29 in the renamed rows."""
    checksum = 123456789012345678901234567890
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "same.jsonl").write_text("".join(
        f'{{"id": "same", "text": {json.dumps(r["text"], ensure_ascii=False)}, "checksum": {checksum}}}\n'
        for r in RECORDS[:3]), encoding="utf-8")
    run = clean_run([tmp_path / "in"])
    rows = _all_rows(run)
    assert run.stats["renamed_ids"] == 2
    assert all(json.loads(r["meta"])["checksum"] == checksum for r in rows)


def test_ids_renamed_as_an_earlier_version_named_them_are_counted_not_renamed_again(tmp_path, clean_run):
    """A run begun by a version that renamed repeats ID#SHARD:ROW (before 2026-12-07) and resumed
    by this one: those documents keep their ids and still count as renamed."""
    import pyarrow as pa

    from datacleaning.cleaning.unique_ids import make_ids_unique
    from datacleaning.shards import write_shard
    (tmp_path / "in").mkdir()
    for name in ("x", "y"):
        (tmp_path / "in" / f"{name}.jsonl").write_bytes(_jsonl(_numbered(RECORDS[:10])))
    run = clean_run([tmp_path / "in"])
    shards = sorted((run.output / "kept").glob("*.arrow")) + sorted((run.output / "rejected").glob("*.arrow"))

    def ids() -> list[str]:
        return sorted(i for path in shards for i in pa.ipc.open_file(str(path)).read_all().column("id").to_pylist())

    for path in shards:
        table = pa.ipc.open_file(str(path)).read_all()
        old = [i.replace(f"#{path.parent.name}/", "#") for i in table.column("id").to_pylist()]
        write_shard(path, table.set_column(table.schema.get_field_index("id"), "id", pa.array(old, pa.string())))
    before = ids()
    assert sum("#" in i for i in before) == 10 and not any("/" in i.split("#")[-1] for i in before)
    assert make_ids_unique([run.output / "kept", run.output / "rejected"], "id") == 10
    assert ids() == before


def test_renaming_again_renames_nothing_and_counts_the_renamed_documents_again(tmp_path, clean_run):
    """What a resumed pass does after a kill halfway through renaming: the shards already
    rewritten are left as they are, and their renamed documents still count in the stats."""
    from datacleaning.cleaning.unique_ids import make_ids_unique

    (tmp_path / "in").mkdir()
    for name in ("x", "y"):
        (tmp_path / "in" / f"{name}.jsonl").write_bytes(_jsonl(_numbered(RECORDS[:10])))
    run = clean_run([tmp_path / "in"])
    assert run.stats["renamed_ids"] == 10
    folders = [run.output / "kept", run.output / "rejected"]
    before = {p: p.read_bytes() for folder in folders for p in folder.glob("*.arrow")}
    assert make_ids_unique(folders, "id") == 10
    assert {p: p.read_bytes() for folder in folders for p in folder.glob("*.arrow")} == before


def test_a_layout_page_with_a_long_script_is_still_a_layout_page(tmp_path):
    """Scripts and styles are not the page's text: a layout table followed by 20,000 characters of
    inline script is still laid out in tables, and trafilatura is not asked of it."""
    paragraphs = [p + "。" for p in ZH[1]["text"].split("。") if p.strip()]
    below = ZH[2]["text"][:300]
    menu = "".join(f'<tr><td><a href="/{i}">栏目{i}</a></td></tr>' for i in range(8))
    script = "<script>" + "var counter = counter + 1;" * 800 + "</script>"
    (tmp_path / "page.html").write_text(f"<html><body><table><tr><td><table>{menu}</table></td>"
                                        f"<td>{'<br><br>'.join(paragraphs)}</td></tr></table><p>{below}</p>"
                                        f"{script}</body></html>", encoding="utf-8")
    [resiliparse] = read_all([tmp_path])
    [doc] = read_all([tmp_path], ReaderOptions(html_extractor="trafilatura"))
    assert doc.text == resiliparse.text
    assert all(p in doc.text for p in paragraphs)


def test_a_frameset_page_has_no_text_and_its_title(tmp_path):
    """A frameset page has a body without text: its title is kept, for every extractor."""
    (tmp_path / "page.html").write_text("<html><head><title>旧站点</title></head><frameset><frame src=a.html>"
                                        "</frameset><!-- <table> --></html>", encoding="utf-8")
    for extractor in ("resiliparse", "trafilatura", "full_page"):
        assert page_text((tmp_path / "page.html").read_text(encoding="utf-8"), extractor) == ("", "旧站点")


def test_a_page_of_thousands_of_tables_is_read_in_linear_time(tmp_path):
    """Whether a page is laid out in tables is measured without Resiliparse's element collections,
    which take quadratic time to read (a page of 5,000 tables side by side: 78 s)."""
    cells = "".join(f"<table><tr><td>第{i}行</td></tr></table>" for i in range(5_000))
    (tmp_path / "page.html").write_text(f"<html><body>{cells}</body></html>", encoding="utf-8")
    started = time.perf_counter()
    [doc] = read_all([tmp_path], ReaderOptions(html_extractor="trafilatura"))
    assert time.perf_counter() - started < 5.0
    assert "第4999行" in doc.text


def test_trafilatura_chosen_but_not_importable_is_a_config_error():
    """An environment where trafilatura cannot be imported (here: blocked in sys.modules) refuses
    the config before any page is read, naming the install command."""
    code = ("import sys; sys.modules['trafilatura'] = None\n"
            "from datacleaning.config import load_config\n"
            "load_config(None, [(['input', 'html_extractor'], 'trafilatura')])\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0 and "pip install 'datacleaning[trafilatura]'" in result.stderr
