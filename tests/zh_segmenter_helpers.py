"""jieba's own cut, the reference the Chinese segmenter is checked against (unit/test_zh_segmenter.py
and corpus/test_zh_segmenter_corpus.py); importing this quiets jieba's logging."""
from __future__ import annotations

import logging

import jieba

jieba.setLogLevel(logging.WARNING)


def jieba_cut(text: str) -> list[str]:
    return list(jieba.dt.cut(text, HMM=False))
