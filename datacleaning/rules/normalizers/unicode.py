"""Normalizers for code points: invisible and control characters, unusable code points, and the
full-width and enclosed forms of letters and digits.

Each rule first searches for the characters it could change with one precompiled ``re`` class
(a fast C scan) and returns the text untouched when there are none, which is most documents.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import chain

import regex

from datacleaning.rules.base import Normalizer
from datacleaning.rules.registry import register

# --- remove_invisible -------------------------------------------------------------------------

_ANSI_ESCAPE = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]"  # CSI: colours and cursor moves, "\x1b[1;31m"
    "|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?"  # OSC: window titles, hyperlinks
    "|\x1b[@-Z\\\\-_]?"  # two-character escapes, and a lone ESC
)
_BACKSPACES = re.compile("(\x08+)")
# ZWJ and ZWNJ spell words in Indic, Arabic-script and other scripts and join emoji sequences;
# next to ASCII, Latin, Greek, Cyrillic or CJK (or at either end) they only split words.
_JOINER_NO_SCRIPT_NEEDS = "\\x00-\u052f\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff"
_STRAY_JOINER = re.compile(
    f"(?<![^{_JOINER_NO_SCRIPT_NEEDS}])[\u200c\u200d]|[\u200c\u200d](?![^{_JOINER_NO_SCRIPT_NEEDS}])")
# Tag characters spell the subdivision flags (🏴 + tags + CANCEL TAG); elsewhere they hide ASCII
# text from readers ("ASCII smuggling").
_TAGS = re.compile("(\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F)|[\U000E0000-\U000E007F]+")
_FORMAT_CHARS = [0x00AD, 0x061C, 0x200B, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2060, 0x2065),
                 *range(0x2066, 0x2070), 0xFEFF, *range(0xFFF9, 0xFFFC)]
_C0_CONTROLS = [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F]
_C1_CONTROLS = range(0x80, 0xA0)
_INVISIBLE_CHARS = ("\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u061c\u200b-\u200f\u202a-\u202e"
                    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f")
_INVISIBLE_TRIGGER = re.compile(f"[{_INVISIBLE_CHARS}]")


def _cp1252(byte: int) -> str | None:
    """The cp1252 character for a byte 0x80-0x9F, None for the five bytes cp1252 leaves undefined."""
    return bytes([byte]).decode("cp1252", errors="ignore") or None


def _erase(out: list[str], count: int) -> None:
    """Erase up to ``count`` characters from the end of the pieces in ``out``, not past the start
    of the line."""
    while count and out:
        last = out.pop()
        line_start = last.rfind("\n") + 1
        cut = min(count, len(last) - line_start)
        count -= cut
        if len(last) > cut:
            out.append(last[:len(last) - cut])
        if line_start:
            return


def _overstrike(text: str) -> str:
    """Apply backspaces as a terminal shows them: each erases the character before it on its line,
    so man-page bold ("B\\bBo\\bol\\bld") and underlining ("_\\bu_\\bn") leave the letters once."""
    out: list[str] = []
    for piece in _BACKSPACES.split(text):
        if piece.startswith("\x08"):
            _erase(out, len(piece))
        else:
            out.append(piece)
    return "".join(out)


@register("remove_invisible")
@dataclass
class RemoveInvisible(Normalizer):
    """Characters that show nothing but split words for every later rule and for a tokenizer.

    Removes C0 controls (tab, newline and carriage return stay; vertical tab and form feed become a
    newline), terminal escape sequences whole ("\\x1b[1;31m", not just the ESC), zero-width spaces,
    word joiners, BOMs, soft hyphens, direction marks and embeddings, and tag characters. Applies
    backspaces the way a terminal does, so man-page overstrike keeps one copy of each letter.

    Leaves alone ZWJ and ZWNJ where a script needs them (Persian, Hindi, emoji sequences such as
    woman + ZWJ + laptop) and tags inside a subdivision flag. With ``c1_as_cp1252`` the C1
    controls U+0080-U+009F, which only appear when cp1252 text was decoded as Latin-1, become the
    cp1252 characters they stand for ("\\x93quoted\\x94" → "“quoted”"; UTF-8 read as Latin-1
    keeps its whole mojibake sequence, "â€™", for the ``mojibake`` filter to see); without it
    they are removed.
    """

    c1_as_cp1252: bool = True

    def __post_init__(self):
        table: dict[int, str | None] = {cp: None for cp in chain(_C0_CONTROLS, _FORMAT_CHARS)}
        table.update({0x0B: "\n", 0x0C: "\n"})
        table.update({cp: _cp1252(cp) if self.c1_as_cp1252 else None for cp in _C1_CONTROLS})
        self._table = table

    def trigger_chars(self) -> str:
        return _INVISIBLE_CHARS

    def apply(self, text: str) -> str:
        if _INVISIBLE_TRIGGER.search(text) is None:
            return text
        if "\x1b" in text:
            text = _ANSI_ESCAPE.sub("", text)
        if "\x08" in text:
            text = _overstrike(text)
        if "\u200c" in text or "\u200d" in text:
            text = _STRAY_JOINER.sub("", text)
        if not text.isascii():
            text = _TAGS.sub(lambda m: m.group(1) or "", text)
        return text.translate(self._table)


# --- remove_junk_chars ------------------------------------------------------------------------

@cache
def _bmp_class(property_class: str) -> str:
    """The BMP code points ``regex`` puts in ``property_class``, as ranges for an ``re`` class."""
    bmp = "".join(map(chr, range(0x10000)))
    return "".join(f"\\u{m.start():04x}-\\u{m.end() - 1:04x}" for m in regex.finditer(f"{property_class}+", bmp))


# Unicode's own tables (via ``regex``, whose Unicode version is newer than Python 3.11's): code
# points no font draws or no text means.
_UNUSABLE = r"[\p{Co}\p{Cn}\p{Cs}]"
_EMOJI = (
    # A pictograph shown as emoji, with its modifiers, variation selector, tags and ZWJ partners.
    r"(?:\p{Emoji_Presentation}|(?![\u00a9\u00ae\u203c\u2049\u2122\u2139])\p{Extended_Pictographic}\ufe0f)"
    r"[\ufe0f\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F]*"
    r"(?:\u200d\p{Extended_Pictographic}[\ufe0f\U0001F3FB-\U0001F3FF]*)*"
    # The keycap of "1️⃣" (the digit stays) and a variation selector left on its own.
    r"|\ufe0f?\u20e3|\ufe0f"
)


@register("remove_junk_chars")
@dataclass
class RemoveJunkChars(Normalizer):
    """Code points that are not text: private-use characters (icon-font glyphs such as U+E60A
    from web pages, old carrier emoji in reviews), unassigned code points, noncharacters and lone
    surrogates; emoji too when ``keep_emoji`` is false, and U+FFFD with
    ``remove_replacement_char``. One between two digits becomes U+FFFD instead: 2.5 written with
    a private-use glyph for its point must not read 25.

    Keeps every assigned character otherwise: newlines and tabs, letters of every script (Greek,
    Cyrillic, accented Latin, kana, Hangul), all CJK ideographs (Extensions A-I, compatibility
    ideographs), digits, punctuation, symbols (° × ÷ ± ‰ € £ ¥ © ® ™ § ¶ • · — – …, arrows, math
    operators), box drawing (it draws the tables of text dumps and the faces of kaomoji). Without
    emoji, the symbols that can also show as emoji stay as text (♥ ♀ ✔ ☎ unless an emoji
    variation selector follows them; © ® ™ always). U+FFFD stays by default: it is the evidence of
    a failed decode that the ``mojibake`` filter measures, and normalizers run before filters.
    """

    keep_emoji: bool = True
    remove_replacement_char: bool = False

    def __post_init__(self):
        removed = [_UNUSABLE]
        trigger = [_bmp_class(_UNUSABLE), "\\U00010000-\\U0010ffff"]
        if self.remove_replacement_char:
            removed.append("\ufffd")
            trigger.append("\ufffd")
        if not self.keep_emoji:
            removed.insert(0, _EMOJI)
            trigger += [_bmp_class(r"\p{Extended_Pictographic}"), "\u20e3\ufe0f"]
        self._removed = regex.compile("|".join(removed))
        self._trigger_chars = "".join(trigger)
        self._trigger = re.compile(f"[{self._trigger_chars}]")

    def trigger_chars(self) -> str:
        return self._trigger_chars

    def apply(self, text: str) -> str:
        if text.isascii() or self._trigger.search(text) is None:
            return text

        def removed(match: regex.Match) -> str:
            # Between two digits the junk stood for a mark (a statute's decimal point as a
            # private-use glyph: 2\ue0105米): removed, 2.5 would read 25. It becomes U+FFFD, the
            # mojibake filter's evidence, and the number stays two.
            start, end = match.span()
            between_digits = 0 < start and end < len(text) and text[start - 1].isdigit() and text[end].isdigit()
            return "\ufffd" if between_digits else ""

        return self._removed.sub(removed, text)


# --- fullwidth_alnum --------------------------------------------------------------------------

_FULLWIDTH_ALNUM = {cp: cp - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
                    for cp in range(r[0], r[1] + 1)}
_FULLWIDTH_ALNUM_RUN = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+")
# Full-width ．＠－＿／ inside a word of ASCII letters and digits: "３．１４", "Ｗｉ－Ｆｉ",
# "ｅｘａｍｐｌｅ．ｃｏｍ" (spam hides addresses from URL filters this way).
_FULLWIDTH_WORD_JOINER = re.compile("(?<=[0-9A-Za-z])[\uff0d\uff0e\uff0f\uff20\uff3f](?=[0-9A-Za-z])")
_FULLWIDTH_WORD_JOINERS = re.compile("[\uff0d\uff0e\uff0f\uff20\uff3f]")
_FULLWIDTH_CHARS = "\uff0d-\uff0f\uff10-\uff19\uff20-\uff3a\uff3f\uff41-\uff5a"
_FULLWIDTH_ANY = re.compile(f"[{_FULLWIDTH_CHARS}]")


@register("fullwidth_alnum")
@dataclass
class FullwidthAlnum(Normalizer):
    """Full-width Latin letters and digits (ＡＢＣ１２３) to ASCII, and the full-width marks
    ．＠－＿／ between ASCII letters or digits ("３．１４" → "3.14", "ｑｑ．ｃｏｍ" → "qq.com").

    Full-width punctuation in text stays: ，。！（）：are the right marks in Chinese, and "５０％"
    becomes "50％" with its Chinese per-cent sign.
    """

    def trigger_chars(self) -> str:
        return _FULLWIDTH_CHARS

    def apply(self, text: str) -> str:
        if text.isascii() or _FULLWIDTH_ANY.search(text) is None:
            return text
        text = _FULLWIDTH_ALNUM_RUN.sub(lambda m: m.group().translate(_FULLWIDTH_ALNUM), text)
        if _FULLWIDTH_WORD_JOINERS.search(text):
            text = _FULLWIDTH_WORD_JOINER.sub(lambda m: chr(ord(m.group()) - 0xFEE0), text)
        return text


# --- enclosed_alnum ---------------------------------------------------------------------------

def _enclosed_forms() -> dict[str, str]:
    """Enclosed numbers and letters → plain text. Unicode's compatibility mapping where it has one
    (① → 1, ⑴ → (1), ⒈ → 1., Ⓐ → A, ㈠ → (一), ㊣ → 正); the negative, double and dingbat
    circled digits have none and are counted from their block; the circled Chinese numerals ㊀-㊉
    get brackets like ㈠-㈩, because a bare 一 or 二 would fuse with the next character into a
    word (㊀定 is not 一定)."""
    forms = {}
    nfkc_blocks = [range(0x2460, 0x24EB), range(0x3220, 0x3248), range(0x3251, 0x3260), range(0x328A, 0x32C0)]
    for cp in chain(*nfkc_blocks):
        forms[chr(cp)] = unicodedata.normalize("NFKC", chr(cp))
    for first, start in ((0x24EB, 11), (0x24F5, 1), (0x2776, 1), (0x2780, 1), (0x278A, 1)):
        for i in range(10):
            forms[chr(first + i)] = str(start + i)
    forms["\u24ff"] = "0"
    for cp in range(0x3280, 0x328A):
        forms[chr(cp)] = f"({unicodedata.normalize('NFKC', chr(cp))})"
    return forms


_ENCLOSED = _enclosed_forms()
# The blocks the table above covers, whole: a short class of ranges scans fast.
_ENCLOSED_CHARS = "\u2460-\u24ff\u2776-\u2793\u3220-\u3247\u3251-\u325f\u3280-\u32bf"
_ENCLOSED_RUN = re.compile(f"[{_ENCLOSED_CHARS}]+")
# A number ends at a digit, a decimal point, a percent sign or a Chinese large unit (7000万①: a
# footnote mark, not the number 7000万1).
_WORD_END = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.%‰万亿")
_WORD_START = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _fuses(left: str, right: str) -> bool:
    """Whether ``left`` then ``right`` would read as one number or word ("1" "2" → "12", "1." "2"
    → "1.2")."""
    return left in _WORD_END and right in _WORD_START


def _plain_run(m: re.Match) -> str:
    text, start, end = m.string, m.start(), m.end()
    out = []
    last = text[start - 1] if start else ""
    for form in m.group():
        plain = _ENCLOSED[form]
        if _fuses(last, plain[0]):
            out.append(" ")
        out.append(plain)
        last = plain[-1]
    if end < len(text) and _fuses(last, text[end]):
        out.append(" ")
    return "".join(out)


@register("enclosed_alnum")
@dataclass
class EnclosedAlnum(Normalizer):
    """Circled, parenthesized and dotted numbers and letters to plain text: ① → 1, ⑩ → 10,
    ❶ ⓫ ➀ → 1 11 1, ⑴ → (1), ⒈ → 1., ⒜ → (a), Ⓐ ⓐ → A a, ㈠ ㊀ → (一), ㈱ → (株), ㊣ ㊙ → 正 秘.

    A space goes in wherever two numbers or letters would otherwise run together, so list items
    stay apart: "①②③" → "1 2 3", "⒈⒉" → "1. 2.", "①2019年" → "1 2019年"; next to anything else
    nothing is added ("①吃饭" → "1吃饭").

    Leaves alone enclosed kana and Hangul (㋐ ㉠: Japanese and Korean list markers with no plain
    form), squared abbreviations (㎡ ㎞ ℃), and negative squared letters (🅰 🅱 are emoji).
    """

    def trigger_chars(self) -> str:
        return _ENCLOSED_CHARS

    def apply(self, text: str) -> str:
        if text.isascii():
            return text
        return _ENCLOSED_RUN.sub(_plain_run, text)
