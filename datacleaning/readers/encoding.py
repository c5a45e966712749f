"""Which text encoding a file's bytes are in: a byte-order mark, else UTF-8 when the bytes are valid
UTF-8, else what Resiliparse's detector finds. Plain text and CSV/TSV files go through here (Chinese
corpora still come in GBK, GB18030, Big5 and UTF-16); HTML has its own (``page.decoded_page``).

Chosen by ``bench/encoding_detect.py``: on this path Resiliparse decodes 99-100% of GBK, GB18030,
Big5, Shift_JIS and EUC-JP documents exactly, at 15 MB/s per core, with no new dependency. BOMs are
read here because Resiliparse reads a UTF-16 big-endian BOM as little-endian. Not recognised:
UTF-16 without a BOM, and a fifth of English cp1252 files; those are quarantined, not guessed.
"""
from __future__ import annotations

import codecs

from resiliparse.parse.encoding import detect_encoding

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def detect_text_encoding(data: bytes) -> str | None:
    """The encoding of bytes that start a file (all of it, or a head that may end inside a
    character), as a Python codec name; None when they are not UTF-8 and the detector recognises
    nothing else."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    detected = detect_encoding(data)
    return None if detected == "utf-8" else detected  # utf-8 is the detector's answer for "no idea"


def undetected_reason(data: bytes) -> str:
    """Why ``data`` has no encoding, for its quarantine record."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return f"no text encoding recognised (not UTF-8 at byte {e.start}: {e.reason})"
    return "no text encoding recognised"
