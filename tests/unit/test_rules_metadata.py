"""The meta_count filter: engagement counts as the dumps write them, read from a record's meta."""
from __future__ import annotations

import json

import pytest
from helpers import FIXTURES, REPO_ROOT

from datacleaning.config import load_config
from datacleaning.document import Document
from datacleaning.errors import ConfigError
from datacleaning.rules.filters.metadata import MetaCount, parse_count
from datacleaning.rules.registry import build_rules

LAYOUTS = FIXTURES / "layouts"


@pytest.mark.parametrize("written, count", [
    (328, 328), ("328", 328), ("1,234", 1234), ("1.2万", 12_000), ("3.5w", 35_000), ("2k", 2_000),
    ("1亿", 100_000_000), ("10万+", 100_000), (" 41 ", 41), (0.5, 0.5),
])
def test_counts_are_read_as_sites_write_them(written, count):
    assert parse_count(written) == count


@pytest.mark.parametrize("written", ["", "很多", "1.2.3", "-5", True, None, [3], float("nan"), "12 万 3"])
def test_what_is_no_count_is_none(written):
    assert parse_count(written) is None


def test_a_post_below_the_minimum_is_rejected_and_one_without_the_field_kept():
    rule = MetaCount(field="liked_count", min_count=100)
    liked = Document("a", "text", meta=json.dumps({"liked_count": "1.2万"}, ensure_ascii=False))
    ignored = Document("b", "text", meta=json.dumps({"liked_count": "7"}))
    unknown = Document("c", "text", meta=json.dumps({"collected_count": "7"}))
    assert rule.keep(rule.score(liked)) and rule.score(liked) == {"count": 12_000}
    assert not rule.keep(rule.score(ignored))
    assert rule.score(unknown) is None and rule.keep(None)


def test_the_layout_config_with_a_count_filter_reads_real_layout_counts(clean_run, tmp_path):
    """The Xiaohongshu fixture's notes, with a filter that keeps notes collected at least 1,000
    times: its counts are the site's strings ("1.2万")."""
    notes = json.loads((LAYOUTS / "xiaohongshu.json").read_text(encoding="utf-8"))
    config = tmp_path / "popular.toml"
    config.write_text(f'extends = "{(REPO_ROOT / "configs" / "layouts" / "xiaohongshu.toml").as_posix()}"\n'
                      '[[clean.filters]]\nname = "meta_count"\nfield = "collected_count"\nmin_count = 1000\n',
                      encoding="utf-8")
    run = clean_run([LAYOUTS / "xiaohongshu.json"], config=config)
    expected = {n["note_id"] for n in notes if parse_count(n["collected_count"]) >= 1000}
    rejected_by_count = {r["id"] for r in run.rejected if r["rejected_by"] == "meta_count"}
    assert rejected_by_count == {n["note_id"] for n in notes} - expected
    assert rejected_by_count and expected


def test_the_field_is_required():
    with pytest.raises(ConfigError, match="needs field"):
        config = load_config(None, [(["clean", "filters"], [{"name": "meta_count", "min_count": 3}])])
        build_rules(config.clean, config.base_dir)
