"""The dedup stage on the development corpus: exact duplicates among 82k real Chinese reviews
against an independent count, and a small run of the accuracy evaluation (bench/dedup_accuracy.py)."""
from __future__ import annotations

import json
import sys
import unicodedata

import pytest

from datacleaning.config import load_config
from datacleaning.script_chars import regional_variants, traditional_to_simplified
from datacleaning.stages import run_stage
from helpers import REPO_ROOT, write_kept_shard

sys.path.insert(0, str(REPO_ROOT / "bench"))
import dedup_accuracy  # noqa: E402

# Corpus-scale accuracy against an independent count: `pytest -m "not slow"` leaves these out.
pytestmark = pytest.mark.slow


def _normalized_key(text: str, cache: dict) -> str:
    """The documented exact key with the default options, one character at a time: NFKC when it
    gives one character, Traditional Chinese to Simplified (the published table), lower case, and
    whitespace, control, format, punctuation, symbol characters and variation selectors dropped."""
    simplified, variants = traditional_to_simplified(), regional_variants()
    out = []
    for char in text:
        if char not in cache:
            folded = unicodedata.normalize("NFKC", char)
            folded = simplified.get(folded if len(folded) == 1 else char, folded if len(folded) == 1 else char)
            folded = variants.get(folded, folded)
            category = unicodedata.category(folded)
            dropped = (folded.isspace() or category in ("Zs", "Zl", "Zp", "Cc", "Cf") or category[0] in "PS"
                       or "\ufe00" <= folded <= "\ufe0f")
            lower = folded.lower()
            cache[char] = "" if dropped else (lower if len(lower) == 1 else folded)
        out.append(cache[char])
    return "".join(out)


def test_exact_duplicates_among_the_reviews_match_an_independent_count(dev_data, tmp_path):
    with open(dev_data / "zh" / "zh_ugc_reviews_chinesenlpcorpus.jsonl", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    docs = [{"id": r["id"], "text": r["text"], "lang": "zh"} for r in records]
    for part in range(4):
        write_kept_shard(tmp_path / "in", f"part{part}", docs[part::4])
    cache: dict = {}
    keys = [_normalized_key(d["text"], cache) for d in docs[0::4] + docs[1::4] + docs[2::4] + docs[3::4]]
    with_content = [k for k in keys if k]

    config = load_config(None, [(["run", "workers"], 2), (["run", "progress"], False),
                                (["dedup", "minhash", "enabled"], False)])
    result = run_stage("dedup", config, tmp_path / "in", tmp_path / "out")
    assert result.ok
    assert result.stats["exact_duplicates"] == len(with_content) - len(set(with_content))
    assert result.stats["no_content_docs"] == len(keys) - len(with_content)
    # Raw text equality, the dev data's own count, is a lower bound of normalized equality.
    assert result.stats["exact_duplicates"] >= len(records) - len({r["text"] for r in records}) == 5635


def test_small_accuracy_evaluation_meets_the_targets(dev_data, tmp_path):
    import random

    for lang in ("zh", "en"):
        docs = dedup_accuracy.build_corpus(dev_data, lang, originals=120, natural=300, min_tokens=10,
                                           rng=random.Random(f"test-{lang}"))
        result = dedup_accuracy.evaluate(docs, lang, workers=2, threshold=0.8, scratch=tmp_path / lang)
        assert result["labelled_pairs"]["true"] >= 100, result
        assert result["labelled_pairs"]["f1"] >= 0.95, result
        assert result["min_jaccard_in_a_cluster"] >= 0.5, result
