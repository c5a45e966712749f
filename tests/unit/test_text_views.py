"""The shared text views: what each view holds, counted by hand on small texts."""
import random
import re

import pytest

from datacleaning.text_views import TextViews

# The definition of a Latin word, spelt out here as a regex to check the byte-class count against.
LATIN_WORD = re.compile(r"[A-Za-z\u00C0-\u024F]+(?:['’][A-Za-z]+)*")


def test_tokens_split_english_as_spacy_does():
    text = "Don't stop: U.S. prices rose 3.14% to $1,000 on 2023-09-24... See https://example.com/a_b now!"
    assert TextViews(text).tokens == [
        "Don", "'t", "stop", ":", "U.S", ".", "prices", "rose", "3.14", "%", "to", "$", "1,000", "on",
        "2023-09-24", "...", "See", "https://example.com/a_b", "now", "!",
    ]


def test_tokens_split_chinese_into_characters_and_keep_latin_words_whole():
    assert TextViews("我们在 2023 年学习 Python。").tokens == [
        "我", "们", "在", "2023", "年", "学", "习", "Python", "。"]


def test_lines_without_a_letter_or_digit_give_no_tokens():
    table = "Name | Size\n+------+------+\nfoo  | 12\n+------+------+\n"
    assert TextViews(table).tokens == ["Name", "|", "Size", "foo", "|", "12"]


def test_symbol_tokens_are_the_punctuation_among_the_tokens():
    views = TextViews("Hi, you... _x_ ok, 'quoted' it's")
    assert views.tokens == ["Hi", ",", "you", "...", "_", "x", "_", "ok", ",", "'quoted", "'", "it", "'s"]
    assert views.symbol_tokens == {",", "...", "_", "'"}
    assert views.token_counts[","] == 2


def test_word_paragraphs_split_on_blank_lines_and_skip_separators():
    views = TextViews("Para one.\n\n* * *\n\nPara two.\n \t\nPara one.")
    assert views.word_paragraphs == ["Para one.", "Para two.", "Para one."]
    assert views.paragraph_duplicates == (1, 9)


def test_line_duplicates_count_repeated_word_lines_only():
    views = TextViews("Home\nNews\n----\n----\nHome\nA story.\nNews")
    # "Home" and "News" come back once each (4 characters each); the "----" rules are layout.
    assert views.line_duplicates == (2, 8)


def test_sentences_end_in_english_marks_before_a_space_or_the_end():
    text = 'It costs 3.14 dollars. Really?! Yes... He said "no." Then he left'
    # dollars. / Really?! / Yes... / "no." -- not the dot of 3.14, and the last clause has no mark.
    assert TextViews(text).n_sentences == 4


def test_sentences_end_in_chinese_marks_with_their_closing_quotes():
    text = "今天下雨了。你去吗？我不去！他说：“好的。”然后……走了\n她回答“可以”"
    # 。 ？ ！ 。” …… and the closing quote that ends the last line.
    assert TextViews(text).n_sentences == 6


def test_clauses_joined_by_semicolons_and_the_fullwidth_full_stop_end_sentences():
    # An abstract's style: clauses joined by ；, the fullwidth full stop ． of some journals, which
    # inside a number (３．１４) is no sentence end.
    text = "目的：探讨两种方法的差异；方法：回顾性分析１２０例患者资料．结果：有效率为３．１４倍；结论：值得推广．"
    assert TextViews(text).n_sentences == 4


def test_views_are_computed_once_and_keep_their_documentation():
    views = TextViews("One line.\nAnother line.")
    assert views.tokens is views.tokens
    assert "word lines" in TextViews.tokens.__doc__
    assert views.nonblank_lines == ["One line.", "Another line."]
    assert views.han_ratio == 0.0


@pytest.mark.parametrize("text, words", [
    ("Don't panic: it's rock'n'roll.", 4),
    ("'tis the season -- a''b", 5),
    ("x86_64 and MP3s", 4),  # x, and, MP, s,
    ("Café l’eau naïve", 3),
    ("", 0),
])
def test_latin_words_by_hand(text, words):
    assert TextViews(text).n_latin_words == words


@pytest.mark.parametrize("text, words", [
    ("Don't stop: U.S. prices rose 3.14% on 2023-09-24...", 9),  # Don 't stop U.S prices rose 3.14 on 2023-09-24
    ("我们在 2023 年学习 Python。", 8),  # 我 们 在 2023 年 学 习 Python
    ("Все люди рождаются свободными и равными.", 6),  # not only Latin and Han letters make words
    ("Name | Size\n+------+------+\n", 2),
])
def test_words_of_any_script_by_hand(text, words):
    assert TextViews(text).n_words == words


def test_latin_words_agree_with_the_regex_on_random_ascii():
    rng = random.Random(5)
    alphabet = "ab'' -_9.\n"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(30)))
        assert TextViews(text).n_latin_words == len(LATIN_WORD.findall(text)), repr(text)
