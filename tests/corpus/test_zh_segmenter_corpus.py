"""The Chinese segmenter on the development corpus: it cuts its web, review and Wikipedia text where jieba does."""
from __future__ import annotations

import json

import pytest

from datacleaning.zh_segmenter import load_segmenter
from zh_segmenter_helpers import jieba_cut


@pytest.mark.slow
def test_cuts_are_jiebas_on_the_development_corpus(dev_data):
    segmenter = load_segmenter()
    for name, most in [("zh/zh_web_hplt_unlabelled.jsonl", 500), ("zh/zh_ugc_reviews_chinesenlpcorpus.jsonl", 2000),
                       ("zh/zh_clean_wiki_cmrc2018.jsonl", 300)]:
        with open(dev_data / name, encoding="utf-8") as f:
            texts = [json.loads(line)["text"] for _, line in zip(range(most), f)]
        differing = [i for i, text in enumerate(texts) if list(segmenter.cut(text)) != jieba_cut(text)]
        assert not differing, (name, differing[:5])
