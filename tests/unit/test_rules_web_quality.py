"""The standard web-quality rules (Gopher quality and repetition, C4, FineWeb) on real excerpts and
on small texts whose statistics are counted by hand."""
from __future__ import annotations

import random
from collections import Counter
from importlib.util import find_spec

import helpers
import pytest
from web_quality_helpers import doc

from datacleaning.cleaning.rule_chain import RuleChain
from datacleaning.document import Document
from datacleaning.errors import ConfigError
from datacleaning.rules.edits.c4_lines import C4Lines
from datacleaning.rules.filters.web_quality import (C4Document, FineWebQuality, GopherQuality, GopherRepetition,
                                                    zh_ngram_size)
from datacleaning.rules.registry import build_rule

FIXTURES = helpers.FIXTURES / "rules" / "web_quality"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def judged(rule, text: str, lang: str) -> tuple[bool, dict]:
    value = rule.score(doc(text, lang))
    return rule.keep(value), value


# --- gopher_quality -------------------------------------------------------------------------------

def test_gopher_quality_statistics_of_an_english_text():
    text = "The cat sat on the mat. #tag #tag\nIt was... fine"
    # Words: The cat sat on the mat tag tag It was fine = 11 words, 32 characters; the
    # punctuation (. # # ...) is not a word, but it is one of the 15 tokens. Only lowercase "the"
    # is a stop word, as in Gopher.
    assert GopherQuality().score(doc(text, "en")) == {
        "words": 11, "mean_word_length": 2.91, "hash_ratio": 0.1818, "ellipsis_ratio": 0.0909,
        "bullet_lines": 0.0, "ellipsis_lines": 0.0, "alpha_words": 1.0, "alpha_tokens": round(11 / 15, 4),
        "stop_words": 1}


def test_gopher_quality_counts_chinese_in_characters():
    text = "我们在2023年去了北京……\n- 第二行的内容是这样"
    # 18 words: 17 Han characters and the number 2023 (no letter); …… is one ellipsis; the second
    # line starts with a bullet and the first ends in an ellipsis; 在 了 的 是 这 are stop words.
    assert GopherQuality().score(doc(text, "zh")) == {
        "zh_chars": 18, "hash_ratio": 0.0, "ellipsis_ratio": 0.0556, "bullet_lines": 0.5,
        "ellipsis_lines": 0.5, "alpha_words": 0.9444, "stop_words": 5}


def test_the_alphabetic_share_is_per_token_as_datatrove_has_it_or_per_word_as_an_option():
    # Four words with letters among eight tokens: datatrove's 4/8; per word, 4/4.
    value = GopherQuality().score(doc("Alpha, beta, gamma, delta.", "en"))
    assert (value["alpha_tokens"], value["alpha_words"]) == (0.5, 1.0)
    passing = {"words": 50, "mean_word_length": 5.0, "hash_ratio": 0.0, "ellipsis_ratio": 0.0, "bullet_lines": 0.0,
               "ellipsis_lines": 0.0, "stop_words": 4}
    assert GopherQuality().failed_check({**passing, "alpha_words": 1.0, "alpha_tokens": 0.5}) == "alpha_tokens"
    assert GopherQuality(alpha_ratio_per_word=True).failed_check({**passing, "alpha_words": 1.0, "alpha_tokens": 0.5}) == ""
    # Chinese is always per Han character: its values have no per-token share.
    assert GopherQuality().failed_check({**{k: v for k, v in passing.items() if k not in ("words", "mean_word_length")},
                                         "zh_chars": 100, "alpha_words": 0.9}) == ""


def test_the_per_token_share_rejects_manuals_that_the_per_word_share_keeps():
    kept, value = judged(GopherQuality(), fixture("en_debian_table.txt"), "en")
    assert not kept and value["alpha_tokens"] < 0.8 <= value["alpha_words"]
    assert judged(GopherQuality(alpha_ratio_per_word=True), fixture("en_debian_table.txt"), "en")[0]


def test_gopher_quality_thresholds_are_inclusive_and_per_language():
    rule = GopherQuality(en_min_words=50, zh_min_chars=85)
    passing = {"hash_ratio": 0.1, "ellipsis_ratio": 0.1, "bullet_lines": 0.9, "ellipsis_lines": 0.3,
               "alpha_words": 0.8, "stop_words": 2}
    assert rule.keep({"words": 50, "mean_word_length": 3.0, **passing})
    assert not rule.keep({"words": 49, "mean_word_length": 3.0, **passing})
    assert not rule.keep({"words": 50, "mean_word_length": 10.01, **passing})
    assert rule.keep({"zh_chars": 85, **passing})
    assert not rule.keep({"zh_chars": 84, **passing})
    assert not rule.keep({"zh_chars": 85, **passing, "stop_words": 1})


def test_gopher_quality_per_word_keeps_prose_and_manuals():
    for name, lang in [("en_web_prose.txt", "en"), ("en_debian_table.txt", "en"), ("zh_wiki.txt", "zh"),
                       ("zh_debian_table.txt", "zh"), ("zh_portal_page.txt", "zh")]:
        kept, value = judged(GopherQuality(alpha_ratio_per_word=True), fixture(name), lang)
        assert kept, (name, value)


def test_gopher_quality_rejects_forms_and_keyword_lists():
    kept, value = judged(GopherQuality(alpha_ratio_per_word=True), fixture("en_web_booking_form.txt"), "en")
    assert not kept and value["alpha_words"] < 0.8  # a booking form: day and year numbers
    for name, lang in [("en_keyword_spam.txt", "en"), ("zh_keyword_list.txt", "zh")]:
        kept, value = judged(GopherQuality(), fixture(name), lang)
        assert not kept and value["stop_words"] == 0, name


def test_a_rejection_names_the_failed_check_and_the_counters_count_it():
    pipeline = RuleChain(filters=[GopherQuality(alpha_ratio_per_word=True)])
    booking = pipeline.process(Document("en", fixture("en_web_booking_form.txt")))
    spam = pipeline.process(Document("en", fixture("en_keyword_spam.txt")))
    keywords = pipeline.process(Document("zh", fixture("zh_keyword_list.txt")))
    assert booking.rejected_by == "gopher_quality:alpha_words"
    assert spam.rejected_by == keywords.rejected_by == "gopher_quality:stop_words"
    counters = pipeline.take_counters()["gopher_quality"]
    assert counters["rejected"] == 3 and counters["checks"] == {"alpha_words": 1, "stop_words": 2}


# --- gopher_repetition ----------------------------------------------------------------------------

def test_gopher_repetition_stops_at_the_first_fraction_over_its_threshold():
    text = "Buy now.\nBuy now.\nGood stuff here.\n\nBuy now."
    # Two paragraphs, both different; four lines, of which two repeat "Buy now.".
    kept, value = judged(GopherRepetition(), text, "en")
    assert not kept
    assert value == {"dup_paragraphs": 0.0, "dup_paragraph_chars": 0.0, "dup_lines": 0.5}
    value = GopherRepetition(max_dup_line_fraction=1.0).score(doc(text, "en"))
    assert value["dup_line_chars"] == round(16 / 44, 4)


def test_gopher_repetition_top_ngram_fraction():
    text = "a b a b a b c d e f g h i j k l m n o p"
    # ("a", "b") occurs 3 times and covers "a b", 3 characters: 9 of the 39.
    kept, value = judged(GopherRepetition(), text, "en")
    assert not kept and value["top_2gram"] == round(9 / 39, 4)


def test_gopher_repetition_duplicate_ngram_fraction():
    text = "one two three four five six seven eight nine ten one two three four five"
    # The second "one two three four five" repeats 19 characters of the 72; no 6-gram repeats.
    loose = {f"max_top_{n}gram_fraction": 1.0 for n in (2, 3, 4)}
    kept, value = judged(GopherRepetition(**loose), text, "en")
    assert not kept and value["dup_5gram"] == round(19 / 72, 4)
    value = GopherRepetition(**loose, max_dup_5gram_fraction=0.3).score(doc(text, "en"))
    assert value["dup_5gram"] == round(19 / 72, 4) and value["dup_6gram"] == 0.0


def test_chinese_ngrams_are_characters_1_7_times_the_english_size():
    assert [zh_ngram_size(n) for n in range(2, 11)] == [3, 5, 7, 9, 10, 12, 14, 15, 17]
    text = "春眠不觉晓处处闻啼鸟夜来风雨声花落知多少，春眠不觉晓处处闻啼鸟"
    # 31 characters; the last ten repeat the first ten. The 9-gram repeat covers 9 characters
    # (the scan jumps past it, and no 9-gram starts after that); the 10-gram one covers 10.
    loose = {f"max_top_{n}gram_fraction": 1.0 for n in (2, 3, 4)}
    kept, value = judged(GopherRepetition(**loose), text, "zh")
    assert not kept and value["dup_5gram"] == round(9 / 31, 4)
    rule = GopherRepetition(**loose, max_dup_5gram_fraction=0.3, max_dup_6gram_fraction=0.4)
    value = rule.score(doc(text, "zh"))
    assert value["dup_6gram"] == round(10 / 31, 4)
    assert value["dup_7gram"] == 0.0


def test_gopher_repetition_rejects_repeated_advertisements():
    kept, value = judged(GopherRepetition(), fixture("zh_spam_repeated.txt"), "zh")
    # Ten lines: the slogan six times, two other lines twice each: seven repeats.
    assert not kept and value["dup_lines"] == 0.7
    kept, value = judged(GopherRepetition(), fixture("en_keyword_spam.txt"), "en")
    assert not kept


def test_table_rules_are_not_repetition():
    text = fixture("en_debian_table.txt")
    assert text.count("|--------------------------+------------------------------------|") == 4
    kept, value = judged(GopherRepetition(), text, "en")
    assert kept and value["dup_lines"] == 0.0
    kept, value = judged(GopherRepetition(), fixture("zh_debian_table.txt"), "zh")
    assert kept and value["dup_lines"] == 0.0


def test_gopher_repetition_keeps_prose():
    for name, lang in [("en_web_prose.txt", "en"), ("zh_wiki.txt", "zh"), ("zh_portal_page.txt", "zh"),
                       ("en_web_link_fragments.txt", "en")]:
        kept, value = judged(GopherRepetition(), fixture(name), lang)
        assert kept, (name, value)


def reference_ngram_fractions(tokens: list[str], n_chars: int, zh: bool) -> dict:
    """datatrove's get_n_grams / find_top_duplicate / find_all_duplicate, transcribed."""
    size = zh_ngram_size if zh else int
    joiner = "" if zh else " "
    out = {}
    for n in (2, 3, 4):
        k = size(n)
        grams = [joiner.join(tokens[i:i + k]) for i in range(len(tokens) - k + 1)]
        if grams:
            gram, count = Counter(grams).most_common(1)[0]
            out[f"top_{n}gram"] = round(len(gram) * count / n_chars, 4)
    for n in range(5, 11):
        k = size(n)
        seen, chars, i = set(), 0, 0
        while i < len(tokens) - k + 1:
            gram = "".join(tokens[i:i + k])
            if gram in seen:
                chars += len(gram)
                i += k
            else:
                seen.add(gram)
                i += 1
        out[f"dup_{n}gram"] = round(chars / n_chars, 4)
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_ngram_bounds_never_change_a_value_or_a_decision(lang):
    rng = random.Random(7)
    words = ["的", "我", "们", "是", "好", "天"] if lang == "zh" else ["a", "to", "the", "cat", "house", "walked"]
    joiner = "" if lang == "zh" else " "
    for trial in range(300):
        vocabulary = words[:rng.randint(2, len(words))]
        text = joiner.join(rng.choice(vocabulary) for _ in range(rng.randint(1, 120)))
        document = doc(text, lang)
        reference = reference_ngram_fractions(document.views.tokens, len(text), lang == "zh")
        for scale in (1.0, 0.5, 2.0, 4.0):
            limits = {name: value * scale for name, value in GopherRepetition().__dict__.items()
                      if name.startswith("max_")}
            limits.update(max_dup_paragraph_fraction=1.0, max_dup_line_fraction=1.0,
                          max_dup_paragraph_char_fraction=1.0, max_dup_line_char_fraction=1.0)
            rule = GopherRepetition(**limits)
            value = rule.score(document)
            for key, measured in value.items():
                assert reference.get(key, measured) == measured, (text, key)
            expected = all(reference[key] <= rule._limits[key] for key in reference)
            assert rule.keep(value) == expected, (text, value, reference)


# --- c4_lines and c4_document ---------------------------------------------------------------------

def test_c4_lines_keeps_sentences_and_drops_the_rest():
    text = ("Home\nAbout us\nThe bakery opened in 1990 and still bakes every morning.\nRead more...\n"
            "This site uses cookies to improve your experience.\nPlease enable JavaScript to view the menu.\n"
            'She said "see you tomorrow."\nGo!')
    assert C4Lines().apply(text) == ('The bakery opened in 1990 and still bakes every morning.\n'
                                     'She said "see you tomorrow."')


def test_c4_lines_removes_wikipedia_edit_links_in_either_script():
    text = "历史[编辑]\n这座城市建于明代。[来源请求]\n歷史[編輯]\n這座城市建於明代。[來源請求]"
    assert C4Lines().apply(text) == "这座城市建于明代。\n這座城市建於明代。"


def test_c4_lines_on_a_chinese_portal_page_keeps_the_article():
    kept = C4Lines().apply(fixture("zh_portal_page.txt")).split("\n")
    assert [line[:8] for line in kept] == ["经过近一年的施工", "据区住建局介绍，", "“以前一下雨，门", "区住建局相关负责"]


def test_c4_lines_judges_each_line_in_its_own_language():
    text = ("The committee met on Monday to discuss the plan.\n他说：“我们明天见。”\n"
            "城南老街改造工程已经完工。\nSee below.\n好的。\n我明白了。\n我完全明白了。")
    # The Chinese quote ends in 。” (a Chinese sentence end, not an English one); "See below." has
    # two words, under three; 好的 and 我明白了 have under five characters.
    assert C4Lines().apply(text) == ("The committee met on Monday to discuss the plan.\n他说：“我们明天见。”\n"
                                     "城南老街改造工程已经完工。\n我完全明白了。")


def test_c4_lines_removes_citation_marks_and_keeps_paragraph_breaks():
    text = ("Title\n\nParis is the capital of France.[1] It is large.[citation needed]\n\nMenu\n\n"
            "北京是中华人民共和国的首都。[2]")
    assert C4Lines().apply(text) == ("Paris is the capital of France. It is large.\n\n"
                                     "北京是中华人民共和国的首都。")


def test_c4_lines_drops_lines_with_a_very_long_word():
    text = "x" * 1001 + " is a long word.\nThis line is perfectly fine."
    assert C4Lines().apply(text) == "This line is perfectly fine."


def test_c4_lines_without_the_sentence_rule_keeps_hard_wrapped_prose():
    text = fixture("en_debian_table.txt")
    wrapped = "Press Enter on a file, and the appropriate program handles the"
    assert wrapped not in C4Lines().apply(text)  # the wrap cut the sentence
    kept = C4Lines(drop_unterminated=False).apply(text)
    assert wrapped in kept and "|file                      |subdirectory" in kept
    assert "+----" not in kept  # a table rule is one "word"


def test_c4_lines_options_turn_rules_off():
    text = "Read our privacy policy before you sign up.\nThis site needs JavaScript to show maps."
    assert C4Lines(drop_policy=False, drop_javascript=False).apply(text) == text
    assert C4Lines().apply(text) == ""


def test_c4_document_counts_sentences_and_rejects_placeholders_and_code():
    kept, value = judged(C4Document(), fixture("zh_wiki.txt"), "zh")
    assert kept and value["sentences"] == 11  # eleven 。 in the paragraph
    kept, value = judged(C4Document(), fixture("en_template_page.txt"), "en")
    assert not kept and value["lorem_ipsum"]
    code = "Call it like this. It is easy. It works. It is fast. It is small. f() { return 1; }"
    assert not judged(C4Document(), code, "en")[0]
    assert judged(C4Document(reject_curly_bracket=False), code, "en")[0]
    assert not judged(C4Document(), "One. Two. Three. Four.", "en")[0]
    assert judged(C4Document(), "One. Two. Three. Four. Five.", "en")[0]


# --- fineweb_quality ------------------------------------------------------------------------------

def test_fineweb_statistics_of_an_english_page():
    text = "Home\nNews\nThe council approved the new budget on Tuesday evening.\nIt takes effect next month.\nContact"
    # 2 of 5 lines end a sentence; 4 have at most 30 characters; 4 newlines over 19 tokens.
    kept, value = judged(FineWebQuality(), text, "en")
    assert value == {"line_punct": 0.4, "short_lines": 0.8, "char_dup": 0.0, "newline_ratio": round(4 / 19, 4)}
    assert not kept


def test_fineweb_statistics_of_a_chinese_page():
    text = "首页\n新闻\n市政府昨天通过了新的预算方案。\n方案下月起实施。\n联系我们"
    # 2 of 5 lines end a sentence; 4 have at most 9 characters; 4 newlines over 31 tokens.
    value = FineWebQuality().score(doc(text, "zh"))
    assert value == {"line_punct": 0.4, "short_lines": 0.8, "char_dup": 0.0, "zh_newline_ratio": round(4 / 31, 4)}


def test_fineweb_chinese_sentence_ends_look_through_closing_quotes_but_not_teasers():
    lines = ["他说：“明天见。”", "（完。）", "点击查看全文...", "更多精彩内容……", "详情…"]
    assert FineWebQuality().score(doc("\n".join(lines), "zh"))["line_punct"] == 0.6


def test_fineweb_repeated_line_characters():
    text = ("Subscribe to our newsletter today.\nThe mayor opened the new bridge this morning.\n"
            "Subscribe to our newsletter today.")
    kept, value = judged(FineWebQuality(), text, "en")
    assert not kept and value["char_dup"] == round(34 / 113, 4)


def test_fineweb_keeps_paragraph_pages_and_rejects_link_fragments():
    for name, lang in [("en_web_prose.txt", "en"), ("zh_wiki.txt", "zh"), ("zh_portal_page.txt", "zh")]:
        kept, value = judged(FineWebQuality(), fixture(name), lang)
        assert kept, (name, value)
    kept, value = judged(FineWebQuality(), fixture("en_web_link_fragments.txt"), "en")
    assert not kept and value["short_lines"] > 0.67


# --- configuration and routing --------------------------------------------------------------------

def test_parameters_are_validated_from_config():
    rule = build_rule("filters", 0, {"name": "gopher_quality", "zh_min_chars": 200})
    assert rule.zh_min_chars == 200
    with pytest.raises(ConfigError, match="zh_min_chars"):
        build_rule("filters", 0, {"name": "gopher_quality", "zh_min_chars": "200"})
    with pytest.raises(ConfigError, match="min_chars"):
        build_rule("filters", 0, {"name": "fineweb_quality", "min_chars": 3})
    with pytest.raises(ConfigError, match="filter"):
        build_rule("filters", 0, {"name": "c4_lines"})


def test_rules_judge_only_english_and_chinese():
    pipeline = RuleChain(filters=[GopherQuality()])
    assert pipeline.process(Document("ja", "今日はとても良い天気ですね。散歩に行きましょう。")) is None
    verdict = pipeline.process(Document("en", "A short English note."))
    assert verdict is not None and verdict.rejected_by == "gopher_quality:words"


# --- against datatrove ----------------------------------------------------------------------------

@pytest.mark.skipif(find_spec("datatrove") is None or find_spec("spacy") is None,
                    reason="datatrove (with spaCy) is not installed; it is only a reference")
def test_english_statistics_agree_with_datatrove():
    from datatrove.data import Document as DatatroveDocument
    from datatrove.pipeline.filters import C4QualityFilter, FineWebQualityFilter, GopherRepetitionFilter
    from datatrove.utils.text import split_into_words

    pages = ["en_web_prose.txt", "en_web_booking_form.txt", "en_web_link_fragments.txt",
             "en_keyword_spam.txt", "en_template_page.txt"]
    for name in pages:
        text = fixture(name)
        for theirs, ours in [(GopherRepetitionFilter(), GopherRepetition()),
                             (FineWebQualityFilter(), FineWebQuality())]:
            their_keep = theirs.filter(DatatroveDocument(text=text, id=name)) is True
            assert their_keep == ours.keep(ours.score(doc(text, "en"))), name
        theirs = C4QualityFilter().filter(DatatroveDocument(text=text, id=name)) is True
        edited = C4Lines().apply(text)
        assert theirs == (bool(edited) and C4Document().keep(C4Document().score(doc(edited, "en")))), name
        # Gopher's share of tokens with a letter, punctuation among the tokens; spaCy and our
        # tokenizer split a few marks differently ("(501(c)(3)"), so within a point.
        tokens = split_into_words(text, "en")
        theirs = sum(any(c.isalpha() for c in token) for token in tokens) / len(tokens)
        assert abs(GopherQuality().score(doc(text, "en"))["alpha_tokens"] - theirs) <= 0.01, name
