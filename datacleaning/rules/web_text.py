"""What the web-quality rules (Gopher, C4, FineWeb) share about the text they judge: the languages
they have thresholds for and how a Chinese sentence ends."""
from __future__ import annotations

ZH = "zh"
WEB_LANGUAGES = frozenset({"en", ZH})
# A Chinese sentence ends in one of these, closing quotes and brackets after it looked through.
ZH_SENTENCE_END = ("。", "！", "？", "；", "．", "!", "?", ".", "……")
ZH_CLOSERS = "”’」』）)》\"'"
TEASER_END = "..."


def ends_zh_sentence(line: str) -> bool:
    """Whether a line ends a Chinese sentence: in ZH_SENTENCE_END, perhaps followed by closing
    quotes or brackets (。” ！」 。）), and not in "..."."""
    bare = line.rstrip(ZH_CLOSERS)
    return bare.endswith(ZH_SENTENCE_END) and not bare.endswith(TEASER_END)
