"""The standard web-quality filters: Gopher quality, Gopher repetition, C4 and FineWeb, for
English and Chinese text.

English statistics follow datatrove's implementations (``gopher_quality_filter.py``,
``gopher_repetition_filter.py``, ``c4_filters.py``, ``fineweb_quality_filter.py``), so their
published thresholds keep their meaning. Chinese is not written in words, so each statistic says
which unit stands in:

- Words are Han characters. ``doc.views.tokens`` makes each Han character a token (a Latin word or
  a number inside Chinese text stays one token). Jieba words would be closer to English words,
  but jieba segments 0.4-0.9 MB/s, a fraction of the stage's whole budget. A Chinese word is 1.8
  Han characters on average (jieba on zh Wikipedia and the Debian Reference) and punctuation
  counts one to one, so a threshold counted in English words becomes ``ZH_CHARS_PER_WORD`` (1.7)
  times as many Chinese tokens: Gopher's 50 to 100,000 words are 85 to 170,000 characters, its
  n-grams of 2 to 10 words are character n-grams of 3 to 17.
- Sentences end in 。！？ (or their half-width forms, as typed on phones), in the ； that joins
  the clauses of an abstract or the items of a statute, in the fullwidth ．, or in the two-character
  ellipsis ……, closing quotes and brackets after them looked through (。” ！」 。）). "..." and a
  single … end a cut-off teaser ("点击查看全文..."), not a sentence.
- Mean word length (Gopher's 3 to 10 characters) has no Chinese counterpart and is not measured.

Filters take the document's language. The c4_lines edit rule, which is not told it, judges each
line by the Chinese rules when the line holds a Han character, so the English lines of a Chinese
man page and the Chinese quotes in an English page each meet their own rules.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate, compress, repeat
from operator import gt, itemgetter, mul

import regex

from datacleaning.document import Document
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import register
from datacleaning.rules.web_text import WEB_LANGUAGES, ZH, ends_zh_sentence
from datacleaning.rules.word_lists import stop_words
from datacleaning.text_views import TOKEN, WORD_CHAR

ZH_CHARS_PER_WORD = 1.7

# Unicode's Sentence_Terminal marks that Latin and CJK text use; datatrove's FineWeb filter takes
# the whole property, whose other marks belong to scripts routed to other languages.
EN_TERMINAL = (".", "!", "?", "‼", "‽", "⁇", "⁈", "⁉", "。", "！", "？", "．", "｡", "﹒", "﹖", "﹗",
               "︒", "︕", "︖")
BULLETS = ("•", "-", "·", "●", "○", "■", "□", "◆", "◇", "▪", "►", "▶", "★", "☆", "※")
ELLIPSES = ("...", "…", "。。。")
LOREM_IPSUM = regex.compile(r"lorem ipsum", regex.IGNORECASE)
REPEATING_RUN = re.compile("11+")


def zh_ngram_size(n: int) -> int:
    """The Chinese character n-gram that stands for an n-gram of English words."""
    return int(n * ZH_CHARS_PER_WORD + 0.5)



@register("gopher_quality")
@dataclass
class GopherQuality(Filter):
    """Gopher's quality rules: documents too short or too long, with words too short or too long
    on average (English only), with too many ``#`` or ellipses per word, made mostly of bullet
    lines or of lines ending in an ellipsis, with too few words holding a letter, or without the
    commonest function words (English: the, be, to, of, and, that, have, with; Chinese: 的 了 是
    在 和 有 这 也), which catches tables of numbers, code, keyword lists and link farms.

    Words are the ``doc.views.tokens`` that are not punctuation; in Chinese a word is a Han
    character, so the length bounds are ``zh_*_chars`` (Gopher's words × 1.7). Ratios are per
    word, as the Gopher paper has them, except the share of words with a letter in English: that
    one is per token, punctuation included, as datatrove computes it (``alpha_tokens``), so its
    published 0.8 keeps its meaning; it rejects 95% of WikiText and 82% of the Debian Reference,
    which the paper's per-word share (``alpha_ratio_per_word``, always so in Chinese) keeps.
    Leaves alone prose, news, encyclopaedia paragraphs and manuals (per word).
    """

    signals = {"words": "int64", "zh_chars": "int64", "mean_word_length": "float64", "hash_ratio": "float64",
               "ellipsis_ratio": "float64", "bullet_lines": "float64", "ellipsis_lines": "float64",
               "alpha_words": "float64", "alpha_tokens": "float64", "stop_words": "int64"}
    thresholds = frozenset({
        "en_min_words", "en_max_words", "zh_min_chars", "zh_max_chars", "en_min_mean_word_length",
        "en_max_mean_word_length", "max_symbol_word_ratio", "max_bullet_lines_ratio", "max_ellipsis_lines_ratio",
        "min_alpha_words_ratio", "alpha_ratio_per_word", "min_stop_words"
    })
    threshold_fields = {
        "en_min_words": "words", "en_max_words": "words", "zh_min_chars": "zh_chars", "zh_max_chars": "zh_chars",
        "en_min_mean_word_length": "mean_word_length", "en_max_mean_word_length": "mean_word_length",
        "max_bullet_lines_ratio": "bullet_lines", "max_ellipsis_lines_ratio": "ellipsis_lines",
        "min_stop_words": "stop_words"
    }
    languages = WEB_LANGUAGES
    en_min_words: int = 50
    en_max_words: int = 100_000
    zh_min_chars: int = 85
    zh_max_chars: int = 170_000
    en_min_mean_word_length: float = 3.0
    en_max_mean_word_length: float = 10.0
    max_symbol_word_ratio: float = 0.1
    max_bullet_lines_ratio: float = 0.9
    max_ellipsis_lines_ratio: float = 0.3
    min_alpha_words_ratio: float = 0.8
    alpha_ratio_per_word: bool = False
    min_stop_words: int = 2

    def score(self, doc: Document) -> dict:
        s = doc.views
        text, counts, symbols = s.text, s.token_counts, s.symbol_tokens
        n_words = s.n_words
        per_word = 1 / max(n_words, 1)
        word_chars = (sum(map(mul, map(len, counts), counts.values()))
                      - sum(len(symbol) * counts[symbol] for symbol in symbols))
        # A word without a letter (2023, 3.14, 1,000) starts with a digit; most words do not.
        numbers = [t for t in compress(counts, map(str.isdigit, map(itemgetter(0), counts)))
                   if not any(map(str.isalpha, t))]
        n_alpha = n_words - sum(map(counts.__getitem__, numbers))
        zh = doc.lang == ZH
        value: dict = {"zh_chars": n_words} if zh else {
            "words": n_words, "mean_word_length": round(word_chars / n_words, 2) if n_words else 0.0}
        lines = s.lines
        bullet_lines = sum(map(str.startswith, map(str.lstrip, lines), repeat(BULLETS)))
        ellipsis_lines = sum(map(str.endswith, map(str.rstrip, lines), repeat(ELLIPSES)))
        ellipses = text.count("...") + text.count("…") - text.count("……")
        value["hash_ratio"] = round(text.count("#") * per_word, 4)
        value["ellipsis_ratio"] = round(ellipses * per_word, 4)
        value["bullet_lines"] = round(bullet_lines / len(lines), 4)
        value["ellipsis_lines"] = round(ellipsis_lines / len(lines), 4)
        value["alpha_words"] = round(n_alpha * per_word, 4)
        if not zh:
            # datatrove counts the tokens of every line; ours skip layout lines (no letter or digit).
            layout = 0 if len(s.word_lines) == len(s.nonblank_lines) else len(TOKEN.findall(
                "\n".join(line for line in s.nonblank_lines if not WORD_CHAR.search(line))))
            value["alpha_tokens"] = round(n_alpha / max(len(s.tokens) + layout, 1), 4)
        value["stop_words"] = sum(word in counts for word in stop_words(doc.lang))
        return value

    def failed_check(self, value: dict) -> str:
        if "words" in value:
            if not self.en_min_words <= value["words"] <= self.en_max_words:
                return "words"
            if not self.en_min_mean_word_length <= value["mean_word_length"] <= self.en_max_mean_word_length:
                return "mean_word_length"
        elif not self.zh_min_chars <= value["zh_chars"] <= self.zh_max_chars:
            return "zh_chars"
        # Chinese values have no alpha_tokens: the share is per Han character there.
        alpha = "alpha_words" if self.alpha_ratio_per_word or "alpha_tokens" not in value else "alpha_tokens"
        checks = (("hash_ratio", value["hash_ratio"] > self.max_symbol_word_ratio),
                  ("ellipsis_ratio", value["ellipsis_ratio"] > self.max_symbol_word_ratio),
                  ("bullet_lines", value["bullet_lines"] > self.max_bullet_lines_ratio),
                  ("ellipsis_lines", value["ellipsis_lines"] > self.max_ellipsis_lines_ratio),
                  (alpha, value[alpha] < self.min_alpha_words_ratio),
                  ("stop_words", value["stop_words"] < self.min_stop_words))
        return next((check for check, failed in checks if failed), "")


def top_ngram(tokens: list[str], n: int) -> tuple[tuple[str, ...], int]:
    """The most frequent n-gram and its count (the first to reach that count, as datatrove's
    ``Counter.most_common`` has it)."""
    return max(Counter(zip(*(tokens[i:] for i in range(n)))).items(), key=itemgetter(1))


def repeating_runs(tokens: list[str], counts: Counter[str]) -> list[tuple[int, int]]:
    """(start, end) token indexes of the runs of two or more tokens that each occur more than once
    in the text: the only places a repeated n-gram can be."""
    flag = dict(zip(counts, map("01".__getitem__, map(gt, counts.values(), repeat(1)))))
    return [m.span() for m in REPEATING_RUN.finditer("".join(map(flag.__getitem__, tokens)))]


def repeated_ngram_chars(tokens: list[str], ends: list[int], sizes: list[int]) -> Iterator[int]:
    """For each n in ``sizes`` (increasing): characters in n-grams that repeat an earlier n-gram,
    counted as datatrove's ``find_all_duplicate`` counts them (after a repeat the scan resumes
    past it, and the n-grams it skipped are not remembered).

    Only n-grams that occur twice can repeat, and an n-gram that repeats starts one of the smaller
    size that does, so after one pass over the whole text each larger size looks only at the
    starts that repeated at the size before. ``ends[i]`` is where token i ends, in characters.
    """
    grams = list(zip(*(tokens[i:] for i in range(sizes[0]))))
    starts: list[int] | range = range(len(grams))
    for n in sizes:
        if n != sizes[0]:
            starts = [i for i in starts if i + n <= len(tokens)]
            grams = [tuple(tokens[i:i + n]) for i in starts]
        counts = Counter(grams)
        twice = [] if len(counts) == len(grams) else list(
            compress(range(len(grams)), map(gt, map(counts.__getitem__, grams), repeat(1))))
        starts = [starts[k] for k in twice]
        grams = [grams[k] for k in twice]
        seen: set[tuple[str, ...]] = set()
        resume = chars = 0
        for start, gram in zip(starts, grams):
            if start < resume:
                continue
            if gram in seen:
                chars += ends[start + n] - ends[start]
                resume = start + n
            else:
                seen.add(gram)
        yield chars


TOP_NGRAMS = (2, 3, 4)
REPEATED_NGRAMS = (5, 6, 7, 8, 9, 10)


@register("gopher_repetition")
@dataclass
class GopherRepetition(Filter):
    """Gopher's repetition rules: documents where too many paragraphs or lines repeat (as a share
    of paragraphs/lines and of characters), where the most frequent 2-, 3- or 4-gram covers too
    many characters, or where too many characters sit in repeated 5- to 10-grams: spam, link
    farms, templated listings, scraped menus, auto-generated pages.

    Chinese uses character n-grams of 1.7 times the size (3, 5, 7 for the top n-grams; 9, 10, 12,
    14, 15, 17 for the repeated ones) with the same thresholds. Lines and paragraphs without a
    letter or digit (table rules, separators) are layout, not repetition: they are not counted,
    and give no tokens to the n-grams, so manuals with ASCII tables stay. Otherwise the
    statistics are datatrove's.

    Scores the fractions in Gopher's order and stops at the first one over its threshold. An
    n-gram fraction that an upper bound from single-token counts shows to be under its
    threshold is not counted and not reported: counting n-grams is most of the cost.
    """

    signals = {"dup_paragraphs": "float64", "dup_paragraph_chars": "float64", "dup_lines": "float64",
               "dup_line_chars": "float64", "top_2gram": "float64", "top_3gram": "float64", "top_4gram": "float64",
               "dup_5gram": "float64", "dup_6gram": "float64", "dup_7gram": "float64", "dup_8gram": "float64",
               "dup_9gram": "float64", "dup_10gram": "float64"}
    languages = WEB_LANGUAGES
    max_dup_paragraph_fraction: float = 0.3
    max_dup_paragraph_char_fraction: float = 0.2
    max_dup_line_fraction: float = 0.3
    max_dup_line_char_fraction: float = 0.2
    max_top_2gram_fraction: float = 0.2
    max_top_3gram_fraction: float = 0.18
    max_top_4gram_fraction: float = 0.16
    max_dup_5gram_fraction: float = 0.15
    max_dup_6gram_fraction: float = 0.14
    max_dup_7gram_fraction: float = 0.13
    max_dup_8gram_fraction: float = 0.12
    max_dup_9gram_fraction: float = 0.11
    max_dup_10gram_fraction: float = 0.10

    def __post_init__(self):
        self._limits = {
            "dup_paragraphs": self.max_dup_paragraph_fraction,
            "dup_paragraph_chars": self.max_dup_paragraph_char_fraction,
            "dup_lines": self.max_dup_line_fraction,
            "dup_line_chars": self.max_dup_line_char_fraction,
            **{f"top_{n}gram": getattr(self, f"max_top_{n}gram_fraction") for n in TOP_NGRAMS},
            **{f"dup_{n}gram": getattr(self, f"max_dup_{n}gram_fraction") for n in REPEATED_NGRAMS},
        }

    def score(self, doc: Document) -> dict:
        value = {}
        for key, fraction in self._fractions(doc):
            value[key] = measured = round(fraction, 4)
            if measured > self._limits[key]:
                break
        return value

    def failed_check(self, value: dict) -> str:
        return next((key for key, measured in value.items() if measured > self._limits[key]), "")

    def _fractions(self, doc: Document) -> Iterator[tuple[str, float]]:
        s = doc.views
        n_chars = max(len(s.text), 1)
        paragraphs, lines = s.word_paragraphs, s.word_lines
        repeats, chars = s.paragraph_duplicates
        yield "dup_paragraphs", repeats / len(paragraphs) if paragraphs else 0.0
        yield "dup_paragraph_chars", chars / n_chars
        repeats, chars = s.line_duplicates
        yield "dup_lines", repeats / len(lines) if lines else 0.0
        yield "dup_line_chars", chars / n_chars
        tokens = s.tokens
        if not tokens:
            return
        counts = s.token_counts
        zh = doc.lang == ZH
        size = zh_ngram_size if zh else int
        joiner = 0 if zh else 1
        ends = list(accumulate(map(len, tokens), initial=0))
        runs = repeating_runs(tokens, counts)

        def chars_in_runs(n: int) -> int:
            return sum(ends[end] - ends[start] for start, end in runs if end - start >= n)

        # Most documents need no n-gram counted. Where no run of repeating tokens is n long,
        # no n-gram occurs twice: the most frequent n-gram is the first one and nothing repeats.
        # Elsewhere two upper bounds decide, and a fraction is measured only where its bound
        # exceeds the threshold. An n-gram occurs at most ``cap`` times (no more than its
        # commonest token, or than the commonest smaller n-gram counted so far), so it covers
        # at most n times the largest min(cap, count) × length of one token. And an n-gram that
        # occurs twice lies in a run of repeating tokens at least n long, where each token is
        # covered by at most n of its occurrences (by one of the non-overlapping repeats that the
        # duplicate fractions count); one that occurs once covers its own length, and the first
        # n-gram is the most frequent when none occurs twice.
        longest = max((end - start for start, end in runs), default=0)
        lengths, occurrences = list(map(len, counts)), list(counts.values())
        cap = max(occurrences)
        for n in TOP_NGRAMS:
            key, k = f"top_{n}gram", size(n)
            if len(tokens) < k:
                break
            joins = joiner * (k - 1)
            if k > longest:
                yield key, (ends[k] + joins) / n_chars
                continue
            most = max(map(mul, lengths, map(min, occurrences, repeat(cap))))
            by_runs = max(ends[k] + joins, k * chars_in_runs(k) + joins * cap)
            if min(k * most + joins * cap, by_runs) / n_chars > self._limits[key]:
                gram, cap = top_ngram(tokens, k)
                yield key, cap * (sum(map(len, gram)) + joins) / n_chars
        to_count = []
        for n in REPEATED_NGRAMS:
            key, k = f"dup_{n}gram", size(n)
            if k > longest:
                yield key, 0.0
            elif chars_in_runs(k) / n_chars > self._limits[key]:
                to_count.append((key, k))
        if to_count:
            sizes = [k for _, k in to_count]
            for (key, _), chars in zip(to_count, repeated_ngram_chars(tokens, ends, sizes)):
                yield key, chars / n_chars


@register("c4_document")
@dataclass
class C4Document(Filter):
    """C4's document rules: pages with "lorem ipsum" (placeholder text), with a curly bracket
    (code, templates, JSON), or with fewer than ``min_sentences`` sentences (Chinese marks
    。！？…… count as sentence ends, as . ! ? do in English). Run it after ``c4_lines``, as C4
    does: the brackets and placeholder text of lines that rule drops do not count. Leaves alone
    prose of five sentences or more.
    """

    signals = {"lorem_ipsum": "bool", "curly_bracket": "bool", "sentences": "int64"}
    thresholds = frozenset({"min_sentences", "reject_lorem_ipsum", "reject_curly_bracket"})
    threshold_fields = {"min_sentences": "sentences"}
    languages = WEB_LANGUAGES
    min_sentences: int = 5
    reject_lorem_ipsum: bool = True
    reject_curly_bracket: bool = True

    def score(self, doc: Document) -> dict:
        text = doc.views.text
        return {"lorem_ipsum": LOREM_IPSUM.search(text) is not None, "curly_bracket": "{" in text,
                "sentences": doc.views.n_sentences}

    def failed_check(self, value: dict) -> str:
        checks = (("lorem_ipsum", self.reject_lorem_ipsum and value["lorem_ipsum"]),
                  ("curly_bracket", self.reject_curly_bracket and value["curly_bracket"]),
                  ("sentences", value["sentences"] < self.min_sentences))
        return next((check for check, failed in checks if failed), "")


@register("fineweb_quality")
@dataclass
class FineWebQuality(Filter):
    """FineWeb's rules: documents where under ``min_line_punct_ratio`` of the lines end a
    sentence, where over ``max_short_line_ratio`` of the lines are short (at most
    ``en_short_line_length`` / ``zh_short_line_length`` characters), where repeated lines hold
    over ``max_char_dup_ratio`` of the characters, or with more than ``en_max_newline_ratio``
    (Chinese: ``zh_max_newline_ratio``) newlines per token, punctuation marks counted as in
    datatrove, Han characters one by one: menus, tag lists, lists of links, boilerplate repeated
    down the page.

    Counts non-blank lines. Repeated lines are those with a letter or digit, as in
    gopher_repetition. Leaves alone prose written one paragraph per line; hard-wrapped text has
    few lines ending a sentence and should not meet this filter.
    """

    signals = {"line_punct": "float64", "short_lines": "float64", "char_dup": "float64", "newline_ratio": "float64",
               "zh_newline_ratio": "float64"}
    thresholds = frozenset({
        "min_line_punct_ratio", "max_short_line_ratio", "max_char_dup_ratio", "en_max_newline_ratio",
        "zh_max_newline_ratio"
    })
    threshold_fields = {
        "min_line_punct_ratio": "line_punct", "max_short_line_ratio": "short_lines",
        "max_char_dup_ratio": "char_dup", "en_max_newline_ratio": "newline_ratio",
        "zh_max_newline_ratio": "zh_newline_ratio"
    }
    languages = WEB_LANGUAGES
    min_line_punct_ratio: float = 0.12
    max_short_line_ratio: float = 0.67
    en_short_line_length: int = 30
    zh_short_line_length: int = 9
    max_char_dup_ratio: float = 0.01
    en_max_newline_ratio: float = 0.3
    zh_max_newline_ratio: float = 0.18

    def score(self, doc: Document) -> dict:
        s = doc.views
        lines = s.nonblank_lines
        n_lines = max(len(lines), 1)
        zh = doc.lang == ZH
        if zh:
            punct_lines = sum(map(ends_zh_sentence, lines))
        else:
            punct_lines = sum(map(str.endswith, lines, repeat(EN_TERMINAL)))
        short = self.zh_short_line_length if zh else self.en_short_line_length
        newlines = s.text.count("\n")
        return {
            "line_punct": round(punct_lines / n_lines, 4),
            "short_lines": round(sum(map(short.__ge__, map(len, lines))) / n_lines, 4),
            "char_dup": round(s.line_duplicates[1] / max(len(s.text) - newlines, 1), 4),
            ("zh_newline_ratio" if zh else "newline_ratio"): round(newlines / max(len(s.tokens), 1), 4),
        }

    def failed_check(self, value: dict) -> str:
        newline_key, max_newline_ratio = (("zh_newline_ratio", self.zh_max_newline_ratio) if "zh_newline_ratio" in value
                                          else ("newline_ratio", self.en_max_newline_ratio))
        checks = (("line_punct", value["line_punct"] < self.min_line_punct_ratio),
                  ("short_lines", value["short_lines"] > self.max_short_line_ratio),
                  ("char_dup", value["char_dup"] > self.max_char_dup_ratio),
                  (newline_key, value[newline_key] > max_newline_ratio))
        return next((check for check, failed in checks if failed), "")
