"""Views of a document's text that several filters share, each computed once, on first use."""
from __future__ import annotations

import re
from collections import Counter
from itertools import compress
from operator import itemgetter, not_

import regex

from datacleaning.charclasses import CJK_RADICALS, HAN, HAN_RUN, count_chars

WORD_CHAR = regex.compile(r"[\p{L}\p{N}]")

# The Han script's blocks and the CJK radicals, spelt out so that the hot patterns below can use
# the standard library's re, 30-40% faster here than the regex module.
HAN_RANGES = CJK_RADICALS + HAN
# Words and punctuation split the way datatrove's English tokenizer (spaCy) splits them, closely
# enough that Gopher and FineWeb thresholds keep their meaning: a URL is one token; a word keeps
# inner dots, slashes, colons, @ and underscores (U.S, and/or, 10:30, a@b.com, foo_bar), digit
# groups (1,000) and a hyphen before a digit (2023-09-24, COVID-19); a leading apostrophe starts
# a token ('s, 't: "don't" is two tokens, as spaCy's "do" + "n't"); "..." and "--" are one token;
# any other punctuation mark is a token per character. Each Han character is a token of its own,
# so Chinese text comes out as characters. A token is a word, not punctuation, exactly when its
# last character is a letter or digit (see ``symbol_tokens``).
TOKEN = re.compile(
    rf"[{HAN_RANGES}]"
    r"|https?://[^\s<>\"'()\[\]{}]*[^\W_]"
    rf"|['’]?[^\W{HAN_RANGES}_]+(?:[_./@:][^\W{HAN_RANGES}_]+|[,-]\d+)*"
    r"|\.\.+|--+|_+|[^\w\s]"
)
# A clause ends in a Chinese comma (counted with str.count), or in the ASCII comma some sites and
# crawls type after a Han character: the comma first, so that the scan skips to commas.
ASCII_CLAUSE_END = re.compile(rf",(?<=[{HAN_RANGES}],)")
LATIN_WORD = re.compile(r"[A-Za-z\u00C0-\u024F]+(?:['’][A-Za-z]+)*")
_WORD_CLASS = bytes(ord("a") if chr(b).isalpha() else ord("'") if chr(b) == "'" else ord(" ") for b in range(128)) + b" " * 128
# Where a line of verse ends: a Chinese or ASCII clause or sentence mark, or a line end.
VERSE_BREAK = re.compile(r"[，。！？；、,!?;\n]+")
# How much of a text the verse test reads: a page of poems shows what it is within a few poems.
VERSE_SAMPLE_CHARS = 1500
# Paragraphs are separated by blank lines, whitespace-only lines included.
PARAGRAPH_BREAK = re.compile(r"\n[ \t\u3000\xa0]*\n\s*")
# A sentence ends in a run of Chinese marks (。！？, the ； that joins the clauses of an abstract or
# the items of a statute, or an ellipsis of two or more …), or in . ! ? and the fullwidth ． of
# some typesetting before a space, a Han character or the end (not in the dot of "3.14", "U.S.A"
# or "www.example.com"), closing quotes and brackets after either included; a line that ends in a
# closing quote with no mark before it ends a sentence too (他说“好”).
SENTENCE_END = re.compile(
    # One character class first, so that the scan skips to candidate characters in C (twice as
    # fast as an alternation); the lookbehinds then say which kind of end the mark starts.
    r"[。！？；….!?．\"'’”」』](?:"
    r"(?<=[。！？；])[。！？；]*[”’」』）)]*|(?<=…)…+[”’」』]*"
    # From the first mark of a run only: tried from each mark of a long run that no end follows
    # ("Loading.....done"), it would read to the run's end each time.
    rf"|(?<=[.!?．])(?<![.!?．][.!?．])[.!?．]*[\"'’”)\]」』]*(?=\s|[{HAN_RANGES}]|$)"
    r"|(?<=[\"'”’」』])(?=\n|$))"
)


def duplicates(items: list[str]) -> tuple[int, int]:
    """How many of ``items`` repeat an earlier item, and how many characters those repeats hold
    (datatrove's ``find_duplicates``)."""
    if len(set(items)) == len(items):
        return 0, 0
    seen: set[str] = set()
    count = chars = 0
    for item in items:
        if item in seen:
            count += 1
            chars += len(item)
        else:
            seen.add(item)
    return count, chars


class cached_property:  # noqa: N801  (stands in for functools.cached_property)
    """``functools.cached_property`` without the lock Python 3.11 takes on every first access,
    which costs half a microsecond per view per document; one document is read by one thread."""

    def __init__(self, compute):
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __get__(self, views, owner=None):
        if views is None:
            return self
        value = views.__dict__[self.name] = self.compute(views)
        return value


class TextViews:
    """Lines, character classes and word counts of one text.

    Each property is computed the first time a rule asks for it and then cached, so a document
    pays for a view only if some enabled rule reads it, and only once however many rules do.
    """

    def __init__(self, text: str):
        self.text = text

    @cached_property
    def n_chars(self) -> int:
        return len(self.text)

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @cached_property
    def nonblank_lines(self) -> list[str]:
        return [s for line in self.lines if (s := line.strip())]

    @cached_property
    def nonblank_line_words(self) -> list[int]:
        """Whitespace-separated words of each non-blank line."""
        return list(map(len, map(str.split, self.nonblank_lines)))

    @cached_property
    def n_latin_words(self) -> int:
        """Words in Latin letters (an apostrophe inside a word does not split it: don't, l’eau)."""
        if not self.text.isascii():
            return len(LATIN_WORD.findall(self.text))
        # ASCII text as byte classes (letter "a", apostrophe "'", other " "), counted with C
        # loops instead of a regex: several times faster. An apostrophe between letters joins
        # them; the second pass joins the ones the first skipped by overlap (rock'n'roll).
        classes = self.text.encode("ascii").translate(_WORD_CLASS)
        joined = classes.replace(b"a'a", b"aaa").replace(b"a'a", b"aaa")
        return joined.count(b" a") + joined.count(b"'a") + joined.startswith(b"a")

    @cached_property
    def latin_word_counts(self) -> Counter[str]:
        """How often each word in Latin letters occurs, case kept (as ``n_latin_words`` counts
        them: an apostrophe inside a word does not split it). Several times cheaper than
        ``token_counts``."""
        return Counter(LATIN_WORD.findall(self.text))

    @cached_property
    def han_counts(self) -> Counter[str]:
        """How often each Han character occurs."""
        return Counter("".join(HAN_RUN.findall(self.text)))

    @cached_property
    def word_lines(self) -> list[str]:
        """Non-blank lines holding at least one letter or digit (any script)."""
        return [line for line in self.nonblank_lines if WORD_CHAR.search(line)]

    @cached_property
    def n_han(self) -> int:
        # ASCII text, most English, is told apart in one fast pass instead of a regex scan.
        return 0 if self.text.isascii() else count_chars(HAN_RUN, self.text)

    @cached_property
    def n_nonspace(self) -> int:
        text = self.text
        return (len(text) - text.count(" ") - text.count("\n") - text.count("\t") - text.count("\r")
                - text.count("\u3000") - text.count("\xa0"))

    @cached_property
    def han_ratio(self) -> float:
        """Han characters over non-whitespace characters (0 for empty text)."""
        return self.n_han / self.n_nonspace if self.n_nonspace else 0.0

    @cached_property
    def word_paragraphs(self) -> list[str]:
        """Blocks of lines separated by blank lines that hold at least one letter or digit: a
        repeated ``* * *`` separator is layout, not repeated content."""
        return [p for p in PARAGRAPH_BREAK.split(self.text.strip()) if WORD_CHAR.search(p)]

    @cached_property
    def line_duplicates(self) -> tuple[int, int]:
        """(lines, characters) of the word lines that repeat an earlier word line. Lines without a
        letter or digit (table rules, separators) are left out: a table repeats them by design."""
        return duplicates(self.word_lines)

    @cached_property
    def paragraph_duplicates(self) -> tuple[int, int]:
        """(paragraphs, characters) of the word paragraphs that repeat an earlier one."""
        return duplicates(self.word_paragraphs)

    @cached_property
    def tokens(self) -> list[str]:
        """Words and punctuation marks of the word lines, in text order (see ``TOKEN``): English
        words as spaCy splits them, Chinese one character at a time. A line without a letter or
        digit (a table rule, a separator, ASCII art) is layout and gives no token, so a table's
        rules do not count as repeated n-grams. 50-80 ms per MB, the costliest view here;
        computed only when a filter asks."""
        if len(self.word_lines) == len(self.nonblank_lines):
            return TOKEN.findall(self.text)
        return TOKEN.findall("\n".join(self.word_lines))

    @cached_property
    def token_counts(self) -> Counter[str]:
        """How often each token occurs."""
        return Counter(self.tokens)

    @cached_property
    def symbol_tokens(self) -> frozenset[str]:
        """The distinct tokens that are punctuation, not words: those not ending in a letter or
        digit."""
        counts = self.token_counts
        return frozenset(compress(counts, map(not_, map(str.isalnum, map(itemgetter(-1), counts)))))

    @cached_property
    def n_words(self) -> int:
        """Tokens that are words, in any script, each Han character one (``tokens`` less
        punctuation)."""
        counts = self.token_counts
        return len(self.tokens) - sum(map(counts.__getitem__, self.symbol_tokens))

    @cached_property
    def n_sentences(self) -> int:
        """Sentence-ending marks (see ``SENTENCE_END``), Chinese and English alike."""
        return len(SENTENCE_END.findall(self.text))

    @cached_property
    def n_clauses(self) -> int:
        """Clause-ending commas (see ``ASCII_CLAUSE_END``), which ``n_sentences`` does not count."""
        text = self.text
        return text.count("，") + (len(ASCII_CLAUSE_END.findall(text)) if "," in text else 0)

    @cached_property
    def is_regular_verse(self) -> bool:
        """Whether the text is mostly classical verse: of the Han characters in its first
        ``VERSE_SAMPLE_CHARS`` characters, four in five stand in clauses (between ，。！？；、 or line
        ends) of five or seven Han characters (五言, 七言), at least eight such clauses. A title, an
        introduction or notes in another language around the poems do not make it prose."""
        han_per_clause = [count_chars(HAN_RUN, clause) for clause in VERSE_BREAK.split(self.text[:VERSE_SAMPLE_CHARS])]
        in_verse = [n for n in han_per_clause if n in (5, 7)]
        return len(in_verse) >= 8 and sum(in_verse) >= 0.8 * sum(han_per_clause)

