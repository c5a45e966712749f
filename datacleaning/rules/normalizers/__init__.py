"""Normalizers: the rules that run first, on every document whatever its language, and fix how
text is encoded rather than what it says.

- ``html``: entities, tags and script blocks left in extracted text (strip_html)
- ``unicode``: invisible and junk characters, fullwidth and enclosed letters and digits
- ``homoglyphs``: look-alike letters from other scripts (fold_homoglyphs)
- ``whitespace``: exotic spaces, line breaks, blank lines
- ``punctuation``: repeated marks, separator lines, junk marks at a document's edges
"""
