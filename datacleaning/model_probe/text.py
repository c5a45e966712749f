"""The text a probe model reads: each document as stored, or with its Traditional Chinese
characters read as their Simplified forms, one for one (``probe.fold_script``). The shipped model
learned Simplified text only, so a Taiwanese or Hong Kong page would otherwise score as unlikely
for its script, not for its quality; folding keeps every character count as it is."""
from __future__ import annotations

import pyarrow as pa

from datacleaning.script_chars import simplified_form


def model_texts(texts: pa.Array | pa.ChunkedArray, fold_script: bool) -> pa.Array | pa.ChunkedArray:
    """``texts`` as the probe's model reads them (null stays null)."""
    if not fold_script:
        return texts
    return pa.array([None if text is None else simplified_form(text) for text in texts.to_pylist()], pa.string())
