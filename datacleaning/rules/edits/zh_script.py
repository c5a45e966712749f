"""Traditional to Simplified Chinese with OpenCC."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from datacleaning.charclasses import HAN_EXT_A, HAN_SUPPLEMENTARY
from datacleaning.rules.base import Editor
from datacleaning.rules.registry import register
from datacleaning.script_chars import written_in_traditional

# The unified ideographs and compatibility ideographs a font, input method and tokenizer cover;
# Extension A and the supplementary planes are the rare blocks.
_COMMON_HAN = [*range(0x4E00, 0xA000), *range(0xF900, 0xFB00)]
_RARE_HAN = re.compile(f"[{HAN_EXT_A}{HAN_SUPPLEMENTARY}]")
# Conversions whose phrases and variants rewrite Simplified words (Taiwan's 著 for 着, its 程序 for
# the mainland's 进程): run on Traditional documents only.
_TAIWAN_CONFIGS = frozenset({"tw2s", "tw2sp"})


@register("traditional_to_simplified")
@dataclass
class TraditionalToSimplified(Editor):
    """Traditional Chinese characters and phrases to Simplified with OpenCC: "軟體開發與資訊處理" →
    "软体开发与资讯处理" (``config="t2s"``), or with Taiwan/Hong Kong variants and, for ``tw2sp``,
    mainland vocabulary ("軟體" → "软件", "滑鼠" → "鼠标").

    Leaves alone Simplified text (OpenCC keeps words such as 乾隆, 著名 as they are; ``tw2s`` and
    ``tw2sp`` convert with ``t2s`` a document not written mostly in Traditional, since their
    Taiwanese words and variants are Simplified words too: 显著 → 显着, 程序 → 进程), non-Chinese
    documents, and with ``keep_rare_traditional`` a Traditional character whose simplified form
    lies only in a rare CJK extension block (綝 → 𬘭, 壈 → 𡒄, 騧 → 䯄): the traditional form is the
    one fonts, input methods and tokenizers know, and the one mainland editions of classical
    poetry print. Documents here have only a text field; a title field would need the same
    conversion.
    """

    languages = frozenset({"zh"})
    config: Literal["t2s", "tw2s", "hk2s", "tw2sp"] = "t2s"
    keep_rare_traditional: bool = True
    _converter: Any = field(default=None, init=False, repr=False, compare=False)
    _simplified_text_converter: Any = field(default=None, init=False, repr=False, compare=False)
    _kept_chars: re.Pattern | None = field(default=None, init=False, repr=False, compare=False)

    def prepare(self, base_dir: Path) -> None:
        # Imported here so that the rule library loads where OpenCC is not installed.
        import opencc

        self._converter = opencc.OpenCC(f"{self.config}.json")
        self._simplified_text_converter = (opencc.OpenCC("t2s.json") if self.config in _TAIWAN_CONFIGS
                                           else self._converter)
        if self.keep_rare_traditional:
            chars = [chr(cp) for cp in _COMMON_HAN]
            converted = self._converter.convert("\n".join(chars)).split("\n")
            kept = [c for c, s in zip(chars, converted, strict=True) if _RARE_HAN.search(s)]
            self._kept_chars = re.compile(f"([{''.join(kept)}])") if kept else None

    def apply(self, text: str) -> str:
        if self._converter is None:
            self.prepare(Path("."))
        converter = self._converter
        if self.config in _TAIWAN_CONFIGS and not written_in_traditional(text):
            converter = self._simplified_text_converter
        if self._kept_chars is None or self._kept_chars.search(text) is None:
            return converter.convert(text)
        pieces = self._kept_chars.split(text)
        # split() with one group alternates text between kept characters (even) and the kept
        # characters themselves (odd).
        return "".join(p if i % 2 else converter.convert(p) for i, p in enumerate(pieces))
