"""The pair of n-gram models of good text and junk, and the lm_ratio filter: the ratio against the
two models' own likelihoods, the file, the trainer in Python and on the command line, the filter's
judgment, and the shipped pair on real and written Chinese text. Text: the fixture corpus and the
Chinese quality fixtures (Wikipedia, Debian Reference, man pages, written reviews, news, keyword
dumps and a lottery page), whose sources the fixtures' NOTICE files name; pieces from the
SentencePiece model shipped with the probe's tiny model."""
from __future__ import annotations

import math

import numpy as np
import pytest

import datacleaning as dc
from datacleaning.document import Document
from datacleaning.model_probe.loader import SHIPPED_TINY
from datacleaning.reference_lm import LMSettings, train_reference_lm
from datacleaning.reference_lm.filter import LMRatioFilter
from datacleaning.reference_lm.ratio import (LMRatio, LMRatioFileError, load_lm_ratio, read_lm_ratio,
                                             train_lm_ratio)
from helpers import FIXTURES, cli, fixture_records, read_rows, write_jsonl
from zh_quality_fixtures import EXCERPTS, WRITTEN

TOKENIZER = SHIPPED_TINY / "tokenizer.model"
WEB = FIXTURES / "rules" / "web_quality"
# Junk of the kinds the pair is for: keyword dumps, a lottery page, a menu, a tag list.
JUNK = [WRITTEN[k] for k in ("keyword-dump-zh", "lottery-contact-spam", "nav-page-zh", "chapter-list-zh")] + \
    [(WEB / "zh_keyword_list.txt").read_text(encoding="utf-8")]
# Chinese text to keep: Wikipedia, the Debian Reference, man pages, reviews, a how-to, a news story.
GOOD = [EXCERPTS[k] for k in ("cmrc-DEV_578", "cmrc-DEV_1178", "cmrc-TRIAL_425", "debref-zh-cn-0194",
                              "debref-zh-cn-0216", "debref-zh-cn-0534", "manzh-unlink.1", "manzh-test.1")] + \
    [WRITTEN[k] for k in ("review-hotel", "review-long", "howto-numbered-steps", "news-with-contacts")]


@pytest.fixture(scope="module")
def fixture_pair() -> LMRatio:
    """A pair counted on the fixture corpus (good) and the junk fixtures but the first, the keyword
    dump (bad)."""
    return train_lm_ratio([r["text"] for r in fixture_records()], JUNK[1:], TOKENIZER,
                          LMSettings(order=2, min_count=1, hold_out=0))


def test_the_ratio_is_the_good_models_nll_per_character_less_the_junk_models(fixture_pair):
    texts = GOOD[:3] + JUNK[:1]
    expected = [fixture_pair.good.nll_per_char(t) - fixture_pair.junk.nll_per_char(t) for t in texts]
    assert np.allclose(fixture_pair.junk_log_ratios(texts), expected, rtol=1e-12)
    assert np.allclose([fixture_pair.junk_log_ratio(t) for t in texts], expected, rtol=1e-12)
    assert math.isnan(fixture_pair.junk_log_ratio(" \n ")) and np.isnan(fixture_pair.junk_log_ratios(["", GOOD[0]])[0])


def test_a_keyword_list_neither_model_saw_reads_as_junk_and_prose_as_good(fixture_pair):
    unseen_junk = fixture_pair.junk_log_ratio(JUNK[0])
    assert unseen_junk > 0
    assert all(fixture_pair.junk_log_ratio(text) < unseen_junk for text in GOOD)


def test_a_pair_whose_bigrams_were_all_pruned_scores_with_its_unigrams():
    """A min_count above every count: no bigram survives, in either model (as from one short text
    a side); the pair still scores, as the two models do alone."""
    pair = train_lm_ratio([GOOD[0][:40]], [JUNK[0][:40]], TOKENIZER, LMSettings(min_count=10**9, hold_out=0))
    assert pair.good.record["ngrams"][1] == pair.junk.record["ngrams"][1] == 0
    for text in (GOOD[1], JUNK[1], "好"):
        expected = pair.good.nll_per_char(text) - pair.junk.nll_per_char(text)
        assert math.isfinite(expected) and pair.junk_log_ratio(text) == pytest.approx(expected, rel=1e-12)


def test_a_text_of_no_piece_has_no_ratio(fixture_pair):
    assert math.isnan(fixture_pair.junk_log_ratio("\u200b"))               # folds to a character, encodes to nothing


def test_a_saved_pair_reads_back_with_the_same_scores(tmp_path, fixture_pair):
    path = tmp_path / "pair.npz"
    fixture_pair.record = {"note": "fixture"}
    fixture_pair.save(path)
    again = read_lm_ratio(path)
    assert np.array_equal(again.junk_log_ratios(GOOD + JUNK), fixture_pair.junk_log_ratios(GOOD + JUNK))
    assert again.record == {"note": "fixture"}
    # A single reference model is not a pair.
    fixture_pair.good.save(tmp_path / "one.npz")
    with pytest.raises(LMRatioFileError, match="not a pair of good and junk language models"):
        read_lm_ratio(tmp_path / "one.npz")


def test_models_that_read_different_lengths_or_are_not_bigram_models_do_not_pair(fixture_pair):
    shorter = train_reference_lm(JUNK, TOKENIZER, LMSettings(max_chars=500, hold_out=0))
    with pytest.raises(ValueError, match="same pieces of the same characters"):
        LMRatio(fixture_pair.good, shorter)
    trigrams = train_reference_lm(JUNK, TOKENIZER, LMSettings(order=3, hold_out=0))
    with pytest.raises(ValueError, match="must be of order 2, not 2 and 3"):
        LMRatio(fixture_pair.good, trigrams)


def test_training_measures_the_held_out_auc_and_needs_both_sides():
    texts = [r["text"] for r in fixture_records()]
    pair = train_lm_ratio(texts, JUNK * 4, TOKENIZER, LMSettings(hold_out=0.25))
    record = pair.record
    assert record["held_out_good"] == len(texts) // 4 and record["held_out_bad"] == 5
    assert record["good_documents"] + record["held_out_good"] == len(texts)
    assert 0.5 < record["held_out_auc"] <= 1.0
    with pytest.raises(ValueError, match="no text to count on the bad side"):
        train_lm_ratio(texts, [], TOKENIZER)


def test_the_filter_judges_only_languages_with_a_limit_and_texts_long_enough(fixture_pair, tmp_path):
    fixture_pair.save(tmp_path / "pair.npz")
    judged = LMRatioFilter(model="pair.npz", max_junk_log_ratio={"zh": 0.0})
    judged.prepare(tmp_path)
    junk = judged.score(Document("j", JUNK[0], lang="zh"))
    assert junk["junk_log_ratio"] > 0 and junk["chars"] == len(JUNK[0]) and not judged.keep(junk)
    good = judged.score(Document("g", GOOD[0], lang="zh"))
    assert good["junk_log_ratio"] < 0 and judged.keep(good)
    assert judged.keep({**junk, "lang": "en"})                                   # no English limit
    assert LMRatioFilter(max_junk_log_ratio={"zh": 0.0}, min_chars=len(JUNK[0]) + 1).keep(junk)
    unmeasured_below = LMRatioFilter(model="pair.npz", max_junk_log_ratio={"zh": 0.0}, min_chars=len(JUNK[0]) + 1,
                                     min_measured_chars=len(JUNK[0]) + 1)
    unmeasured_below.prepare(tmp_path)
    unmeasured = unmeasured_below.score(Document("j", JUNK[0], lang="zh"))
    assert unmeasured == {**junk, "junk_log_ratio": None} and unmeasured_below.keep(unmeasured)
    empty = judged.score(Document("e", "   ", lang="zh"))
    assert empty["junk_log_ratio"] is None and judged.keep({**empty, "chars": 500})


def test_the_shipped_pair_in_mixed_web_rejects_a_keyword_dump_and_keeps_chinese_prose():
    """The limit mixed_web sets, on text the pair never counted: a Chinese keyword dump above it,
    Wikipedia, the Debian Reference, man pages, a how-to and a news story under it."""
    pair = load_lm_ratio()
    config = dc.load_config(None, profile="mixed_web")
    settings = next(f for f in config.clean.filters if f["name"] == "lm_ratio")
    limit = settings["max_junk_log_ratio"]["zh"]
    assert settings["languages"] == ["zh"]
    assert pair.junk_log_ratio(WRITTEN["keyword-dump-zh"]) > limit
    long_good = [text for text in GOOD if len(text) >= 200]
    assert len(long_good) >= 8 and all(pair.junk_log_ratio(text) <= limit for text in long_good)
    assert pair.record["language"] == "zh" and pair.record["out_of_fold"]["limit_95_percent_of_good"] == limit
    cleaned = list(dc.Pipeline(config).clean([WRITTEN["keyword-dump-zh"], EXCERPTS["cmrc-TRIAL_425"]]))
    assert cleaned[1].kept and cleaned[1].document.scores["lm_ratio"]["junk_log_ratio"] <= limit
    assert not cleaned[0].kept


def test_the_command_line_counts_a_pair_a_clean_run_then_judges_with(tmp_path):
    good = write_jsonl(tmp_path / "good" / "docs.jsonl", [r["text"] for r in fixture_records()])
    bad = write_jsonl(tmp_path / "bad" / "docs.jsonl", JUNK[1:])
    with open(bad, "a", encoding="utf-8") as f:
        f.write("{not json\n")                      # counted as unreadable, not a crash
    model = tmp_path / "pair.npz"
    result = cli("reference-lm", "train-ratio", "--good", str(good.parent), "--bad", str(bad),
                 "--tokenizer", str(TOKENIZER), "--output", str(model), "--min-count", "1", "--hold-out", "0")
    assert result.returncode == 0, result.stderr
    assert "held-out ROC AUC not measured" in result.stdout and "1 records could not be read" in result.stdout
    pair = read_lm_ratio(model)
    assert pair.record["unreadable_records"] == 1 and pair.record["bad"] == [str(bad)]
    assert pair.record["bad_documents"] == 4

    prose, junk = EXCERPTS["cmrc-TRIAL_425"], JUNK[0]
    limit = (pair.junk_log_ratio(prose) + pair.junk_log_ratio(junk)) / 2
    config = tmp_path / "config.toml"
    config.write_text(f'[[clean.filters]]\nname = "lm_ratio"\nmodel = "{model.name}"\n'
                      f'max_junk_log_ratio = {{zh = {limit}}}\n', encoding="utf-8")
    inputs = write_jsonl(tmp_path / "input" / "docs.jsonl", [prose, junk])
    result = cli("clean", str(inputs), "--output", str(tmp_path / "out"), "--config", str(config), "--workers", "1")
    assert result.returncode == 0, result.stderr
    kept, rejected = read_rows(tmp_path / "out" / "kept"), read_rows(tmp_path / "out" / "rejected")
    assert [row["id"] for row in kept] == ["d0"] and [row["id"] for row in rejected] == ["d1"]
    assert rejected[0]["rejected_by"] == "lm_ratio"
    assert rejected[0]["signals"]["lm_ratio"]["junk_log_ratio"] > limit >= kept[0]["signals"]["lm_ratio"]["junk_log_ratio"]


def test_a_judging_length_below_the_measuring_one_and_limits_for_unmeasured_languages_are_refused():
    from datacleaning.config import load_config
    from datacleaning.errors import ConfigError
    from datacleaning.rules.registry import build_rule
    with pytest.raises(ConfigError, match=r"min_chars \(100\) is below min_measured_chars \(200\)"):
        build_rule("filters", 0, {"name": "lm_ratio", "min_chars": 100})
    setting = ["clean", "rule_settings", "lm_ratio"]
    for key, value, said in ((["languages"], ["cn"], r"languages: 'cn' not a language"),
                             (["max_junk_log_ratio", "en"], 0.2, r"max_junk_log_ratio: 'en' not among the languages "
                                                                 r"the rule measures \(languages = \['zh'\]\)")):
        with pytest.raises(ConfigError, match=said):
            dc.Pipeline(load_config(None, [(setting + key, value)], profile="mixed_web"))


def test_training_a_pair_without_bad_text_is_refused(tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", GOOD)
    empty = write_jsonl(tmp_path / "empty.jsonl", [])
    result = cli("reference-lm", "train-ratio", "--good", str(good), "--bad", str(empty), "--tokenizer",
                 str(TOKENIZER), "--output", str(tmp_path / "m.npz"))
    assert result.returncode == 2 and "no text to count on the bad side" in result.stderr
    assert "Traceback" not in result.stderr
