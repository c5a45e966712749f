"""The layout configs users copy (configs/layouts/*.toml), each run through the real clean stage on a
fixture in that layout (tests/fixtures/layouts/, sources in its NOTICE.md). What each document
should be is derived here from the fixture's own records, by the layout's rule written out in
Layout below, not from what the readers do."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import FIXTURES, REPO_ROOT

LAYOUT_FIXTURES = FIXTURES / "layouts"
LAYOUT_CONFIGS = REPO_ROOT / "configs" / "layouts"
# The config's rules taken out: every document is kept with the text as read.
NO_RULES = [(["clean", kind], []) for kind in ("normalizers", "edits", "filters")]


def json_array(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def line_offsets(path: Path) -> list[int]:
    """The byte offset at which each line of a JSON lines file starts."""
    offsets, offset = [], 0
    for line in path.read_bytes().splitlines(keepends=True):
        offsets.append(offset)
        offset += len(line)
    return offsets


def html_paragraphs(html: str) -> list[str]:
    return re.findall(r"<p>(.*?)</p>", html)


@dataclass(frozen=True)
class Layout:
    config: str
    fixture: str
    records: Callable[[Path], list[dict]]
    text: Callable[[dict], str]
    ids: Callable[[Path, list[dict]], list[str]]
    meta: tuple[str, ...]


LAYOUTS = {
    "wudao": Layout(
        "wudao.toml", "wudao.json", json_array,
        text=lambda r: f"{r['title']}\n\n{r['content']}",
        ids=lambda path, records: [r["uniqueKey"] for r in records],
        meta=("dataType", "titleUkey", "id")),
    "wechat": Layout(
        "wechat.toml", "wechat.jsonl", json_lines,
        text=lambda r: f"{r['title']}\n\n{r['content']}",
        # No id in the layout: the reader names a record by its file and the byte its line starts at.
        ids=lambda path, records: [f"{path.name}:{offset}" for offset in line_offsets(path)],
        meta=("account", "name")),
    "xiaohongshu": Layout(
        "xiaohongshu.toml", "xiaohongshu.json", json_array,
        text=lambda r: f"{r['title']}\n\n{r['desc']}",
        ids=lambda path, records: [r["note_id"] for r in records],
        meta=("note_url", "type", "user_id", "nickname", "time", "ip_location", "tag_list", "source_keyword",
              "liked_count", "collected_count", "comment_count", "share_count")),
    "smzdm": Layout(
        "smzdm.toml", "smzdm.jsonl", json_lines,
        text=lambda r: "\n\n".join([r["article_title"], *html_paragraphs(r["article_filter_content"])]),
        ids=lambda path, records: [r["article_id"] for r in records],
        meta=("article_url", "article_channel_name", "article_format_date", "article_referrals",
              "article_love_count", "article_collection", "article_favorite", "article_comment")),
    "baidu_baike": Layout(
        "baidu_baike.toml", "baidu_baike.json", json_lines,
        text=lambda r: "\n\n".join([r["title"], r["summary"],
                                     "\n".join(f"{s['title']}\n{s['content']}" for s in r["sections"])]),
        ids=lambda path, records: [r["url"] for r in records],
        meta=("tags",)),
    "mnbvc": Layout(
        "mnbvc.toml", "mnbvc.jsonl", json_lines,
        text=lambda r: "\n".join(p["内容"] for p in r["段落"]),
        ids=lambda path, records: [r["文件名"] for r in records],
        meta=("是否待查文件", "是否重复文件", "段落数", "去重段落数", "低质量段落数", "时间", "扩展字段")),
}


def typed(values: dict) -> dict:
    """Values with their types, so that 1 and True, or 3 and "3", do not compare equal."""
    return {key: (type(value).__name__, value) for key, value in values.items()}


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_record_becomes_a_document_with_its_id_and_meta(clean_run, name):
    layout = LAYOUTS[name]
    path = LAYOUT_FIXTURES / layout.fixture
    records = layout.records(path)
    ids = layout.ids(path, records)
    assert 2 <= len(records) == len(set(ids))

    run = clean_run([path], workers=1, config=LAYOUT_CONFIGS / layout.config)

    run.assert_totals(len(records))
    assert run.quarantine == []
    rows = {row["id"]: row for row in run.kept + run.rejected}
    assert sorted(rows) == sorted(ids)
    for doc_id, record in zip(ids, records):
        meta = json.loads(rows[doc_id]["meta"])
        assert typed(meta) == typed({key: record[key] for key in layout.meta}), doc_id


@pytest.mark.parametrize("name", LAYOUTS)
def test_the_text_is_composed_as_the_layout_says(clean_run, name):
    layout = LAYOUTS[name]
    path = LAYOUT_FIXTURES / layout.fixture
    records = layout.records(path)

    run = clean_run([path], workers=1, config=LAYOUT_CONFIGS / layout.config, overrides=NO_RULES)

    texts = {row["id"]: row["text"] for row in run.kept}
    assert texts == {doc_id: layout.text(record) for doc_id, record in zip(layout.ids(path, records), records)}



def test_run_with_a_layout_config_writes_where_the_command_runs_not_into_the_configs_folder(tmp_path):
    """A config that names no output.dir: `run` writes to ./output of the working directory (it
    wrote into configs/layouts/output, inside the package's checkout, and the next layout's run
    found that folder taken)."""
    from helpers import cli
    (tmp_path / "dump").mkdir()
    (tmp_path / "dump" / "wudao.json").write_bytes((LAYOUT_FIXTURES / "wudao.json").read_bytes())
    result = cli("run", "--config", str(LAYOUT_CONFIGS / "wudao.toml"), str(tmp_path / "dump"), "--set",
                 "run.stages=['clean']", "--workers", "1", "--no-progress", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "output" / "clean" / "stats.json").is_file()
    assert not (LAYOUT_CONFIGS / "output").exists()
