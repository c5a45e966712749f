"""Word lists, and one Aho-Corasick automaton that finds the terms of every list in one pass.

A word list is a plain-text file, one term a line, ``#`` starting a comment line. A header line
``# category: porn`` names the list's category (a list without one is its own category, named
after the file). How a term matches:

- letters and digits at an ASCII end of a term must not continue into the text around it,
  case-insensitively ("ass" does not fire inside "class", "av" not inside "java"); Han and other
  scripts around it count as a boundary, since Chinese text puts English words between Han
  characters with no space;
- Chinese terms match as substrings, since Chinese has no spaces to bound a word, and in either
  script: text and terms are compared folded to Simplified (百家樂 is 百家乐, 陰道 is 阴道);
- a term written ``|term|`` is ambiguous: it counts only where it starts and ends on jieba word
  boundaries (``|性|`` does not fire inside 性能, ``|码|`` not inside 验证码). Jieba segments a
  small window around each such hit, not the document, so the cost is paid per ambiguous hit.

Hits are counted leftmost-longest and without overlap: 去你妈的 is one hit, not also 你妈 and
妈的, so one phrase cannot pass for several terms.

A domain list holds one domain a line with the same header; a URL matches when its host is a
listed domain or a subdomain of one.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from datacleaning.resources import list_lines, load_terms, resolve_list
from datacleaning.script_chars import simplified_form
from datacleaning.zh_segmenter import load_segmenter
from datacleaning.substrings import LONGEST, SubstringFinder
from datacleaning.urls import url_host

DATA_DIR = Path(__file__).parent / "data"
BOUNDARY_MARK = "|"
CATEGORY_HEADER = "# category:"
# Characters of context on each side of an ambiguous hit that jieba segments: enough for the
# longest dictionary words around it to form (验证码, 性价比高) without segmenting the document.
JIEBA_WINDOW = 6

# What a matched term needs checked: nothing, ASCII word boundaries, or jieba word boundaries.
SUBSTRING, ASCII_BOUNDED, JIEBA_BOUNDED = 0, 1, 2


def resolve_blacklist(name: str, base_dir: Path) -> Path:
    return resolve_list(name, base_dir, DATA_DIR)


@dataclass(frozen=True)
class WordList:
    """A list's category and terms, as read from its file."""

    category: str
    terms: list[str]

    @classmethod
    def load(cls, path: Path) -> WordList:
        category = path.stem
        for line in list_lines(path):
            if not line.startswith("#"):
                break
            if line.startswith(CATEGORY_HEADER):
                category = line[len(CATEGORY_HEADER):].strip() or category
        return cls(category, load_terms(path))


def read_word_lists(names: list[str], base_dir: Path) -> list[WordList]:
    """The lists ``names`` (bundled names or paths relative to ``base_dir``), read."""
    return [WordList.load(resolve_blacklist(name, base_dir)) for name in names]


def _spelling_rules() -> tuple[Callable[[str], str], Callable[[str], str]]:
    """The default rules that rewrite what a list term may hold before the matcher reads the text:
    full-width letters and digits to ASCII (``fullwidth_alnum``: ＱＱ号 → qq号), ASCII clause
    marks after Chinese to full-width (``zh_fullwidth_punctuation``: 返利,日结 → 返利，日结)."""
    from datacleaning.rules.edits.zh_punctuation import ZhFullwidthPunctuation
    from datacleaning.rules.normalizers.unicode import FullwidthAlnum

    return FullwidthAlnum().apply, ZhFullwidthPunctuation().apply


def _spellings(term: str, to_ascii: Callable[[str], str], to_fullwidth: Callable[[str], str]) -> set[str]:
    """``term`` as those rules leave it: a list copied from elsewhere in either form matches."""
    ascii_alnum = to_ascii(term)
    return {ascii_alnum, to_fullwidth(term), to_fullwidth(ascii_alnum)} - {term}


def _is_word_char(ch: str) -> bool:
    # Latin, Greek, Cyrillic... letters and digits continue an ASCII word; Han, kana and Hangul
    # (from U+2E80 on) do not.
    return ch < "\u2e80" and (ch.isalnum() or ch == "_")


def _on_jieba_boundaries(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` starts and ends where jieba (dictionary only) cuts words, in a
    window of ``JIEBA_WINDOW`` characters on each side (datacleaning.zh_segmenter: jieba's cuts
    without jieba's memory). The dictionary (0.4 s to load) is loaded at the first such check: a
    run without ambiguous hits, such as one over English text, never loads it."""
    lo = max(0, start - JIEBA_WINDOW)
    char_start, char_end = start - lo, end - lo
    offset = 0
    starts_on_boundary = char_start == 0
    for word in load_segmenter().cut(text[lo:end + JIEBA_WINDOW]):
        offset += len(word)
        if offset == char_start:
            starts_on_boundary = True
        elif offset == char_end:
            return starts_on_boundary
        elif offset > char_end:
            return False
    return False


class TermMatcher:
    """Finds the terms of several word lists in a text, in one pass, counted per category."""

    def __init__(self, lists: list[WordList]):
        entries: dict[str, tuple[int, set[str]]] = {}
        for word_list in lists:
            for raw in word_list.terms:
                ambiguous = len(raw) > 2 and raw[0] == raw[-1] == BOUNDARY_MARK
                term = simplified_form((raw[1:-1] if ambiguous else raw).lower())
                if ambiguous:
                    check = JIEBA_BOUNDED
                else:
                    check = ASCII_BOUNDED if term[0].isascii() or term[-1].isascii() else SUBSTRING
                previous = entries.get(term)
                # A term listed both plainly and as ambiguous keeps the stricter check.
                entries[term] = (max(check, previous[0]) if previous else check,
                                 (previous[1] if previous else set()) | {word_list.category})
        # Each term is also looked for as the normalizers write it, and counted as listed.
        rules = _spelling_rules()
        spelled = {spelling: term for term in entries for spelling in _spellings(term, *rules)}
        spelled.update({term: term for term in entries})
        self._terms = list(spelled)
        self._listed = list(spelled.values())
        self._checks = [(entries[term][0], _is_word_char(spelling[0]), _is_word_char(spelling[-1]),
                         tuple(sorted(entries[term][1]))) for spelling, term in spelled.items()]
        self._finder = SubstringFinder(self._terms, LONGEST)
        self.n_terms = len(entries)
        self.categories = sorted({word_list.category for word_list in lists})

    def find(self, text: str) -> dict[str, Counter]:
        """Counts of each matched term, by category."""
        found: dict[str, Counter] = {}
        if not self.n_terms:
            return found
        lowered = simplified_form(text.lower())  # Traditional text is matched as the lists write it
        n = len(lowered)
        for index, start, end in self._finder.matches(lowered):
            check, word_start, word_end, categories = self._checks[index]
            if check == ASCII_BOUNDED:
                if ((word_start and start > 0 and _is_word_char(lowered[start - 1]))
                        or (word_end and end < n and _is_word_char(lowered[end]))):
                    continue
            elif check == JIEBA_BOUNDED and not _on_jieba_boundaries(lowered, start, end):
                continue
            term = self._listed[index]
            for category in categories:
                counts = found.get(category)
                if counts is None:
                    counts = found[category] = Counter()
                counts[term] += 1
        return found


class DomainMatcher:
    """Tells which listed domain, if any, a URL's host is or is under, and the list's category."""

    def __init__(self, lists: list[WordList]):
        self._domains: dict[str, str] = {}
        for word_list in lists:
            for domain in word_list.terms:
                self._domains.setdefault(domain.lower().removeprefix("www."), word_list.category)
        self.categories = sorted({word_list.category for word_list in lists})

    def find(self, url: str) -> tuple[str, str] | None:
        """(category, listed domain) for the URL's host, or None."""
        host = url_host(url)
        if not host:
            return None
        labels = host.split(".")
        for i in range(len(labels) - 1):
            domain = ".".join(labels[i:])
            category = self._domains.get(domain)
            if category is not None:
                return category, domain
        return None
