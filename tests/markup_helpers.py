"""strip_html and remove_js_lines as plain functions of a text (unit/test_rules_markup.py and
corpus/test_rules_markup_corpus.py)."""
from __future__ import annotations

from datacleaning.rules.edits.code_lines import RemoveJsLines
from datacleaning.rules.normalizers.html import StripHtml

strip = StripHtml().apply
remove_js = RemoveJsLines().apply
