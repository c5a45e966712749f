"""The length filter (before and after cleaning, and screening text as read), the pipeline's
screening of filters, and the Chinese-character ratio, on real text and on hand-counted small
ones."""
from __future__ import annotations

import json

import pytest
from helpers import EXAMPLE_CONFIG, REPO_ROOT
from zh_quality_fixtures import CLEAN, EXCERPTS, example_pipeline, judge

import datacleaning as dc
from datacleaning.cleaning.rule_chain import BUILTIN_CHECKS, LANGUAGE
from datacleaning.config import load_config
from datacleaning.document import Document
from datacleaning.errors import ConfigError
from datacleaning.rules.base import Filter
from datacleaning.rules.filters.length import Length
from datacleaning.rules.filters.zh_quality import HanRatio
from datacleaning.rules.registry import build_rule, build_rules

EXAMPLES = REPO_ROOT / "examples" / "data"


def test_length_counts_characters_after_cleaning_and_as_read():
    # "ab", a zero-width space, "c", CRLF and three trailing spaces: 9 characters as read; the
    # normalizers drop the zero-width space, the CR and the trailing blanks, leaving "abc".
    value, kept, _ = judge(Length(min_chars=3), "ab\u200bc\r\n   ")
    assert value == {"chars": 3, "original_chars": 9, "han_chars": 0, "original_han_chars": 0}
    assert kept


def test_length_rejects_on_either_bound_before_or_after_cleaning():
    text = "短文本" + "\u200b" * 10  # 3 characters left after cleaning, 13 as read
    assert judge(Length(min_chars=3), text)[1]
    assert not judge(Length(min_chars=4), text)[1]
    assert not judge(Length(min_chars=1, max_chars=2), text)[1]
    assert judge(Length(min_chars=1, min_original_chars=13), text)[1]
    assert not judge(Length(min_chars=1, min_original_chars=14), text)[1]
    assert not judge(Length(min_chars=1, max_original_chars=12), text)[1]


def test_length_defaults_keep_real_paragraphs_and_drop_a_fragment():
    for doc_id in ("cmrc-DEV_578", "debref-zh-cn-0534", "manzh-unlink.1", "wt2-test-0006"):
        assert judge(Length(), EXCERPTS[doc_id])[1], doc_id
    value, kept, _ = judge(Length(), "好")
    assert value == {"chars": 1, "original_chars": 1, "han_chars": 1, "original_han_chars": 1} and not kept


def test_length_of_one_giant_line():
    value, kept, _ = judge(Length(max_chars=99_999), "字" * 100_000)
    assert value == {"chars": 100_000, "original_chars": 100_000, "han_chars": 100_000,
                     "original_han_chars": 100_000} and not kept


QUATRAIN = "床前明月光，疑是地上霜。举头望明月，低头思故乡。"  # Li Bai, public domain: 20 Han, 24 characters


def test_enough_han_characters_make_a_text_long_enough():
    rule = Length(min_chars=50, min_original_chars=50, min_han_chars=20)
    value, kept, _ = judge(rule, QUATRAIN)
    assert value["chars"] == 24 and value["han_chars"] == 20 and kept
    assert not judge(Length(min_chars=50, min_original_chars=50, min_han_chars=21), QUATRAIN)[1]
    assert not judge(Length(min_chars=50, min_original_chars=50), QUATRAIN)[1]  # 0: no allowance
    # Latin letters are not Han characters, however many.
    assert not judge(rule, "Click here to subscribe now")[1]


def test_the_han_allowance_also_passes_the_screen_of_the_text_as_read():
    pipe = example_pipeline([Length(min_chars=50, min_original_chars=50, min_han_chars=20)])
    quatrain, short = pipe.clean([QUATRAIN, "举头望明月，低头思故乡。"])
    assert quatrain.kept
    assert short.verdict.value == {"original_chars": 12, "original_han_chars": 10}
    assert short.document.edits == {}  # rejected as read, before any rule


def test_length_parameters_are_validated_from_config():
    with pytest.raises(ConfigError, match=r"clean\.filters\[0\]\.max_original_chars"):
        build_rule("filters", 0, {"name": "length", "max_original_chars": "a lot"})


@pytest.mark.parametrize("text, han, nonspace", [
    ("中文abc", 2, 5),
    ("第 1 章\u3000开始", 4, 5),  # the ideographic space is not counted
    ("2024-01-01 12:00 价格：100元", 3, 22),
])
def test_han_ratio_counts_han_over_non_space_characters(text, han, nonspace):
    assert HanRatio().score(Document("t", text)) == round(han / nonspace, 4)


def test_han_ratio_is_safe_on_empty_and_blank_text():
    assert HanRatio().score(Document("t", "")) == 0.0
    assert HanRatio().score(Document("t", " \n\t\u3000")) == 0.0


def test_han_ratio_keeps_chinese_technical_text_and_drops_a_number_table():
    for doc_id, text in CLEAN.items():
        value, kept, lang = judge(HanRatio(min_ratio=0.1), text)
        assert kept, (doc_id, value)
    # 2 Han characters, then 30 rows of 5 + 3 + 2 digits.
    table = "型号\n" + "\n".join(f"{i:05d} {i * 37 % 1000:03d} {i * 13 % 97:02d}" for i in range(30))
    value, kept, lang = judge(HanRatio(min_ratio=0.1), table)
    assert lang == "zh" and value == round(2 / (2 + 30 * 10), 4) and not kept


# --- screening: filters asked about the text as read, before any rule rewrites it ----------------

class OriginalMostlyDigits(Filter):
    """A Chinese-only filter that screens: rejects text as read that is over half digits."""

    languages = frozenset({"zh"})

    def screen(self, doc):
        digits = sum(c.isdigit() for c in doc.original_text)
        return {"digits": digits} if digits * 2 > len(doc.original_text) else None

    def score(self, doc):
        return None

    def keep(self, value):
        return True


def test_length_screens_text_too_short_as_read_before_any_rule_rewrites_it():
    pipe = example_pipeline([Length(min_chars=5, min_original_chars=5)])
    short, at_bound = pipe.clean(["短\u200b文", "短文本\u200b\u200b"])
    assert short.verdict.rejected_by == "length"
    assert short.verdict.value == {"original_chars": 3, "original_han_chars": 2}
    assert short.document.text == "短\u200b文" and short.document.edits == {} and short.document.lang == ""
    # Long enough as read, so cleaned and judged after cleaning: 3 characters are left.
    assert at_bound.verdict.rejected_by == "length"
    assert at_bound.verdict.value == {"chars": 3, "original_chars": 5, "han_chars": 3, "original_han_chars": 3}
    assert at_bound.document.edits == {"remove_invisible": 2}
    counters = pipe.cleaning.take_counters()
    assert counters["length"]["rejected"] == 2 and counters["remove_invisible"]["edited"] == 1


def test_a_filter_for_one_language_screens_after_the_language_guess():
    pipe = example_pipeline([OriginalMostlyDigits()])
    chinese, english = pipe.clean(["电话１３８００１３８０００", "call 13800138000 now"])
    assert not chinese.kept and chinese.verdict.value == {"digits": 11}
    assert chinese.document.lang == "zh"
    assert chinese.document.text == "电话13800138000"  # normalized, not yet edited
    assert english.kept and english.document.lang == "en"


def test_screening_changes_no_kept_document_of_the_example_corpus():
    """The example profile's length screen (min_original_chars = min_chars) only saves work: on
    real short and long documents, a pipeline without it keeps exactly the same texts, and
    rejects every document the screen rejected."""
    config = load_config(EXAMPLE_CONFIG)
    unscreened_filters = build_rules(config.clean, config.base_dir)["filters"]
    length = next(rule for rule in unscreened_filters if isinstance(rule, Length))
    assert length.min_original_chars == length.min_chars
    length.min_original_chars = 0
    screened, unscreened = dc.Pipeline(config), dc.Pipeline(config, filters=unscreened_filters)
    records = [json.loads(line) for name in ("en_misc_fortunes.jsonl", "zh_misc_fortunes_zh.jsonl",
                                             "zh_web_authored.jsonl", "en_web_cc_dolma_testdata.jsonl")
               for line in (EXAMPLES / name).read_text(encoding="utf-8").splitlines()]
    outcomes = [(a, b) for a, b in zip(screened.clean(records), unscreened.clean(records))]
    screened_out = [b for a, b in outcomes if a.verdict and "chars" not in a.verdict.value
                    and a.verdict.rejected_by == "length"]
    assert len(screened_out) >= 10
    assert all(not b.kept for b in screened_out)
    assert [(a.document.id, a.document.text) for a, _ in outcomes if a.kept] == \
        [(b.document.id, b.document.text) for _, b in outcomes if b.kept]


def test_score_all_measures_every_filter_and_changes_no_verdict():
    """With clean.score_all every document that reaches the filters carries every applicable
    filter's score, and each one gets the same verdict (the first filter that says no) as without."""
    records = [json.loads(line) for name in ("en_misc_fortunes.jsonl", "zh_misc_fortunes_zh.jsonl",
                                             "zh_web_authored.jsonl", "en_web_cc_dolma_testdata.jsonl")
               for line in (EXAMPLES / name).read_text(encoding="utf-8").splitlines()]
    early = dc.Pipeline(load_config(EXAMPLE_CONFIG))
    scoring = dc.Pipeline(load_config(EXAMPLE_CONFIG, [(["clean", "score_all"], True)]))
    filters = [(step.label, step.rule) for step in scoring.cleaning._filters]
    more_scores = 0
    screening = {label for label, rule in filters if rule.screens() and not rule.languages}
    languages = set(scoring.cleaning.languages)
    screened = 0
    for a, b in zip(early.clean(records), scoring.clean(records)):
        assert a.kept == b.kept
        assert (a.verdict and a.verdict.rejected_by) == (b.verdict and b.verdict.rejected_by), a.document.id
        screened += bool(a.verdict and a.verdict.rejected_by in screening)
        if a.kept:
            assert a.document.text == b.document.text
        if b.verdict is not None and b.verdict.rejected_by in BUILTIN_CHECKS:
            continue
        if languages and b.document.lang not in languages:
            continue  # screened out, and of a language the run rejects: no filter measures it
        applicable = {label for label, rule in filters if rule.applies_to(b.document.lang)}
        assert set(b.document.scores) == applicable | {LANGUAGE}, b.document.id
        more_scores += len(a.document.scores) < len(applicable)
    assert more_scores >= 10, "rejected documents should carry the scores of the filters after the one that decided"
    assert screened, "the examples hold documents the screening rejects"
