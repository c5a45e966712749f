"""The WARC reader on the development corpus' real WARC file, checked against a minimal parser written here."""
from __future__ import annotations

import gzip
import json

import pytest

from datacleaning.document import Quarantined
from datacleaning.readers.warc import SkippedRecord
from helpers import docs_of, read_all


def _parse_warc(data: bytes) -> list[tuple[dict, bytes]]:
    """A minimal WARC parser (headers and block of every record), independent of fastwarc."""
    out, pos = [], 0
    while True:
        while data.startswith(b"\r\n", pos):
            pos += 2
        if pos >= len(data):
            return out
        end = data.index(b"\r\n\r\n", pos)
        lines = data[pos:end].decode("utf-8").split("\r\n")
        assert lines[0].startswith("WARC/")
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
        length = int(headers["content-length"])
        out.append((headers, data[end + 4:end + 4 + length]))
        pos = end + 4 + length


def _http_content_type(block: bytes) -> str:
    head = block.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == "content-type":
            return value.split(";")[0].strip().lower()
    return ""


def test_real_warc_file(dev_data):
    path = dev_data / "raw" / "tests__data__warc__sample-0000.warc.gz"
    if not path.exists():
        pytest.skip(f"{path} not in the development corpus")
    records = _parse_warc(gzip.decompress(path.read_bytes()))
    expected = []
    for headers, block in records:
        wtype = headers["warc-type"]
        ctype = (_http_content_type(block) if wtype == "response"
                 else headers.get("content-type", "").split(";")[0].strip().lower())
        status_ok = wtype != "response" or block.split(b" ", 2)[1].startswith(b"2")  # no error page or redirect
        about_the_crawl = headers.get("warc-target-uri", "").strip("<>").startswith("metadata:")  # wget's log
        if wtype in ("response", "resource", "conversion") and status_ok and not about_the_crawl and ctype.startswith(
                ("text/html", "application/xhtml", "text/plain")):
            expected.append((headers["warc-record-id"].strip("<>"), headers["warc-target-uri"].strip("<>"),
                             headers["warc-date"], ctype))
    assert len(records) > 40 and len(expected) > 20  # the file is what this test expects

    _, items = read_all([path])
    docs = docs_of(items)
    skipped = [i for i in items if isinstance(i, SkippedRecord)]
    assert not [i for i in items if isinstance(i, Quarantined)]
    assert len(docs) + len(skipped) == len(records)
    metas = [json.loads(d.meta) for d in docs]
    got = [(d.id, m["url"], m["warc_date"], m["content_type"]) for d, m in zip(docs, metas)]
    assert got == expected
    assert all(d.source == path.name for d in docs)
    assert sum(1 for d in docs if d.text.strip()) >= len(docs) - 2
