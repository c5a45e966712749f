"""Chinese promotion and lottery spam told by its contact handles and draw numbers.

The words of gambling spam (时时彩, 北京赛车, 六合彩, 特码, 返水, 首充...) are a word list: they belong
in the blacklist step (datacleaning/blacklists), which already judges hits by density. What a word
list cannot hold are the numbers such pages exist to publish, which this rule counts.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

from datacleaning.document import Document
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import register

# The regex module finds where these alternatives can start several times faster than re.
CONTACT_OR_DRAW = regex.compile(r"""
    (?:QQ|qq|Qq|扣扣|企鹅)(?:号码|号|群)?[ \t]{0,3}[:：]?[ \t]{0,3}[1-9]\d{4,10}(?!\d)
  | (?:微信|威信|薇信|徽信|[Vv]信|加[Vv])(?:公众号|号)?[ \t]{0,3}[:：]?[ \t]{0,3}[A-Za-z0-9][-_A-Za-z0-9]{5,19}
    # Latin abbreviations need their colon: "wxrwxr-x" is a file mode, not a WeChat id.
  | (?<![A-Za-z])(?:[Vv][Xx]|[Ww][Xx])[ \t]{0,3}[:：][ \t]{0,3}[A-Za-z0-9][-_A-Za-z0-9]{5,19}
    # mobile numbers, landlines and 400 hotlines
  | (?<!\d)1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)
  | (?<!\d)(?:0\d{2,3}|400)-\d{3,4}-?\d{4}(?!\d)
    # lottery draw numbers: 第2024123期
  | 第?\d{5,9}期
""", regex.X)


@register("zh_contact_spam")
@dataclass
class ZhContactSpam(Filter):
    """Chinese pages built around contact handles and lottery draws: QQ numbers, WeChat ids
    (微信/VX/加V), mobile, landline and 400 numbers, and draw numbers (第2024123期). Rejects with at
    least ``min_hits`` hits *and* at least ``min_hits_per_1k`` hits per 1,000 characters, so a
    news page with the newsroom's phone numbers in its footer, or a review quoting the courier's
    number, is kept. Counted on the text as read: the PII edit rules, which run before filters,
    would otherwise have removed the evidence.

    Prices are not counted: reviews and news quote them densely ("原价899元，现在848元") and
    are not spam for it. Gambling and promotion words are the blacklist's job (see the module
    note).
    """

    signals = {"hits": "int64", "per_1k": "float64"}
    thresholds = frozenset({"min_hits", "min_hits_per_1k"})
    languages = frozenset({"zh"})
    min_hits: int = 3
    min_hits_per_1k: float = 10.0

    def score(self, doc: Document) -> dict:
        text = doc.original_text
        hits = len(CONTACT_OR_DRAW.findall(text))
        return {"hits": hits, "per_1k": round(1000 * hits / max(len(text), 1), 3)}

    def keep(self, value: dict) -> bool:
        return value["hits"] < self.min_hits or value["per_1k"] < self.min_hits_per_1k
