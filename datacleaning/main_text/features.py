"""What the line classifier sees of each line of a page: the line itself, where it stands, the
lines around it and, for a page rendered from HTML, how much of it is link text and which
element it came from.

Every feature is named by a short string ("len5", "term1", "t:share") hashed to one of
``2**bits`` weights by CRC-32, the same in every process. Features are written to generalize
across sites and languages: lengths and counts are bucketed, words are the line's first few tokens
(a Han character pair or a Latin word each), and the phrase lists of the boilerplate rules (menu
words) become one feature among many instead of the verdict.

A page's features are two parts: what each line says (a few regular expressions and its first
tokens, a Python loop over lines) and where it stands among the others (bucketed positions,
lengths and neighbours, computed for all lines at once in numpy), so a long page costs little
more than its lines' text.
"""
from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from datacleaning.charclasses import UNIFIED_HAN
from datacleaning.rules.phrase_lists import load_phrase_lists, matching_form
from datacleaning.script_chars import simplified_form

MENU_LISTS = ("menu_words_zh", "menu_words_en")
# A line as long as this that reads as prose is where a page's text lies.
PROSE_CHARS = 60
# A line's words: its first MAX_TOKENS tokens within its first TOKEN_CHARS characters.
MAX_TOKENS = 8
TOKEN_CHARS = 64
# A line's counts (digits, Han characters, words, separators, clauses) are read from its first this many characters.
READ_CHARS = 200
MAX_REMEMBERED = 500_000
# Lines shorter than this count as short in a line's neighbourhood; the neighbourhood reaches this far.
SHORT_CHARS = 30
REACH = 3

_LICENCE = re.compile(r"©|copyright|all rights reserved|版权所有|icp备|icp证|公网安备")
_TOKEN = re.compile(rf"[{UNIFIED_HAN}]{{1,2}}|[^\W\d_]+|\d+")
_MENU_DECORATION = " :：|»>-·•*"
# A list item's number and its mark (``3、``, ``3.``, ``(3)``, ``3)``), and a field's label (``成人票原价：``,
# ``Phone:``): an article's lists count up and repeat their fields item after item, which a
# menu's short lines do not.
_ITEM_NUMBER = re.compile(r"[(（]?(\d{1,3})([、.．)）])(?!\d)")
# Not a URL's scheme (http://) nor a time (10-18 21:30): both repeat on a page of links or comments.
_FIELD_LABEL = re.compile(r"([^:：]{0,11}[^:：\d])[:：](?!//)\s*\S")
FIELD_REPEATS = 3
# The features a model is trained on: 2 added the list items and field labels. A model records
# the version it learned, and its lines are read with those features.
FEATURES = 2

LENGTHS = (0, 2, 5, 10, 20, 40, 80, 160, 320)
SHARES = (0.2, 0.5, 0.8)
POSITIONS = (0.05, 0.15, 0.3, 0.7, 0.85, 0.95)
PAGE_LINES = (3, 10, 30, 100, 300)
NEIGHBOUR = (-1, 10, 30, 80)
WIDEST = (20, 60, 150)
RANKS = (0.5, 0.75, 0.9)
OF_LONGEST = (0.1, 0.25, 0.5, 0.8)
DISTANCES = (0, 1, 2, 4, 8, 16)
PROSE_LINES = (0, 1, 3, 10)
LINKS = (0, 0.3, 0.7, 0.99)
LINK_WINDOW = (0.1, 0.4, 0.7, 0.95)
TAGS = ("none", "h", "li", "p")
LEVELS = (0.1, 0.3, 0.5, 0.7, 0.9)
WHERE = ("none", "before", "in", "after")


def _buckets(x: np.ndarray, edges: tuple[float, ...]) -> np.ndarray:
    return np.searchsorted(_edge_array(edges), x, side="left")


@cache
def _edge_array(edges: tuple[float, ...]) -> np.ndarray:
    return np.asarray(edges, dtype=np.float64)


@cache
def _menu_words() -> frozenset[str]:
    return frozenset(matching_form(w.strip()) for w in load_phrase_lists(list(MENU_LISTS), Path(".")))


def own_features(line: str) -> list[str]:
    """What only the text of a stripped line can say: its first words, whether it is a menu
    word, a licence line, a label (ends in a colon) or a list item. Read in ``matching_form``:
    the model learned its words mostly from Simplified pages, and a Traditional page's 首頁 and
    責任編輯 are the same words."""
    lowered = matching_form(line[:READ_CHARS])
    features = []
    if _LICENCE.search(lowered):
        features.append("licence")
    if lowered.strip(_MENU_DECORATION) in _menu_words():
        features.append("menu")
    if line.endswith((":", "：")):
        features.append("colon_end")
    if line[:1] in "-*•·" or line[:2].rstrip(".、)").isdigit():
        features.append("bullet")
    tokens = _TOKEN.findall(lowered, 0, TOKEN_CHARS)[:MAX_TOKENS]
    features += ["t:" + t for t in tokens]
    if len(tokens) <= 3:
        features.append("whole:" + " ".join(tokens))
    return features


@cache
def _character_classes() -> np.ndarray:
    """Code point to class bits, over the Basic Multilingual Plane (characters beyond it: none)."""
    table = np.zeros(0x10000, dtype=np.uint8)
    table[ord("0"):ord("9") + 1] |= _DIGIT_BIT
    table[0x4E00:0xA000] |= _HAN_BIT
    table[ord("A"):ord("Z") + 1] |= _UPPER_BIT
    table[ord("a"):ord("z") + 1] |= _LOWER_BIT
    for c in "|｜»›>·•/":
        table[ord(c)] |= _SEPARATOR_BIT
    for c in "，。；！？":
        table[ord(c)] |= _CLAUSE_BIT
    for c in ",;:.":
        table[ord(c)] |= _ASCII_CLAUSE_BIT
    for c in " \t\u3000\xa0":
        table[ord(c)] |= _SPACE_BIT
    return table


_DIGIT_BIT, _HAN_BIT, _UPPER_BIT, _LOWER_BIT, _SEPARATOR_BIT, _CLAUSE_BIT, _ASCII_CLAUSE_BIT, _SPACE_BIT = (
    1, 2, 4, 8, 16, 32, 64, 128)
# Bits of a second table: what ends a sentence, and what may close one after its mark.
_END_BIT, _CLOSING_BIT = 1, 2


@cache
def _ending_classes() -> np.ndarray:
    table = np.zeros(0x10000, dtype=np.uint8)
    for c in ".!?。！？…":
        table[ord(c)] |= _END_BIT
    for c in "\"'”’」』）)]":
        table[ord(c)] |= _CLOSING_BIT
    return table


def _list_structure(lines: Sequence[str], layout: PageLayout) -> tuple[np.ndarray, np.ndarray]:
    """Per line: 0 unnumbered, 1 a numbered item alone, 2 one of a run (the item numbered one
    more or one less, with the same mark, is on its page); and 0 no field label, 1 a label of its
    own, 2 a label that ``FIELD_REPEATS`` or more lines of its page open with."""
    numbers: list[tuple[int, int, str] | None] = []
    labels: list[tuple[int, str] | None] = []
    for page, line in zip(layout.page.tolist(), lines):
        item = _ITEM_NUMBER.match(line)
        numbers.append((page, int(item.group(1)), item.group(2)) if item else None)
        field_label = _FIELD_LABEL.match(line)
        labels.append((page, field_label.group(1)) if field_label else None)
    present = {n for n in numbers if n is not None}
    numbered = np.array([0 if n is None else 2 if (n[0], n[1] - 1, n[2]) in present or (n[0], n[1] + 1, n[2]) in present
                         else 1 for n in numbers], dtype=np.int64)
    repeats = Counter(label for label in labels if label is not None)
    fields = np.array([0 if label is None else 2 if repeats[label] >= FIELD_REPEATS else 1 for label in labels],
                      dtype=np.int64)
    return numbered, fields


def _line_counts(lines: Sequence[str]) -> dict[str, np.ndarray]:
    """Per line, counted over its first ``READ_CHARS`` characters: digits, Han characters, Latin
    words, capitalized Latin words, separators and clause marks (a Chinese one, or , ; : . before
    a space); and whether the line ends a sentence (its last mark, after any closing quotes)."""
    heads = [line[:READ_CHARS] for line in lines]
    text = "\n".join(heads)
    # surrogatepass: a lone surrogate (possible in a Python str) is a code point of no class, not an error.
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    inside = codes < 0x10000
    classes = np.where(inside, _character_classes()[np.minimum(codes, 0xFFFF)], 0)
    letter = (classes & (_UPPER_BIT | _LOWER_BIT)) != 0
    previous_letter = np.concatenate([[False], letter[:-1]])
    next_space = np.concatenate([(classes[1:] & _SPACE_BIT) != 0, [True]]) | np.concatenate([codes[1:] == 10, [True]])
    counted = {
        "digits": (classes & _DIGIT_BIT) != 0,
        "han": (classes & _HAN_BIT) != 0,
        "words": letter & ~previous_letter,
        "capitalized": ((classes & _UPPER_BIT) != 0) & ~previous_letter,
        "separators": (classes & _SEPARATOR_BIT) != 0,
        "clauses": ((classes & _CLAUSE_BIT) != 0) | (((classes & _ASCII_CLAUSE_BIT) != 0) & next_space),
    }
    sizes = np.array([len(h) for h in heads], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes + 1)[:-1]])
    out = {name: np.add.reduceat(np.append(mask, False).astype(np.int64), starts) * (sizes > 0)
           for name, mask in counted.items()}
    out["read"] = sizes
    ending = _ending_classes()
    out["terminal"] = np.array([_ends_sentence(line, ending) for line in lines], dtype=bool)
    return out


def _ends_sentence(line: str, ending: np.ndarray) -> bool:
    for c in reversed(line[-4:]):
        code = ord(c)
        bits = ending[code] if code < 0x10000 else 0
        if bits & _END_BIT:
            return True
        if not bits & _CLOSING_BIT:
            return False
    return False


@dataclass
class PageLayout:
    """Where each line of a batch of pages stands: pages of ``sizes`` lines (none empty), one
    after another. Features are computed for every line of a batch at once, each page's
    neighbourhoods and totals kept within it: numpy's cost per call is paid once a batch, not
    once a page."""

    sizes: np.ndarray
    starts: np.ndarray = field(init=False)
    page: np.ndarray = field(init=False)
    index: np.ndarray = field(init=False)

    def __post_init__(self):
        self.sizes = np.asarray(self.sizes, dtype=np.int64)
        if (self.sizes <= 0).any():
            raise ValueError("a page of no lines")
        self.starts = np.cumsum(self.sizes) - self.sizes
        self.page = np.repeat(np.arange(len(self.sizes)), self.sizes)
        self.index = np.arange(int(self.sizes.sum())) - self.starts[self.page]

    def __len__(self) -> int:
        return self.page.size

    def per_line(self, per_page: np.ndarray) -> np.ndarray:
        return per_page[self.page]

    def page_sums(self, values: np.ndarray) -> np.ndarray:
        return np.add.reduceat(values, self.starts) if self.page.size else np.zeros(0)

    def running_sums(self, values: np.ndarray) -> np.ndarray:
        """Each page's running sums of ``values``, from 0 before its own first line, as for the
        page alone: the pages before it in a batch never move its sums by a rounding (a window's
        mean that falls on a bucket's edge alone would fall either side of it in a batch). Page
        ``p``'s sum before its line ``i`` is at ``starts[p] + p + i``."""
        sums = np.zeros(len(self) + len(self.sizes))
        for p, (start, size) in enumerate(zip(self.starts.tolist(), self.sizes.tolist())):
            np.cumsum(values[start:start + size], out=sums[start + p + 1:start + p + 1 + size])
        return sums

    def window_sums(self, sums: np.ndarray, reach: int) -> tuple[np.ndarray, np.ndarray]:
        """Each line's sum over its window of ``reach`` lines either side, cut at its page's edges,
        from the :meth:`running_sums` ``sums``; and the number of lines in the window."""
        lo = np.maximum(self.index - reach, 0)
        hi = np.minimum(self.index + reach + 1, self.sizes[self.page])
        before = self.starts[self.page] + self.page
        return sums[hi + before] - sums[lo + before], hi - lo

    def shifted(self, values: np.ndarray, offset: int, fill: float) -> np.ndarray:
        """The value of the line ``offset`` lines below each line (above, for a negative offset)
        on its page; ``fill`` where the page has no such line."""
        target = self.index + offset
        inside = (target >= 0) & (target < self.sizes[self.page])
        out = np.full(len(self), fill, dtype=np.float64)
        out[inside] = values[np.flatnonzero(inside) + offset]
        return out

    def split(self, values: np.ndarray) -> list[np.ndarray]:
        """A per-line array cut into one array a page."""
        return np.split(values, self.starts[1:])


@dataclass
class PageRows:
    """Pages' features as weight indexes: ``own`` (the indexes of what each line says, all lines
    one after another, line ``i`` from ``own_starts[i]``) and ``placed`` (lines × features: where
    each line stands); ``layout``: which page each line is of. A line's logit is the sum of its
    weights in both."""

    own: np.ndarray
    own_starts: np.ndarray
    placed: np.ndarray
    layout: PageLayout

    def __len__(self) -> int:
        return self.placed.shape[0]

    def logits(self, weights: np.ndarray, bias: float) -> np.ndarray:
        own = np.add.reduceat(weights[self.own], self.own_starts) if self.own.size else np.zeros(len(self))
        return own + weights[self.placed].sum(axis=1) + bias

    def with_placed(self, more: np.ndarray) -> PageRows:
        return PageRows(self.own, self.own_starts, np.concatenate([self.placed, more], axis=1), self.layout)

    def row(self, i: int) -> np.ndarray:
        """Line ``i``'s indexes, for training."""
        end = self.own_starts[i + 1] if i + 1 < len(self) else self.own.size
        return np.concatenate([self.own[self.own_starts[i]:end], self.placed[i]])


class FeatureHasher:
    """Feature names to weight indexes for a model of ``2**bits`` weights, trained on the
    ``features`` version of them (``FEATURES``)."""

    def __init__(self, bits: int, features: int = FEATURES):
        self.bits = bits
        self.features = features
        self._mask = (1 << bits) - 1
        self._known: dict[str, int] = {}
        self._tables: dict[tuple[str, ...], np.ndarray] = {}

    def _hash(self, name: str) -> int:
        return zlib.crc32(name.encode()) & self._mask

    def index(self, name: str) -> int:
        # Most names recur on every page (buckets, common words): each is hashed once and kept.
        found = self._known.get(name)
        if found is None:
            if len(self._known) > MAX_REMEMBERED:
                self._known.clear()
            found = self._known[name] = self._hash(name)
        return found

    def table(self, *families: str) -> np.ndarray:
        """Indexes of the names ``family1{i}_family2{j}...`` for every combination of buckets,
        each family given as ``name:size`` (``len:10``): an array with one axis per family."""
        found = self._tables.get(families)
        if found is None:
            parts = [(name, int(size)) for name, size in (f.rsplit(":", 1) for f in families)]
            found = np.zeros([size for _, size in parts], dtype=np.int64)
            for combo in np.ndindex(*found.shape):
                found[combo] = self._hash("_".join(f"{name}{k}" for (name, _), k in zip(parts, combo)))
            self._tables[families] = found
        return found

    def page(self, lines: Sequence[str], link_shares: Sequence[float] | None = None,
             tags: Sequence[str] | None = None) -> PageRows:
        """The features of each line of one page, as :meth:`pages` gives them."""
        return self.pages([lines], None if link_shares is None else [link_shares], None if tags is None else [tags])

    def pages(self, pages: Sequence[Sequence[str]], link_shares: Sequence[Sequence[float]] | None = None,
              tags: Sequence[Sequence[str]] | None = None) -> PageRows:
        """The features of each line of each page (lines stripped and not blank; no page empty).
        ``link_shares`` and ``tags``, for pages rendered from HTML: per page, the share of each
        line's characters inside links, and the element it came from (one of ``TAGS``)."""
        layout = PageLayout([len(page) for page in pages])
        lines = [line for page in pages for line in page]
        count = len(lines)
        own, starts = [], np.zeros(count, dtype=np.int64)
        # Folded to Simplified in one call for the batch, not one a line (own_features would).
        folded = simplified_form("\n".join(lines)).split("\n") if count else []
        for i, line in enumerate(folded):
            starts[i] = len(own)
            own += [self.index(name) for name in own_features(line)]
        counts = _line_counts(lines) if count else {}
        lengths = np.array([len(line) for line in lines], dtype=np.float64)
        read = np.maximum(counts.get("read", np.zeros(0)), 1)
        words = counts.get("words", np.zeros(0, dtype=np.int64))
        han = counts.get("han", np.zeros(0, dtype=np.int64))
        terminal = counts.get("terminal", np.zeros(0, dtype=bool))
        clauses = counts.get("clauses", np.zeros(0, dtype=np.int64))
        prose = (lengths >= PROSE_CHARS) & (terminal | (clauses >= 2))
        t = self.table
        sizes = layout.per_line(layout.sizes)
        length = _buckets(lengths, LENGTHS)
        short = _window_mean((lengths < SHORT_CHARS).astype(np.float64), layout)
        short_b = _buckets(short, SHARES)
        widest = lengths.copy()
        for offset in range(1, REACH + 1):
            widest = np.maximum(widest, np.maximum(layout.shifted(lengths, -offset, 0.0),
                                                   layout.shifted(lengths, offset, 0.0)))
        previous = layout.shifted(lengths, -1, -1.0)
        following = layout.shifted(lengths, 1, -1.0)
        # Lines of the same page shorter than each line: its rank among them.
        keys = layout.page * (1 << 32) + lengths.astype(np.int64)
        rank = (np.searchsorted(np.sort(keys), keys, side="left") - layout.starts[layout.page]) / sizes
        longest = layout.per_line(np.maximum.reduceat(lengths, layout.starts)) if count else lengths
        positions = layout.index / np.maximum(sizes - 1, 1)
        where, distance = _where_prose(prose, layout)
        prose_lines = layout.per_line(_buckets(layout.page_sums(prose.astype(np.int64)), PROSE_LINES))
        columns = [
            t("term:2")[terminal.astype(np.int64)],
            t("clause:5")[_buckets(clauses, (0, 1, 3, 6))],
            t("sep:4")[_buckets(counts.get("separators", np.zeros(0)), (0, 1, 3))],
            t("dig:5")[_buckets(counts.get("digits", np.zeros(0)) / read, (0, 0.1, 0.3, 0.6))],
            # 0: no Latin word (no Han character); else the bucket after it.
            t("title:5")[np.where(words > 0, _buckets(counts.get("capitalized", np.zeros(0)) / np.maximum(words, 1),
                                                       SHARES) + 1, 0)],
            t("words:7")[np.where(words > 0, _buckets(words, (1, 3, 6, 12, 25)) + 1, 0)],
            t("han:4")[np.where(han > 0, _buckets(han / read, (0.3, 0.7)) + 1, 0)],
            t(f"len:{len(LENGTHS) + 1}")[length],
            t(f"pos:{len(POSITIONS) + 1}")[_buckets(positions, POSITIONS)],
            t(f"lines:{len(PAGE_LINES) + 1}")[_buckets(sizes, PAGE_LINES)],
            t(f"prev:{len(NEIGHBOUR) + 1}")[_buckets(previous, NEIGHBOUR)],
            t(f"next:{len(NEIGHBOUR) + 1}")[_buckets(following, NEIGHBOUR)],
            t(f"short:{len(SHARES) + 1}")[short_b],
            t(f"widest:{len(WIDEST) + 1}")[_buckets(widest, WIDEST)],
            t(f"len:{len(LENGTHS) + 1}", f"short:{len(SHARES) + 1}")[length, short_b],
            t(f"rank:{len(RANKS) + 1}")[_buckets(rank, RANKS)],
            t(f"oflongest:{len(OF_LONGEST) + 1}")[_buckets(lengths / np.maximum(longest, 1.0), OF_LONGEST)],
            t(f"core:{len(WHERE)}")[where],
            t(f"core:{len(WHERE)}", f"d:{len(DISTANCES) + 1}")[where, _buckets(distance, DISTANCES)],
            t(f"core:{len(WHERE)}", f"len:{len(LENGTHS) + 1}")[where, length],
            t(f"prose:{len(PROSE_LINES) + 1}")[prose_lines],
        ]
        if self.features >= 2:
            numbered, fields = _list_structure(lines, layout)
            columns += [t("item:3")[numbered], t("field:3")[fields],
                        t("item:3", f"len:{len(LENGTHS) + 1}")[numbered, length],
                        t("field:3", f"len:{len(LENGTHS) + 1}")[fields, length]]
        if link_shares is not None:
            shares = np.array([share for page in link_shares for share in page], dtype=np.float64)
            link = _buckets(shares, LINKS)
            tag = np.array([TAGS.index(x) for page in tags for x in page], dtype=np.int64)
            columns += [t(f"link:{len(LINKS) + 1}")[link], t(f"tag:{len(TAGS)}")[tag],
                        t(f"link:{len(LINKS) + 1}", f"tag:{len(TAGS)}")[link, tag],
                        t(f"link:{len(LINKS) + 1}", f"len:{len(LENGTHS) + 1}")[link, length],
                        t(f"linkwin:{len(LINK_WINDOW) + 1}")[_buckets(_window_mean(shares, layout), LINK_WINDOW)]]
        return PageRows(np.array(own, dtype=np.int64), starts,
                        np.stack(columns, axis=1) if count else np.zeros((0, len(columns)), dtype=np.int64), layout)

    def context(self, probabilities: np.ndarray, layout: PageLayout) -> np.ndarray:
        """The second stage's features of each line (lines × features): its first-stage
        probability of being main text and the mean probability of the lines around it on its
        page, 1, 3 and 8 lines either side (main text comes in runs; a headline among menus is a
        menu item, a short line inside an article is not)."""
        own = _buckets(probabilities, LEVELS)
        sums = layout.running_sums(probabilities)
        t = self.table
        columns = [t(f"S:own:{len(LEVELS) + 1}")[own]]
        for reach in (1, 3, 8):
            total, lines = layout.window_sums(sums, reach)
            mean = (total - probabilities) / np.maximum(lines - 1, 1)
            columns.append(t(f"S:around{reach}_:{len(LEVELS) + 1}")[_buckets(mean, LEVELS)])
            if reach == 3:
                columns.append(t(f"S:own:{len(LEVELS) + 1}", f"around3_:{len(SHARES) + 1}")[own, _buckets(mean, SHARES)])
        return np.stack(columns, axis=1) if len(layout) else np.zeros((0, len(columns)), dtype=np.int64)


def _where_prose(prose: np.ndarray, layout: PageLayout) -> tuple[np.ndarray, np.ndarray]:
    """Where each line stands against its page's prose: 0 the page has none, 1 before its first
    prose line, 2 from its first to its last, 3 after it; and how many lines from the nearest
    prose line (99 where the page has none)."""
    count = len(layout)
    at = np.arange(count)
    prose_at = np.flatnonzero(prose)
    where, distance = np.zeros(count, dtype=np.int64), np.full(count, 99)
    if not prose_at.size:
        return where, distance
    k = np.searchsorted(prose_at, at)
    after = prose_at[np.minimum(k, prose_at.size - 1)]
    before = prose_at[np.maximum(k - 1, 0)]
    far = np.iinfo(np.int64).max
    after_gap = np.where((k < prose_at.size) & (layout.page[after] == layout.page), after - at, far)
    before_gap = np.where((k > 0) & (layout.page[before] == layout.page), at - before, far)
    distance = np.minimum(after_gap, before_gap)
    has_prose = distance < far
    first = layout.per_line(np.minimum.reduceat(np.where(prose, at, far), layout.starts))
    last = layout.per_line(np.maximum.reduceat(np.where(prose, at, -1), layout.starts))
    where = np.where(has_prose, np.where(at < first, 1, np.where(at > last, 3, 2)), 0)
    return where, np.where(has_prose, distance, 99)


def _window_mean(values: np.ndarray, layout: PageLayout) -> np.ndarray:
    """The mean of each value with the ``REACH`` values either side of it on its page (fewer at
    the page's edges)."""
    total, lines = layout.window_sums(layout.running_sums(values), REACH)
    return total / np.maximum(lines, 1)
