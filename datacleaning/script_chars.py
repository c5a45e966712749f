"""Which Chinese characters only Traditional text writes, which only Simplified text writes, and
the Simplified form of each Traditional one: OpenCC's character tables, read once from a small
bundled file (rules/data/zh_script_chars.txt) rather than by converting every ideograph with
OpenCC in every worker, which costs about 30 MB of memory that the process never gives back.

    python -m datacleaning.script_chars      # rewrite the bundled file from the installed OpenCC
"""
from __future__ import annotations

import importlib.metadata
import re
import sys
from functools import cache
from pathlib import Path

import numpy as np

TABLE = Path(__file__).resolve().parent / "rules" / "data" / "zh_script_chars.txt"
# The unified ideographs: Extension A and the main block.
IDEOGRAPHS = range(0x3400, 0xA000)


@cache
def traditional_to_simplified() -> dict[str, str]:
    """Each character only Traditional text writes (OpenCC's t2s changes it: 們 說 國), and the
    character t2s makes of it."""
    return {fields[1]: fields[2] for fields in _rows() if fields[0] == "T"}


@cache
def simplified_only() -> frozenset[str]:
    """The characters only Simplified text writes: s2t, s2tw and s2hk change them and t2s keeps
    them (们 说 国; not 吃 or 群, which Taiwan writes, nor 台 or 温, which Hong Kong writes).
    Character by character, OpenCC also counts a few forms Traditional text writes too (后, 里,
    干) among them."""
    return frozenset(fields[1] for fields in _rows() if fields[0] == "S")


@cache
def regional_variants() -> dict[str, str]:
    """For a character already folded by ``traditional_to_simplified``, the one it is written as
    where OpenCC's conversions (s2t, s2tw, s2hk, word by word) and t2s disagree: 著 for 着 (看著),
    瞭 for 了 (瞭解), 衞 for 卫, 覆 for 复 (回覆), both written as the Simplified one. Simplified text
    writes most of them too (著名, 覆盖), so only a comparison that folds both sides alike
    (dedup's ``ignore_script``) may use them."""
    return {fields[1]: fields[2] for fields in _rows() if fields[0] == "V"}


@cache
def script_only_chars() -> tuple[re.Pattern, re.Pattern]:
    """Patterns of the unified ideographs (U+4E00-U+9FFF) only Traditional text writes (們 說 國:
    OpenCC's t2s changes them) and of those only Simplified text writes (们 说 国), from
    this module's tables. Character by character, OpenCC also counts a few forms that
    Traditional text writes too (后, 里, 干) as Simplified only; a phrase needs two such characters
    and none of the other script's, and has to repeat, so those seldom decide."""
    traditional = sorted(c for c in traditional_to_simplified() if c >= "\u4e00")
    simplified = sorted(c for c in simplified_only() if c >= "\u4e00")
    return re.compile(f"[{''.join(traditional)}]"), re.compile(f"[{''.join(simplified)}]")


def written_in_traditional(text: str) -> bool:
    """Whether more of ``text``'s characters that only one script writes are Traditional ones."""
    traditional, simplified = script_only_chars()
    return len(traditional.findall(text)) > len(simplified.findall(text))


@cache
def _folding() -> tuple[re.Pattern, dict[int, str], np.ndarray]:
    """The pattern of the characters to fold, and the folding as a translate table and as an
    array of code points (for long texts: one vectorised lookup, five times str.translate's
    speed)."""
    table = traditional_to_simplified()
    codes = np.arange(IDEOGRAPHS.stop, dtype=np.uint32)
    for traditional, simplified in table.items():
        codes[ord(traditional)] = ord(simplified)
    return re.compile(f"[{''.join(sorted(table))}]"), str.maketrans(table), codes


# Below this length str.translate is faster than the array lookup's fixed cost.
_ARRAY_FOLD_CHARS = 64


# The texts folded last, by identity: the filters read the same document text one after another.
_RECENT: dict[int, tuple[str, str]] = {}
_RECENT_TEXTS = 4


def simplified_form(text: str) -> str:
    """``text`` with each character only Traditional text writes in its Simplified form, one for
    one, so that an offset into the one is an offset into the other: the form in which what is
    written in Simplified (word and phrase lists, patterns, the line classifier's features) reads
    Traditional text. Text holding no such character, found by one scan in C, is returned as it
    is (0.1 µs a line); folding runs at about 190 MB/s, once for a text several rules read."""
    if text.isascii():
        return text
    traditional, table, codes = _folding()
    if len(text) < _ARRAY_FOLD_CHARS:
        return text if traditional.search(text) is None else text.translate(table)
    recent = _RECENT.get(id(text))
    if recent is not None and recent[0] is text:
        return recent[1]
    if traditional.search(text) is None:
        folded = text
    else:
        # surrogatepass: a lone surrogate (a Python str may hold one) stays itself, as str.translate leaves it.
        points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        folded = np.where(points < len(codes), codes[np.minimum(points, len(codes) - 1)],
                          points).tobytes().decode("utf-32-le", "surrogatepass")
    if len(_RECENT) >= _RECENT_TEXTS:
        _RECENT.clear()
    _RECENT[id(text)] = (text, folded)
    return folded


def _rows() -> list[list[str]]:
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


def table_from_opencc() -> list[str]:
    """The lines of the bundled file, computed with the installed OpenCC and, for the variants,
    the words of the bundled jieba dictionary."""
    import opencc

    chars = [chr(cp) for cp in IDEOGRAPHS]
    to_simplified = opencc.OpenCC("t2s.json").convert("\n".join(chars)).split("\n")
    # A character that Taiwan's or Hong Kong's standard keeps (吃, 台) is no mark of Simplified text.
    to_traditional = [opencc.OpenCC(f"{standard}.json").convert("\n".join(chars)).split("\n")
                      for standard in ("s2t", "s2tw", "s2hk")]
    version = importlib.metadata.version("opencc")
    lines = [f"# Chinese characters by script, from OpenCC {version} (Apache-2.0, github.com/BYVoid/OpenCC),",
             "# its t2s, s2t, s2tw and s2hk conversions of each unified ideograph (U+3400-U+9FFF), one character",
             "# at a time.",
             "# T<tab>character<tab>its Simplified form: a character only Traditional text writes (t2s changes it).",
             "# S<tab>character: a character only Simplified text writes (t2s keeps it; s2t, s2tw and s2hk change it).",
             "# V<tab>character<tab>the character it is compared as: characters s2t, s2tw or s2hk write for one another",
             "# in the words of jieba's dictionary where t2s keeps them apart (著 着); Simplified text writes most too.",
             "# Written by `python -m datacleaning.script_chars`; do not edit by hand."]
    folded = {char: simplified for char, simplified in zip(chars, to_simplified, strict=True) if simplified != char}
    for char in folded:  # t2s of t2s: 薴 → 苧 → 苎 folds to 苎 at once
        while folded[char] in folded and folded[folded[char]] != folded[char]:
            folded[char] = folded[folded[char]]
    for char, simplified, *traditional in zip(chars, to_simplified, *to_traditional, strict=True):
        if simplified != char:
            lines.append(f"T\t{char}\t{folded[char]}")
        elif char not in traditional:
            lines.append(f"S\t{char}")
    lines += [f"V\t{variant}\t{simplified}" for variant, simplified in sorted(_variants(folded).items())]
    return lines


def _variants(folded: dict[str, str]) -> dict[str, str]:
    """Characters that OpenCC's conversions and t2s (``folded``) leave apart, mapped onto one of
    them: where s2t, s2tw or s2hk write a character for a Simplified one in a word (to the same
    length) and t2s does not give that one back, the two, with every character joined to them
    so, are one class (着 著; 台 臺 檯 枱; 了 瞭), written as its commonest character outside
    ``folded`` (by jieba's count of it as a word). A class can join two Simplified characters
    (像 象, 链 炼): a comparison that folds both sides alike loses little by it. Characters
    ``folded`` maps are left out: t2s folds them first."""
    import opencc

    from datacleaning.zh_segmenter import load_segmenter

    segmenter = load_segmenter()
    words = segmenter.words()
    parent: dict[str, str] = {}

    def root(char: str) -> str:
        while parent.setdefault(char, char) != char:
            char = parent[char] = parent[parent[char]]
        return char

    for standard in ("s2t", "s2tw", "s2hk"):
        converted = opencc.OpenCC(f"{standard}.json").convert("\n".join(words)).split("\n")
        for word, written in zip(words, converted, strict=True):
            if written == word or len(written) != len(word):
                continue
            for simplified, variant in zip(word, written):
                variant = folded.get(variant, variant)
                if variant != simplified:
                    parent[root(simplified)] = root(variant)
    classes: dict[str, list[str]] = {}
    for char in list(parent):
        classes.setdefault(root(char), []).append(char)
    variants = {}
    for members in classes.values():
        written_as = max(sorted(members), key=lambda char: (char not in folded, segmenter.frequency(char)))
        variants.update({char: written_as for char in members if char != written_as and char not in folded})
    return variants


def main() -> int:
    TABLE.write_text("\n".join(table_from_opencc()) + "\n", encoding="utf-8")
    print(f"{TABLE}: {len(traditional_to_simplified()):,} Traditional, {len(simplified_only()):,} Simplified characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
