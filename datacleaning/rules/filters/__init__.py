"""Filters: each measures one thing about a whole document and keeps or rejects it by thresholds.
``zh_`` modules hold the filters made for Chinese.

- ``length``: characters before and after cleaning
- ``web_quality``: Gopher quality and repetition, C4's document rules, FineWeb (English and Chinese)
- ``function_words``: running text against lists
- ``layout``: sentence marks, short lines, enumerated lines
- ``garbled``: mojibake and letters alternating with digits
- ``metadata``: what a record says about itself beside its text (engagement counts)
- ``zh_quality``: common characters, single-character words, share of Han characters
- ``zh_spam``: contact spam, gambling promotion, script injection, spliced text
"""
