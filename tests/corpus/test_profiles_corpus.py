"""The mixed_web profile on the development corpus: it keeps at least 95% of each clean reference source."""
from __future__ import annotations

import pytest

from datacleaning.config import load_config
from datacleaning.stages import run_stage

CLEAN_REFERENCE = ["zh/zh_clean_wiki_cmrc2018", "zh/zh_clean_tech_debian_reference", "zh/zh_clean_tech_manpages_zh",
                   "en/en_clean_wiki_wikitext2", "en/en_clean_tech_debian_reference"]


@pytest.mark.parametrize("source", CLEAN_REFERENCE)
def test_mixed_web_keeps_clean_reference_text(dev_data, tmp_path, source):
    """The rule-library promise: at least 95% of each clean reference source is kept."""
    config = load_config(None, [(["run", "workers"], 2), (["run", "progress"], False)], profile="mixed_web")
    stats = run_stage("clean", config, [str(dev_data / f"{source}.jsonl")], tmp_path / "out").stats
    assert stats["kept_docs"] >= 0.95 * stats["input_docs"], stats["rejected_by"]
