"""The quality classifier: its features, its trainer (the library and the command line), the
shipped model, and the quality_classifier filter in a real clean run. Text: the fixture corpus
(Chinese Wikipedia, Debian Reference, poems, fortunes) and the fixture pages of the rule tests
(listings, spam, booking forms, web prose), whose sources the fixtures' NOTICE files name."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest

from datacleaning.config import DEFAULT_PROFILE, load_config
from datacleaning.quality import (FeatureSettings, QualityClassifier, TrainSettings, hashed_ngrams, load_classifier,
                                  roc_auc, train_classifier)
from datacleaning.quality.features import folded_codes
from datacleaning.quality.model import read_classifier
from helpers import FIXTURES, cli, fixture_records, read_rows, write_jsonl

WEB = FIXTURES / "rules" / "web_quality"
JUNK_PAGES = [WEB / "en_keyword_spam.txt", WEB / "en_web_booking_form.txt", WEB / "zh_keyword_list.txt",
              WEB / "zh_spam_repeated.txt", WEB / "zh_portal_page.txt", WEB / "en_template_page.txt",
              FIXTURES / "rules" / "function_words" / "en_tag_listing.txt",
              FIXTURES / "rules" / "function_words" / "en_download_listing.txt",
              *sorted((FIXTURES / "blacklists").glob("*_page.txt"))]


def folded(text: str) -> str:
    return "".join(map(chr, folded_codes(text, 1000)))


def test_text_is_folded_to_what_quality_does_not_depend_on():
    assert folded("  Hello\t\tWORLD\n\n 2024年，臺灣的經濟  ") == "hello world 0000年,台湾的经济"
    assert folded("ＡＢＣ１２３") == "abc000"                       # full-width forms
    assert folded(" \n\t ") == ""


def test_traditional_and_simplified_text_have_the_same_features():
    assert np.array_equal(np.sort(hashed_ngrams("臺灣的經濟發展很快。")), np.sort(hashed_ngrams("台湾的经济发展很快。")))


def test_every_ngram_of_one_to_max_n_characters_is_counted():
    settings = FeatureSettings(bits=16, max_n=3)
    buckets = hashed_ngrams("abcd", settings)
    assert buckets.size == 4 + 3 + 2 and buckets.min() >= 0 and buckets.max() < 1 << 16
    assert hashed_ngrams("", settings).size == 0


def test_features_are_the_same_in_another_process():
    text = fixture_records()[0]["text"]
    code = ("import sys, json; from datacleaning.quality import hashed_ngrams; "
            "print(json.dumps(hashed_ngrams(sys.stdin.read()).tolist()))")
    other = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, check=True)
    assert json.loads(other.stdout) == hashed_ngrams(text).tolist()


def test_settings_out_of_range_are_refused():
    for bad in ({"bits": 4}, {"max_n": 0}, {"max_chars": 0}):
        with pytest.raises(ValueError):
            FeatureSettings(**bad)
    with pytest.raises(ValueError):
        TrainSettings(hold_out=1.0)
    with pytest.raises(ValueError, match="models"):
        TrainSettings(models=0)


def training_sets() -> tuple[list[str], list[str]]:
    """Good: the fixture corpus's Wikipedia paragraphs and Debian Reference sections; bad: the junk
    pages, each cut into its lines too (a listing's lines are listings), so both sides are
    many."""
    good = [r["text"] for r in fixture_records() if r["source"].startswith(("github:ymcui/cmrc2018", "debian:debian-reference"))]
    bad = []
    for page in JUNK_PAGES:
        text = page.read_text(encoding="utf-8")
        bad += [text, *(line for line in text.splitlines() if len(line) > 20)]
    return good, bad


def test_a_trained_classifier_scores_held_out_good_text_above_held_out_bad():
    good, bad = training_sets()
    assert len(good) >= 30 and len(bad) >= 30
    classifier = train_classifier(good, bad, TrainSettings(features=FeatureSettings(bits=16), epochs=30, hold_out=0.2))
    record = classifier.record
    assert record["held_out_good"] > 0 and record["held_out_bad"] > 0
    assert record["held_out_auc"] > 0.9
    assert record["good_documents"] + record["held_out_good"] == len(good)


def test_models_trained_with_successive_seeds_are_averaged_into_one():
    good, bad = training_sets()
    # Batches smaller than the training set, so that the order a seed shuffles them in matters.
    settings = TrainSettings(features=FeatureSettings(bits=16), epochs=5, batch_size=8, hold_out=0.2)
    one, other = (train_classifier(good, bad, dataclasses.replace(settings, seed=seed)) for seed in (3, 4))
    both = train_classifier(good, bad, dataclasses.replace(settings, seed=3, models=2))
    assert np.abs(one.weights - other.weights).max() > 0.01  # the seed moves a single model
    np.testing.assert_allclose(both.weights, (one.weights + other.weights) / 2, atol=1e-6)
    assert both.bias == pytest.approx((one.bias + other.bias) / 2)
    # A linear model: the average's logit is the average of the two logits.
    for text in good[:3] + bad[:3]:
        assert both.logit(text) == pytest.approx((one.logit(text) + other.logit(text)) / 2, abs=1e-4)


def test_weights_decide_how_much_a_text_teaches():
    good, bad = training_sets()
    settings = TrainSettings(features=FeatureSettings(bits=16), epochs=30, hold_out=0)
    # Half the good texts also given as bad: weighed ten times the rest, they drag the good scores
    # down; weighed zero, they teach nothing.
    mislabelled = good[::2]
    weighed = train_classifier(good, [*mislabelled, *bad], settings, bad_weights=[10.0] * len(mislabelled) + [1.0] * len(bad))
    ignored = train_classifier(good, [*mislabelled, *bad], settings, bad_weights=[0.0] * len(mislabelled) + [1.0] * len(bad))
    plain = train_classifier(good, bad, settings)
    mean = lambda classifier: np.mean([classifier.score(t) for t in good])  # noqa: E731
    assert mean(weighed) < mean(plain) - 0.1
    assert mean(ignored) == pytest.approx(mean(plain), abs=0.02)
    with pytest.raises(ValueError, match="one weight"):
        train_classifier(good, bad, settings, good_weights=[1.0])


def test_a_saved_classifier_reads_back_with_the_same_scores(tmp_path):
    good, bad = training_sets()
    classifier = train_classifier(good, bad, TrainSettings(features=FeatureSettings(bits=14, max_n=3), epochs=5))
    classifier.save(tmp_path / "model.npz")
    again = read_classifier(tmp_path / "model.npz")
    assert again.features == classifier.features and again.record == classifier.record
    for text in good[:5] + bad[:5]:
        assert again.score(text) == pytest.approx(classifier.score(text), abs=1e-3)


def test_weights_that_do_not_fit_the_features_are_refused():
    with pytest.raises(ValueError, match="weights for"):
        QualityClassifier(np.zeros(10, np.float32), 0.0, FeatureSettings(bits=12))


def test_the_shipped_classifier_scores_web_prose_above_listings_and_spam():
    classifier = load_classifier()
    # The English threshold of the default profile, as shipped.
    threshold = next(f for f in load_config(None, profile=DEFAULT_PROFILE).clean.filters
                     if f["name"] == "quality_classifier")["min_score"]["en"]
    prose = classifier.score((WEB / "en_web_prose.txt").read_text(encoding="utf-8"))
    english_junk = [p for p in JUNK_PAGES if p.name.startswith("en_") and p.name != "en_template_page.txt"]
    junk = {p.name: classifier.score(p.read_text(encoding="utf-8")) for p in english_junk}
    assert prose >= threshold > max(junk.values()), (threshold, prose, junk)
    assert classifier.record["held_out_auc"] > 0.9


def test_roc_auc_counts_ties_as_half():
    assert roc_auc(np.array([0.0, 1.0]), np.array([2.0, 3.0])) == 1.0
    assert roc_auc(np.array([1.0]), np.array([1.0])) == 0.5
    assert roc_auc(np.array([0.0, 2.0]), np.array([1.0, 3.0])) == 0.75


def test_the_command_line_trains_a_model_a_clean_run_then_scores_with(tmp_path):
    good, bad = training_sets()
    good_file = write_jsonl(tmp_path / "good" / "good.jsonl", good)
    bad_file = write_jsonl(tmp_path / "bad" / "bad.jsonl", bad)
    # One broken line: counted as unreadable, not a crash.
    with open(bad_file, "a", encoding="utf-8") as f:
        f.write("{not json\n")
    model = tmp_path / "models" / "mine.npz"
    result = cli("quality", "train", "--good", str(good_file), "--bad", str(bad_file.parent), "--output", str(model),
                 "--bits", "16", "--epochs", "10")
    assert result.returncode == 0, result.stderr
    assert "held-out ROC AUC" in result.stdout and "1 records could not be read" in result.stdout
    record = read_classifier(model).record
    assert record["unreadable_records"] == 1 and record["bad"] == [str(bad_file.parent)]

    config = tmp_path / "config.toml"
    config.write_text(f'[[clean.filters]]\nname = "quality_classifier"\nmodel = "{model.name}"\n'
                      'min_score = {en = 0.5, zh = 0.5}\nmin_chars = 0\n', encoding="utf-8")
    (tmp_path / "mine.npz").write_bytes(model.read_bytes())  # the model path resolves from the config's folder
    inputs = write_jsonl(tmp_path / "input" / "docs.jsonl", good[:6] + bad[:6])
    result = cli("clean", str(inputs), "--output", str(tmp_path / "out"), "--config", str(config), "--workers", "1")
    assert result.returncode == 0, result.stderr
    kept, rejected = read_rows(tmp_path / "out" / "kept"), read_rows(tmp_path / "out" / "rejected")
    assert len(kept) + len(rejected) == 12
    scores = [row["signals"]["quality_classifier"]["score"] for row in kept]
    assert scores and all(s >= 0.5 for s in scores)
    assert rejected and all(row["rejected_by"] == "quality_classifier" for row in rejected)
    # The model learned these texts: it keeps the good ones and rejects bad ones only.
    assert {row["id"] for row in kept} >= {f"d{i}" for i in range(6)}


def test_the_command_line_trains_on_the_shards_of_a_clean_run(tmp_path):
    """``--good OUT/kept --bad OUT2/kept``: the pipeline's own Arrow shards are training input like
    any file clean reads; a quarantine shard (no text column) counts its rows as unreadable."""
    good, bad = training_sets()
    for name, records in (("good", good), ("bad", bad)):
        path = write_jsonl(tmp_path / name / "docs.jsonl", records)
        with open(path, "a", encoding="utf-8") as f:
            f.write("{not json\n")
        result = cli("clean", str(path), "--output", str(tmp_path / f"{name}_out"), "--profile", "none",
                     "--workers", "1")
        assert result.returncode == 0, result.stderr
    model = tmp_path / "m.npz"
    result = cli("quality", "train", "--good", str(tmp_path / "good_out" / "kept"),
                 "--bad", str(tmp_path / "bad_out" / "kept"), str(tmp_path / "bad_out" / "quarantine"),
                 "--output", str(model), "--bits", "16", "--epochs", "10")
    assert result.returncode == 0, result.stderr
    record = read_classifier(model).record
    assert record["good_documents"] + record["held_out_good"] == len(good)
    assert record["bad_documents"] + record["held_out_bad"] == len(bad)
    assert record["unreadable_records"] == 1


@pytest.mark.parametrize("share", [0.1, 0.25, 0.4, 0.6, 0.9])
def test_the_share_held_out_is_the_share_asked_for_spread_evenly(share):
    from datacleaning.quality.train import split_held_out
    texts = [f"t{i}" for i in range(100)]
    trained, held = split_held_out(texts, share)
    assert len(held) == round(100 * share) and sorted(trained + held) == sorted(texts)
    # Every tenth of the texts holds its share of what is held out.
    assert all(abs(sum(int(t[1:]) // 10 == k for t in held) - 10 * share) <= 1 for k in range(10))
    assert split_held_out(texts, 0.1)[1] == [f"t{i}" for i in range(9, 100, 10)]  # as before the change


def test_a_text_shorter_than_min_chars_is_scored_not_judged():
    from datacleaning.document import Document
    from datacleaning.quality.filter import QualityClassifierFilter
    quotation = "Cogito ergo vendo; vendo ergo sum."
    judged = QualityClassifierFilter(min_score={"en": 0.99})
    value = judged.score(Document("q", quotation, lang="en"))
    assert value["chars"] == len(quotation) and 0 <= value["score"] <= 1
    assert judged.keep(value)
    assert not QualityClassifierFilter(min_score={"en": 0.99}, min_chars=10).keep(value)
    assert QualityClassifierFilter(min_chars=10).keep(value)           # no threshold for English: not judged


def test_the_default_profile_judges_chinese_by_the_ratio_not_the_classifier():
    """mixed_web's classifier measures English only (Chinese is judged by lm_ratio): a Chinese page
    gets no classifier score (each learned filter's `languages`: test_reference_lm.py)."""
    import datacleaning as dc
    wiki = (WEB / "zh_wiki.txt").read_text(encoding="utf-8")
    [cleaned] = dc.Pipeline(load_config(None, profile=DEFAULT_PROFILE)).clean([wiki])
    assert cleaned.document.lang == "zh" and "quality_classifier" not in cleaned.document.scores
    assert cleaned.document.scores["lm_ratio"]["junk_log_ratio"] is not None


def test_terminal_sessions_are_left_out_of_what_the_classifier_scores():
    """A Debian Reference section (tests/fixtures/mixed_docs.jsonl) with shell sessions in it: the
    paragraphs that open at a prompt, commands and output, are not scored; its sentences are."""
    from datacleaning.document import Document
    from datacleaning.quality.filter import QualityClassifierFilter, prose_of
    section = next(r["text"] for r in fixture_records() if r["id"] == "debref-en-0513")
    prose = prose_of(section)
    assert "$ sudo" not in prose and "sbuild-createchroot -v" not in prose
    assert "You can login to this environment using schroot(1)." in prose and "Chroot system" in prose
    rule = QualityClassifierFilter(min_score={"en": 0.5})
    value = rule.score(Document("d", section, lang="en"))
    assert value["chars"] == len(prose) < len(section)
    assert value["score"] == pytest.approx(load_classifier().score(prose), abs=1e-4)
    # Text without a prompt is scored whole, a dollar amount inside a sentence included.
    plain = "It costs $ 5 a month to host.\n\n# 1 is the loneliest number? No: the line opens a paragraph."
    assert prose_of(plain.split("\n\n")[0]) == plain.split("\n\n")[0]


def test_training_without_bad_text_is_refused(tmp_path):
    good_file = write_jsonl(tmp_path / "good.jsonl", training_sets()[0])
    empty = write_jsonl(tmp_path / "bad.jsonl", [])
    result = cli("quality", "train", "--good", str(good_file), "--bad", str(empty), "--output", str(tmp_path / "m.npz"))
    assert result.returncode == 2 and "need good and bad text" in result.stderr
