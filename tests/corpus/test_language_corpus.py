"""Language identification on the development corpus: the gold texts of real pages in twelve languages."""
from __future__ import annotations

import gzip
import json

from datacleaning.cleaning.language import identify_language


def test_identify_on_the_gold_texts_of_real_pages_in_twelve_languages(dev_data):
    """Corpus-scale check on the magic-html gold articles whose label is an ISO code (en, zh, id,
    ja, tr, pt, de, it, pl, ko): one page labelled pt is an English forum post."""
    right = total = 0
    with gzip.open(dev_data / "boilerplate" / "magic_html_benchmark.jsonl.gz", "rt", encoding="utf-8") as f:
        for record in map(json.loads, f):
            if len(record["lang_detail"]) == 2 and record["gold"].strip():
                total += 1
                right += identify_language(record["gold"]).lang == record["lang_detail"]
    assert total > 240 and right >= total - 2, (right, total)
