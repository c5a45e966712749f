"""The reference language model: its probabilities against a counting of the same text written
out in plain Python, its normalization, its file, its folding, the shipped model, the trainer on
the command line, and the reference_perplexity filter in a real clean run. Text: the fixture
corpus (Chinese Wikipedia, Debian Reference, poems, fortunes) and the web-quality fixture pages,
whose sources the fixtures' NOTICE files name; pieces from the SentencePiece model shipped with
the probe's tiny model."""
from __future__ import annotations

import math
import random
from collections import Counter, defaultdict

import numpy as np
import pytest

from datacleaning.document import Document
from datacleaning.model_probe.loader import SHIPPED_TINY
from datacleaning.reference_lm import LMSettings, load_reference_lm, read_reference_lm, train_reference_lm
from datacleaning.reference_lm.filter import ReferencePerplexityFilter
from helpers import FIXTURES, cli, fixture_records, read_rows, write_jsonl

TOKENIZER = SHIPPED_TINY / "tokenizer.model"
WEB = FIXTURES / "rules" / "web_quality"


def fixture_texts() -> list[str]:
    return [record["text"] for record in fixture_records()]


def witten_bell_nll(counted: list[list[int]], scored: list[int], order: int, vocab: int, bos: int) -> list[float]:
    """−log P of each piece of ``scored`` by Witten-Bell interpolation over n-gram counts of the
    ``counted`` documents, each after order − 1 BOS pieces, counted with tuples and dicts."""
    grams: Counter = Counter()
    followers: dict[tuple, Counter] = defaultdict(Counter)
    for doc in counted:
        padded = [bos] * (order - 1) + doc
        for i in range(order - 1, len(padded)):
            for n in range(1, order + 1):
                grams[tuple(padded[i - n + 1:i + 1])] += 1
                if n > 1:
                    followers[tuple(padded[i - n + 1:i])][padded[i]] += 1
    seen = sum(count for gram, count in grams.items() if len(gram) == 1)
    padded = [bos] * (order - 1) + scored
    out = []
    for i in range(order - 1, len(padded)):
        p = (grams[(padded[i],)] + 1) / (seen + vocab)
        for n in range(2, order + 1):
            context = tuple(padded[i - n + 1:i])
            after = followers.get(context)
            if after:
                total, types = sum(after.values()), len(after)
                p = (after[padded[i]] + types * p) / (total + types)
        out.append(-math.log(p))
    return out


@pytest.fixture(scope="module")
def fixture_lm():
    """A model of every fixture text but the last, nothing pruned, nothing held out, reading whole
    texts (as it counted them)."""
    return train_reference_lm(fixture_texts()[:-1], TOKENIZER,
                              LMSettings(order=3, min_count=1, max_chars=1 << 30, hold_out=0))


def test_probabilities_are_those_of_witten_bell_counting(fixture_lm):
    counted = [fixture_lm.encode(fixture_lm.fold(t)) for t in fixture_texts()[:-1]]
    scored = fixture_lm.encode(fixture_lm.fold(fixture_texts()[-1]))
    expected = witten_bell_nll([d.tolist() for d in counted], scored.tolist(), 3, fixture_lm.vocab_size,
                               fixture_lm.bos_id)
    assert np.allclose(fixture_lm.piece_nll([scored]), expected, rtol=1e-9, atol=1e-12)
    # Seen text: the same counting gives the same answer, position by position.
    seen = counted[3]
    assert np.allclose(fixture_lm.piece_nll([seen]), witten_bell_nll(
        [d.tolist() for d in counted], seen.tolist(), 3, fixture_lm.vocab_size, fixture_lm.bos_id), rtol=1e-9)


def test_the_next_piece_probabilities_sum_to_one(fixture_lm):
    prefix = fixture_lm.encode(fixture_lm.fold(fixture_texts()[0]))[:12]
    candidates = [np.append(prefix, piece) for piece in range(fixture_lm.vocab_size)]
    nll = fixture_lm.piece_nll(candidates).reshape(fixture_lm.vocab_size, prefix.size + 1)[:, -1]
    assert np.exp(-nll).sum() == pytest.approx(1.0, abs=1e-9)


def test_documents_scored_together_score_as_each_alone(fixture_lm):
    texts = fixture_texts()[-6:]
    together, chars = fixture_lm.nll(texts)
    alone = [fixture_lm.nll_per_char(text) for text in texts]
    assert np.allclose(together / chars, alone, rtol=1e-12)
    assert math.isnan(fixture_lm.nll_per_char(" \n\t "))


def test_text_is_read_up_to_max_chars_and_folded():
    model = train_reference_lm(fixture_texts(), TOKENIZER, LMSettings(max_chars=300, hold_out=0))
    text = fixture_texts()[0]
    assert model.nll_per_char(text) == model.nll_per_char(text[:300] + "完全不同的结尾" * 50)
    # Traditional characters, full-width forms and runs of white space read as their folded forms.
    assert model.nll_per_char("臺灣的經濟發展很快。ＡＢＣ  x") == model.nll_per_char("台湾的经济发展很快。ABC x")
    # Case and digits stay: shouting is less likely than the same words in lower case.
    assert model.nll_per_char("THE ARCHIVE LEVEL RELEASE FILES") > model.nll_per_char("the archive level release files")


def test_pruning_drops_rare_ngrams_and_keeps_the_model_usable():
    texts = fixture_texts()
    full = train_reference_lm(texts, TOKENIZER, LMSettings(min_count=1, hold_out=0.1))
    pruned = train_reference_lm(texts, TOKENIZER, LMSettings(min_count=2, hold_out=0.1))
    assert all(p < f for p, f in zip(pruned.record["ngrams"][1:], full.record["ngrams"][1:]))
    assert pruned.record["ngrams"][0] == full.record["ngrams"][0]
    held_full, held_pruned = full.record["held_out_nll_per_char"], pruned.record["held_out_nll_per_char"]
    assert held_full is not None and abs(held_pruned - held_full) < 0.25 * held_full


@pytest.mark.parametrize("order", [2, 3])
def test_a_model_whose_higher_orders_were_all_pruned_backs_off_to_its_unigrams(tmp_path, order):
    """A small text, or a min_count above every count, leaves the n-gram tables empty: the model
    scores every text with what it has (unigrams, weighed by how many pieces follow each context),
    the same before and after saving, and above the unpruned model on its own training text."""
    texts = fixture_texts()
    pruned = train_reference_lm(texts, TOKENIZER, LMSettings(order=order, min_count=10**9, hold_out=0))
    assert pruned.record["ngrams"][1:] == [0] * (order - 1)
    full = train_reference_lm(texts, TOKENIZER, LMSettings(order=order, min_count=1, hold_out=0))
    pruned.save(tmp_path / "pruned.npz")
    scores = [pruned.nll_per_char(text) for text in texts[:5]]
    assert all(math.isfinite(x) and x > f for x, f in zip(scores, (full.nll_per_char(t) for t in texts[:5])))
    assert [read_reference_lm(tmp_path / "pruned.npz").nll_per_char(text) for text in texts[:5]] == scores


def test_a_saved_model_reads_back_with_the_same_scores(tmp_path, fixture_lm):
    path = tmp_path / "lm.npz"
    fixture_lm.save(path)
    again = read_reference_lm(path)
    texts = fixture_texts()[-3:]
    assert np.array_equal(again.nll(texts)[0], fixture_lm.nll(texts)[0])
    assert again.record == fixture_lm.record and again.max_chars == fixture_lm.max_chars



def test_the_shipped_model_scores_web_prose_below_keyword_spam_and_its_own_words_shuffled():
    model = load_reference_lm()
    prose = (WEB / "en_web_prose.txt").read_text(encoding="utf-8")
    words = prose.split()
    random.Random(0).shuffle(words)
    spam = (WEB / "en_keyword_spam.txt").read_text(encoding="utf-8")
    assert model.nll_per_char(prose) < min(model.nll_per_char(" ".join(words)), model.nll_per_char(spam))
    wiki = (WEB / "zh_wiki.txt").read_text(encoding="utf-8")
    chars = list(wiki)
    random.Random(0).shuffle(chars)
    assert model.nll_per_char(wiki) < model.nll_per_char("".join(chars))
    assert model.record["settings"]["order"] >= 2 and model.record["held_out"]


def test_a_text_shorter_than_min_chars_or_of_an_unjudged_language_is_scored_not_judged():
    spam = (WEB / "en_keyword_spam.txt").read_text(encoding="utf-8")
    strict = ReferencePerplexityFilter(max_nll_per_char={"en": 0.5})
    value = strict.score(Document("s", spam, lang="en"))
    assert value["nll_per_char"] > 0.5 and value["chars"] == len(spam)
    assert not strict.keep(value)
    assert ReferencePerplexityFilter(max_nll_per_char={"zh": 0.5}).keep(value)       # English not judged
    assert ReferencePerplexityFilter(max_nll_per_char={"en": 0.5}, min_chars=len(spam) + 1).keep(value)
    empty = strict.score(Document("e", "   ", lang="en"))
    assert empty["nll_per_char"] is None and strict.keep({**empty, "chars": 500})


def test_the_command_line_counts_a_model_a_clean_run_then_judges_with(tmp_path):
    texts = fixture_texts()
    reference = write_jsonl(tmp_path / "reference" / "docs.jsonl", texts)
    with open(reference, "a", encoding="utf-8") as f:
        f.write("{not json\n")                      # counted as unreadable, not a crash
    model = tmp_path / "mine.npz"
    result = cli("reference-lm", "train", str(reference.parent), "--tokenizer", str(TOKENIZER),
                 "--output", str(model), "--order", "3", "--min-count", "1")
    assert result.returncode == 0, result.stderr
    assert "held-out NLL per character" in result.stdout and "1 records could not be read" in result.stdout
    record = read_reference_lm(model).record
    assert record["unreadable_records"] == 1 and record["inputs"] == [str(reference.parent)]

    prose = (WEB / "en_web_prose.txt").read_text(encoding="utf-8")
    words = prose.split()
    random.Random(1).shuffle(words)
    limit = (read_reference_lm(model).nll_per_char(prose) + read_reference_lm(model).nll_per_char(" ".join(words))) / 2
    config = tmp_path / "config.toml"
    config.write_text(f'[[clean.filters]]\nname = "reference_perplexity"\nmodel = "{model.name}"\n'
                      f'max_nll_per_char = {{en = {limit}}}\n', encoding="utf-8")
    inputs = write_jsonl(tmp_path / "input" / "docs.jsonl", [prose, " ".join(words)])
    result = cli("clean", str(inputs), "--output", str(tmp_path / "out"), "--config", str(config), "--workers", "1")
    assert result.returncode == 0, result.stderr
    kept, rejected = read_rows(tmp_path / "out" / "kept"), read_rows(tmp_path / "out" / "rejected")
    assert [row["id"] for row in kept] == ["d0"] and [row["id"] for row in rejected] == ["d1"]
    assert rejected[0]["rejected_by"] == "reference_perplexity"
    assert kept[0]["signals"]["reference_perplexity"]["nll_per_char"] <= limit


def test_counting_without_text_is_refused(tmp_path):
    empty = write_jsonl(tmp_path / "empty.jsonl", [])
    result = cli("reference-lm", "train", str(empty), "--tokenizer", str(TOKENIZER), "--output", str(tmp_path / "m.npz"))
    assert result.returncode == 2 and "no text" in result.stderr


def test_the_tokenizer_may_be_a_folder_and_must_be_sentencepiece(tmp_path):
    texts = write_jsonl(tmp_path / "docs.jsonl", fixture_texts()[:20])
    result = cli("reference-lm", "train", str(texts), "--tokenizer", str(SHIPPED_TINY),
                 "--output", str(tmp_path / "m.npz"), "--order", "2", "--min-count", "1")
    assert result.returncode == 0, result.stderr                  # the folder's tokenizer.model
    not_spm = tmp_path / "tokenizer.json"
    not_spm.write_text('{"model": {"type": "BPE"}}', encoding="utf-8")
    for tokenizer, said in ((not_spm, "is not a SentencePiece model"), (tmp_path, "no SentencePiece model at")):
        result = cli("reference-lm", "train", str(texts), "--tokenizer", str(tokenizer), "--output",
                     str(tmp_path / "m2.npz"))
        assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("name, signal", [("reference_perplexity", "nll_per_char"),
                                          ("quality_classifier", "score"), ("lm_ratio", "junk_log_ratio")])
@pytest.mark.parametrize("measured", ["en", "zh"])
def test_a_learned_filter_given_languages_measures_only_those(name, signal, measured):
    """Each learned filter, as built from a config, scores the languages it is given and leaves the
    others without a score (a profile judging one language by another signal pays nothing there)."""
    from datacleaning.cleaning.rule_chain import RuleChain
    from datacleaning.rules.registry import build_rule
    texts = {"en": (WEB / "en_web_prose.txt").read_text(encoding="utf-8"),
             "zh": (WEB / "zh_wiki.txt").read_text(encoding="utf-8")}
    chain = RuleChain(filters=[build_rule("filters", 0, {"name": name, "languages": [measured]})])
    docs = {lang: Document(lang, text) for lang, text in texts.items()}
    for lang, doc in docs.items():
        assert chain.process(doc) is None and doc.lang == lang
        assert (doc.scores[name][signal] is not None) if lang == measured else name not in doc.scores


