"""Filters for text that is not language: bytes decoded with the wrong character set, and runs of
letters and digits mixed like hashes or base64."""
from __future__ import annotations

import re
from dataclasses import dataclass

from datacleaning.document import Document
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import register

# cp1252's printable characters for bytes 0x80-0x9F: where a Latin-1 decode gives C1 controls
# (which the remove_invisible normalizer deletes), a cp1252 decode leaves these behind.
_CP1252_HIGH = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"

MOJIBAKE = re.compile(
    # GBK or Big5 read as Latin-1/cp1252: both bytes of a Chinese character land in ¡-ÿ, so a
    # Chinese phrase becomes a run of them ("ÖÐÎÄ" is 中文). European words never chain four such
    # letters; a repeated symbol ("····" for an ellipsis, "××" for a redacted name) is not counted.
    "(?:([\xa1-\xff])(?!\\1)(?=[\xa1-\xff])){3,}[\xa1-\xff]"
    # UTF-8 read as Latin-1/cp1252: a lead byte (Â-ô) followed by continuation bytes 0x80-0xBF
    # ("ä¸\xadæ–‡" is 中文). NBSP (0xA0) is left out: "café\xa0!" is French typography.
    f"|[\xc2-\xf4][\x80-\x9f\xa1-\xbf{_CP1252_HIGH}]+"
    # Bytes no decoder could read, replaced with U+FFFD.
    "|\ufffd+"
    # U+FFFD written out as UTF-8 and read back as GBK.
    "|锟斤拷"
    # Uninitialised buffers (0xCC / 0xCD fill bytes) read as GBK.
    "|烫{3,}|屯{3,}"
)
# Every pattern above starts with one of these; most documents have none and skip the full scan.
_MOJIBAKE_START = re.compile("[\xa1-\xff\ufffd锟烫屯]")

# Each byte of a text's UTF-8 as its class: "a" an ASCII letter, "0" a digit, " " anything else
# (a non-ASCII character's bytes are all >= 0x80). In that form a switch between a letter and a
# digit is an "a0" or a "0a", and bytes.count finds them several times faster than a regex scan.
_ALNUM_CLASS = bytes(ord("a") if chr(b).isalpha() else ord("0") if chr(b).isdigit() else ord(" ")
                     for b in range(128)) + b" " * 128


def letter_digit_switches(text: str) -> int:
    """How many times ``text`` switches from an ASCII letter to a digit or back ("a3f9" has 3)."""
    classes = text.encode("utf-8", "surrogatepass").translate(_ALNUM_CLASS)
    return classes.count(b"a0") + classes.count(b"0a")


def mojibake_chars(text: str) -> int:
    """How many characters of ``text`` are in mojibake patterns."""
    first = None if text.isascii() else _MOJIBAKE_START.search(text)
    if first is None:
        return 0
    return sum(m.end() - m.start() for m in MOJIBAKE.finditer(text, first.start()))


@register("mojibake")
@dataclass
class Mojibake(Filter):
    """Documents where more than ``max_ratio`` of the non-space characters are mojibake: UTF-8
    read as Latin-1 or cp1252 ("ä¸­æ–‡"), GBK or Big5 read as Latin-1 ("ÖÐÎÄ"), runs of U+FFFD
    replacement characters, "锟斤拷" and "烫烫烫". Measured over the whole document.

    Leaves alone accented European words (é, ü, ñ stand between ASCII letters), pinyin with tone
    marks, repeated symbols such as "····" or "××", and a stray broken character in a long text.
    Runs on every language: Chinese read as Latin-1 has no Han characters left and is routed as
    ``en`` or ``und``. Chinese read as the wrong Chinese charset (UTF-8 as GBK: "涓枃") is made of
    real characters; ``common_hanzi`` catches it.
    """

    signals = {"value": "float64"}
    thresholds = frozenset({"max_ratio"})
    threshold_fields = {"max_ratio": "value"}

    max_ratio: float = 0.02

    def score(self, doc: Document) -> float:
        chars = mojibake_chars(doc.text)
        return round(chars / doc.views.n_nonspace, 4) if chars else 0.0

    def keep(self, value: float) -> bool:
        return value <= self.max_ratio


@register("alnum_alternation")
@dataclass
class AlnumAlternation(Filter):
    """Documents full of strings that switch between ASCII letters and digits, like hashes,
    keys and base64 ("a3f9c2e1", "dGhpcyBpcw2"): the number of letter-digit switches over the
    document's non-space characters, measured over the whole document.

    Leaves alone model numbers and units in prose ("A22", "MP3", "x86_64", "5G"): even a spec
    sheet or a man page of hexadecimal key codes stays under 0.2, while base64 sits near 0.25 and
    hexadecimal near 0.5. Documents with fewer than ``min_switches`` switches are not judged.
    """

    signals = {"ratio": "float64", "switches": "int64"}
    thresholds = frozenset({"max_ratio", "min_switches"})
    threshold_fields = {"max_ratio": "ratio", "min_switches": "switches"}

    max_ratio: float = 0.2
    min_switches: int = 10

    def score(self, doc: Document) -> dict:
        switches = letter_digit_switches(doc.text)
        return {"switches": switches, "ratio": round(switches / doc.views.n_nonspace, 4) if switches else 0.0}

    def keep(self, value: dict) -> bool:
        return value["switches"] < self.min_switches or value["ratio"] <= self.max_ratio
