"""The development corpus: its lists rebuild the bundled ones; its reviews, news and manuals pass the blacklist."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from blacklist_helpers import profile_blacklist, verdict
from datacleaning.blacklists.matcher import DATA_DIR


def test_the_build_script_reproduces_the_bundled_lists(dev_data, tmp_path):
    subprocess.run([sys.executable, "-m", "datacleaning.blacklists.build_lists", "--wordlists",
                    str(dev_data / "wordlists"), "--out", str(tmp_path)], check=True, capture_output=True)
    built = sorted(p.name for p in tmp_path.glob("*.txt"))
    assert built == sorted(p.name for p in DATA_DIR.glob("*.txt"))
    for name in built:
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name


def test_ordinary_reviews_with_ambiguous_characters_are_kept(dev_data):
    rule = profile_blacklist()
    checked = flagged = 0
    with open(dev_data / "zh" / "zh_ugc_reviews_chinesenlpcorpus.jsonl", encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"]
            if re.search("性|码|发票|小姐|客服|按摩", text):
                checked += 1
                flagged += bool(verdict(rule, text)["flagged"])
    assert checked > 5000
    assert flagged <= checked / 2000, f"{flagged} of {checked} reviews flagged"


@pytest.mark.parametrize("source", ["zh/zh_web_news_html_gne", "zh/zh_clean_wiki_cmrc2018",
                                    "zh/zh_clean_tech_manpages_zh", "en/en_clean_wiki_wikitext2",
                                    "en/en_web_cc_dolma_testdata"])
def test_news_reference_and_technical_text_is_kept(dev_data, source):
    rule = profile_blacklist()
    with open(dev_data / f"{source}.jsonl", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    flagged = [r["id"] for r in records if verdict(rule, r["text"], json.dumps({"url": r.get("url", "")}))["flagged"]]
    assert flagged == []
